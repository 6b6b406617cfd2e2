#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark: flashing 512 KiB onto the virtual STM32 bootloader over USB
# (dummy_hcd in the QEMU guest of tests/usb/), mpx-dfu against Debian's
# dfu-util in the same guest and run. Both erase the touched sectors and
# write; dfu-util does not verify, so the peer figure is mpx-dfu
# --no-verify (the verifying run is shown too). The drop-in command lines
# (dfu-util's, MicroPython's two make deploy lines) verify, as mpx-dfu
# always does. Targets: drop-ins <= 0.65x dfu-util; the Python API adds < 2%.
#   bench/dfu_usb.sh            (RUNS=5 by default)
set -eu
cd "$(dirname "$0")/.."
WORK=build/bench-dfu
rm -rf "$WORK"
mkdir -p "$WORK"
cmake -S . -B build/host >/dev/null && cmake --build build/host --target mpx-dfu mpx-dfu-sim -j "$(nproc)" >/dev/null &&
  MPX_WERROR=1 /usr/bin/python3 setup.py -q build_ext --inplace --build-temp build/py-temp &&
  /usr/bin/python3 -m compileall -q cpython/mpx
# 512 KiB that look like firmware (a Cortex-M vector table, then bytes that
# do not compress): raw bytes from /dev/urandom would now and then start with
# an archive's magic, which mpx-dfu refuses as "not firmware".
/usr/bin/python3 -c 'import random, struct, sys
vectors = struct.pack("<2I", 0x20020000, 0x08000199)
sys.stdout.buffer.write(vectors + random.Random(512).randbytes(524288 - len(vectors)))' > "$WORK/512k.bin"
echo "${RUNS:-5}" > "$WORK/runs"
# MicroPython's own tools/pydfu.py (on python3-usb), the peer of the pydfu
# line: MICROPYTHON_PYDFU, else one unpacked by make test's MicroPython build.
orig=${MICROPYTHON_PYDFU:-$(ls -t build/micropython/*/src/tools/pydfu.py 2>/dev/null | head -n 1)}
[ -n "$orig" ] && readlink -f "$orig" > "$WORK/pydfu-orig"
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
med = {name: statistics.median(ms for ms, _ in rs) for name, rs in runs.items()}
peers = {"dfu-util": "dfu-util", "mpx-dfu": "dfu-util", "mpx-dfu-verify": "dfu-util",
         "mpx-dfu-per-chunk": "dfu-util", "as-dfu-util": "dfu-util", "mpx-dfu-in-process": "mpx-dfu", "deploy-dfu-util": "deploy-dfu-util",
         "deploy-as-dfu-util": "deploy-dfu-util", "deploy-pydfu": "deploy-dfu-util", "mpx.dfu-api": "mpx-dfu-in-process",
         "mpx.dfu-api-progress": "mpx-dfu-in-process",
         "deploy-pydfu-micropython": "deploy-dfu-util",
         "python3-start": "deploy-dfu-util"}
what = {
    "dfu-util": "dfu-util -a 0 -s 0x08000000 -D 512k.bin",
    "mpx-dfu": "mpx-dfu flash --no-verify --no-leave (dfu-util's work)",
    "mpx-dfu-verify": "mpx-dfu flash --no-leave (verified)",
    "mpx-dfu-per-chunk": "... --per-chunk-address (dfu-util's requests)",
    "as-dfu-util": "mpx-dfu -a 0 -s 0x08000000 -D 512k.bin (verified)",
    "deploy-dfu-util": "dfu-util -a 0 -d 0x0483:0xDF11 -D 512k.dfu -s :leave",
    "deploy-as-dfu-util": "mpx-dfu, the same line (verified)",
    "deploy-pydfu": "tools/pydfu.py --vid --pid -u 512k.dfu",
    "deploy-pydfu-micropython": "MicroPython's tools/pydfu.py (pyusb), the same line",
    "mpx.dfu-api": "Device.open + flash, timed in the process",
    "mpx.dfu-api-progress": "... with a progress callback (one call per block)",
    "mpx-dfu-in-process": "mpx-dfu --json flash --no-verify --no-leave: its own ms",
    "python3-start": "python3 -c pass",
}
n = len(runs["dfu-util"])
print("flash 512 KiB onto mpx-dfu-sim over USB (QEMU guest, dummy_hcd), median of %d runs" % n)
print("%-20s %-55s %8s %8s %9s" % ("row", "command", "wall ms", "requests", "vs peer"))
for name, rs in runs.items():
    print("%-20s %-55s %8.0f %8d %8.2fx %s" % (name, what.get(name, ""), med[name], rs[0][1],
                                             med[name] / med[peers.get(name, "dfu-util")], peers.get(name, "")))
def target(label, ratio, limit, below=True):
    ok = ratio <= limit if below else ratio >= limit
    print("%-62s %6.3f (target <= %.2f: %s)" % (label, ratio, limit, "met" if ok else "MISSED"))
print()
target("mpx-dfu (dfu-util's work) / dfu-util", med["mpx-dfu"] / med["dfu-util"], 0.65)
target("drop-in: mpx-dfu with dfu-util's -D line / dfu-util", med["as-dfu-util"] / med["dfu-util"], 0.65)
target("drop-in: make deploy USE_PYDFU=0 DFU_UTIL=mpx-dfu / dfu-util", med["deploy-as-dfu-util"] / med["deploy-dfu-util"], 0.65)
target("drop-in: make deploy PYDFU=tools/pydfu.py / dfu-util", med["deploy-pydfu"] / med["deploy-dfu-util"], 0.65)
print("  of which the interpreter's start (python3 -c pass): %.0f ms; without it: %.3fx" % (
    med["python3-start"], (med["deploy-pydfu"] - med["python3-start"]) / med["deploy-dfu-util"]))
if "deploy-pydfu-micropython" in med:
    print("%-62s %6.3f" % ("tools/pydfu.py / MicroPython's pydfu.py, the same line",
                           med["deploy-pydfu"] / med["deploy-pydfu-micropython"]))
else:
    print("(no MicroPython pydfu.py to compare with: set MICROPYTHON_PYDFU or run make test first)")
target("mpx.dfu Python API / mpx-dfu, the same work timed in-process (adds < 2%)",
       med["mpx.dfu-api"] / med["mpx-dfu-in-process"], 1.02)
print("  with a Python progress callback per block: %.3fx (the callback's own run time included)"
      % (med["mpx.dfu-api-progress"] / med["mpx-dfu-in-process"]))
PY
