# SPDX-License-Identifier: MIT
"""The display stack on two emulated cores (tools/dualcore.py): MicroPython
with mp_rlvgl on QEMU mps2-an500 (the Cortex-M7) and the renderer firmware
on QEMU mps2-an386 (the Cortex-M4), sharing RAM. The seed's example, a flood
of 1,000 operations, taps at the M4 reaching a Python callback on the M7, a
stalled renderer, a renderer that never starts, and every scene's frame equal
to the desktop simulator's golden PNG.

CPython only. Needs a qemu firmware .elf in $MICROPY and the renderer
(tools/mpy_build.py builds both; $MICROPY_RENDERER names another renderer).
"""
from mpxtest import IS_MICROPYTHON, skip

if not IS_MICROPYTHON:  # the runner imports every test file on MicroPython too
    import os
    import sys
    import time

    HERE = os.path.dirname(os.path.abspath(__file__))
    ROOT = os.path.dirname(os.path.dirname(HERE))
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import dualcore
    import mpy_test
    import pngtool
    import rlvgl_scenes  # examples/, on the path from conftest.py

    del sys.path[0]


def _images():
    if IS_MICROPYTHON:
        skip("CPython only: it runs two QEMU machines")
    m7 = [p for p in os.environ.get("MICROPY", "").split(":") if p.endswith(".elf") and os.path.exists(p)]
    if not m7:
        skip("MICROPY names no qemu firmware .elf (MicroPython on MPS2_AN500 with mp_rlvgl)")
    m4 = os.environ.get("MICROPY_RENDERER") or mpy_test.default_renderer()
    if not m4 or not os.path.exists(m4):
        skip("no renderer firmware (tools/mpy_build.py builds it with the qemu firmware)")
    return m7[0], m4


