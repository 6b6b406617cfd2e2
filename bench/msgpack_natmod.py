#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""msgpack.mpy (the native module) against the built-in module: speed,
flash and RAM, on the same MicroPython version.

    MICROPYTHON_SRC=/path/to/micropython-1.28.0.tar.gz bench/msgpack_natmod.py [--no-callgrind] [--no-cost]

With the newest release in MICROPYTHON_SRC it builds (incrementally) the
firmware with the module built in (tools/mpy_build.py) and without it
(tools/natmod_build.py --firmware), and the .mpy files, then:

  - speed on the unix port (64-bit): packb/unpackb of the seed's dict and
    of 100 mixed records (bench/mpy_natmod_ops.py), callgrind instructions
    per call (deterministic: Ir(N calls) - Ir(0 calls), over N) and
    wall-clock microseconds (best of 3); the ratio .mpy / built-in, target
    at most 1.3;
  - the same on the qemu port's Cortex-M7 (MPS2_AN500) under
    `-icount shift=0`: virtual microseconds, a deterministic count;
  - flash: the .mpy file per architecture, and the built-in module's cost,
    the firmware's text+data with only msgpack as a user C module minus the
    stock firmware's (unix64, MPS2_AN500, MPS2_AN385, VIRT_RV32);
  - RAM: the heap `import msgpack` takes (gc.mem_free before and after), on
    each with the .mpy and with the built-in module. (The unix port keeps
    native code outside the GC heap; the qemu boards load it into the heap.)
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mpy_build  # noqa: E402
import natmod_build  # noqa: E402
import natmod_test  # noqa: E402

OPS_SCRIPT = os.path.join(ROOT, "bench", "mpy_natmod_ops.py")
NATMOD = os.path.join(ROOT, "build", "natmod")
OPS = ("small.pack", "small.unpack", "mixed.pack", "mixed.unpack")
TARGET = 1.3


def log(msg):
    print(msg, flush=True)


def results(text):
    return {k: float(v) for k, v in re.findall(r"RESULT (\S+) (\S+)", text)}


def read_list(path):
    rows = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                parts = line.split()
                rows[parts[0]] = parts[1]
    return rows


def callgrind_ir(micropy, args, env):
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", micropy] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=os.path.dirname(OPS_SCRIPT))
    m = re.search(rb"refs:\s+([\d,]+)", p.stderr)
    if not m:
        raise RuntimeError("callgrind gave no count: " + p.stderr.decode()[-500:])
    return int(m.group(1).replace(b",", b""))


def per_call_ir(micropy, op, n, natmod_dir):
    env = dict(os.environ)
    if natmod_dir:
        env["MICROPYPATH"] = natmod_dir
    base = callgrind_ir(micropy, [OPS_SCRIPT, op, "0"], env)
    return (callgrind_ir(micropy, [OPS_SCRIPT, op, str(n)], env) - base) / n


def unix_run(micropy, natmod_dir, args=()):
    env = dict(os.environ)
    if natmod_dir:
        env["MICROPYPATH"] = natmod_dir
    p = subprocess.run([micropy, OPS_SCRIPT] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=env, timeout=600)
    return results(p.stdout.decode())


def qemu_run(firmware, board, natmod_dir, args=(), icount=True):
    cmd, addr = natmod_test.QEMU[board]
    with open(OPS_SCRIPT) as f:
        code = "import sys\nsys.argv[:] = {!r}\n".format(["ops"] + list(args))
        if natmod_dir:
            code += "sys.path.insert(0, '/rom/natmod')\n"
        code += f.read()
    image = natmod_test.Image(natmod_dir)
    saved = natmod_test.QEMU[board]
    try:
        if icount:
            natmod_test.QEMU[board] = (cmd + " -icount shift=0", addr)
        return results(natmod_test.run_qemu(firmware, board, image.path, code, timeout=1200))
    finally:
        natmod_test.QEMU[board] = saved
        image.close()


def ratio_table(title, unit, builtin, natmod):
    log("\n" + title)
    log("{:<14} {:>14} {:>14} {:>8}  {}".format("operation", "built-in", ".mpy", ".mpy/b-i", "target"))
    worst = 0
    for op in OPS:
        r = natmod[op] / builtin[op]
        worst = max(worst, r)
        log("{:<14} {:>11.1f} {:<2} {:>11.1f} {:<2} {:>8.2f}  <= {} {}".format(
            op, builtin[op], unit, natmod[op], unit, r, TARGET, "ok" if r <= TARGET else "MISS"))
    return worst


def msgpack_only_usermod():
    """A USER_C_MODULES directory with msgpack alone."""
    d = os.path.join(NATMOD, "usermod-msgpack-only", "msgpack")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "micropython.mk"), "w") as f:
        f.write("# msgpack alone (bench/msgpack_natmod.py measures its size)\n"
                "USERMOD_DIR := {}\ninclude $(USERMOD_DIR)/micropython.mk\n".format(
                    os.path.join(ROOT, "micropython", "msgpack")))
    return os.path.dirname(d)


