#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the build into a scratch prefix and builds examples/dfu_flash.c
# against it with pkg-config, as a user of libmpxdfu would (run by ctest).
#   tests/dfu/test_install.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" > /dev/null
libdir=$(ls -d "$prefix"/lib*/pkgconfig | head -n 1)
for f in bin/mpx-dfu bin/mpx-dfu-sim include/mpxdfu/dfu.h include/mpxdfu/dfu_usb.h include/mpxdfu/dfu_sim.h \
         share/man/man1/mpx-dfu.1 lib/udev/rules.d/60-mpx-dfu.rules; do
  [ -e "$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done
PKG_CONFIG_PATH=$libdir cc -std=c11 -Wall -Wextra -Werror -o "$prefix/dfu_flash" "$src/examples/dfu_flash.c" \
  $(PKG_CONFIG_PATH=$libdir pkg-config --cflags --libs mpxdfu)
LD_LIBRARY_PATH=$(dirname "$libdir") "$prefix/dfu_flash" "$prefix/missing.dfu" 2> "$prefix/err" && exit 1
grep -q "dfu_flash: file I/O error: .*missing.dfu" "$prefix/err" || { cat "$prefix/err"; exit 1; }
echo "installed library, headers, pkg-config file, man page and udev rule; example links and runs"
