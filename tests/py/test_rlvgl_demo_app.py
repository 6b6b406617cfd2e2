# SPDX-License-Identifier: MIT
"""The display demo's app (examples/rlvgl_scenes.py, CounterApp): its
buttons count taps and nothing else. The pointer moving over a button, the
wheel turning there and keys pressed leave every count as it was.

Through mp_rlvgl.notify_input on CPython and MicroPython (the unix port, and
the qemu board with the renderer on its second core); and on CPython through
a real SDL2 window on an X server (Xvfb, input from xdotool) when both are
installed (tools/deps.sh test installs them).
"""
from mpxtest import IS_MICROPYTHON, skip

try:
    import mp_rlvgl as ui
except ImportError:
    ui = None

# Points on the buttons: A (10) at 20,20 and B (20) at 20,80, 120x40 each.
ON_A = ((30, 30), (100, 50), (60, 45))
ON_B = (40, 100)


def _app():
    if ui is None:
        skip("this build has no mp_rlvgl (a port without a display backend)")
    import rlvgl_scenes

    ui.init(width=rlvgl_scenes.WIDTH, height=rlvgl_scenes.HEIGHT, format="ARGB8888")
    app = rlvgl_scenes.CounterApp(ui)
    ui.sync()
    return app


def test_moves_keys_and_scrolls_over_a_button_count_nothing():
    app = _app()
    seen = []
    on_input = app.on_input

    def record(event):
        seen.append((event["kind"], event["target"]))
        on_input(event)

    ui.on_input(record)
    try:
        for x, y in ON_A:
            ui.notify_input({"kind": "move", "x": x, "y": y})
        ui.notify_input({"kind": "scroll", "x": 30, "y": 30, "key": 1})
        ui.notify_input({"kind": "scroll", "x": 30, "y": 30, "key": -1})
        ui.notify_input({"kind": "key", "key": ord("a")})
        ui.notify_input({"kind": "key", "key": 13})
        ui.notify_input({"kind": "move", "x": ON_B[0], "y": ON_B[1]})
        ui.sync()
        assert app.counts == {10: 0, 20: 0, 30: 0}, app.counts
        # The events did reach the app, over the buttons.
        assert ("move", 10) in seen or ("move", 11) in seen, seen
        assert ("move", 20) in seen or ("move", 21) in seen, seen
        assert len(seen) == 8, seen
        # A tap still counts, once, on the button it hits.
        ui.notify_input({"kind": "tap", "x": 30, "y": 30})
        ui.notify_input({"kind": "tap", "x": ON_B[0], "y": ON_B[1]})
        ui.notify_input({"kind": "tap", "x": ON_B[0], "y": ON_B[1]})
        ui.sync()
        assert app.counts == {10: 1, 20: 2, 30: 0}, app.counts
    finally:
        ui.on_input(None)
        ui.deinit()


# --- a real window (CPython) ------------------------------------------------

WINDOW_CHILD = r"""
import sys, time
import mp_rlvgl as ui
import rlvgl_scenes

ui.init(width=rlvgl_scenes.WIDTH, height=rlvgl_scenes.HEIGHT, window=True)
app = rlvgl_scenes.CounterApp(ui)
kinds = []
on_input = app.on_input
def record(e):
    kinds.append(e["kind"])
    on_input(e)
ui.on_input(record)
ui.sync()
print("ready", flush=True)
end = time.monotonic() + 30
while "tap" not in kinds and time.monotonic() < end:
    ui.sync()
    time.sleep(0.01)
for _ in range(20):   # what is still on its way
    ui.sync()
    time.sleep(0.01)
print("kinds", sorted(set(kinds)))
print("counts", sorted(app.counts.items()))
ui.deinit()
"""


def test_in_a_real_window_only_clicks_count():
    if IS_MICROPYTHON:
        skip("CPython only: an X server and xdotool")
    import os
    import shutil
    import subprocess
    import sys
    import time

    if ui is None:
        skip("mp_rlvgl is not built (python3 setup.py build_ext --inplace)")
    missing = [t for t in ("Xvfb", "xdotool") if shutil.which(t) is None]
    if missing:
        skip("{} not installed (Debian: xvfb xdotool; tools/deps.sh test)".format(" and ".join(missing)))
    rd, wr = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(wr), "-screen", "0", "640x480x24", "-nolisten", "tcp"],
                            pass_fds=(wr,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(wr)
    child = None
    try:
        with os.fdopen(rd) as f:
            display = ":" + f.readline().strip()
        assert display != ":", "Xvfb gave no display number"
        here = os.path.dirname(os.path.abspath(__file__))
        examples = os.path.join(here, "..", "..", "examples")
        env = dict(os.environ, DISPLAY=display, SDL_VIDEODRIVER="x11",
                   PYTHONPATH=os.pathsep.join([examples] + sys.path))
        child = subprocess.Popen([sys.executable, "-c", WINDOW_CHILD], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        assert child.stdout.readline() == "ready\n", child.stderr.read()

        def xdo(*args):
            subprocess.run(["xdotool"] + [str(a) for a in args], env=env, check=True, timeout=30)

        # The child's window (by its _NET_WM_PID: Debian 12's xdotool does not
        # find SDL's window by --name).
        wid = subprocess.run(["xdotool", "search", "--sync", "--pid", str(child.pid)], env=env,
                             capture_output=True, text=True, timeout=30, check=True).stdout.split()[0]
        for x, y in ON_A:               # the pointer moves over button A
            xdo("mousemove", "--window", wid, x, y)
            time.sleep(0.05)
        xdo("click", 4)                 # the wheel, there
        xdo("click", 5)
        xdo("key", "a")                 # keys, with the pointer on the button
        xdo("key", "Return")
        time.sleep(0.2)
        xdo("click", 1)                 # and one click on it
        out, err = child.communicate(timeout=60)
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        xvfb.kill()
        xvfb.wait()
    assert child.returncode == 0, err
    lines = dict(line.split(" ", 1) for line in out.splitlines())
    # The window delivered every kind, and only the click counted.
    assert lines["kinds"] == "['key', 'move', 'scroll', 'tap']", out
    assert lines["counts"] == "[(10, 1), (20, 0), (30, 0)]", out