class _Pair:
    """Both machines, with tests/py and examples/ importable on the M7."""

    def __init__(self, m4=True):
        m7, renderer = _images()
        self.romfs = dualcore.romfs_for_tests()
        self.dc = dualcore.DualCore(m7, renderer, romfs=self.romfs)
        try:
            self.dc.start(m4=m4)
            self.dc.exec_raw(dualcore.ROMFS_PATH_CODE)
        except BaseException:
            self.close()
            raise

    def soft_reset(self):
        out = self.dc.soft_reset()
        self.dc.exec_raw(dualcore.ROMFS_PATH_CODE)
        return out

    def run(self, code, timeout=120):
        return self.dc.exec_raw(code, timeout)

    def close(self):
        self.dc.close()
        os.unlink(self.romfs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _desktop_rgb(build):
    """Run build(ui) on the desktop simulator; the framebuffer as RGB."""
    sys.path.insert(0, os.path.join(ROOT, "cpython"))
    try:
        import mp_rlvgl as ui
    finally:
        del sys.path[0]
    build(ui)
    ui.sync()
    d = ui.display()
    rgb = pngtool.framebuffer_rgb(ui.framebuffer(), d["format"])
    ui.deinit()
    return d["width"], d["height"], rgb


def _m7_rgb(pair):
    w, h, fmt, pixels = pair.dc.framebuffer()
    return w, h, pngtool.framebuffer_rgb(pixels, fmt)


def test_seed_example_prints_and_draws_what_the_desktop_does():
    _images()  # skips on MicroPython and without the two images
    path = os.path.join(ROOT, "examples", "rlvgl_seed.py")
    with open(path) as f:
        code = f.read()
    import contextlib
    import io
    import runpy

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        want = _desktop_rgb(lambda ui: runpy.run_path(path, run_name="__main__"))
    with _Pair() as pair:
        got = pair.run(code)
        assert got == out.getvalue(), (got, out.getvalue())
        assert _m7_rgb(pair) == want


def test_every_scene_equals_the_desktop_golden_png():
    with _Pair() as pair:
        for name, _ in rlvgl_scenes.SCENES:
            pair.run("import mp_rlvgl as ui, rlvgl_scenes\n"
                     "ui.init(width=rlvgl_scenes.WIDTH, height=rlvgl_scenes.HEIGHT, format='ARGB8888')\n"
                     "rlvgl_scenes.{}(ui)\nui.sync()\n".format(name))
            w, h, rgb = _m7_rgb(pair)
            golden = pngtool.read_rgb(os.path.join(ROOT, "tests", "data", "rlvgl", name + ".png"))
            assert (w, h, rgb) == golden, name


def test_flood_of_1000_ops_through_a_1k_ring_arrives_whole():
    # test_rlvgl's flood on the M7: 1,000 adds, replaces and removes through
    # a 1 KiB ring that fills (the M4 starts paused), then the frame compared
    # with the same scene built directly.
    with _Pair() as pair:
        out = pair.run("import test_rlvgl\ns = test_rlvgl.flood(1000, 1024, stall=True)\n"
                       "print(s['ops'], s['errors'], s['producer_waits'] > 0)\n")
        assert out.split() == ["1000", "0", "True"], out


def test_taps_at_the_m4_reach_the_python_callback_on_the_m7():
    with _Pair() as pair:
        pair.run("import mp_rlvgl as ui, rlvgl_scenes\n"
                 "ui.init(width=rlvgl_scenes.WIDTH, height=rlvgl_scenes.HEIGHT, format='ARGB8888')\n"
                 "app = rlvgl_scenes.CounterApp(ui)\nui.sync()\n")
        # The golden counter_app session, tapped on the "touch panel".
        for x, y in ((30, 30), (40, 35), (100, 50), (200, 40), (250, 200)):
            pair.dc.tap(x, y)
        # The M7 waits in Python; the doorbell interrupt schedules delivery.
        out = pair.run("import time\nt = time.ticks_ms()\n"
                       "while sum(app.counts.values()) < 4 and time.ticks_diff(time.ticks_ms(), t) < 20000:\n"
                       "    time.sleep_ms(10)\n"
                       "ui.sync()\nprint(sorted(app.counts.items()), ui.stats()['events'])\n")
        assert out.strip() == "[(10, 3), (20, 0), (30, 1)] 5", out
        assert pair.dc.fb_info()["inputs"] == 5
        golden = pngtool.read_rgb(os.path.join(ROOT, "tests", "data", "rlvgl", "counter_app.png"))
        assert _m7_rgb(pair) == golden


def test_a_stopped_renderer_times_out_and_loses_nothing_sent():
    with _Pair() as pair:
        pair.run("import mp_rlvgl as ui, errno\nui.init(width=160, height=120, ring_size=1024, timeout_ms=300)\n"
                 "ui.stack_add(1000, {'kind': 'rect', 'x': 0, 'y': 0, 'w': 1, 'h': 1, 'color': 1})\nui.sync()\n")
        pair.dc.stop_m4()
        t0 = time.monotonic()
        out = pair.run("sent = 0\nerr = None\nfor z in range(1000):\n"
                       "    try:\n"
                       "        ui.stack_add(z, {'kind': 'rect', 'x': z % 160, 'y': 1, 'w': 1, 'h': 1, 'color': 0xFFFFFF})\n"
                       "    except OSError as e:\n"
                       "        err = e\n        break\n"
                       "    sent += 1\n"
                       "print(sent, err.errno == errno.ETIMEDOUT)\n")
        sent, timed_out = out.split()
        assert timed_out == "True" and 10 < int(sent) < 100, out
        assert time.monotonic() - t0 < 30
        pair.dc.continue_m4()
        out = pair.run("ui.present()\nui.sync()\nprint(ui.stats()['nodes'])\n"
                       "ui.stack_add(sent, {'kind': 'rect', 'x': 0, 'y': 2, 'w': 1, 'h': 1, 'color': 2})\n"
                       "ui.sync()\nprint(ui.stats()['nodes'])\n")
        assert out.split() == [str(int(sent) + 1), str(int(sent) + 2)], out


def test_a_renderer_that_never_starts_is_a_clear_error_from_init():
    with _Pair(m4=False) as pair:
        out = pair.run("import mp_rlvgl as ui\ntry:\n    ui.init(timeout_ms=500)\n"
                       "except RuntimeError as e:\n    print('RuntimeError:', e)\n")
        assert out.strip() == "RuntimeError: the renderer is not running", out


def test_soft_reset_with_the_display_open_and_events_pending_then_a_new_session():
    """Ctrl-D (mpremote run does one) while the display is open, a callback
    is set and taps wait undelivered: the next session starts from nothing."""
    with _Pair() as pair:
        pair.run("import mp_rlvgl as ui\nui.init(width=160, height=120, format='ARGB8888')\n"
                 "got = []\nui.on_input(lambda e: got.append(e))\n"
                 "for z in range(10):\n"
                 "    ui.stack_add(z, {'kind': 'rect', 'x': 10 * z, 'y': 50, 'w': 8, 'h': 8, 'color': 0x00FF00})\n"
                 "ui.present()\nui.sync()\n")
        for i in range(3):
            pair.dc.tap(10 * i + 2, 52)
        deadline = time.monotonic() + 10
        while pair.dc.fb_info()["inputs"] < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "soft reboot" in pair.soft_reset()
        out = pair.run("import mp_rlvgl as ui\nimport gc\ngc.collect()\n"
                       "ui.init(width=160, height=120, format='ARGB8888')\n"
                       "ui.stack_add(0, {'kind': 'rect', 'x': 0, 'y': 0, 'w': 20, 'h': 20, 'color': 0xFF0000})\n"
                       "print(ui.present())\nui.sync()\ngc.collect()\nimport time\ntime.sleep_ms(100)\nui.sync()\n"
                       "s = ui.stats()\nprint(s['nodes'], s['events'], s['errors'])\n")
        assert out.split() == ["1", "1", "0", "0"], out
        w, h, rgb = _m7_rgb(pair)
        assert (w, h) == (160, 120)
        assert rgb[(5 * w + 5) * 3:(5 * w + 5) * 3 + 3] == bytes((255, 0, 0))
        assert rgb[(52 * w + 2) * 3:(52 * w + 2) * 3 + 3] == bytes((0, 0, 0))  # the old scene is gone
        # Taps now reach the new session's callback, and only that one.
        pair.run("got2 = []\nui.on_input(lambda e: got2.append(e['target']))\n")
        pair.dc.tap(5, 5)
        out = pair.run("import time\nt = time.ticks_ms()\n"
                       "while not got2 and time.ticks_diff(time.ticks_ms(), t) < 10000:\n"
                       "    time.sleep_ms(10)\nprint(got2)\n")
        assert out.strip() == "[0]", out


def test_a_corrupt_region_is_a_clear_error_then_init_starts_afresh():
    """Records scribbled over in the shared RAM: the renderer stops on them,
    the M7 says the link is corrupt (no hang), refuses to queue more, and the
    next init() lays a fresh link out."""
    import struct

    with _Pair() as pair:
        pair.run("import mp_rlvgl as ui\nui.init(width=160, height=120)\n"
                 "ui.stack_add(1, {'kind': 'rect', 'x': 0, 'y': 0, 'w': 5, 'h': 5, 'color': 1})\nui.sync()\n")
        cmd_offset = struct.unpack_from("<I", pair.dc.mem, 12)[0]
        pair.dc.stop_m4()
        pair.run("for z in range(5):\n"
                 "    ui.stack_add(10 + z, {'kind': 'rect', 'x': 0, 'y': 0, 'w': 5, 'h': 5, 'color': 1})\n")
        data = cmd_offset + 96  # the ring's data follows its 96-byte header
        pair.dc.mem[data:data + 4096] = b"\xff" * 4096
        pair.dc.continue_m4()
        t0 = time.monotonic()
        out = pair.run("def attempt(f):\n    try:\n        f()\n        return 'ok'\n"
                       "    except Exception as e:\n        return '{}: {}'.format(type(e).__name__, e)\n"
                       "print(attempt(ui.sync))\n"
                       "print(attempt(lambda: ui.stack_add(99, {'kind': 'rect', 'x': 0, 'y': 0, 'w': 1, 'h': 1, 'color': 1})))\n"
                       "ui.init(width=160, height=120)\n"
                       "ui.stack_add(1, {'kind': 'rect', 'x': 0, 'y': 0, 'w': 5, 'h': 5, 'color': 1})\n"
                       "print(ui.present())\nui.sync()\nprint(ui.stats()['nodes'])\n")
        assert time.monotonic() - t0 < 30
        corrupt = "RuntimeError: the shared region or a record is corrupt"
        assert out.splitlines() == [corrupt, corrupt, "1", "1"], out
