# SPDX-License-Identifier: MIT
"""setup.py as pip runs it: warnings are errors only when the project's own
tests ask (MPX_WERROR=1), so a newer compiler's new warning does not stop a
user's install; and the package brings the mpx-dfu and mpx-dfu-sim commands,
built from every C file of their folders.

CPython only: reads setup.py with setuptools' setup() replaced.
"""
from mpxtest import IS_MICROPYTHON, skip

if not IS_MICROPYTHON:
    import glob
    import os

    ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _setup_args(werror):
    """The arguments setup.py gives setup(), and its build_tools' sources."""
    if IS_MICROPYTHON:
        skip("CPython only: setup.py")
    import setuptools

    got = {}
    saved_setup, saved_env, cwd = setuptools.setup, os.environ.get("MPX_WERROR"), os.getcwd()
    setuptools.setup = lambda **kw: got.update(kw)
    if werror is None:
        os.environ.pop("MPX_WERROR", None)
    else:
        os.environ["MPX_WERROR"] = werror
    os.chdir(ROOT)   # as pip runs it
    try:
        g = {"__file__": os.path.join(ROOT, "setup.py"), "__name__": "__main__"}
        with open(os.path.join(ROOT, "setup.py")) as f:
            exec(compile(f.read(), "setup.py", "exec"), g)
        if "build_tools" in g:
            got["tool_sources"] = {name: g["tool_sources"](name) for name in g["TOOLS"]}
            got["all_sources"] = g["build_tools"].get_source_files(None)
    finally:
        os.chdir(cwd)
        setuptools.setup = saved_setup
        if saved_env is None:
            os.environ.pop("MPX_WERROR", None)
        else:
            os.environ["MPX_WERROR"] = saved_env
    return got


def _flags(args):
    return {f for ext in args["ext_modules"] for f in ext.extra_compile_args}


def test_warnings_are_errors_only_when_the_tests_ask():
    assert "-Werror" not in _flags(_setup_args(None))     # a user's pip install
    assert "-Werror" not in _flags(_setup_args("0"))
    assert "-Werror" in _flags(_setup_args("1"))          # make, tools/test_all.sh


def test_the_package_brings_the_commands_from_every_c_file_of_their_folders():
    args = _setup_args(None)
    assert args["scripts"] == ["mpx-dfu", "mpx-dfu-sim"]
    assert args["cmdclass"]["build_scripts"].__name__ == "build_tools"
    for name in ("mpx-dfu", "mpx-dfu-sim"):
        want = sorted(os.path.join("tools", name, os.path.basename(p))
                      for p in glob.glob(os.path.join(ROOT, "tools", name, "*.c")))
        assert want and args["tool_sources"][name] == want, (name, args["tool_sources"][name])
    lib = sorted(os.path.relpath(p, ROOT) for d in ("src", "host")
                 for p in glob.glob(os.path.join(ROOT, "lib", "dfu", d, "*.c")))
    assert set(lib) <= set(args["all_sources"]), args["all_sources"]
