#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run tests/py under MicroPython.

    tools/mpy_test.py [--micropy [LABEL=]PATH[:...]] [--list FILE] [test_file.py ...]

PATH (or $MICROPY) is either
  - a MicroPython executable (the unix port, 64- or 32-bit): the runner runs
    there directly, with tests/py as its directory; or
  - a firmware image ending in .elf (the qemu port, e.g. MPS2_AN500): the
    tests and tests/data are packed into a ROMFS image, QEMU starts the
    firmware with it mounted at /rom, and the runner is started through the
    raw REPL; with --renderer (or $MICROPY_RENDERER, default the one
    tools/mpy_build.py built), the mp_rlvgl renderer runs on a second QEMU
    beside it (tools/dualcore.py). $MICROPY_QEMU overrides the QEMU command (default:
    "qemu-system-arm -machine mps2-an500"), $MICROPY_ROMFS_ADDR the address
    the image is loaded at (default 0x60C00000, the port's ROMFS partition).

LABEL names the build in the result lines (default: the file's name);
--list takes "LABEL PATH [...]" lines, as tools/mpy_build.py writes them. Without
a path it prints "SKIPPED: MICROPY not set" and succeeds. It prints each
test module's result, a total per build ("totals LABEL: N passed, N
failed") and ends with one line "N passed, N failed".
No part of this script fetches or builds MicroPython.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(ROOT, "tests", "py")
DATA = os.path.join(ROOT, "tests", "data")
# Python packages of the project that boards freeze (the tests import them),
# and the examples (the display tests draw the demo's scenes, rlvgl_scenes).
PYLIBS = [os.path.join(ROOT, "micropython", "urpc", "py"), os.path.join(ROOT, "examples")]
# The same folders in the ROMFS image of a qemu run: /rom/lib0, /rom/lib1, ...
ROM_PYLIBS = ":".join("/rom/lib{}".format(i) for i in range(len(PYLIBS)))
RESULT = re.compile(rb"(\d+) passed, (\d+) failed")


# --- ROMFS image (format: MicroPython's extmod/vfs_rom.c, "RM1" records) ----

def varuint(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def record(kind, payload):
    return varuint(kind) + varuint(len(payload)) + payload


def romfs_dir(path):
    """Records of the files and directories under path."""
    out = b""
    for name in sorted(os.listdir(path)):
        full = os.path.join(path, name)
        if name.startswith(".") or name == "__pycache__":
            continue
        bname = name.encode()
        if os.path.isdir(full):
            out += record(4, varuint(len(bname)) + bname + romfs_dir(full))
        else:
            with open(full, "rb") as f:
                data = f.read()
            out += record(5, varuint(len(bname)) + bname + record(2, data))
    return out


def romfs_image(tree):
    """tree: {name: host directory}. Returns the filesystem image bytes."""
    body = b""
    for name, path in tree.items():
        bname = name.encode()
        body += record(4, varuint(len(bname)) + bname + romfs_dir(path))
    image = record(0x14A6B1, body)
    if len(image) % 2:  # the filesystem record must have an even size
        image = record(0x14A6B1, body + record(1, b""))
        if len(image) % 2:
            image = record(0x14A6B1, body + record(1, b"x"))
    return image


def rom_mount_code(addr, size):
    """Python for the board: mount the ROMFS image QEMU loaded at addr on /rom,
    unless the port mounted it already (master's qemu port has a ROMFS
    partition there; 1.28.0's has none, but VfsRom takes any buffer)."""
    return ("import os\ntry:\n    os.stat('/rom')\nexcept OSError:\n"
            "    import uctypes, vfs\n"
            "    vfs.mount(vfs.VfsRom(uctypes.bytearray_at({}, {})), '/rom')\n"
            "del os\n").format(int(addr, 0), size)


# --- running ------------------------------------------------------------------

def run_unix(micropy, module, timeout):
    cmd = [micropy, "-X", "heapsize=8m", "mpy_runner.py", "--data", DATA,
           "--path", ":".join(PYLIBS), module]
    try:
        p = subprocess.run(cmd, cwd=TESTS, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.stdout
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"") + b"\nTIMEOUT after %d s\n" % timeout


def read_until(proc, marker, deadline):
    buf = b""
    while marker not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(buf)
        r, _, _ = select.select([proc.stdout], [], [], left)
        if not r:
            continue
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            raise EOFError(buf)
        buf += chunk
    return buf


def run_qemu(firmware, module, timeout, image_path, code=None):
    qemu = os.environ.get("MICROPY_QEMU", "qemu-system-arm -machine mps2-an500").split()
    addr = os.environ.get("MICROPY_ROMFS_ADDR", "0x60C00000")
    cmd = qemu + ["-nographic", "-monitor", "none", "-semihosting", "-serial", "stdio",
                  "-device", "loader,file={},addr={},force-raw=on".format(image_path, addr),
                  "-kernel", firmware]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    out = b""
    try:
        out += read_until(proc, b">>> ", deadline)
        proc.stdin.write(b"\r\x01")  # raw REPL
        proc.stdin.flush()
        out += read_until(proc, b"raw REPL; CTRL-B to exit\r\n>", deadline)
        # Mount the image (a raw REPL command of its own, so that the code's
        # own line numbers stay as they are).
        proc.stdin.write(rom_mount_code(addr, os.path.getsize(image_path)).encode() + b"\x04")
        proc.stdin.flush()
        mounted = read_until(proc, b"\x04>", deadline)
        if b"\x04\x04>" not in mounted:  # the second part (errors) is not empty
            out += mounted + b"\nmounting the ROMFS image failed\n"
            raise EOFError(b"")
        if code is None:
            code = ("import sys\nsys.path.insert(0, '/rom/py')\nimport mpy_runner\n"
                    "mpy_runner.main(['--data', '/rom/data', '--path', {!r}, {!r}])\n").format(
                        ROM_PYLIBS, module).encode()
        proc.stdin.write(code + b"\x04")
        proc.stdin.flush()
        out += read_until(proc, b"\x04>", deadline)
    except (TimeoutError, EOFError) as e:
        out += e.args[0] if e.args else b""
        out += b"\nTIMEOUT or EOF talking to qemu\n"
    finally:
        proc.kill()
        proc.wait()
    # Keep what ran: the banner and raw REPL prompts are noise.
    if b"raw REPL; CTRL-B to exit\r\n>OK" in out:
        out = out.split(b"raw REPL; CTRL-B to exit\r\n>OK", 1)[1]
    return out.replace(b"\x04", b"\n").rstrip(b"\n>") + b"\n"


def run_qemu_pair(firmware, renderer, module, timeout, image_path):
    """As run_qemu, with the mp_rlvgl renderer on a second QEMU (a Cortex-M4
    sharing the M7's RAM: tools/dualcore.py)."""
    import dualcore

    code = ("import sys\nsys.path.insert(0, '/rom/py')\nimport mpy_runner\n"
            "mpy_runner.main(['--data', '/rom/data', '--path', {!r}, {!r}])\n").format(ROM_PYLIBS, module)
    with dualcore.DualCore(firmware, renderer, romfs=image_path) as dc:
        try:
            dc.start()
            dc.send(code)
            out, err = dc.finish(timeout)
        except (TimeoutError, EOFError, RuntimeError) as e:
            return (e.args[0] if e.args and isinstance(e.args[0], bytes) else str(e).encode()) + \
                b"\nTIMEOUT or EOF talking to qemu\n"
    return (out + err).encode()


def default_renderer():
    """The renderer tools/mpy_build.py builds beside a qemu firmware, if any."""
    path = os.path.join(ROOT, "build", "micropython", "renderer-qemu", "renderer.elf")
    return path if os.path.exists(path) else ""


def run_script_qemu(firmware, script, timeout=60):
    """Run one script file on a qemu firmware through the raw REPL; its output."""
    with open(script, "rb") as f:
        code = f.read()
    fd, image = tempfile.mkstemp(suffix=".romfs")
    with os.fdopen(fd, "wb") as f:
        f.write(romfs_image({"data": DATA}))
    try:
        out = run_qemu(firmware, None, timeout, image, code=code)
    finally:
        os.unlink(image)
    # Keep what the script printed: between the raw REPL's OK and its end.
    return out.decode("utf-8", "replace").strip("\n") + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--micropy", default=os.environ.get("MICROPY", ""),
                    help="MicroPython executable or qemu firmware .elf; several separated by ':'")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per test module")
    ap.add_argument("--list", help="file of 'LABEL PATH' lines (tools/mpy_build.py --list)")
    ap.add_argument("--renderer", default=os.environ.get("MICROPY_RENDERER", default_renderer()),
                    help="renderer.elf for the M4 beside a qemu firmware (firmware/cm4_renderer); "
                         "default: the one tools/mpy_build.py built")
    ap.add_argument("files", nargs="*", help="test files (default: tests/py/test_*.py)")
    args = ap.parse_args()
    builds = []
    for entry in args.micropy.split(":") if args.micropy else []:
        label, _, path = entry.rpartition("=")
        builds.append((label or os.path.basename(path), os.path.abspath(path)))
    if args.list:
        with open(args.list) as f:
            for line in f:
                if line.strip():
                    label, path = line.split()[:2]
                    builds.append((label, os.path.abspath(path)))
    if not builds:
        print("SKIPPED: MICROPY not set (point it at a MicroPython unix binary or qemu firmware.elf)")
        return 0
    files = args.files or sorted(f for f in os.listdir(TESTS) if f.startswith("test_") and f.endswith(".py"))
    modules = [os.path.basename(f)[:-3] for f in files]
    passed = failed = 0
    image = None
    totals = []
    for label, micropy in builds:
        if not os.path.exists(micropy):
            print("FAIL: no MicroPython at {}".format(micropy))
            failed += 1
            totals.append((label, 0, 1))
            continue
        if not micropy.endswith(".elf") and not os.access(micropy, os.X_OK):
            print("FAIL [{}]: {} is neither an executable nor a firmware .elf".format(label, micropy))
            failed += 1
            totals.append((label, 0, 1))
            continue
        build_passed = build_failed = 0
        for module in modules:
            if micropy.endswith(".elf"):
                if image is None:
                    fd, image = tempfile.mkstemp(suffix=".romfs")
                    with os.fdopen(fd, "wb") as f:
                        tree = {"py": TESTS, "data": DATA}
                        for i, lib in enumerate(PYLIBS):
                            tree["lib{}".format(i)] = lib
                        f.write(romfs_image(tree))
                if args.renderer:
                    out = run_qemu_pair(micropy, args.renderer, module, args.timeout, image)
                else:
                    out = run_qemu(micropy, module, args.timeout, image)
            else:
                out = run_unix(micropy, module, args.timeout)
            found = RESULT.findall(out)
            if found:
                p, f = int(found[-1][0]), int(found[-1][1])
            else:
                p, f = 0, 1
            passed += p
            failed += f
            build_passed += p
            build_failed += f
            status = "ok" if f == 0 and found else "FAILED"
            print("{} [{}] {}: {} passed, {} failed".format(status, label, module, p, f))
            if status != "ok" or b"SKIP" in out:
                sys.stdout.write(out.decode("utf-8", "replace"))
        totals.append((label, build_passed, build_failed))
    if image:
        os.unlink(image)
    for label, p, f in totals:
        print("totals {}: {} passed, {} failed".format(label, p, f))
    print("{} passed, {} failed".format(passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
