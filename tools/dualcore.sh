#!/bin/sh
# SPDX-License-Identifier: MIT
# The display stack on two emulated cores: MicroPython with the mpx modules on
# QEMU mps2-an500 (Cortex-M7) runs SCRIPT; the renderer firmware on QEMU
# mps2-an386 (Cortex-M4) draws into the RAM both share. Prints the script's
# output, writes the framebuffer to OUT.png, exits with the script's status.
#
#   MICROPYTHON_SRC=/path/to/micropython-1.28.0.tar.gz tools/dualcore.sh SCRIPT.py OUT.png
#
# MICROPYTHON_SRC is a MicroPython source directory or .tar.gz (the first
# release of a ':'-separated list is used, as in make test); the firmware and
# the renderer are built (or reused) under build/micropython first.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ne 2 ]; then
  echo "usage: MICROPYTHON_SRC=... $0 SCRIPT.py OUT.png" >&2
  exit 2
fi
script=$1
png=$2
[ -f "$script" ] || { echo "dualcore: no script $script" >&2; exit 2; }
[ -n "${MICROPYTHON_SRC:-}" ] || { echo "dualcore: set MICROPYTHON_SRC (a MicroPython source or .tar.gz)" >&2; exit 2; }
out="$root/build/micropython"
mkdir -p "$out"
/usr/bin/python3 "$root/tools/mpy_build.py" --src "$MICROPYTHON_SRC" --list "$out/dualcore-targets.txt" \
  > "$out/dualcore-build.log" 2>&1 || { cat "$out/dualcore-build.log" >&2; exit 2; }
m7=$(awk '$1 ~ /\/qemu$/ {print $2; exit}' "$out/dualcore-targets.txt")
[ -n "$m7" ] || { echo "dualcore: no qemu MPS2_AN500 build (see $out/dualcore-build.log)" >&2; exit 2; }
exec /usr/bin/python3 "$root/tools/dualcore.py" --m7 "$m7" --m4 "$out/renderer-qemu/renderer.elf" "$script" "$png"
