# SPDX-License-Identifier: MIT
"""The seed's scripts (examples/) print on every MicroPython build in $MICROPY
what they print on the desktop, up to what the seed allows to differ: the
order of a dict's keys (MicroPython's dicts keep no insertion order, so the
packed bytes come in another order too: they must decode to the same object),
the order of finalisation within one gc.collect(), and the last object of the
FinaliserProxy session, which the script still holds when it ends.

CPython only (it starts MicroPython processes); runs when MICROPY names
builds (make test sets it to every build of MICROPYTHON_SRC).
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

    HERE = os.path.dirname(os.path.abspath(__file__))
    ROOT = os.path.dirname(os.path.dirname(HERE))
    EXAMPLES = os.path.join(ROOT, "examples")


def _builds():
    if IS_MICROPYTHON:
        skip("CPython only: it runs MicroPython processes")
    builds = [p for p in os.environ.get("MICROPY", "").split(":") if p]
    if not builds:
        skip("MICROPY not set (MicroPython builds with the mpx modules; make test sets it from MICROPYTHON_SRC)")
    return builds


def _desktop(script):
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            # What the script still holds at its end goes now, as at a
            # process's end: its finalisers print with the script's output.
            runpy.run_path(os.path.join(EXAMPLES, script), run_name="__main__").clear()
            gc.collect()
    finally:
        os.chdir(cwd)
    return out.getvalue()


def _micropython(build, script):
    path = os.path.join(EXAMPLES, script)
    if build.endswith(".elf"):
        sys.path.insert(0, os.path.join(ROOT, "tools"))
        try:
            import mpy_test
        finally:
            del sys.path[0]
        return mpy_test.run_script_qemu(build, path).replace("\r\n", "\n")
    p = subprocess.run([build, path], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
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
    want = _desktop(script)
    assert want.strip(), "the desktop printed nothing"
    for build in builds:
        got = _micropython(build, script)
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
    want = _desktop("rlvgl_demo.py")
    pngs = [line.split()[-1] for line in want.splitlines() if line.startswith("wrote ")]
    assert pngs, want
    frames = {}
    for png in pngs:
        with open(os.path.join(ROOT, png), "rb") as f:
            frames[png] = f.read()
    for build in builds:
        got = _micropython(build, "rlvgl_demo.py")
        assert got.replace("_micropython.png", "_cpython.png") == want, (build, want, got)
        for png, data in frames.items():
            with open(os.path.join(ROOT, png.replace("_cpython.png", "_micropython.png")), "rb") as f:
                assert f.read() == data, "{}: {} differs from the desktop's frame".format(build, png)
