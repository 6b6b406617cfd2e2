#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run msgpack-python 1.2.1's own test suite against mpx.msgpack.

    tools/msgpack121_suite.py [--src DIR|TARBALL] [--list]

The suite is msgpack-python's test/ directory, from its source: a directory
(`git clone -b v1.2.1 https://github.com/msgpack/msgpack-python`) or a
tarball (the sdist msgpack-1.2.1.tar.gz, or GitHub's v1.2.1.tar.gz), named
by --src or MSGPACK_PYTHON_SRC; the default is build/msgpack-python-1.2.1. A
tarball is unpacked under build/. Nothing of it is committed: without it the
run prints SKIPPED and why, and exits 0 (CI cannot fetch it).

A shim package `msgpack` (written to build/msgpack121-shim) maps
`import msgpack` to mpx.msgpack. The suite tells the C extension from the
pure-Python fallback by Packer.__module__; mpx.msgpack follows the C
extension, so the shim names its types after msgpack._cmsgpack and the
suite's C-extension-only checks run too.

The run passes when every test passes except those in EXPECTED_FAILURES
(each with the reason); it prints the counts and every failure.
"""
import argparse
import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
DEFAULT_SRC = os.path.join(BUILD, "msgpack-python-1.2.1")

# test id -> why mpx.msgpack deliberately differs. Empty: none today.
EXPECTED_FAILURES = {}

SHIM = {
    "__init__.py": '''"""msgpack -> mpx.msgpack, to run msgpack-python's own tests (tools/msgpack121_suite.py)."""
import sys

import mpx.msgpack as _mpx
from mpx.msgpack import *  # noqa: F401,F403
from mpx.msgpack import (  # noqa: F401
    ExtType, Packer, Timestamp, Unpacker, __version__, dump, dumps, load, loads, pack, packb,
    unpack, unpackb, version)
from mpx.msgpack.exceptions import *  # noqa: F401,F403

from . import exceptions, ext  # noqa: F401

# The suite checks Packer.__module__ to run its C-extension-only parts;
# mpx.msgpack follows the C extension.
for _t in (Packer, Unpacker):
    _t.__module__ = "msgpack._cmsgpack"
''',
    "exceptions.py": "from mpx.msgpack.exceptions import *  # noqa: F401,F403\n",
    "ext.py": "from mpx.msgpack.ext import *  # noqa: F401,F403\nfrom mpx.msgpack.ext import ExtType, Timestamp  # noqa: F401\n",
}


def find_source(src):
    """The directory holding msgpack/ and test/ (unpacking a tarball), or None."""
    if os.path.isfile(src) and (src.endswith(".tar.gz") or src.endswith(".tgz")):
        dest = os.path.join(BUILD, "msgpack-python-src")
        with tarfile.open(src) as tf:
            tops = {m.name.split("/")[0] for m in tf.getmembers()}
            if len(tops) != 1:
                raise SystemExit("{}: expected one top directory, found {}".format(src, sorted(tops)))
            os.makedirs(dest, exist_ok=True)
            tf.extractall(dest, filter="data") if hasattr(tarfile, "data_filter") else tf.extractall(dest)
        src = os.path.join(dest, tops.pop())
    if os.path.isdir(os.path.join(src, "test")) and os.path.isfile(os.path.join(src, "msgpack", "__init__.py")):
        return src
    return None


def source_version(src):
    """msgpack-python's version from its msgpack/__init__.py (1.1+ states it there)."""
    with open(os.path.join(src, "msgpack", "__init__.py")) as f:
        for line in f:
            if line.startswith("__version__ = "):
                return line.split("=", 1)[1].strip().strip('"\'')
    return "?"


def write_shim():
    shim = os.path.join(BUILD, "msgpack121-shim")
    os.makedirs(os.path.join(shim, "msgpack"), exist_ok=True)
    for name, text in SHIM.items():
        with open(os.path.join(shim, "msgpack", name), "w") as f:
            f.write(text)
    return shim


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default=os.environ.get("MSGPACK_PYTHON_SRC") or DEFAULT_SRC,
                    help="msgpack-python 1.2.1 source directory or tarball")
    ap.add_argument("--list", action="store_true", help="print every test with its result")
    args = ap.parse_args()
    src = find_source(args.src)
    if src is None:
        print("SKIPPED: no msgpack-python source at {} (set MSGPACK_PYTHON_SRC or --src to a "
              "directory or tarball of msgpack-python 1.2.1)".format(args.src))
        return 0
    version = source_version(src)
    if version != "1.2.1":
        print("{}: msgpack-python {}, not 1.2.1".format(src, version))
        return 1
    shim = write_shim()
    report = os.path.join(BUILD, "msgpack121-suite.xml")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([shim, os.path.join(ROOT, "cpython")]),
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("MSGPACK_PUREPYTHON", None)
    # Run from build/ so that the source's own msgpack/ is not on the path.
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", report,
           "-o", "junit_family=xunit1", os.path.join(src, "test")]
    subprocess.run(cmd, cwd=BUILD, env=env, stdout=subprocess.DEVNULL if not args.list else None)
    check = subprocess.run([sys.executable, "-c", "import msgpack, mpx.msgpack; "
                            "assert msgpack.packb is mpx.msgpack.packb; print(msgpack.__file__)"],
                           cwd=BUILD, env=env, capture_output=True, text=True)
    if check.returncode != 0:
        print("the shim does not map msgpack to mpx.msgpack:", check.stderr)
        return 1
    results = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        name = "{}::{}".format(os.path.basename(case.get("file") or case.get("classname", "")), case.get("name"))
        outcome, detail = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, detail = "failed", (child.get("message") or "").splitlines()[0][:200]
            elif child.tag == "skipped":
                outcome, detail = "skipped", child.get("message") or ""
        results[name] = (outcome, detail)
    counts = {k: sum(1 for o, _ in results.values() if o == k) for k in ("passed", "failed", "skipped")}
    print("msgpack-python {} test suite ({}) against mpx.msgpack: {} tests, {} passed, {} failed, {} skipped"
          .format(version, src, len(results), counts["passed"], counts["failed"], counts["skipped"]))
    bad = 0
    for name, (outcome, detail) in sorted(results.items()):
        expected = EXPECTED_FAILURES.get(name)
        if args.list or outcome != "passed":
            note = " (expected: {})".format(expected) if expected else ""
            print("  {:<8} {}{}{}".format(outcome, name, " - " + detail if detail else "", note))
        if (outcome == "failed") != (expected is not None):
            bad += 1
    for name in EXPECTED_FAILURES:
        if name not in results:
            print("  missing  {} (listed in EXPECTED_FAILURES)".format(name))
            bad += 1
    if len(results) < 100:
        print("only {} tests ran: not msgpack-python's suite?".format(len(results)))
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
