#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Test msgpack.mpy, the native module, on MicroPython without user C modules.

    tools/natmod_test.py [--list build/natmod/firmware.txt] [--natmod build/natmod]
                         [--builtin build/micropython/targets.txt] [test_file.py ...]

--list names the stock firmware tools/natmod_build.py --firmware built
("LABEL PATH ARCHS TREE" lines); each runs the tests/py msgpack tests
(test_msgpack_*.py but the CPython-only differential one, or the files
given) with DIR/<arch>/msgpack.mpy on its sys.path, for each
architecture on its line: the unix port 64-bit (x64) and 32-bit (x86)
directly, the qemu port's boards (MPS2_AN500: armv7emdp, MPS2_AN385:
armv7m and armv6m, VIRT_RV32: rv32imc) through the raw REPL with the tests
and the module in a ROMFS image (tools/mpy_test.py). The .mpy files are
those of one source (the primary one): every firmware line is another
MicroPython version loading them.

Then, with the firmware that has the module built in (--builtin, the
targets.txt of tools/mpy_build.py), tests/py/msgpack_natmod_diff.py runs on
each built-in build and on the stock build of the same version and port
with the .mpy, and the two outputs must be the same line for line (bytes,
objects, errors, names).

Also: each source's own x64 .mpy on its own unix port (DIR/src/...); the
.mpy refusing firmware it cannot serve (another architecture, another float
width) with a clear error; and `mip.install` of the package from a local
HTTP server on the unix port, with micropython-lib's mip from
$MICROPYTHON_STM32_DEPS (skipped, with the reason, without it).

Ends with "N passed, N failed" (per test module and check); exit status 1
on any failure.
"""
import argparse
import difflib
import os
import socket
import subprocess
import sys
import tarfile
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mpy_test  # noqa: E402  (ROMFS images, the qemu raw-REPL runner)
import natmod_build  # noqa: E402  (the boards and their QEMU command lines)

TESTS = mpy_test.TESTS
DATA = mpy_test.DATA
DIFF_SCRIPT = os.path.join(TESTS, "msgpack_natmod_diff.py")
QEMU = {board: (cmd, addr) for board, _, cmd, addr, _ in natmod_build.QEMU_BOARDS}
DEFAULT_NATMOD = os.path.join(ROOT, "build", "natmod")
DOC = os.path.join(ROOT, "docs", "msgpack.md")


def doc_line(prefix):
    """The command of docs/msgpack.md that starts with prefix (as shown there)."""
    with open(DOC) as f:
        for line in f:
            if line.strip().startswith(prefix):
                return line.strip()
    raise RuntimeError("docs/msgpack.md shows no command starting with " + prefix)


def board_of(label):
    """The qemu board of a firmware label (1.28.0/qemu-MPS2_AN500), or None."""
    what = label.split("/")[-1]
    return what[len("qemu-"):] if what.startswith("qemu-") else None


def run_unix(micropy, args, env_extra=None, timeout=600, cwd=TESTS):
    env = dict(os.environ)
    env.update(env_extra or {})
    try:
        p = subprocess.run([micropy, "-X", "heapsize=8m"] + args, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, env=env)
        return p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode("utf-8", "replace") + "\nTIMEOUT after %d s\n" % timeout


def run_qemu(firmware, board, image, code, timeout=600):
    cmd, addr = QEMU[board]
    saved = {k: os.environ.get(k) for k in ("MICROPY_QEMU", "MICROPY_ROMFS_ADDR")}
    os.environ["MICROPY_QEMU"] = cmd
    os.environ["MICROPY_ROMFS_ADDR"] = addr
    try:
        return mpy_test.run_qemu(firmware, None, timeout, image, code=code.encode()).decode("utf-8", "replace")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class Image:
    """A ROMFS image of the tests, their data and a directory of .mpy files."""

    def __init__(self, natmod_dir):
        fd, self.path = tempfile.mkstemp(suffix=".romfs")
        with os.fdopen(fd, "wb") as f:
            tree = {"py": TESTS, "data": DATA}
            if natmod_dir:
                tree["natmod"] = natmod_dir
            f.write(mpy_test.romfs_image(tree))

    def close(self):
        os.unlink(self.path)


def runner_code(module):
    return ("import sys\nsys.path.insert(0, '/rom/py')\nimport mpy_runner\n"
            "mpy_runner.main(['--data', '/rom/data', '--path', '/rom/natmod', {!r}])\n").format(module)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def add(self, ok, line, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(("ok " if ok else "FAILED ") + line, flush=True)
        if detail and (not ok or "SKIP" in detail):
            sys.stdout.write(detail if detail.endswith("\n") else detail + "\n")


def count(out):
    found = mpy_test.RESULT.findall(out.encode())
    return (int(found[-1][0]), int(found[-1][1])) if found else (0, 1)


def test_suites(res, rows, natmod, modules):
    for label, path, archs, _ in rows:
        board = board_of(label)
        for arch in archs:
            mdir = os.path.join(natmod, arch)
            if not os.path.isfile(os.path.join(mdir, "msgpack.mpy")):
                res.add(False, "[{} {}] no {}/msgpack.mpy (tools/natmod_build.py)".format(label, arch, mdir))
                continue
            image = Image(mdir) if board else None
            try:
                for module in modules:
                    if board:
                        out = run_qemu(path, board, image.path, runner_code(module))
                    else:
                        out = run_unix(path, ["mpy_runner.py", "--data", DATA, "--path", mdir, module])
                    p, f = count(out)
                    res.add(f == 0, "[{} {}] {}: {} passed, {} failed".format(label, arch, module, p, f), out)
            finally:
                if image:
                    image.close()


def own_builds(res, rows, natmod):
    """Each source's own x64 module on its own unix port."""
    for label, path, archs, _ in rows:
        if "x64" not in archs:
            continue
        version = label.split("/")[0]
        mdir = os.path.join(natmod, "src", version, "x64")
        if not os.path.isfile(os.path.join(mdir, "msgpack.mpy")):
            res.add(False, "[{}] no {}/msgpack.mpy".format(label, mdir))
            continue
        out = run_unix(path, ["mpy_runner.py", "--data", DATA, "--path", mdir, "test_msgpack_vectors"])
        p, f = count(out)
        res.add(f == 0, "[{} x64 built from {}] test_msgpack_vectors: {} passed, {} failed".format(
            label, version, p, f), out)


