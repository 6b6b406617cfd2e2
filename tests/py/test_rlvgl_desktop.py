# SPDX-License-Identifier: MIT
"""mp_rlvgl on the desktop (CPython only): golden snapshots with an exact
pixel match, the same scenes under MicroPython giving the same frames, the
SDL2 window's input, and PNG output checked by an independent decoder.

A golden mismatch writes <name>_actual.png and <name>_diff.png beside the
golden image. MPX_UPDATE_GOLDEN=1 rewrites the goldens instead.
"""
from mpxtest import IS_MICROPYTHON, skip

if not IS_MICROPYTHON:
    import os
    import subprocess
    import sys
    import tempfile
    import time

    HERE = os.path.dirname(os.path.abspath(__file__))
    EXAMPLES = os.path.join(HERE, "..", "..", "examples")
    sys.path.insert(0, HERE)
    import pngtool  # noqa: E402
    import rlvgl_scenes  # noqa: E402  (examples/, on the path from conftest.py)

    try:
        import mp_rlvgl as ui
    except ImportError:
        ui = None
    GOLDEN = os.path.join(HERE, "..", "data", "rlvgl")


def desktop():
    if IS_MICROPYTHON:
        skip("CPython only: PNG files, subprocesses, the SDL window (the API runs everywhere in test_rlvgl)")
    if ui is None:
        skip("mp_rlvgl is not built (python3 setup.py build_ext --inplace)")


