#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""mp_rlvgl from Python: stack ops per second through the ring (renderer on
its own thread) against a no-op Python call with the same arguments, in the
same run; then the C benchmarks (bench/c/bench_ui.c) on the host and, under
QEMU -icount, on Cortex-M4 and M7.

    bench/rlvgl_desktop.py [--micropy PATH]
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "cpython"))

PY_CODE = r"""
import time
import mp_rlvgl as ui
try:
    clock = time.perf_counter
except AttributeError:
    clock = lambda: time.ticks_us() / 1e6
def noop(z, node):
    pass
def run(fn, n):
    node = {"kind": "rect", "x": 1, "y": 2, "w": 3, "h": 4, "color": 0x123456}
    t = clock()
    for i in range(n):
        fn(i & 63, node)
    return clock() - t
ui.init(width=320, height=240)
for z in range(64):
    ui.stack_add(z, {"kind": "rect", "x": 0, "y": 0, "w": 1, "h": 1, "color": 0})
N = 200000
best_op = best_noop = 1e9
for _ in range(5):
    best_op = min(best_op, run(ui.stack_replace, N))
    best_noop = min(best_noop, run(noop, N))
ui.sync()
ui.deinit()
print("  stack_replace: {:.0f} ops/s; no-op Python call with the same arguments: {:.0f} calls/s; "
      "cost ratio {:.2f} (target <= 3)".format(N / best_op, N / best_noop, best_op / best_noop))
"""


def main():
    micropy = [m for m in os.environ.get("MICROPY", "").split(":") if m and not m.endswith(".elf")]
    if "--micropy" in sys.argv:
        micropy = [sys.argv[sys.argv.index("--micropy") + 1]]
    print("mp_rlvgl from Python, CPython {}:".format(sys.version.split()[0]))
    subprocess.run([sys.executable, "-c", PY_CODE], env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "cpython")),
                   check=True)
    for m in micropy:
        print("mp_rlvgl from Python, MicroPython {}:".format(m))
        subprocess.run([m, "-c", PY_CODE], check=False)
    build = os.path.join(ROOT, "build", "bench")
    subprocess.run(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DMPX_TESTS=OFF"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build, "--target", "bench_ui", "-j2"], check=True, stdout=subprocess.DEVNULL)
    print("C, host:")
    sys.stdout.flush()
    subprocess.run([os.path.join(build, "bench_ui")], check=True)
    for cpu, machine in (("cortex-m4", "mps2-an386"), ("cortex-m7", "mps2-an500")):
        b = os.path.join(ROOT, "build", "bench-" + cpu)
        subprocess.run(["cmake", "-S", ROOT, "-B", b, "-DCMAKE_TOOLCHAIN_FILE=" + os.path.join(ROOT, "cmake", "arm-none-eabi.cmake"),
                        "-DMPX_ARM_CPU=" + cpu, "-DCMAKE_BUILD_TYPE=Release", "-DMPX_TESTS=OFF"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", b, "--target", "bench_ui", "-j2"], check=True, stdout=subprocess.DEVNULL)
        print("C, {} under QEMU {} -icount shift=0 (instruction counts):".format(cpu, machine))
        sys.stdout.flush()
        subprocess.run(["qemu-system-arm", "-M", machine, "-icount", "shift=0", "-nographic", "-monitor", "none",
                        "-semihosting", "-kernel", os.path.join(b, "bench_ui")], check=True, timeout=120)


if __name__ == "__main__":
    main()
