#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Build msgpack as a MicroPython native module (.mpy) for every architecture
this machine has a compiler for (`make natmod`).

    tools/natmod_build.py [--src PATH[:PATH...]] [--out DIR] [--firmware] [--list FILE]

Each PATH (default $MICROPYTHON_SRC) is a MicroPython source directory or a
.tar.gz of one, unpacked as tools/mpy_build.py does (into build/micropython,
shared with it). For each source and architecture,
micropython/msgpack/natmod/Makefile runs that source's py/dynruntime.mk and
tools/mpy_ld.py; the objects and the .mpy go to DIR/src/<version>/<arch>/.

What a board installs is laid out in DIR (default build/natmod), from the
primary source (the newest release given, as in tools/mpy_build.py):

    DIR/<arch>/msgpack.mpy      the module
    DIR/<arch>/package.json     what `mip.install(BASE + "/<arch>")` reads
    DIR/armv7em/package.json    Cortex-M4 without FPU: the armv7m module

The .mpy format is versioned (MPY_VERSION.MPY_SUB_VERSION in
py/persistentcode.h); a source whose version differs from the primary's gets
its own tree, DIR/mpy<version>/<arch>/. (1.26.1, 1.28.0 and master share 6.3:
their objects are identical; tools/natmod_test.py loads the primary's .mpy
on each.)

--firmware also builds, from each source, the MicroPython the tests load the
.mpy into, without any user C module: the unix port 64- and 32-bit (the
no-submodule options of tools/mpy_build.py) and the qemu port's boards
(MPS2_AN500 Cortex-M7, MPS2_AN385 Cortex-M3, VIRT_RV32, VIRT_RV64); --list FILE writes
one line per firmware, "LABEL PATH ARCH[,ARCH...] TREE", for
tools/natmod_test.py. Exit status 1 when a build fails (its log is printed
from the end).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mpy_build  # noqa: E402  (Source, unpacking, make(), the unix options)

NATMOD_MAKEFILE = os.path.join(ROOT, "micropython", "msgpack", "natmod", "Makefile")
PYPROJECT = os.path.join(ROOT, "pyproject.toml")

# MicroPython's architecture names, in the order of its MP_NATIVE_ARCH_*
# numbers (py/persistentcode.h): sys.implementation._mpy >> 10 is the index
# plus one.
MPY_ARCH_NAMES = ["x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp",
                  "armv7emdp", "xtensa", "xtensawin", "rv32imc", "rv64imc"]

# Architectures: the compiler they need. The order is the build order.
ARCHS = [
    ("x64", "gcc"),
    ("x86", "gcc -m32"),
    ("armv6m", "arm-none-eabi-gcc"),
    ("armv7m", "arm-none-eabi-gcc"),
    ("armv7emsp", "arm-none-eabi-gcc"),
    ("armv7emdp", "arm-none-eabi-gcc"),
    # (Debian's has no C library of its own: picolibc's headers.)
    ("rv32imc", "riscv64-unknown-elf-gcc -specs=picolibc.specs"),
    ("rv64imc", "riscv64-unknown-elf-gcc -specs=picolibc.specs"),
]
# Those not built, and why.
NOT_BUILT = {
    "xtensawin": "no Debian 12 toolchain for the ESP32's xtensa-esp32-elf",
    "xtensa": "Debian's gcc-xtensa-lx106 compiles it, but its libgcc lacks the single-float "
              "helpers (ESP8266 ROM functions) and, given those as ROM addresses, "
              "MicroPython's mpy_ld.py stops with an OverflowError on a GOT entry",
    "armv6": "ARM (not Thumb) code: py/dynruntime.mk has no such target",
}
# Architectures whose module serves another's boards (a Cortex-M4 without
# FPU runs armv7m code; MicroPython accepts it there).
ALIASES = {"armv7em": "armv7m"}

# qemu port boards: the natmod architectures each runs, its QEMU command,
# the address of the ROMFS image (master's boards mount a partition there;
# older firmware gets it mounted by tools/mpy_test.py), make options.
QEMU_BOARDS = [
    ("MPS2_AN500", ["armv7emdp"], "qemu-system-arm -machine mps2-an500", "0x60C00000",
     ["MICROPY_HEAP_SIZE=2097152"]),
    # A Cortex-M3: armv7m, and armv6m code (Thumb-1) runs on it too. (The
    # qemu port's Cortex-M0 board, MICROBIT, is built without native code
    # loading.)
    ("MPS2_AN385", ["armv7m", "armv6m"], "qemu-system-arm -machine mps2-an385", "0x21000000",
     ["MICROPY_HEAP_SIZE=2097152"]),
    # Debian's gcc 12 picks its rv32imac multilib (picolibc, libgcc) only for
    # -march=rv32imac; the port's rv32imac_zicsr (+_zba) falls back to the
    # 64-bit ones. ISA spec 2.2 puts Zicsr in rv32i.
    ("VIRT_RV32", ["rv32imc"], "qemu-system-riscv32 -machine virt -bios none", "0x80610000",
     ["RV32_ARCH=rv32imac -misa-spec=2.2", "MICROPY_HEAP_SIZE=1048576"]),
    ("VIRT_RV64", ["rv64imc"], "qemu-system-riscv64 -machine virt -bios none", "0x80620000",
     ["RV64_ARCH=rv64imac -misa-spec=2.2", "MICROPY_HEAP_SIZE=1048576"]),
]


