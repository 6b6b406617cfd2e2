#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""msgpack against MicroPython's built-in json, on MicroPython itself.

    MICROPY=/path/to/micropython[:firmware.elf...] bench/msgpack_micropython.py

Runs bench/mpy_msgpack_vs_json.py on each MicroPython given (a unix-port
executable, or a qemu firmware .elf run with -icount shift=0, so that its
microseconds are a deterministic instruction count), and prints each figure
beside json's, with the ratio.

Targets (issue #2): at least 2x faster both ways, at least 30% smaller, and
no heap allocated per element when packing a 1,000-int list to a stream.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
SCRIPT = os.path.join(ROOT, "bench", "mpy_msgpack_vs_json.py")


def run(micropy):
    if micropy.endswith(".elf"):
        import mpy_test
        qemu = os.environ.get("MICROPY_QEMU", "qemu-system-arm -machine mps2-an500")
        os.environ["MICROPY_QEMU"] = qemu + " -icount shift=0"
        try:
            return mpy_test.run_script_qemu(micropy, SCRIPT, timeout=600)
        finally:
            os.environ["MICROPY_QEMU"] = qemu
    p = subprocess.run([micropy, "-X", "heapsize=8m", SCRIPT], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=600)
    return p.stdout.decode()


def main():
    targets = [m for m in os.environ.get("MICROPY", "").split(":") if m]
    if not targets:
        print("SKIPPED: MICROPY not set (a MicroPython with the mpx modules, unix binary or qemu .elf)")
        return 0
    for micropy in targets:
        out = run(micropy)
        r = {k: float(v) for k, v in re.findall(r"RESULT (\S+) (\S+)", out)}
        if "alloc.pack10" not in r:
            print("{}: no results\n{}".format(micropy, out))
            return 1
        kind = "qemu -icount (virtual us)" if micropy.endswith(".elf") else "unix (wall us)"
        print("\n{} [{}]".format(micropy, kind))
        print("{:<6} {:<8} {:>12} {:>12} {:>8}  {}".format("data", "", "msgpack", "json", "ratio", "target"))
        for name in ("small", "mixed"):
            size = 1 - r[name + ".size.msgpack"] / r[name + ".size.json"]
            print("{:<6} {:<8} {:>10.0f} B {:>10.0f} B {:>7.0f}%  >= 30% smaller {}".format(
                name, "size", r[name + ".size.msgpack"], r[name + ".size.json"], size * 100,
                "ok" if size >= 0.30 else "MISS"))
            for op in ("pack", "unpack"):
                ratio = r["{}.{}.json".format(name, op)] / r["{}.{}.msgpack".format(name, op)]
                print("{:<6} {:<8} {:>9.1f} us {:>9.1f} us {:>7.2f}x  >= 2x faster {}".format(
                    name, op, r["{}.{}.msgpack".format(name, op)], r["{}.{}.json".format(name, op)],
                    ratio, "ok" if ratio >= 2 else "MISS"))
        print("heap allocated by pack(list of 1000 ints, stream): {:.0f} bytes "
              "(10 ints: {:.0f}; json.dump of the 1000: {:.0f})  {}".format(
                  r["alloc.pack1000"], r["alloc.pack10"], r["alloc.json1000"],
                  "ok" if r["alloc.pack1000"] <= r["alloc.pack10"] else "MISS"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
