#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end USB tests of mpx-dfu, mpx-dfu-sim and Debian's dfu-util, in a
# QEMU guest (tools/vm/): builds the test files here, runs tests/usb/e2e.sh
# in the guest, prints its TAP log. Exit status: 0 if every case passed.
#   tests/usb/run.sh [GUEST_SCRIPT]     (default tests/usb/e2e.sh)
set -eu
cd "$(dirname "$0")/../.."
script=${1:-tests/usb/e2e.sh}
WORK=build/usb-e2e
rm -rf "$WORK"
mkdir -p "$WORK"
if [ ! -x build/host/bin/mpx-dfu ] || [ ! -x build/host/bin/mpx-dfu-sim ]; then
  cmake -S . -B build/host >/dev/null && cmake --build build/host --target mpx-dfu mpx-dfu-sim -j "$(nproc)" >/dev/null
fi

# Test files: random data (seeded), and an ELF linked for 0x08000000 with
# its .hex and .bin made by objcopy.
/usr/bin/python3 - "$WORK" <<'PY'
import random, sys
w = sys.argv[1]
rnd = random.Random(20261121)
def save(name, n):
    open(f"{w}/{name}", "wb").write(bytes(rnd.getrandbits(8) for _ in range(n)))
save("fw.bin", 300000)       # sectors 0..5 (0x08000000..0x08049000)
save("small.bin", 40000)     # sectors 0..2
save("fs.bin", 16384)        # the "filesystem" sector (0x0800C000)
save("512k.bin", 512 * 1024)
save("blob.bin", 70000)
PY
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -nostdlib -Wall -Werror -Wa,-I"$WORK" \
  -T tests/usb/fw/fw.ld tests/usb/fw/fw.c tests/usb/fw/blob.S -o "$WORK/fw.elf"
arm-none-eabi-objcopy -O ihex "$WORK/fw.elf" "$WORK/fw.hex"
arm-none-eabi-objcopy -O binary "$WORK/fw.elf" "$WORK/fw-elf.bin"

# MPX_DFU_BIN: where mpx-dfu and mpx-dfu-sim are (default build/host/bin),
# e.g. an ASan build's; the guest reads it from the work folder.
echo "${MPX_DFU_BIN:-$PWD/build/host/bin}" > "$WORK/bindir"
# MicroPython's own tools/pydfu.py (python3-usb), the reference for the pydfu
# line: MICROPYTHON_PYDFU, else one unpacked by make test's MicroPython build.
orig=${MICROPYTHON_PYDFU:-$(ls -t build/micropython/*/src/tools/pydfu.py 2>/dev/null | head -n 1)}
if [ -n "$orig" ]; then readlink -f "$orig" > "$WORK/pydfu-orig"; fi
status=0
tools/vm/run-guest.sh "$script" "$WORK" 900 || status=$?
cat "$WORK/guest.log" 2>/dev/null || true
if [ "$status" -ne 0 ]; then
  echo "usb e2e: FAILED (guest status $status; console: $WORK/console.log, sim: $WORK/sim.log)" >&2
fi
exit "$status"
