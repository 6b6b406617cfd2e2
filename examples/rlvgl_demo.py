# SPDX-License-Identifier: MIT
"""mp_rlvgl: the seed's example and a small app of buttons that count their
taps, written to PNG files; with a display, the app also runs in a window
for MPX_DEMO_SECONDS (default 20) seconds: click the buttons.

    python3 examples/rlvgl_demo.py [--out DIR]
    micropython examples/rlvgl_demo.py [--out DIR]

The PNG files go to DIR, by default the folder out/ beside this script. The
same script runs on CPython (the mpx package installed, or built in place)
and on MicroPython's unix port; rlvgl_scenes.py beside it holds the app.
"""
import os
import sys
import time

try:
    import mp_rlvgl as ui
except ImportError:
    ui = None


def mkdirs(path):
    here = "/" if path.startswith("/") else ""
    for part in path.split("/"):
        if not part:
            continue
        here = here + part + "/"
        try:
            os.mkdir(here)
        except OSError:
            pass


def out_dir(argv):
    """DIR of --out DIR, else out/ beside this script."""
    if len(argv) == 2 and argv[0] == "--out":
        return argv[1].rstrip("/") or "/"
    if argv:
        raise SystemExit("usage: rlvgl_demo.py [--out DIR]")
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
    return here + "/out"


def main(out):
    import rlvgl_scenes  # beside this script

    mkdirs(out)
    runtime = sys.implementation.name

    # The seed's example, as typed in the seed.
    ui.init(width=rlvgl_scenes.WIDTH, height=rlvgl_scenes.HEIGHT)
    ui.stack_clear()
    ui.stack_add(0, {"kind": "rect", "x": 20, "y": 20, "w": 100, "h": 40, "color": 0xFF00FF})
    print("present() ->", ui.present())
    path = "{}/rlvgl_seed_{}.png".format(out, runtime)
    ui.snapshot(path)
    print("wrote", path)

    # The counter app after a scripted session of taps.
    app = rlvgl_scenes.counter_app(ui)
    print("taps counted per button z:", sorted(app.counts.items()))
    path = "{}/rlvgl_counter_{}.png".format(out, runtime)
    ui.snapshot(path)
    print("wrote", path)
    s = ui.stats()
    print("stats: frames={} ops={} nodes={} pixels_drawn(last)={} events={}".format(
        s["frames"], s["ops"], s["nodes"], s["pixels_drawn"], s["events"]))
    ui.deinit()

    if os.getenv("DISPLAY") or os.getenv("WAYLAND_DISPLAY"):
        seconds = int(os.getenv("MPX_DEMO_SECONDS") or 20)
        try:
            ui.init(width=rlvgl_scenes.WIDTH, height=rlvgl_scenes.HEIGHT, window=True)
        except ValueError as e:
            print("no window:", e)
        else:
            print("window open for {} s: click the buttons".format(seconds))
            app = rlvgl_scenes.CounterApp(ui)
            end = time.time() + seconds
            while time.time() < end and ui.display()["window"]:
                ui.sync()  # delivers clicks to the app
                time.sleep(0.02)
            print("taps counted per button z:", sorted(app.counts.items()))
            ui.deinit()
    else:
        print("(no display: set DISPLAY to see the app in a window)")


if ui is None:
    print("mp_rlvgl: not in this build (a port without a display backend)")
else:
    main(out_dir(sys.argv[1:]))