IMPORT_CHECK = ("try:\n    import msgpack\n    print('IMPORTED', msgpack.packb(1))\n"
                "except Exception as e:\n    print('REFUSED', type(e).__name__, e)\n")


def refusals(res, rows, natmod):
    """A module of the wrong kind fails at import with a clear message."""
    cases = []
    for label, path, archs, _ in rows:
        board = board_of(label)
        if label.endswith("/unix64"):
            # Another architecture: MicroPython's own check.
            cases.append((label, path, board, "x86", "REFUSED ValueError incompatible .mpy arch"))
        if board == "MPS2_AN500":
            # A Cortex-M7 with double floats accepts armv7emsp code: the
            # module itself refuses (its floats are single).
            cases.append((label, path, board, "armv7emsp",
                          "REFUSED ImportError msgpack.mpy: built for single-precision floats"))
        if board == "MPS2_AN385":
            cases.append((label, path, board, "armv7emdp", "REFUSED ValueError incompatible .mpy arch"))
    for label, path, board, arch, want in cases:
        mdir = os.path.join(natmod, arch)
        if board:
            image = Image(mdir)
            try:
                out = run_qemu(path, board, image.path, "import sys\nsys.path.insert(0, '/rom/natmod')\n" + IMPORT_CHECK)
            finally:
                image.close()
        else:
            with tempfile.TemporaryDirectory() as d:
                script = os.path.join(d, "check.py")
                with open(script, "w") as f:
                    f.write(IMPORT_CHECK)
                out = run_unix(path, [script], {"MICROPYPATH": mdir})
        res.add(want in out, "[{} {}] import refused: {}".format(label, arch, want), out)


