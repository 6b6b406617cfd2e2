#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Build MicroPython with the mpx modules from the sources a user names.

    tools/mpy_build.py --src PATH[:PATH...] [--stm32-deps DEPS] [--out DIR]
                       [--baseline] [--list FILE] [--dfu-list FILE]

Each PATH is a MicroPython source directory or a .tar.gz of one (the
MICROPYTHON_SRC of `make test`). Everything is built outside the sources,
in DIR (default build/micropython), one folder per source:

  - mpy-cross, and the unix port 64-bit with the mpx modules, for every source;
  - for the primary source (the newest release among them; the first one when
    none is a release): the unix port 32-bit, and the qemu port (MPS2_AN500,
    a Cortex-M7) with the mp_rlvgl renderer firmware for the Cortex-M4 QEMU
    beside it (firmware/cm4_renderer, into DIR/renderer-qemu);
  - for every source that has stm32 deps (a .tar.gz of the stm32 port's lib/
    submodules, unpacked inside a private copy of the source), the stm32
    firmware of every board under micropython/boards that the stm32 port
    builds, the way docs/boards.md says: `make -C mpy-cross`, then from
    ports/stm32 `make BOARD_DIR=/path/to/board` and nothing else (the
    firmware lands in ports/stm32/build-BOARD of that copy). For the first
    source with deps, each board is then built again as a user may also type
    it, and must give the same firmware.dfu: with a relative BUILD= from
    ports/stm32, and with `make -C .../ports/stm32` from another folder with
    an absolute BUILD= (each starting from a copy of the first build's
    objects, so only the link and the board's own steps run again). None of
    these builds may write into the mpx tree.

--stm32-deps (or MICROPYTHON_STM32_DEPS) pairs deps with sources:
"SRC=DEPS[:SRC=DEPS...]", SRC naming a source as --src does; a DEPS alone
(the older form) goes with the primary source.

A .tar.gz is unpacked once (again only when the archive changes); a source
directory is only read (its builds go to DIR too, except that the stm32 port
needs the lib/ submodules inside the tree, so stm32 gets a private copy).
make reuses each build folder, so a second run with nothing changed is quick.

--list FILE writes one line per built target, "LABEL PATH SOURCE", LABEL
being "<version>/<port>" (e.g. 1.28.0/unix64), SOURCE the MicroPython tree it
was built from: what tools/mpy_test.py takes; --dfu-list FILE the same for
the stm32 boards' firmware.dfu.
--baseline also builds each unix/qemu/stm32 target without the mpx modules
and prints both sizes (text, data, bss).

Exit status 1 when a build fails (its log is printed from the end), or when
a build wrote into the mpx tree.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USERMOD = os.path.join(ROOT, "micropython")
BOARDS = os.path.join(USERMOD, "boards")
# The unix port without any submodule (no libffi, berkeley-db, mbedtls).
UNIX_OPTS = ["FROZEN_MANIFEST=", "MICROPY_PY_FFI=0", "MICROPY_PY_BTREE=0",
             "MICROPY_PY_SSL=0", "MICROPY_SSL_MBEDTLS=0"]
UNIX32_OPTS = ["CFLAGS_EXTRA=-m32", "LDFLAGS_EXTRA=-m32"]
QEMU_BOARD = "MPS2_AN500"


def log(msg):
    print(msg, flush=True)


def stamp_of(path):
    st = os.stat(path)
    return "{} {} {}".format(os.path.abspath(path), st.st_size, int(st.st_mtime))


def unpack(archive, dest, stamp_name):
    """Unpack archive into dest (its single top folder's contents), once."""
    stamp = os.path.join(dest, stamp_name)
    want = stamp_of(archive)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return
    tmp = dest + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    with tarfile.open(archive) as t:
        t.extractall(tmp, filter="tar") if hasattr(tarfile, "data_filter") else t.extractall(tmp)
    entries = os.listdir(tmp)
    top = os.path.join(tmp, entries[0]) if len(entries) == 1 and os.path.isdir(os.path.join(tmp, entries[0])) else tmp
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(top, dest)
    shutil.rmtree(tmp, ignore_errors=True)
    with open(stamp, "w") as f:
        f.write(want)


def unpack_into(archive, tree):
    """Unpack archive (paths relative to the tree root, e.g. lib/...) into tree, once."""
    stamp = os.path.join(tree, ".mpx-deps-stamp")
    want = stamp_of(archive)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return
    with tarfile.open(archive) as t:
        t.extractall(tree, filter="tar") if hasattr(tarfile, "data_filter") else t.extractall(tree)
    with open(stamp, "w") as f:
        f.write(want)


def version_of(src):
    """(major, minor, micro, prerelease) from py/mpconfig.h."""
    text = open(os.path.join(src, "py", "mpconfig.h")).read()
    v = []
    for part in ("MAJOR", "MINOR", "MICRO", "PRERELEASE"):
        m = re.search(r"#define MICROPY_VERSION_%s (\d+)" % part, text)
        v.append(int(m.group(1)) if m else 0)
    return tuple(v)


def version_label(v):
    return "{}.{}.{}{}".format(v[0], v[1], v[2], "-preview" if v[3] else "")


class Source:
    def __init__(self, path, out):
        self.path = path
        base = os.path.basename(os.path.normpath(path))
        for ext in (".tar.gz", ".tgz"):
            if base.endswith(ext):
                base = base[: -len(ext)]
        # One folder per source, unique even for two checkouts with one name.
        digest = hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:8]
        self.dir = os.path.join(out, "{}-{}".format(base, digest))
        self.is_archive = os.path.isfile(path)
        self.tree = os.path.join(self.dir, "src") if self.is_archive else os.path.abspath(path)

    def prepare(self):
        if self.is_archive:
            unpack(self.path, self.tree, ".mpx-src-stamp")
        if not os.path.isfile(os.path.join(self.tree, "py", "mpconfig.h")):
            raise SystemExit("error: {} is not a MicroPython source (no py/mpconfig.h)".format(self.path))
        self.version = version_of(self.tree)
        self.label = version_label(self.version)


