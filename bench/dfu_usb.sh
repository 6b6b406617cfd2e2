#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark: flashing 512 KiB onto the virtual STM32 bootloader over USB
# (dummy_hcd in the QEMU guest of tests/usb/), mpx-dfu against Debian's
# dfu-util in the same guest and run. Both erase the touched sectors and
# write; dfu-util does not verify, so the peer figure is mpx-dfu
# --no-verify (the verifying run is shown too). Target: <= 0.8x dfu-util.
#   bench/dfu_usb.sh            (RUNS=5 by default)
set -eu
cd "$(dirname "$0")/.."
WORK=build/bench-dfu
rm -rf "$WORK"
mkdir -p "$WORK"
cmake -S . -B build/host >/dev/null && cmake --build build/host --target mpx-dfu mpx-dfu-sim -j "$(nproc)" >/dev/null
head -c 524288 /dev/urandom > "$WORK/512k.bin"
echo "${RUNS:-5}" > "$WORK/runs"
tools/vm/run-guest.sh bench/dfu_guest.sh "$WORK" 1800
/usr/bin/python3 - "$WORK/guest.log" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if parts and parts[0] == "FAILED":
        sys.exit("bench: " + line.strip())
    if len(parts) == 3:
        runs.setdefault(parts[0], []).append((int(parts[1]), int(parts[2])))
peer = statistics.median(ms for ms, _ in runs["dfu-util"])
print("flash 512 KiB onto mpx-dfu-sim over USB (QEMU guest, dummy_hcd), median of %d runs" % len(runs["dfu-util"]))
print("%-20s %10s %10s %14s" % ("tool", "wall ms", "vs peer", "USB requests"))
for name, rs in runs.items():
    ms = statistics.median(m for m, _ in rs)
    print("%-20s %10.0f %9.2fx %14d" % (name, ms, ms / peer, rs[0][1]))
ratio = statistics.median(m for m, _ in runs["mpx-dfu"]) / peer
print("mpx-dfu (same work as dfu-util) / dfu-util = %.2fx (target <= 0.80x: %s)" % (ratio, "met" if ratio <= 0.8 else "MISSED"))
PY
