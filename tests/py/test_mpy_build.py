# SPDX-License-Identifier: MIT
"""tools/mpy_build.py's command line: MICROPYTHON_STM32_DEPS pairs each
deps archive with a source (SRC=DEPS, or a lone DEPS for the primary
source), and a pairing that does not add up is refused with a message that
says why, before anything is unpacked or built.

CPython only (it runs the tool).
"""
from mpxtest import IS_MICROPYTHON, skip

if not IS_MICROPYTHON:
    import os
    import subprocess
    import sys
    import tempfile

    ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    TOOL = os.path.join(ROOT, "tools", "mpy_build.py")


def _run(src, deps, out):
    p = subprocess.run([sys.executable, TOOL, "--out", out, "--src", src, "--stm32-deps", deps],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def test_stm32_deps_that_do_not_pair_with_a_source_are_refused_before_any_work():
    if IS_MICROPYTHON:
        skip("CPython only: runs tools/mpy_build.py")
    with tempfile.TemporaryDirectory() as tmp:
        a = os.path.join(tmp, "micropython-a.tar.gz")
        b = os.path.join(tmp, "micropython-b.tar.gz")
        deps = os.path.join(tmp, "deps.tar.gz")
        for path in (a, b, deps):
            open(path, "wb").close()   # never opened: the pairing is checked first
        out = os.path.join(tmp, "out")
        cases = [
            (a, b + "=" + deps, "pairs {} with {}, which is not one of the MICROPYTHON_SRC sources".format(deps, b)),
            (a, a + "=" + os.path.join(tmp, "missing.tar.gz"), "names {}, which does not exist".format(
                os.path.join(tmp, "missing.tar.gz"))),
            (a + ":" + b, a + "=" + deps + ":" + a + "=" + deps, "names two deps archives for " + a),
            (a, os.path.join(tmp, "nope.tar.gz"), "names {}, which does not exist".format(os.path.join(tmp, "nope.tar.gz"))),
        ]
        for src, spec, message in cases:
            rc, text = _run(src, spec, out)
            assert rc == 1 and "error: MICROPYTHON_STM32_DEPS " + message in text, (spec, text)
        assert os.listdir(out) == [], "nothing unpacked"