def builtin_pairs(rows, builtin_list):
    """(built-in label, its path, stock label, stock path, arch) of the same
    MicroPython version and port."""
    if not builtin_list or not os.path.isfile(builtin_list):
        return []
    stock = {label: (path, archs) for label, path, archs, _ in rows}
    port_map = {"unix64": "unix64", "unix32": "unix32", "qemu": "qemu-MPS2_AN500"}
    pairs = []
    with open(builtin_list) as f:
        for line in f:
            if not line.strip():
                continue
            label, path = line.split()[:2]
            version, port = label.split("/")
            if port not in port_map:
                continue
            slabel = "{}/{}".format(version, port_map[port])
            if slabel in stock:
                spath, archs = stock[slabel]
                pairs.append((label, path, slabel, spath, archs[0]))
    return pairs


def run_script(label, path, script, natmod_dir):
    board = board_of(label) or ("MPS2_AN500" if label.endswith("/qemu") else None)
    with open(script) as f:
        code = f.read()
    if board:
        image = Image(natmod_dir)
        try:
            prefix = "import sys\nsys.path.insert(0, '/rom/natmod')\n" if natmod_dir else ""
            return run_qemu(path, board, image.path, prefix + code, timeout=1200)
        finally:
            image.close()
    return run_unix(path, [script], {"MICROPYPATH": natmod_dir} if natmod_dir else None)


def differential(res, rows, natmod, builtin_list):
    pairs = builtin_pairs(rows, builtin_list)
    if not pairs:
        print("SKIP differential: no built-in builds listed ({}: run tools/mpy_build.py, the "
              "micropython-build step of tools/test_all.sh, with the same MICROPYTHON_SRC)".format(builtin_list))
        res.add(False, "differential against the built-in module: nothing to compare with")
        return
    for blabel, bpath, slabel, spath, arch in pairs:
        want = run_script(blabel, bpath, DIFF_SCRIPT, None).strip("\n").splitlines()
        got = run_script(slabel, spath, DIFF_SCRIPT, os.path.join(natmod, arch)).strip("\n").splitlines()
        complete = bool(want) and want[-1].startswith("done ") and bool(got) and got[-1].startswith("done ")
        same = complete and want == got
        detail = ""
        if not same:
            diff = difflib.unified_diff(want, got, blabel, slabel + " " + arch, lineterm="")
            detail = "\n".join(line[:300] for line in list(diff)[:40])
        res.add(same, "differential: {} (built-in) and {} with {}/msgpack.mpy: {} lines {}".format(
            blabel, slabel, arch, len(want), "identical" if same else "DIFFER"), detail)


