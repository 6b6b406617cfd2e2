#!/bin/sh
# SPDX-License-Identifier: MIT
# Run a shell script inside the USB test guest (tools/vm/build-guest.sh) and
# return its exit status. The guest sees this machine's / read-only and
# RUNDIR writable at the same path; SCRIPT runs chrooted into that view with
# RUNDIR as its working directory and argument. Its output is RUNDIR/guest.log.
#
#   tools/vm/run-guest.sh SCRIPT RUNDIR [TIMEOUT_SECONDS]
#
# TCG only: the host's KVM (kvm_pvm) does not boot stock kernels.
set -eu
cd "$(dirname "$0")/../.."
script=$(readlink -f "$1")
mkdir -p "$2"
out=$(cd "$2" && pwd)
limit=${3:-600}
vm=${MPX_VM_DIR:-build/vm}
tools/vm/build-guest.sh "$vm"
rm -f "$out/guest.rc" "$out/guest.log"
timeout "$limit" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m 1024 \
  -nodefaults -display none -no-reboot -serial "file:$out/console.log" \
  -kernel "$vm/bzImage" -initrd "$vm/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 rdinit=/init mpx.run=$script mpx.out=$out" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=runout,path="$out",security_model=none \
  -device virtio-9p-pci,fsdev=runout,mount_tag=runout || {
  echo "run-guest: QEMU failed or timed out after ${limit}s; console: $out/console.log" >&2
  tail -n 20 "$out/console.log" >&2
  exit 1
}
if [ ! -f "$out/guest.rc" ]; then
  echo "run-guest: the guest did not run $script; console: $out/console.log" >&2
  tail -n 20 "$out/console.log" >&2
  exit 1
fi
exit "$(cat "$out/guest.rc")"
