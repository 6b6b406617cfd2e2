#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the QEMU guest for the end-to-end USB tests (docs/dfu-usb-rig.md):
# the bookworm-backports 6.12 kernel, unpacked with dpkg -x (nothing is
# installed on this machine), and a busybox initramfs holding only the
# modules the rig needs (dummy_hcd, libcomposite, usb_f_fs, 9p over virtio).
#
#   tools/vm/build-guest.sh [OUTDIR]     (default build/vm)
#
# Needs: apt-get, dpkg, kmod, cpio, xz-utils, busybox-static (tools/deps.sh
# test). What it downloads, the backports package lists (apart from the
# system's) and the kernel package, is kept in a cache outside the source
# tree, MPX_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/mpx), under vm-apt/:
# `make clean` leaves it, and a kernel package already there is not fetched
# again (nor the lists, when the mirror cannot be reached). Rebuilding is a
# no-op when OUTDIR/bzImage and initrd.gz exist.
set -eu
cd "$(dirname "$0")/../.."
OUT=${1:-build/vm}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# Up to date: the kernel is there and the initramfs has this init.
if [ -f "$OUT/bzImage" ] && [ -f "$OUT/initrd.gz" ] && cmp -s tools/vm/init "$OUT/initramfs/init"; then
  exit 0
fi

APT="${MPX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mpx}/vm-apt"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/debs"
echo "deb http://deb.debian.org/debian bookworm-backports main" > "$APT/sources.list"
aptopts="-o Dir::Etc::SourceList=$APT/sources.list -o Dir::Etc::SourceParts=/dev/null
         -o Dir::State::Lists=$APT/lists -o Dir::Cache=$APT/cache -o Debug::NoLocking=1
         -o APT::Sandbox::User=$(id -un)"
# shellcheck disable=SC2086
if ! apt-get $aptopts -qq update; then
  ls "$APT/lists/"*_Packages > /dev/null 2>&1 || exit 1
  echo "build-guest: the mirror did not answer; using the package lists cached in $APT" >&2
fi
# The metapackage names the exact kernel package of the day.
# shellcheck disable=SC2086
kpkg=$(apt-cache $aptopts show linux-image-amd64 | sed -n 's/^Depends: *\(linux-image-[^ ,]*\).*/\1/p' | head -n 1)
case "$kpkg" in
  linux-image-6.1[2-9]*|linux-image-6.[2-9]*|linux-image-[7-9]*) ;;
  *) echo "build-guest: backports kernel '$kpkg' is not 6.12 or newer (FunctionFS before 6.12 rejects the DFU functional descriptor)" >&2; exit 1 ;;
esac
# shellcheck disable=SC2086
ls "$APT/debs/${kpkg}_"*.deb > /dev/null 2>&1 || (cd "$APT/debs" && apt-get $aptopts -qq download "$kpkg")
KROOT="$OUT/kernel"
rm -rf "$KROOT"
dpkg -x "$APT/debs/${kpkg}_"*.deb "$KROOT"
KVER=$(ls "$KROOT/lib/modules")
cp "$KROOT/boot/vmlinuz-$KVER" "$OUT/bzImage.tmp"

INIT="$OUT/initramfs"
rm -rf "$INIT"
mkdir -p "$INIT/bin" "$INIT/lib/modules" "$INIT/proc" "$INIT/sys" "$INIT/dev" "$INIT/host"
cp /bin/busybox "$INIT/bin/busybox"
for app in sh mount umount insmod mkdir chroot poweroff cat echo sleep ln; do
  ln -s busybox "$INIT/bin/$app"
done

# Modules in dependency order, decompressed (busybox insmod takes plain .ko).
depmod -b "$KROOT" "$KVER"
: > "$INIT/lib/modules/order"
for mod in configfs dummy_hcd libcomposite usb_f_fs 9pnet_virtio 9p virtio_pci; do
  modprobe -d "$KROOT" -S "$KVER" --show-depends "$mod" | while read -r kind path _; do
    [ "$kind" = insmod ] || continue
    name=$(basename "$path"); name=${name%.xz}; name=${name%.zst}
    [ -f "$INIT/lib/modules/$name" ] && continue
    case "$path" in
      *.xz) xz -dc "$path" > "$INIT/lib/modules/$name" ;;
      *.zst) zstd -qdc "$path" > "$INIT/lib/modules/$name" ;;
      *) cp "$path" "$INIT/lib/modules/$name" ;;
    esac
    echo "$name" >> "$INIT/lib/modules/order"
  done
done
cp tools/vm/init "$INIT/init"
chmod +x "$INIT/init"
(cd "$INIT" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT/initrd.gz.tmp"
mv "$OUT/initrd.gz.tmp" "$OUT/initrd.gz"
mv "$OUT/bzImage.tmp" "$OUT/bzImage"
echo "build-guest: $kpkg ($KVER), $(wc -l < "$INIT/lib/modules/order") modules -> $OUT"