def mip_lib(deps, dest):
    """micropython-lib's mip and requests from the stm32 deps archive."""
    want = {"lib/micropython-lib/micropython/mip/mip/__init__.py": "mip/__init__.py",
            "lib/micropython-lib/python-ecosys/requests/requests/__init__.py": "requests/__init__.py"}
    with tarfile.open(deps) as t:
        for name, rel in want.items():
            try:
                member = t.getmember(name)
            except KeyError:
                return False
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            with t.extractfile(member) as src, open(os.path.join(dest, rel), "wb") as out:
                out.write(src.read())
    return True


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mip_install(res, rows, natmod):
    """The documented install: the build served over HTTP, mip.install on
    the board (the unix port here), then the module imported from lib."""
    spec = os.environ.get("MICROPYTHON_STM32_DEPS", "")
    # One archive, or SRC=DEPS pairs (tools/mpy_build.py): any of them has
    # micropython-lib.
    archives = [item.rpartition("=")[2] for item in spec.split(":") if item]
    deps = next((a for a in archives if os.path.isfile(a)), "")
    unix = [(label, path) for label, path, archs, _ in rows if label.endswith("/unix64")]
    if not deps:
        print("SKIP mip install: {} (its lib/micropython-lib has mip; the unix port built without "
              "submodules has none)".format("no archive in MICROPYTHON_STM32_DEPS={}".format(spec) if spec
                                            else "MICROPYTHON_STM32_DEPS not set"))
        return
    if not unix:
        print("SKIP mip install: no unix firmware in the list")
        return
    with tempfile.TemporaryDirectory() as tmp:
        lib = os.path.join(tmp, "mip-lib")
        if not mip_lib(deps, lib):
            print("SKIP mip install: {} has no micropython-lib mip/requests".format(deps))
            return
        port = free_port()
        # The lines of docs/msgpack.md: the server (on a port that is free
        # here) and the install, with this machine for HOST.
        serve = doc_line("python3 -m http.server").split()
        assert serve[-1] == "8000" and serve[-2] == "build/natmod", serve
        install = doc_line("import mip, sys; mip.install(")
        assert "HOST:8000" in install, install
        install = install.replace("HOST:8000", "127.0.0.1:{}".format(port))
        server = subprocess.Popen(serve[:-2] + [os.path.relpath(natmod, ROOT), str(port)], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port)
            for label, path in unix:
                home = os.path.join(tmp, "home-" + label.replace("/", "-"))
                os.makedirs(home)
                script = os.path.join(tmp, "install.py")
                with open(script, "w") as f:
                    f.write(install + "\n")
                env = {"HOME": home, "MICROPYPATH": lib + ":~/.micropython/lib"}
                out = run_unix(path, [script], env, timeout=120, cwd=tmp)
                installed = os.path.join(home, ".micropython", "lib", "msgpack.mpy")
                ok = os.path.isfile(installed) and open(installed, "rb").read() == \
                    open(os.path.join(natmod, "x64", "msgpack.mpy"), "rb").read()
                check = run_unix(path, ["-c", "import msgpack; print(msgpack.__file__, msgpack.unpackb(msgpack.packb([1, 'a'])))"],
                                 env, cwd=tmp)
                ok = ok and "msgpack.mpy [1, 'a']" in check
                res.add(ok, "[{}] mip.install from http://127.0.0.1:{}/ put x64/msgpack.mpy in ~/.micropython/lib "
                        "and it imports".format(label, port), out + check)
        finally:
            server.terminate()
            server.wait()


def wait_for_port(port):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the HTTP server did not start")


def package_files(res, natmod):
    """Every URL a package.json names is in the build output."""
    import json
    for arch in natmod_build.MPY_ARCH_NAMES:
        pj = os.path.join(natmod, arch, "package.json")
        if not os.path.isfile(pj):
            continue
        with open(pj) as f:
            pkg = json.load(f)
        urls = pkg.get("urls", [])
        ok = bool(urls)
        for target, url in urls:
            ok = ok and target == "msgpack.mpy" and os.path.isfile(os.path.normpath(os.path.join(natmod, arch, url)))
        res.add(ok, "package {}/package.json names files that exist: {}".format(arch, urls))


def read_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip():
                label, fw, archs, tree = line.split()[:4]
                rows.append((label, fw, archs.split(","), tree))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list", default=os.path.join(DEFAULT_NATMOD, "firmware.txt"))
    ap.add_argument("--natmod", default=DEFAULT_NATMOD)
    ap.add_argument("--builtin", default=os.path.join(ROOT, "build", "micropython", "targets.txt"))
    ap.add_argument("files", nargs="*", help="test files (default: tests/py/test_msgpack_*.py but the "
                    "CPython-only differential)")
    args = ap.parse_args()
    if not os.path.isfile(args.list):
        print("SKIPPED: no firmware list {} (tools/natmod_build.py --firmware --list)".format(args.list))
        return 0
    rows = read_rows(args.list)
    # (test_msgpack_differential compares with msgpack-python: CPython only.)
    files = args.files or sorted(f for f in os.listdir(TESTS) if f.startswith("test_msgpack_") and f.endswith(".py")
                                 and f != "test_msgpack_differential.py")
    modules = [os.path.basename(f)[:-3] for f in files]
    natmod = os.path.abspath(args.natmod)
    res = Results()
    package_files(res, natmod)
    test_suites(res, rows, natmod, modules)
    if not args.files:
        own_builds(res, rows, natmod)
        refusals(res, rows, natmod)
        differential(res, rows, natmod, args.builtin)
        mip_install(res, rows, natmod)
    print("{} passed, {} failed".format(res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
