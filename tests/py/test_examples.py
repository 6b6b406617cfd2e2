# SPDX-License-Identifier: MIT
"""The seed's scripts (examples/) print on every MicroPython build in $MICROPY
what they print on the desktop, up to what the seed allows to differ: the
order of a dict's keys (MicroPython's dicts keep no insertion order, so the
packed bytes come in another order too: they must decode to the same object),
the order of finalisation within one gc.collect(), and the last object of the
FinaliserProxy session, which the script still holds when it ends.

CPython only (it starts MicroPython processes); runs when MICROPY names
builds (make test sets it to every build of MICROPYTHON_SRC).

And the examples run from any folder, as scripts of the package (installed
under MPX_TEST_INSTALLED=1, else built in place), with their output where
they say.
"""
from mpxtest import IS_MICROPYTHON, skip

if not IS_MICROPYTHON:  # the runner imports every test file on MicroPython too
    import ast
    import contextlib
    import gc
    import io
    import json
    import os
    import runpy
    import subprocess
    import sys

    import shutil
    import tempfile

    HERE = os.path.dirname(os.path.abspath(__file__))
    ROOT = os.path.dirname(os.path.dirname(HERE))
    EXAMPLES = os.path.join(ROOT, "examples")
    # Each example's command-line arguments in these tests.
    ARGS = {"rlvgl_demo.py": lambda tmp: ["--out", os.path.join(tmp, "png")]}


def _builds():
    if IS_MICROPYTHON:
        skip("CPython only: it runs MicroPython processes")
    builds = [p for p in os.environ.get("MICROPY", "").split(":") if p]
    if not builds:
        skip("MICROPY not set (MicroPython builds with the mpx modules; make test sets it from MICROPYTHON_SRC)")
    return builds


def _args(script, tmp):
    return ARGS[script](tmp) if script in ARGS else []


def _desktop(script, tmp):
    """The script's output on the desktop, run in this process as a script
    is run (its folder on sys.path, argv), from the folder tmp."""
    path = os.path.join(EXAMPLES, script)
    out = io.StringIO()
    cwd, argv = os.getcwd(), sys.argv
    os.chdir(tmp)
    sys.argv = [path] + _args(script, tmp)
    sys.path.insert(0, EXAMPLES)
    try:
        with contextlib.redirect_stdout(out):
            # What the script still holds at its end goes now, as at a
            # process's end: its finalisers print with the script's output.
            runpy.run_path(path, run_name="__main__").clear()
            gc.collect()
    finally:
        sys.path.remove(EXAMPLES)
        sys.argv = argv
        os.chdir(cwd)
    return out.getvalue()