def builtin_cost(s, jobs):
    """(what, text+data with msgpack only - stock) for the primary source."""
    usermod = msgpack_only_usermod()
    cross = os.path.join(s.dir, "mpy-cross", "mpy-cross")
    common = ["MICROPY_MPYCROSS=" + cross, "-j{}".format(jobs)]
    out = []
    targets = [("unix64", ["-C", os.path.join(s.tree, "ports", "unix")] + mpy_build.UNIX_OPTS, "micropython")]
    for board, _, _, _, opts in natmod_build.QEMU_BOARDS:
        if os.path.isdir(os.path.join(s.tree, "ports", "qemu", "boards", board)):
            targets.append(("qemu-" + board, ["-C", os.path.join(s.tree, "ports", "qemu"), "BOARD=" + board,
                                              "FROZEN_MANIFEST="] + opts, "firmware.elf"))
    for what, args, binary in targets:
        stock = os.path.join(s.dir, "stock-" + what, binary)
        bdir = os.path.join(s.dir, "msgpack-only-" + what)
        if not os.path.isfile(stock):
            continue
        if not mpy_build.make(args + common + ["USER_C_MODULES=" + usermod, "BUILD=" + bdir], bdir + ".log"):
            continue
        a = mpy_build.size_of(stock)
        b = mpy_build.size_of(os.path.join(bdir, binary))
        out.append((what, (b[0] + b[1]) - (a[0] + a[1]), b[2] - a[2]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-callgrind", action="store_true", help="wall-clock times only")
    ap.add_argument("--no-cost", action="store_true", help="skip the flash/RAM measurements")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS", os.cpu_count() or 2)))
    args = ap.parse_args()
    src = os.environ.get("MICROPYTHON_SRC", "")
    if not src:
        log("SKIPPED: MICROPYTHON_SRC not set (a MicroPython source: the built-in module and the .mpy "
            "are built from it)")
        return 0
    sources = [mpy_build.Source(p, os.path.join(ROOT, "build", "micropython")) for p in src.split(":") if p]
    for s in sources:
        os.makedirs(s.dir, exist_ok=True)
        s.prepare()
    releases = [s for s in sources if not s.version[3]]
    s = max(releases, key=lambda s: s.version) if releases else sources[0]
    env = dict(os.environ)
    env.pop("MICROPYTHON_STM32_DEPS", None)  # no stm32 boards here
    stock_list = os.path.join(NATMOD, "bench-firmware.txt")
    builtin_list = os.path.join(NATMOD, "bench-builtin.txt")
    py = sys.executable
    for cmd in ([py, os.path.join(ROOT, "tools", "natmod_build.py"), "--src", s.path, "--firmware",
                 "--list", stock_list, "--jobs", str(args.jobs)],
                [py, os.path.join(ROOT, "tools", "mpy_build.py"), "--src", s.path, "--list", builtin_list,
                 "--jobs", str(args.jobs)]):
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if p.returncode != 0:
            log(p.stdout.decode()[-3000:])
            return 1
    stock = read_list(stock_list)
    builtin = read_list(builtin_list)
    label = s.label
    log("MicroPython {} ({}): the built-in module (tools/mpy_build.py) against build/natmod/<arch>/msgpack.mpy "
        "on the same source built without user C modules".format(label, s.path))
    worst = 0
    x64 = os.path.join(NATMOD, "x64")
    u_b, u_n = builtin[label + "/unix64"], stock[label + "/unix64"]
    if not args.no_callgrind:
        counts = {"small": 200, "mixed": 4}
        b = {op: per_call_ir(u_b, op, counts[op.split(".")[0]], None) for op in OPS}
        n = {op: per_call_ir(u_n, op, counts[op.split(".")[0]], x64) for op in OPS}
        worst = max(worst, ratio_table("unix port 64-bit, callgrind instructions per call", "Ir", b, n))
    wb, wn = unix_run(u_b, None), unix_run(u_n, x64)
    ratio_table("unix port 64-bit, wall clock per call (best of 3; noisy on a shared machine)", "us", wb, wn)
    qb = qn = None
    if label + "/qemu" in builtin and label + "/qemu-MPS2_AN500" in stock:
        qb = qemu_run(builtin[label + "/qemu"], "MPS2_AN500", None)
        qn = qemu_run(stock[label + "/qemu-MPS2_AN500"], "MPS2_AN500", os.path.join(NATMOD, "armv7emdp"))
        worst = max(worst, ratio_table("qemu MPS2_AN500 (Cortex-M7, armv7emdp), -icount shift=0 virtual us per call",
                                       "us", qb, qn))
    log("\nworst ratio (deterministic counts): {:.2f} (target <= {}): {}".format(
        worst, TARGET, "ok" if worst <= TARGET else "MISS"))
    if args.no_cost:
        return 0
    log("\nflash: the .mpy files")
    for arch, _ in natmod_build.ARCHS:
        f = os.path.join(NATMOD, arch, "msgpack.mpy")
        if os.path.isfile(f):
            log("  {:<10} {:>6} bytes".format(arch, os.path.getsize(f)))
    log("flash: the built-in module (text+data of the firmware with msgpack alone, minus the stock firmware's)")
    for what, flash, bss in builtin_cost(s, args.jobs):
        log("  {:<20} {:>6} bytes (bss {:+d})".format(what, flash, bss))
    log("RAM: heap taken by `import msgpack`")
    log("  {:<20} {:>8} {:>8}".format("", ".mpy", "built-in"))
    log("  {:<20} {:>8.0f} {:>8.0f}".format("unix64 (x64)", wn["import.heap"], wb["import.heap"]))
    if qb:
        log("  {:<20} {:>8.0f} {:>8.0f}".format("MPS2_AN500 (armv7emdp)", qn["import.heap"], qb["import.heap"]))
    for board, archs, _, _, _ in natmod_build.QEMU_BOARDS:
        fw = stock.get("{}/qemu-{}".format(label, board))
        if not fw or board == "MPS2_AN500":
            continue
        for arch in archs:
            r = qemu_run(fw, board, os.path.join(NATMOD, arch), ["import"], icount=False)
            log("  {:<20} {:>8.0f} {:>8}".format("{} ({})".format(board, arch), r["import.heap"], "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