def module_files():
    """The mpx module sources MicroPython's build scans for qstrs and root
    pointers: when this set changes, a reused build folder's generated
    headers are stale (make does not notice a file that appeared), as are
    its objects when the make options change."""
    names = []
    for d, _, files in os.walk(USERMOD):
        names += [os.path.relpath(os.path.join(d, f), USERMOD) for f in files
                  if f.endswith((".c", ".h", ".mk", ".cmake"))]
    return "\n".join(sorted(names))


def forget_stale_build(bdir, port_args):
    stamp = os.path.join(bdir, ".mpx-build-stamp")
    want = " ".join(a for a in port_args if not a.startswith("-j")) + "\n" + module_files()
    if os.path.exists(stamp) and open(stamp).read() == want:
        return
    shutil.rmtree(bdir, ignore_errors=True)
    os.makedirs(bdir)
    with open(stamp, "w") as f:
        f.write(want)


def make(args, logfile, env=None, cwd=None):
    """Run make (in cwd); True when it succeeded. The log is kept in logfile."""
    with open(logfile, "w") as f:
        f.write("$ {}make {}\n".format("cd {} && ".format(cwd) if cwd else "", " ".join(args)))
        f.flush()
        p = subprocess.run(["make"] + args, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    if p.returncode != 0:
        log("  FAILED: make {} (log: {})".format(" ".join(args), logfile))
        with open(logfile, errors="replace") as f:
            for line in f.readlines()[-40:]:
                sys.stdout.write("    " + line)
        return False
    return True


def size_of(binary):
    """(text, data, bss) of an ELF file."""
    tool = "arm-none-eabi-size" if open(binary, "rb").read(20)[18] == 40 else "size"
    out = subprocess.run([tool, binary], stdout=subprocess.PIPE, text=True, check=True).stdout
    text, data, bss = out.splitlines()[1].split()[:3]
    return int(text), int(data), int(bss)


def fmt_size(s):
    return "text {} data {} bss {}".format(*s)


def parse_stm32_deps(spec, sources):
    """[(Source or None, deps archive)] from "SRC=DEPS:..." or a lone DEPS
    (None: the primary source's). Checked before anything is unpacked."""
    pairs = []
    for item in [i for i in spec.split(":") if i]:
        if "=" in item:
            src, archive = item.split("=", 1)
            match = [s for s in sources if os.path.abspath(s.path) == os.path.abspath(src)]
            if not match:
                raise SystemExit("error: MICROPYTHON_STM32_DEPS pairs {} with {}, which is not one of the "
                                 "MICROPYTHON_SRC sources".format(archive, src))
            s = match[0]
        else:
            s, archive = None, item
        if any(t is s for t, _ in pairs):
            raise SystemExit("error: MICROPYTHON_STM32_DEPS names two deps archives for {}".format(
                s.path if s else "the primary source"))
        if not os.path.isfile(archive):
            raise SystemExit("error: MICROPYTHON_STM32_DEPS names {}, which does not exist".format(archive))
        pairs.append((s, archive))
    return pairs


def tree_snapshot():
    """The files under the mpx parts a board build reads, with their mtimes."""
    snap = {}
    for part in ("firmware", "micropython", "lib"):
        for d, dirs, files in os.walk(os.path.join(ROOT, part)):
            dirs[:] = [x for x in dirs if x != "__pycache__"]
            for f in files:
                path = os.path.join(d, f)
                snap[os.path.relpath(path, ROOT)] = os.stat(path).st_mtime_ns
    return snap


def stm32_boards():
    """Boards under micropython/boards that the stm32 port builds."""
    out = []
    for name in sorted(os.listdir(BOARDS)):
        mk = os.path.join(BOARDS, name, "mpconfigboard.mk")
        if os.path.isfile(mk) and re.search(r"^MCU_SERIES\s*=", open(mk).read(), re.M):
            out.append(name)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default=os.environ.get("MICROPYTHON_SRC", ""),
                    help="MicroPython source directories or .tar.gz files, ':'-separated")
    ap.add_argument("--stm32-deps", default=os.environ.get("MICROPYTHON_STM32_DEPS", ""),
                    help="the stm32 port's lib/ submodules (.tar.gz) per source: SRC=DEPS[:SRC=DEPS...], "
                         "or one DEPS for the primary source")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "micropython"))
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS", os.cpu_count() or 2)))
    ap.add_argument("--list", help="write 'LABEL PATH' lines of the built targets here")
    ap.add_argument("--dfu-list", help="write 'LABEL PATH' lines of the stm32 firmware.dfu files here")
    ap.add_argument("--baseline", action="store_true",
                    help="also build without the mpx modules and print both sizes")
    args = ap.parse_args()
    if not args.src:
        log("SKIPPED: MICROPYTHON_SRC not set")
        return 0
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)
    sources = [Source(p, args.out) for p in args.src.split(":") if p]
    for s in sources:
        if not os.path.exists(s.path):
            raise SystemExit("error: MICROPYTHON_SRC names {}, which does not exist".format(s.path))
    pairs = parse_stm32_deps(args.stm32_deps, sources)
    for s in sources:
        s.prepare()
    releases = [s for s in sources if not s.version[3]]
    primary = max(releases, key=lambda s: s.version) if releases else sources[0]
    stm32_deps = {}
    for s, archive in pairs:
        s = s or primary
        if s in stm32_deps:
            raise SystemExit("error: MICROPYTHON_STM32_DEPS names two deps archives for {}".format(s.path))
        stm32_deps[s] = archive
    j = "-j{}".format(args.jobs)
    targets = []   # what tools/mpy_test.py runs
    firmware = []  # stm32 firmware.dfu files
    ok = True
    sizes = []

    def build(s, what, port_args, bdir, binary, port, baseline_args=None, cwd=None):
        nonlocal ok
        t0 = time.monotonic()
        logfile = os.path.join(s.dir, what + ".log")
        forget_stale_build(bdir, port_args)
        good = make(port_args, logfile, cwd=cwd)
        if good:
            line = "built {}/{} in {:.0f} s: {}".format(s.label, what, time.monotonic() - t0,
                                                       fmt_size(size_of(binary)))
            if args.baseline and baseline_args:
                if make(baseline_args[0], logfile + ".baseline"):
                    line += " (without mpx: {})".format(fmt_size(size_of(baseline_args[1])))
            log(line)
            sizes.append(line)
            if port:
                targets.append(("{}/{}".format(s.label, what), binary, s.tree))
        ok = ok and good
        return good

    for s in sources:
        os.makedirs(s.dir, exist_ok=True)
        cross_dir = os.path.join(s.dir, "mpy-cross")
        cross = os.path.join(cross_dir, "mpy-cross")
        if not make(["-C", os.path.join(s.tree, "mpy-cross"), "BUILD=" + cross_dir, j],
                    os.path.join(s.dir, "mpy-cross.log")):
            ok = False
            continue
        common = ["MICROPY_MPYCROSS=" + cross, j]
        unix = os.path.join(s.tree, "ports", "unix")
        variants = [("unix64", [])]
        if s is primary:
            variants.append(("unix32", UNIX32_OPTS))
        for what, extra in variants:
            bdir = os.path.join(s.dir, what)
            base = ["-C", unix, "USER_C_MODULES=" + USERMOD] + UNIX_OPTS + extra + common
            build(s, what, base + ["BUILD=" + bdir], bdir, os.path.join(bdir, "micropython"), True,
                  (["-C", unix] + UNIX_OPTS + extra + common + ["BUILD=" + bdir + "-nompx"],
                   os.path.join(bdir + "-nompx", "micropython")))
        if s is not primary:
            continue
        qemu = os.path.join(s.tree, "ports", "qemu")
        if not os.path.isdir(os.path.join(qemu, "boards", QEMU_BOARD)):
            log("SKIPPED: qemu {}: {}'s qemu port has no board {}".format(QEMU_BOARD, s.label, QEMU_BOARD))
            continue
        bdir = os.path.join(s.dir, "qemu")
        # A 2 MiB heap: the board it stands in for (the STM32H747's CM7)
        # has 32 MB of SDRAM, and the display tests copy framebuffers.
        qargs = ["-C", qemu, "BOARD=" + QEMU_BOARD, "FROZEN_MANIFEST=", "MICROPY_HEAP_SIZE=2097152"] + common
        build(s, "qemu", qargs + ["USER_C_MODULES=" + USERMOD, "BUILD=" + bdir], bdir,
              os.path.join(bdir, "firmware.elf"), True,
              (qargs + ["BUILD=" + bdir + "-nompx"], os.path.join(bdir + "-nompx", "firmware.elf")))
        # Its mp_rlvgl renders on a second QEMU: the Cortex-M4 firmware.
        rdir = os.path.join(args.out, "renderer-qemu")
        if make(["-C", os.path.join(ROOT, "firmware", "cm4_renderer"), "TARGET=qemu", "BUILD=" + rdir],
                os.path.join(args.out, "renderer-qemu.log")):
            log("built the mp_rlvgl renderer (Cortex-M4, QEMU mps2-an386): {}".format(
                fmt_size(size_of(os.path.join(rdir, "renderer.elf")))))
        else:
            ok = False

    if not stm32_deps:
        log("SKIPPED: stm32 boards: MICROPYTHON_STM32_DEPS not set")
    before = tree_snapshot() if stm32_deps else {}
    forms_checked = False
    for s in sources:
        if s not in stm32_deps:
            continue
        if s.is_archive:
            tree = s.tree
        else:
            # The deps go inside the tree: build from a private copy of it.
            tree = os.path.join(s.dir, "src-stm32")
            if not os.path.isdir(tree):
                shutil.copytree(s.tree, tree, symlinks=True)
        unpack_into(stm32_deps[s], tree)
        # As docs/boards.md says: mpy-cross in its place, then the board from
        # ports/stm32 with BOARD_DIR alone.
        if not make(["-C", os.path.join(tree, "mpy-cross"), j], os.path.join(s.dir, "mpy-cross-in-tree.log")):
            ok = False
            continue
        stm32 = os.path.join(tree, "ports", "stm32")
        for board in stm32_boards():
            board_dir = os.path.join(BOARDS, board)
            bdir = os.path.join(stm32, "build-" + board)
            # Without the mpx modules: the board as it is, less USER_C_MODULES.
            nompx = (["-C", stm32, "BOARD_DIR=" + board_dir, "USER_C_MODULES=", j,
                      "BUILD=" + os.path.join(s.dir, "stm32-" + board + "-nompx")],
                     os.path.join(s.dir, "stm32-" + board + "-nompx", "firmware.elf"))
            if not build(s, "stm32-" + board, ["BOARD_DIR=" + board_dir, j], bdir,
                         os.path.join(bdir, "firmware.elf"), False, nompx, cwd=stm32):
                continue
            dfu = os.path.join(bdir, "firmware.dfu")
            firmware.append(("{}/stm32-{}".format(s.label, board), dfu, tree))
            if not forms_checked:
                ok = build_forms(s, stm32, board, bdir, j) and ok
        forms_checked = True
    if stm32_deps:
        wrote = sorted(set(tree_snapshot()) - set(before))
        if wrote:
            log("FAILED: the stm32 builds wrote into the mpx tree ({}): {}".format(ROOT, ", ".join(wrote[:10])))
            ok = False

    for name, rows in ((args.list, targets), (args.dfu_list, firmware)):
        if name:
            with open(name, "w") as f:
                for row in rows:
                    f.write(" ".join(row) + "\n")
    return 0 if ok else 1


