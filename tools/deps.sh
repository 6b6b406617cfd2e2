#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian 12 packages a make target needs (as root: apt-get;
# otherwise print the apt-get line and stop).
#   tools/deps.sh demo|test|bench|venv|natmod    (venv: the README's pip install)
set -eu
case "${1:-test}" in
  demo) pkgs="gcc make python3 python3-dev python3-setuptools libsdl2-dev libusb-1.0-0-dev pkg-config zlib1g-dev" ;;
  venv) pkgs="gcc python3 python3-dev python3-venv python3-pip libsdl2-dev libusb-1.0-0-dev pkg-config zlib1g-dev" ;;
  test) pkgs="gcc gcc-multilib make cmake clang libclang-rt-14-dev gcc-arm-none-eabi libnewlib-arm-none-eabi
              qemu-system-arm valgrind python3 python3-dev python3-setuptools python3-pytest
              python3-msgpack python3-venv python3-pip fonts-spleen libsdl2-dev python3-pil
              libusb-1.0-0-dev pkg-config dfu-util qemu-system-x86 busybox-static cpio kmod xz-utils
              usbutils procps python3-usb zlib1g-dev lib32z1-dev xvfb xdotool openocd stlink-tools
              python3-pyelftools gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc" ;;
  natmod) pkgs="gcc gcc-multilib make python3 python3-pyelftools gcc-arm-none-eabi libnewlib-arm-none-eabi
                gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf" ;;
  bench) pkgs="gcc make cmake valgrind python3 python3-dev python3-setuptools python3-msgpack
               libusb-1.0-0-dev pkg-config dfu-util qemu-system-x86 busybox-static cpio kmod xz-utils python3-usb
               zlib1g-dev python3-pyelftools gcc-multilib gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
               gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc" ;;
  *) echo "usage: $0 demo|test|bench|venv|natmod" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages:$missing" >&2
  echo "run: sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
