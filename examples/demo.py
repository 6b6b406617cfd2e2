#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make demo: the project's main job in one command.

Runs the examples on the desktop (CPython with the mpx package) and, when
MICROPY names MicroPython executables (':'-separated; a qemu firmware .elf
works too), on MicroPython, printed like the seed's sessions.
"""
import contextlib
import io
import os
import runpy
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "cpython"))
sys.path.insert(0, os.path.join(ROOT, "tools"))

EXAMPLES = [
    ("MessagePack", "msgpack_session.py"),
    ("MessagePack ExtType", "msgpack_ext_type.py"),
    ("FinaliserProxy", "finaliserproxy_seed.py"),
    ("ioctl: a Python stream answers poll", "ioctl_poll.py"),
]


def run_cpython(path):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(path, run_name="__main__")
    return out.getvalue()


def run_micropython(micropy, path):
    if micropy.endswith(".elf"):
        import mpy_test
        return mpy_test.run_script_qemu(micropy, path)
    p = subprocess.run([micropy, path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    return p.stdout.decode("utf-8", "replace")


def main():
    targets = [("desktop (CPython, mpx)", None)]
    for m in filter(None, os.environ.get("MICROPY", "").split(":")):
        targets.append(("MicroPython {}".format(m), m))
    ok = True
    for title, script in EXAMPLES:
        print("=== {} ===".format(title))
        path = os.path.join(ROOT, "examples", script)
        for name, micropy in targets:
            print("\n----- {}\n".format(name))
            try:
                out = run_cpython(path) if micropy is None else run_micropython(micropy, path)
            except Exception as e:  # noqa: BLE001 - report and carry on
                out = "failed: {}: {}\n".format(type(e).__name__, e)
                ok = False
            sys.stdout.write(out)
        print()
    if len(targets) == 1:
        print("(set MICROPY=/path/to/micropython to run the same scripts under MicroPython)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
