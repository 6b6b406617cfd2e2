# SPDX-License-Identifier: MIT
"""One version for mpx: mpx.__version__ (cpython/mpx/__init__.py) is the
only place it is written; the package metadata, `mpx-dfu --version`,
CMake's project version (and so libmpxdfu's) and the man page say the same.
msgpack's API version (mpx.msgpack.version, the msgpack-python release its
API matches) is a separate thing.

CPython only. Under MPX_TEST_INSTALLED=1 (make test's pip-install step) it
checks the installed package and the venv's commands; in the source tree,
a CMake build of mpx-dfu in a temporary folder.
"""
from mpxtest import IS_MICROPYTHON, skip

if not IS_MICROPYTHON:
    import os
    import re
    import shutil
    import subprocess
    import sys
    import tempfile

    HERE = os.path.dirname(os.path.abspath(__file__))
    ROOT = os.path.dirname(os.path.dirname(HERE))
    INSTALLED = bool(os.environ.get("MPX_TEST_INSTALLED"))


def _version():
    if IS_MICROPYTHON:
        skip("CPython only: the desktop package's version")
    import mpx

    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", mpx.__version__), mpx.__version__
    return mpx.__version__


def test_the_version_is_written_in_one_place():
    v = _version()
    for name in ("setup.py", "pyproject.toml", "CMakeLists.txt"):
        with open(os.path.join(ROOT, name)) as f:
            assert v not in f.read(), "{} writes the version {} itself".format(name, v)
    with open(os.path.join(ROOT, "cpython", "mpx", "__init__.py")) as f:
        assert '__version__ = "{}"'.format(v) in f.read()


def test_msgpack_keeps_its_own_api_version():
    _version()
    from mpx import msgpack

    assert isinstance(msgpack.version, tuple) and all(isinstance(n, int) for n in msgpack.version)


def test_the_package_metadata_says_the_same():
    v = _version()
    if not INSTALLED:
        skip("the metadata of an installed copy (make test's pip-install step runs this)")
    from importlib import metadata

    assert metadata.version("mpx") == v


def test_the_commands_say_the_same():
    v = _version()
    if INSTALLED:
        # The venv's own commands, beside its python (pip installs them there).
        bindir = os.path.dirname(sys.executable)
        dfu, sim = os.path.join(bindir, "mpx-dfu"), os.path.join(bindir, "mpx-dfu-sim")
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([dfu, "--version"], cwd=tmp, capture_output=True, text=True, timeout=30)
            assert out.returncode == 0 and out.stdout == "mpx-dfu {}\n".format(v), out
            out = subprocess.run([sim, "--help"], cwd=tmp, capture_output=True, text=True, timeout=30)
            assert out.returncode == 0 and out.stdout.startswith("usage: mpx-dfu-sim"), out
        return
    if shutil.which("cmake") is None:
        skip("cmake is not installed (tools/deps.sh test)")
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(["cmake", "-S", ROOT, "-B", tmp, "-DMPX_TESTS=OFF"], capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        with open(os.path.join(tmp, "CMakeCache.txt")) as f:
            assert "CMAKE_PROJECT_VERSION:STATIC={}\n".format(v) in f.read()
        r = subprocess.run(["cmake", "--build", tmp, "--target", "mpx-dfu", "-j2"], capture_output=True,
                           text=True, timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
        out = subprocess.run([os.path.join(tmp, "bin", "mpx-dfu"), "--version"], capture_output=True,
                             text=True, timeout=30)
        assert out.returncode == 0 and out.stdout == "mpx-dfu {}\n".format(v), out


def test_the_man_page_says_the_same():
    v = _version()
    with open(os.path.join(ROOT, "docs", "mpx-dfu.1")) as f:
        th = [line for line in f if line.startswith(".TH ")]
    assert th and '"mpx {}"'.format(v) in th[0], th