def _micropython(build, script, tmp):
    path = os.path.join(EXAMPLES, script)
    if build.endswith(".elf"):
        sys.path.insert(0, os.path.join(ROOT, "tools"))
        try:
            import mpy_test
        finally:
            del sys.path[0]
        return mpy_test.run_script_qemu(build, path).replace("\r\n", "\n")
    p = subprocess.run([build, path] + _args(script, tmp), cwd=tmp, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    assert p.returncode == 0, "{} exited with {}:\n{}".format(build, p.returncode, out)
    return out


def _value(label, text):
    """A printed value as an object: msgpack bytes decoded, JSON parsed."""
    from mpx import msgpack

    try:
        v = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return json.loads(text)
    return msgpack.unpackb(v) if label.startswith("packed") and isinstance(v, bytes) else v


def _same_values(desktop, board):
    """Lines 'label [n]: value' equal as objects, in the same order."""
    d, b = desktop.splitlines(), board.splitlines()
    assert len(d) == len(b), (desktop, board)
    for dl, bl in zip(d, b):
        dlabel, dvalue = dl.split(": ", 1)
        blabel, bvalue = bl.split(": ", 1)
        assert dlabel == blabel, (dl, bl)
        assert _value(dlabel, dvalue) == _value(blabel, bvalue), (dl, bl)


def _finaliser_blocks(text, held):
    """The output cut at each collect/DONE line, each part's lines sorted;
    the line of the object still held at the end dropped."""
    blocks, cur = [], []
    for line in text.splitlines():
        if line.startswith("---------") or line == "DONE":
            blocks.append(sorted(cur))
            blocks.append([line])
            cur = []
        elif line != "__del__: finalise " + held:
            cur.append(line)
    blocks.append(sorted(cur))
    return blocks


def _equal(want, got):
    assert want == got


def _each_build(script, compare):
    builds = _builds()
    with tempfile.TemporaryDirectory() as tmp:
        want = _desktop(script, tmp)
        assert want.strip(), "the desktop printed nothing"
        for build in builds:
            got = _micropython(build, script, tmp)
            _compare(build, script, compare, want, got)


def _compare(build, script, compare, want, got):
    try:
        compare(want, got)
    except AssertionError as e:
        raise AssertionError("{}: {} differs from the desktop:\n--- desktop\n{}--- MicroPython\n{}\n{}".format(
            build, script, want, got, e))


def test_msgpack_session_prints_the_same_on_micropython():
    _each_build("msgpack_session.py", _same_values)


def test_msgpack_ext_type_prints_the_same_on_micropython():
    _each_build("msgpack_ext_type.py", _equal)


def test_finaliserproxy_session_finalises_the_same_objects_at_the_same_collects():
    def compare(want, got):
        # Every object but the last (still held by the script) is finalised
        # exactly once, at the same collect as on the desktop.
        assert _finaliser_blocks(want, "obj 19") == _finaliser_blocks(got, "obj 19")
        assert "DONE" in got.splitlines()
        for i in range(19):
            assert got.count("finalise obj {}\n".format(i)) == 1, i

    _each_build("finaliserproxy_seed.py", compare)


def test_ioctl_example_prints_the_same_on_micropython():
    _each_build("ioctl_poll.py", _equal)


def test_display_example_prints_the_same_and_draws_the_same_frames():
    builds = [b for b in _builds() if not b.endswith(".elf")]
    if not builds:
        skip("MICROPY names no unix build (the demo writes PNG files with snapshot(), which a board lacks; "
             "test_dualcore.py runs the display on the emulated Cortex-M7)")
    with tempfile.TemporaryDirectory() as tmp, _no_display():
        want = _desktop("rlvgl_demo.py", tmp)
        pngs = [line.split()[-1] for line in want.splitlines() if line.startswith("wrote ")]
        assert pngs, want
        frames = {}
        for png in pngs:
            assert png.startswith(os.path.join(tmp, "png") + "/"), png   # where --out said
            with open(png, "rb") as f:
                frames[png] = f.read()
        for build in builds:
            got = _micropython(build, "rlvgl_demo.py", tmp)
            assert got.replace("_micropython.png", "_cpython.png") == want, (build, want, got)
            for png, data in frames.items():
                with open(png.replace("_cpython.png", "_micropython.png"), "rb") as f:
                    assert f.read() == data, "{}: {} differs from the desktop's frame".format(build, png)


class _no_display:
    """DISPLAY and WAYLAND_DISPLAY unset for a with-block: the display demo
    writes its frames and opens no window."""

    def __enter__(self):
        self.saved = {k: os.environ.pop(k) for k in ("DISPLAY", "WAYLAND_DISPLAY") if k in os.environ}

    def __exit__(self, *exc):
        os.environ.update(self.saved)


# --- the examples from any folder -------------------------------------------

def _env():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH")}
    if not os.environ.get("MPX_TEST_INSTALLED"):
        env["PYTHONPATH"] = os.path.join(ROOT, "cpython")
    return env


def _run_elsewhere(script_path, args, cwd):
    """python3 SCRIPT ARGS as a user runs it: from cwd, with the package
    installed (MPX_TEST_INSTALLED) or built in place (cpython/ on
    PYTHONPATH), no display. Returns its output."""
    p = subprocess.run([sys.executable, script_path] + args, cwd=cwd, env=_env(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    assert p.returncode == 0, "{} exited with {}:\n{}".format(script_path, p.returncode, out)
    return out


def _desktop_only():
    if IS_MICROPYTHON:
        skip("CPython only: runs the examples as processes")


def test_examples_run_from_another_folder_and_print_what_they_print_in_the_demo():
    _desktop_only()
    compare = {"msgpack_session.py": _equal, "msgpack_ext_type.py": _equal, "ioctl_poll.py": _equal,
               # At a process's end the last object may or may not be finalised.
               "finaliserproxy_seed.py": lambda want, got: _equal(_finaliser_blocks(want, "obj 19"),
                                                                  _finaliser_blocks(got, "obj 19"))}
    with tempfile.TemporaryDirectory() as tmp:
        for script, check in sorted(compare.items()):
            want = _desktop(script, tmp)
            got = _run_elsewhere(os.path.join(EXAMPLES, script), [], tmp)
            check(want, got)
        assert os.listdir(tmp) == [], os.listdir(tmp)   # nothing written where they ran


def test_the_seed_display_example_runs_from_another_folder():
    _desktop_only()
    with tempfile.TemporaryDirectory() as tmp:
        out = _run_elsewhere(os.path.join(EXAMPLES, "rlvgl_seed.py"), [], tmp)
        assert out.splitlines()[0] == "present() -> 1", out
        assert out.splitlines()[1] == ("display: [('format', 'RGB565'), ('height', 480), ('width', 800), "
                                       "('window', False)]"), out
        assert os.listdir(tmp) == []


def test_the_display_demo_writes_beside_itself_or_where_out_says():
    _desktop_only()
    with tempfile.TemporaryDirectory() as tmp:
        # A copy of the examples folder: the default output goes beside the script.
        copy = os.path.join(tmp, "examples")
        os.mkdir(copy)
        for f in ("rlvgl_demo.py", "rlvgl_scenes.py"):
            shutil.copy(os.path.join(EXAMPLES, f), copy)
        cwd = os.path.join(tmp, "elsewhere")
        os.mkdir(cwd)
        out = _run_elsewhere(os.path.join(copy, "rlvgl_demo.py"), [], cwd)
        assert "taps counted per button z: [(10, 3), (20, 0), (30, 1)]" in out, out
        wrote = [line.split()[-1] for line in out.splitlines() if line.startswith("wrote ")]
        assert wrote == [os.path.join(copy, "out", "rlvgl_seed_cpython.png"),
                         os.path.join(copy, "out", "rlvgl_counter_cpython.png")], out
        assert sorted(os.listdir(os.path.join(copy, "out"))) == ["rlvgl_counter_cpython.png", "rlvgl_seed_cpython.png"]
        assert os.listdir(cwd) == []        # nothing where it ran
        # --out DIR, relative to where it runs, as the user typed it.
        out = _run_elsewhere(os.path.join(copy, "rlvgl_demo.py"), ["--out", "frames"], cwd)
        assert "wrote frames/rlvgl_seed_cpython.png" in out.splitlines(), out
        assert sorted(os.listdir(os.path.join(cwd, "frames"))) == ["rlvgl_counter_cpython.png",
                                                                   "rlvgl_seed_cpython.png"]
        with open(os.path.join(cwd, "frames", "rlvgl_counter_cpython.png"), "rb") as a, \
                open(os.path.join(copy, "out", "rlvgl_counter_cpython.png"), "rb") as b:
            assert a.read() == b.read()
        # A wrong argument is a usage error, not a folder named after it.
        p = subprocess.run([sys.executable, os.path.join(copy, "rlvgl_demo.py"), "frames"], cwd=cwd, env=_env(),
                           capture_output=True, text=True, timeout=60)
        assert p.returncode != 0 and "usage: rlvgl_demo.py [--out DIR]" in p.stderr, p


def test_no_example_reaches_into_tests():
    _desktop_only()
    for name in sorted(os.listdir(EXAMPLES)):
        if name.endswith(".py"):
            with open(os.path.join(EXAMPLES, name)) as f:
                text = f.read()
            # (the old display demo did sys.path.append("tests/py"))
            assert "sys.path" not in text and '"tests' not in text and "'tests" not in text, name