def log(msg):
    print(msg, flush=True)


def project_version():
    m = re.search(r'^version = "([^"]+)"', open(PYPROJECT).read(), re.M)
    return m.group(1) if m else "0"


def mpy_version(tree):
    """(MPY_VERSION, MPY_SUB_VERSION) of a source tree."""
    text = open(os.path.join(tree, "py", "persistentcode.h")).read()
    return tuple(int(re.search(r"#define MPY_%s (\d+)" % k, text).group(1)) for k in ("VERSION", "SUB_VERSION"))


def has_compiler(cmd):
    """True if cmd compiles a C file."""
    argv = cmd.split() + ["-c", "-x", "c", "-", "-o", os.devnull]
    try:
        p = subprocess.run(argv, input=b"#include <stdint.h>\nint x;\n", stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    except OSError:
        return False
    return p.returncode == 0


def dynruntime_archs(tree):
    """The ARCH values a source's py/dynruntime.mk knows."""
    text = open(os.path.join(tree, "py", "dynruntime.mk")).read()
    return set(re.findall(r"ifeq \(\$\(ARCH\),(\w+)\)", text))


def build_natmod(tree, arch, dest, jobs):
    """Build msgpack.mpy for arch from tree in dest; True if it worked."""
    os.makedirs(dest, exist_ok=True)
    args = ["-C", dest, "-f", NATMOD_MAKEFILE, "MPY_DIR=" + tree, "ARCH=" + arch, "-j{}".format(jobs)]
    if arch in ("x64", "x86"):
        # master's dynruntime.mk names i686-linux-gnu-gcc; gcc -m32 is it.
        args += ["CC=gcc"] + (["CFLAGS_EXTRA=-m32"] if arch == "x86" else [])
    return mpy_build.make(args, os.path.join(dest, "build.log"))


def write_package(dest, mpy_url, version):
    """The package.json mip reads: one file, installed as lib/msgpack.mpy."""
    with open(os.path.join(dest, "package.json"), "w") as f:
        json.dump({"urls": [["msgpack.mpy", mpy_url]], "version": version}, f, indent=2)
        f.write("\n")


def lay_out(out, tree_of_arch, version):
    """Copy the .mpy files into out/<arch>/ with their package.json."""
    for arch, path in sorted(tree_of_arch.items()):
        dest = os.path.join(out, arch)
        os.makedirs(dest, exist_ok=True)
        shutil.copyfile(path, os.path.join(dest, "msgpack.mpy"))
        write_package(dest, "msgpack.mpy", version)
    for alias, arch in ALIASES.items():
        if arch in tree_of_arch:
            dest = os.path.join(out, alias)
            os.makedirs(dest, exist_ok=True)
            write_package(dest, "../{}/msgpack.mpy".format(arch), version)


def stock_build(s, what, args, binary, jobs):
    """A MicroPython build without user C modules; the binary or None."""
    bdir = os.path.join(s.dir, "stock-" + what)
    args = args + ["BUILD=" + bdir]
    stamp = os.path.join(bdir, ".mpx-stock-stamp")
    want = " ".join(args)
    if not (os.path.exists(stamp) and open(stamp).read() == want):
        shutil.rmtree(bdir, ignore_errors=True)
        os.makedirs(bdir)
        with open(stamp, "w") as f:
            f.write(want)
    t0 = time.monotonic()
    if not mpy_build.make(args + ["-j{}".format(jobs)], bdir + ".log"):
        return None
    log("built {}/{} (stock) in {:.0f} s: {}".format(s.label, what, time.monotonic() - t0,
                                                   mpy_build.fmt_size(mpy_build.size_of(binary))))
    return binary


def build_firmware(s, jobs):
    """Stock firmware of one source: [(label, path, archs)]."""
    cross_dir = os.path.join(s.dir, "mpy-cross")
    if not mpy_build.make(["-C", os.path.join(s.tree, "mpy-cross"), "BUILD=" + cross_dir, "-j{}".format(jobs)],
                          os.path.join(s.dir, "mpy-cross.log")):
        return None
    common = ["MICROPY_MPYCROSS=" + os.path.join(cross_dir, "mpy-cross")]
    out = []
    unix = os.path.join(s.tree, "ports", "unix")
    for what, extra, arch in (("unix64", [], "x64"), ("unix32", mpy_build.UNIX32_OPTS, "x86")):
        bdir = os.path.join(s.dir, "stock-" + what)
        b = stock_build(s, what, ["-C", unix] + mpy_build.UNIX_OPTS + extra + common,
                        os.path.join(bdir, "micropython"), jobs)
        if b is None:
            return None
        out.append(("{}/{}".format(s.label, what), b, [arch]))
    qemu = os.path.join(s.tree, "ports", "qemu")
    for board, archs, _, _, opts in QEMU_BOARDS:
        if not os.path.isdir(os.path.join(qemu, "boards", board)):
            log("SKIPPED: {} qemu {}: this source's qemu port has no such board".format(s.label, board))
            continue
        what = "qemu-" + board
        b = stock_build(s, what, ["-C", qemu, "BOARD=" + board, "FROZEN_MANIFEST="] + opts + common,
                        os.path.join(s.dir, "stock-" + what, "firmware.elf"), jobs)
        if b is None:
            return None
        out.append(("{}/{}".format(s.label, what), b, archs))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default=os.environ.get("MICROPYTHON_SRC", ""),
                    help="MicroPython source directories or .tar.gz files, ':'-separated")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "natmod"))
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS", os.cpu_count() or 2)))
    ap.add_argument("--firmware", action="store_true",
                    help="also build the stock unix and qemu firmware the tests use")
    ap.add_argument("--list", help="write 'LABEL PATH ARCHS TREE' lines of that firmware here")
    args = ap.parse_args()
    if not args.src:
        log("error: no MicroPython source: make natmod MICROPYTHON_SRC=PATH (a MicroPython source "
            "directory or .tar.gz of one, 1.26 or later)")
        return 2
    sources = [mpy_build.Source(p, os.path.join(ROOT, "build", "micropython")) for p in args.src.split(":") if p]
    for s in sources:
        if not os.path.exists(s.path):
            raise SystemExit("error: MICROPYTHON_SRC names {}, which does not exist".format(s.path))
        os.makedirs(s.dir, exist_ok=True)
        s.prepare()
    old = [s.label for s in sources if s.version[:2] < (1, 26)]
    if old:
        log("error: {}: the native module is built and tested with MicroPython 1.26 and later".format(
            ", ".join(old)))
        return 2
    releases = [s for s in sources if not s.version[3]]
    primary = max(releases, key=lambda s: s.version) if releases else sources[0]
    archs = []
    for arch, cc in ARCHS:
        if has_compiler(cc):
            archs.append(arch)
        else:
            log("SKIPPED: {}: no compiler ({})".format(arch, cc))
    for arch, why in NOT_BUILT.items():
        log("SKIPPED: {}: {}".format(arch, why))
    version = project_version()
    ok = True
    built = {}  # (source label, arch) -> .mpy path
    for s in sources:
        known = dynruntime_archs(s.tree)
        for arch in archs:
            if arch not in known:
                log("SKIPPED: {} {}: its py/dynruntime.mk has no such ARCH".format(s.label, arch))
                continue
            dest = os.path.join(args.out, "src", s.label, arch)
            t0 = time.monotonic()
            if build_natmod(s.tree, arch, dest, args.jobs):
                path = os.path.join(dest, "msgpack.mpy")
                built[(s.label, arch)] = path
                log("built {} {}/msgpack.mpy in {:.0f} s: {} bytes".format(
                    s.label, arch, time.monotonic() - t0, os.path.getsize(path)))
            else:
                ok = False
    # What boards install: the primary source's modules, and per .mpy
    # version those of the newest source that has another.
    pv = mpy_version(primary.tree)
    lay_out(args.out, {a: p for (label, a), p in built.items() if label == primary.label}, version)
    log("laid out {}/<arch>/msgpack.mpy and package.json from {} (.mpy version {}.{})".format(
        os.path.relpath(args.out, os.getcwd()), primary.label, *pv))
    for s in sorted(sources, key=lambda s: s.version):
        v = mpy_version(s.tree)
        if v != pv:
            sub = os.path.join(args.out, "mpy{}.{}".format(*v))
            lay_out(sub, {a: p for (label, a), p in built.items() if label == s.label}, version)
            log("laid out {} from {} (.mpy version {}.{})".format(sub, s.label, *v))
        else:
            log("{}: .mpy version {}.{}, as {}: the files above serve it".format(s.label, *v, primary.label))
    if args.firmware:
        rows = []
        for s in sources:
            got = build_firmware(s, args.jobs)
            if got is None:
                ok = False
                continue
            rows += [(label, path, arch_list, s.tree) for label, path, arch_list in got]
        if args.list:
            with open(args.list, "w") as f:
                for label, path, arch_list, tree in rows:
                    f.write("{} {} {} {}\n".format(label, path, ",".join(arch_list), tree))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