def seed_build(first, bdir):
    """A copy of a finished build's objects and generated headers, without
    what the board's own steps make (the link, the binaries, the renderer)."""
    shutil.rmtree(bdir, ignore_errors=True)
    shutil.copytree(first, bdir, symlinks=True,
                    ignore=lambda d, names: [n for n in names if d == first and
                                             (n.startswith("firmware.") or n == "cm4_renderer")])


def build_forms(s, stm32, board, first_bdir, j):
    """The board built as users also type it: the same firmware.dfu."""
    want = open(os.path.join(first_bdir, "firmware.dfu"), "rb").read()
    board_dir = os.path.join(BOARDS, board)
    elsewhere = os.path.join(s.dir, "stm32-elsewhere")
    os.makedirs(elsewhere, exist_ok=True)
    rel = os.path.join("build-mpx-relative", board)
    absolute = os.path.join(s.dir, "stm32-absolute-" + board)
    forms = [
        ("relative BUILD= from ports/stm32", stm32, ["BOARD_DIR=" + board_dir, "BUILD=" + rel, j],
         os.path.join(stm32, rel)),
        ("make -C ports/stm32 from another folder, absolute BUILD=", elsewhere,
         ["-C", os.path.relpath(stm32, elsewhere), "BOARD_DIR=" + board_dir, "BUILD=" + absolute, j],
         absolute),
    ]
    good = True
    for what, cwd, margs, bdir in forms:
        seed_build(first_bdir, bdir)
        t0 = time.monotonic()
        logfile = os.path.join(s.dir, "stm32-{}-{}.log".format(board, "relative" if "relative" in what else "elsewhere"))
        if not make(margs, logfile, cwd=cwd):
            good = False
            continue
        dfu = os.path.join(bdir, "firmware.dfu")
        same = os.path.isfile(dfu) and open(dfu, "rb").read() == want
        log("built {}/stm32-{} again, {}, in {:.0f} s: firmware.dfu {}".format(
            s.label, board, what, time.monotonic() - t0,
            "the same" if same else "DIFFERS from the first build's (or is missing)"))
        good = good and same
    return good


if __name__ == "__main__":
    sys.exit(main())