class setenv:
    """Set an environment variable for a with-block."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def __enter__(self):
        self.old = os.environ.get(self.name)
        os.environ[self.name] = self.value

    def __exit__(self, *exc):
        if self.old is None:
            del os.environ[self.name]
        else:
            os.environ[self.name] = self.old


def render(name, fmt="ARGB8888"):
    desktop()
    ui.init(width=rlvgl_scenes.WIDTH, height=rlvgl_scenes.HEIGHT, format=fmt)
    dict(rlvgl_scenes.SCENES)[name](ui)
    fb = ui.framebuffer()
    return pngtool.framebuffer_rgb(fb, fmt)


def compare_golden(name, rgb, golden=None):
    golden = golden or GOLDEN
    w, h = rlvgl_scenes.WIDTH, rlvgl_scenes.HEIGHT
    path = os.path.join(golden, name + ".png")
    if os.environ.get("MPX_UPDATE_GOLDEN") == "1":
        ui.snapshot(path)
        return
    assert os.path.exists(path), path + " missing (MPX_UPDATE_GOLDEN=1 creates it)"
    gw, gh, want = pngtool.read_rgb(path)
    assert (gw, gh) == (w, h), "golden is {}x{}".format(gw, gh)
    if rgb == want:
        return
    first = next(i for i in range(len(rgb)) if rgb[i] != want[i]) // 3
    diff = bytes(255 if rgb[i // 3 * 3:i // 3 * 3 + 3] != want[i // 3 * 3:i // 3 * 3 + 3] else
                 want[i] // 4 for i in range(len(rgb)))
    pngtool.write_rgb(os.path.join(golden, name + "_actual.png"), w, h, rgb)
    pngtool.write_rgb(os.path.join(golden, name + "_diff.png"), w, h, diff)
    raise AssertionError("{}: first differing pixel at ({}, {}): got {} want {}; wrote {}_actual.png "
                         "and {}_diff.png".format(name, first % w, first // w, rgb[first * 3:first * 3 + 3].hex(),
                                                   want[first * 3:first * 3 + 3].hex(), name, name))


def golden(name):
    desktop()
    rgb = render(name)
    try:
        compare_golden(name, rgb)
    finally:
        ui.deinit()


def test_golden_seed():
    golden("seed")


def test_golden_text_and_clipping():
    golden("text_and_clipping")


def test_golden_counter_app():
    golden("counter_app")


def test_every_scene_has_a_golden_test_and_image():
    desktop()
    for name, _ in rlvgl_scenes.SCENES:
        assert "test_golden_" + name in globals(), name
        assert os.path.exists(os.path.join(GOLDEN, name + ".png")), name


def test_golden_rgb565_matches_where_colours_are_exact():
    desktop()
    # RGB565 drops low bits; pixels whose colour survives the round trip
    # must match the ARGB8888 golden exactly, and the rest within the loss.
    rgb = render("text_and_clipping", "RGB565")
    _, _, want = pngtool.read_rgb(os.path.join(GOLDEN, "text_and_clipping.png"))
    ui.deinit()
    worst = max(abs(a - b) for a, b in zip(rgb, want))
    assert worst <= 7


def test_mismatch_leaves_evidence():
    desktop()
    with tempfile.TemporaryDirectory() as tmp:
        rgb = render("seed")
        ui.snapshot(os.path.join(tmp, "seed.png"))
        ui.deinit()
        bad = bytearray(rgb)
        bad[(50 * rlvgl_scenes.WIDTH + 30) * 3] ^= 0xFF
        try:
            compare_golden("seed", bytes(bad), tmp)
        except AssertionError as e:
            assert "(30, 50)" in str(e)
        else:
            raise AssertionError("a changed pixel was not noticed")
        assert os.path.exists(os.path.join(tmp, "seed_actual.png"))
        assert os.path.exists(os.path.join(tmp, "seed_diff.png"))
        _, _, diff = pngtool.read_rgb(os.path.join(tmp, "seed_diff.png"))
        assert diff.count(b"\xff\xff\xff") == 1  # exactly the changed pixel stands out


def test_snapshot_png_decodes_with_pillow():
    desktop()
    try:
        from PIL import Image
    except ImportError:
        skip("python3-pil is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        render("text_and_clipping")
        p = os.path.join(tmp, "s.png")
        ui.snapshot(p)
        fb = pngtool.framebuffer_rgb(ui.framebuffer(), "ARGB8888")
        try:
            ui.snapshot(os.path.join(tmp, "no", "such", "dir.png"))
        except OSError:
            pass
        else:
            raise AssertionError("snapshot into a missing directory did not fail")
        ui.deinit()
        im = Image.open(p)
        assert im.size == (rlvgl_scenes.WIDTH, rlvgl_scenes.HEIGHT) and im.mode == "RGB"
        assert im.tobytes() == fb


def micropython_binaries():
    return [p for p in os.environ.get("MICROPY", "").split(":") if p and not p.endswith(".elf")]


def test_parity_with_micropython():
    desktop()
    bins = micropython_binaries()
    if not bins:
        skip("MICROPY not set (a MicroPython unix binary with mp_rlvgl)")
    with tempfile.TemporaryDirectory() as tmp:
        cp = os.path.join(tmp, "cpython")
        os.mkdir(cp)
        rlvgl_scenes.main(cp)
        for i, binary in enumerate(bins):
            out = os.path.join(tmp, "mp{}".format(i))
            os.mkdir(out)
            r = subprocess.run([binary, os.path.join(EXAMPLES, "rlvgl_scenes.py"), out],
                               env=dict(os.environ, MICROPYPATH=EXAMPLES + ":.frozen"), capture_output=True,
                               timeout=120)
            if b"no module named 'mp_rlvgl'" in r.stderr:
                skip(binary + " was built without mp_rlvgl")
            assert r.returncode == 0, r.stderr.decode()
            for name, _ in rlvgl_scenes.SCENES:
                a = pngtool.read_rgb(os.path.join(cp, name + ".png"))
                b = pngtool.read_rgb(os.path.join(out, name + ".png"))
                assert a == b, "{}: {} differs from CPython".format(name, binary)


def test_window_input():
    desktop()
    try:
        with setenv("SDL_VIDEODRIVER", os.environ.get("MPX_SDL_DRIVER", "dummy")):
            ui.init(width=200, height=100, window=True)
    except ValueError as e:
        skip("no SDL2 window here: {}".format(e))
    assert ui.display()["window"] is True
    got = []
    ui.on_input(got.append)
    ui.stack_add(2, {"kind": "rect", "x": 0, "y": 0, "w": 50, "h": 50, "color": 0xFF0000})
    ui.present()
    ui.sync()  # the scene is in place before the clicks come
    ui._window_event({"kind": "tap", "x": 10, "y": 20})
    ui._window_event({"kind": "move", "x": 150, "y": 60})
    ui._window_event({"kind": "scroll", "x": 0, "y": 0, "key": 2})
    ui._window_event({"kind": "key", "key": ord("a")})

    def find(kind, **attrs):
        # A real display adds its own events (the pointer entering the
        # window): look for ours.
        for e in got:
            if e["kind"] == kind and all(e[k] == v for k, v in attrs.items()):
                return e
        return None

    for _ in range(300):
        ui.sync()
        if find("key"):
            break
        time.sleep(0.01)
    ui.deinit()
    tap, move = find("tap", x=10, y=20), find("move", x=150, y=60)
    scroll, key = find("scroll", key=2), find("key", key=ord("a"))
    assert tap and move and scroll and key, got
    assert got.index(tap) < got.index(move) < got.index(scroll) < got.index(key)
    assert tap["target"] == 2 and move["target"] is None
    assert (scroll["x"], scroll["y"]) == (150, 60)  # the wheel turns where the pointer is


def test_window_unavailable_is_a_clear_error():
    desktop()
    with setenv("SDL_VIDEODRIVER", "no-such-driver"):
        try:
            ui.init(width=64, height=64, window=True)
        except ValueError as e:
            assert "window" in str(e)
        else:
            raise AssertionError("a window without a video driver did not fail")
    ui.init(width=64, height=64)  # headless still works
    ui.deinit()


def test_demo_script_runs_unchanged_in_a_subprocess():
    desktop()
    # The seed's snippet as a user types it: no init, default display.
    code = ("import mp_rlvgl as ui\nui.stack_clear()\n"
            "ui.stack_add(0, {'kind':'rect','x':20,'y':20,'w':100,'h':40,'color':0xFF00FF})\n"
            "print(ui.present(), ui.display()['width'], ui.display()['height'])\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60,
                       env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.split() == [b"1", b"800", b"480"]
