# SPDX-License-Identifier: MIT
"""mp_rlvgl: the display stack's Python API, on CPython (pytest) and on the
MicroPython unix port (tools/mpy_test.py), both over the desktop simulator.
Golden snapshots and the CPython/MicroPython parity run are in
test_rlvgl_desktop.py.
"""
import errno

from mpxtest import raises, skip

try:
    import mp_rlvgl as ui
except ImportError:
    ui = None

W, H = 160, 120


def setup(**kw):
    if ui is None:
        skip("this build has no mp_rlvgl (a port without the simulator)")
    args = {"width": W, "height": H, "format": "ARGB8888"}
    args.update(kw)
    ui.init(**args)
    ui.on_input(None)


def pixel(fb, x, y, width=W):
    i = (y * width + x) * 4
    return fb[i] | (fb[i + 1] << 8) | (fb[i + 2] << 16)


def rect(x, y, w, h, color):
    return {"kind": "rect", "x": x, "y": y, "w": w, "h": h, "color": color}


def text(x, y, s, fg=0xFFFFFF, bg=0):
    return {"kind": "text", "x": x, "y": y, "text": s, "fg": fg, "bg": bg}


def test_seed_example():
    setup()
    ui.stack_clear()
    ui.stack_add(0, rect(20, 20, 100, 40, 0xFF00FF))
    frame = ui.present()
    fb = ui.framebuffer()
    assert len(fb) == W * H * 4
    assert pixel(fb, 20, 20) == 0xFF00FF and pixel(fb, 119, 59) == 0xFF00FF
    assert pixel(fb, 120, 59) == 0 and pixel(fb, 19, 20) == 0
    assert ui.present() == frame + 1
    assert ui.api_version() == (1, 0, 0)
    d = ui.display()
    assert d["width"] == W and d["height"] == H and d["format"] == "ARGB8888"
    ui.deinit()


def test_framebuffer_is_black_before_the_first_present():
    # The simulator's framebuffer comes from the heap: it must not show what
    # the heap held before (it did until 2026-11-30).
    import sys
    if sys.platform != "linux":
        skip("the desktop simulator's framebuffer (a device shows what its renderer last drew)")
    for _ in range(3):
        setup()
        fb = ui.framebuffer()
        assert len(fb) == W * H * 4 and not any(fb)
        ui.stack_add(0, rect(0, 0, W, H, 0xFFFFFF))
        ui.present()
        ui.deinit()


def test_stack_semantics():
    setup()
    ui.stack_add(5, rect(0, 0, 10, 10, 0x0000FF))
    raises(ValueError, ui.stack_add, 5, rect(0, 0, 10, 10, 0x00FF00))
    raises(KeyError, ui.stack_remove, 6)
    raises(KeyError, ui.stack_replace, 6, rect(0, 0, 1, 1, 1))
    ui.stack_add(7, rect(5, 5, 10, 10, 0x00FF00))   # on top of z=5
    ui.stack_add(-2, rect(0, 0, 40, 40, 0xFF0000))  # under both
    ui.present()
    fb = ui.framebuffer()
    assert pixel(fb, 2, 2) == 0x0000FF
    assert pixel(fb, 7, 7) == 0x00FF00
    assert pixel(fb, 30, 30) == 0xFF0000
    ui.stack_replace(7, rect(100, 100, 10, 10, 0xFFFFFF))
    ui.stack_remove(-2)
    ui.present()
    fb = ui.framebuffer()
    assert pixel(fb, 7, 7) == 0x0000FF
    assert pixel(fb, 30, 30) == 0
    assert pixel(fb, 105, 105) == 0xFFFFFF
    assert ui.stats()["nodes"] == 2
    ui.stack_clear()
    ui.present()
    assert ui.stats()["nodes"] == 0
    assert pixel(ui.framebuffer(), 2, 2) == 0
    ui.stack_add(5, rect(0, 0, 1, 1, 1))  # z free again after clear
    ui.deinit()


def test_batch_appears_at_present_only():
    setup()
    ui.stack_add(1, rect(0, 0, 10, 10, 0x112233))
    ui.present()
    ui.sync()
    # A second batch, not presented: the renderer applies it to the scene
    # but the framebuffer keeps showing frame 1 whole.
    ui.stack_replace(1, rect(0, 0, 10, 10, 0x445566))
    ui.stack_add(2, rect(20, 0, 10, 10, 0x778899))
    ui.sync()
    fb = ui.framebuffer()
    assert pixel(fb, 5, 5) == 0x112233 and pixel(fb, 25, 5) == 0
    ui.present()
    fb = ui.framebuffer()
    assert pixel(fb, 5, 5) == 0x445566 and pixel(fb, 25, 5) == 0x778899
    ui.deinit()


def test_text_and_clipping():
    setup(format="RGB565")
    ui.stack_add(0, text(-4, -8, "AB"))
    ui.stack_add(1, rect(W - 5, H - 5, 50, 50, 0xFFFFFF))
    ui.stack_add(2, text(0, 50, "\u4e16 x"))  # a character the font lacks: a box
    ui.present()
    fb = ui.framebuffer()
    assert len(fb) == W * H * 2
    s = ui.stats()
    assert s["errors"] == 0

    def px565(x, y):
        i = (y * W + x) * 2
        return fb[i] | (fb[i + 1] << 8)

    assert px565(W - 1, H - 1) == 0xFFFF and px565(W - 6, H - 1) == 0
    # The replacement box: a frame of fg pixels (row 2 of the cell is its top).
    assert px565(0, 52) == 0xFFFF and px565(6, 52) == 0xFFFF and px565(3, 55) == 0
    ui.deinit()


def test_stats():
    setup(ring_size=4096)
    s0 = ui.stats()
    for z in range(10):
        ui.stack_add(z, rect(z, 0, 1, 1, z))
    ui.present()
    s = ui.stats()
    assert s["ops"] - s0["ops"] == 10
    assert s["frames"] - s0["frames"] == 1
    assert s["nodes"] == 10
    assert s["ring_capacity"] == 4096
    assert 0 < s["ring_high_water"] <= 4096
    assert s["pixels_drawn"] > 0
    for key in ("producer_waits", "render_us", "errors", "input_dropped", "max_nodes"):
        assert key in s
    ui.deinit()


def flood(n_ops, ring_size, stall=False):
    """n_ops stack operations (adds, replaces, removes over 50 z values)
    through a small ring, one present at the end. With stall, the renderer
    starts paused, so the ring is sure to fill whatever the two sides' pace:
    the op that finds no room times out unsent, and is sent again once the
    renderer runs."""
    setup(ring_size=ring_size, max_nodes=64, timeout_ms=100 if stall else 1000)
    paused = stall
    if stall:
        ui._pause(True)

    def send(op, *args):
        nonlocal paused
        try:
            op(*args)
        except OSError as e:
            if not paused or e.errno != errno.ETIMEDOUT:
                raise
            paused = False
            ui._pause(False)
            op(*args)

    expect = {}
    x = 12345
    for i in range(n_ops):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        z = x % 50
        node = rect((z % 10) * 16, (z // 10) * 16, 16, 16, i & 0xFFFFFF)
        if z not in expect:
            send(ui.stack_add, z, node)
            expect[z] = node
        elif (x >> 8) % 4 == 0:
            send(ui.stack_remove, z)
            del expect[z]
        else:
            send(ui.stack_replace, z, node)
            expect[z] = node
    assert not paused  # the ring filled while the renderer was paused
    ui.present()
    stats = ui.stats()
    got = ui.framebuffer()
    # The same final scene, built directly.
    setup()
    for z in sorted(expect):
        ui.stack_add(z, expect[z])
    ui.present()
    want = ui.framebuffer()
    ui.deinit()
    assert stats["ops"] == n_ops and stats["errors"] == 0
    assert stats["nodes"] == len(expect)
    assert got == want
    return stats


def test_flood_1000():
    # The ring filled (the renderer was paused) and nothing was lost. (The
    # pace alone does not fill it for sure: on the two emulated cores the
    # renderer can keep up with 1000 ops.)
    stats = flood(1000, 1024, stall=True)
    assert stats["producer_waits"] > 0


def test_flood_100000():
    stats = flood(100000, 1024)
    assert stats["producer_waits"] > 100


def test_backpressure_timeout_loses_nothing():
    setup(ring_size=1024, timeout_ms=100)
    ui._pause(True)
    sent = 0
    err = None
    for z in range(1000):
        try:
            ui.stack_add(z, rect(z % W, 0, 1, 1, 0xFFFFFF))
        except OSError as e:
            err = e
            break
        sent += 1
    assert err is not None and err.errno == errno.ETIMEDOUT  # 110, or newlib's 116
    assert 10 < sent < 100
    raises(ValueError, ui.stack_add, 0, rect(0, 0, 1, 1, 1))  # z 0 was sent
    ui._pause(False)
    ui.present()
    assert ui.stats()["nodes"] == sent
    ui.stack_add(sent, rect(0, 1, 1, 1, 1))  # the one that timed out was not sent
    ui.deinit()


def test_input_targets():
    setup()
    got = []
    ui.on_input(got.append)
    ui.stack_add(1, rect(0, 0, 50, 50, 0x0000FF))
    ui.stack_add(9, rect(40, 40, 20, 20, 0x00FF00))
    ui.present()
    ui.notify_input({"kind": "tap", "x": 10, "y": 10})
    ui.notify_input({"kind": "tap", "x": 45, "y": 45})   # both cover it: the top one
    ui.notify_input({"kind": "move", "x": 100, "y": 100})
    ui.notify_input({"kind": "scroll", "x": 55, "y": 55, "key": -3})
    ui.notify_input({"kind": "key", "key": 13})
    ui.sync()
    assert [e["kind"] for e in got] == ["tap", "tap", "move", "scroll", "key"]
    assert [e["target"] for e in got] == [1, 9, None, 9, None]
    assert got[3]["key"] == -3 and got[4]["key"] == 13
    assert got[0]["x"] == 10 and got[0]["y"] == 10
    ui.on_input(None)
    ui.notify_input({"kind": "tap", "x": 10, "y": 10})
    ui.sync()
    assert len(got) == 5
    ui.deinit()


def test_input_without_sync_through_scheduler():
    setup()
    got = []
    ui.on_input(got.append)
    ui.stack_add(3, rect(0, 0, 50, 50, 1))
    ui.notify_input({"kind": "tap", "x": 1, "y": 1})
    # No sync: the renderer's doorbell schedules the delivery, which runs
    # between bytecodes in this (the VM's) thread.
    import time

    for _ in range(200):
        if got:
            break
        time.sleep(0.01)
    assert got and got[0]["target"] == 3
    ui.deinit()


def test_many_taps_none_lost():
    setup()
    got = []
    ui.on_input(lambda e: got.append(e["target"]))
    ui.stack_add(4, rect(0, 0, 10, 10, 1))
    for i in range(600):  # more than the event ring holds
        ui.notify_input({"kind": "tap", "x": i % 20, "y": 1})
    ui.sync()
    assert len(got) == 600
    assert got.count(4) == 300 and got.count(None) == 300
    ui.deinit()


def test_input_echo_demo():
    import rlvgl_scenes

    setup(width=rlvgl_scenes.WIDTH, height=rlvgl_scenes.HEIGHT)
    app = rlvgl_scenes.counter_app(ui)
    assert app.counts == {10: 3, 20: 0, 30: 1}
    fb = ui.framebuffer()
    assert pixel(fb, 250, 200, rlvgl_scenes.WIDTH) == 0xFFD000  # the cursor went to the tap
    ui.deinit()


def test_callback_error_propagates():
    setup()

    def bad(e):
        raise ZeroDivisionError("from the callback")

    ui.on_input(bad)
    ui.notify_input({"kind": "tap", "x": 1, "y": 1})
    raises(ZeroDivisionError, ui.sync)
    ui.on_input(None)
    ui.sync()
    raises(TypeError, ui.on_input, 42)
    ui.deinit()


def test_bad_nodes():
    setup()
    ok = rect(0, 0, 1, 1, 0)
    cases = [
        (TypeError, 5),
        (TypeError, [("kind", "rect")]),
        (KeyError, {}),
        (KeyError, {"kind": "rect", "x": 0, "y": 0, "w": 1, "h": 1}),
        (KeyError, {"kind": "text", "x": 0, "y": 0, "fg": 0, "bg": 0}),
        (KeyError, {"kind": "text", "x": 0, "y": 0, "text": "a", "bg": 0}),
        (TypeError, {"kind": 1, "x": 0, "y": 0, "w": 1, "h": 1, "color": 0}),
        (ValueError, {"kind": "circle", "x": 0, "y": 0, "w": 1, "h": 1, "color": 0}),
        (TypeError, {"kind": "rect", "x": "0", "y": 0, "w": 1, "h": 1, "color": 0}),
        (TypeError, {"kind": "rect", "x": 0, "y": 0, "w": 1.5, "h": 1, "color": 0}),
        (TypeError, {"kind": "text", "x": 0, "y": 0, "text": b"a", "fg": 0, "bg": 0}),
        (ValueError, {"kind": "rect", "x": 40000, "y": 0, "w": 1, "h": 1, "color": 0}),
        (ValueError, {"kind": "rect", "x": 0, "y": -40000, "w": 1, "h": 1, "color": 0}),
        (ValueError, {"kind": "rect", "x": 0, "y": 0, "w": -1, "h": 1, "color": 0}),
        (ValueError, {"kind": "rect", "x": 0, "y": 0, "w": 1, "h": 40000, "color": 0}),
        (ValueError, {"kind": "rect", "x": 0, "y": 0, "w": 1, "h": 1, "color": 0x1000000}),
        (ValueError, {"kind": "rect", "x": 0, "y": 0, "w": 1, "h": 1, "color": -1}),
        (ValueError, {"kind": "text", "x": 0, "y": 0, "text": "a", "fg": 0x1000000, "bg": 0}),
        (ValueError, {"kind": "text", "x": 0, "y": 0, "text": "x" * 256, "fg": 0, "bg": 0}),
        (ValueError, {"kind": "text", "x": 0, "y": 0, "text": "\u00e9" * 128, "fg": 0, "bg": 0}),
    ]
    ui.stack_add(0, ok)
    for exc, node in cases:
        raises(exc, ui.stack_add, 1, node)
        raises(exc, ui.stack_replace, 0, node)
    # A misspelt or foreign key is refused, not ignored.
    e = raises(ValueError, ui.stack_add, 1, {"kind": "rect", "x": 0, "y": 0, "w": 1, "h": 1,
                                             "color": 0, "colour": 5})
    assert "colour" in str(e)
    raises(ValueError, ui.stack_add, 1, {"kind": "text", "x": 0, "y": 0, "text": "a", "fg": 0,
                                         "bg": 0, "color": 0})
    raises(ValueError, ui.stack_add, 1, {"kind": "rect", "x": 0, "y": 0, "w": 1, "h": 1,
                                         "color": 0, 7: 1})
    raises(TypeError, ui.stack_add, 1, {"kind": "rect", "x": True, "y": 0, "w": 1, "h": 1, "color": 0})
    e = raises(KeyError, ui.stack_add, 1, {"kind": "rect", "x": 0, "y": 0, "w": 1, "h": 1})
    assert "color" in str(e)
    e = raises(TypeError, ui.stack_add, 1, {"kind": "rect", "x": 0, "y": "a", "w": 1, "h": 1, "color": 0})
    assert "'y'" in str(e)
    # Bad z.
    raises(ValueError, ui.stack_add, 40000, ok)
    raises(ValueError, ui.stack_add, -32769, ok)
    raises(TypeError, ui.stack_add, "1", ok)
    raises(ValueError, ui.stack_remove, 1 << 20)
    # At the limits.
    ui.stack_add(32767, {"kind": "text", "x": -32768, "y": 32767, "text": "x" * 255, "fg": 0xFFFFFF, "bg": 0})
    ui.stack_add(-32768, {"kind": "rect", "x": 32767, "y": -32768, "w": 32767, "h": 32767, "color": 0xFFFFFF})
    ui.present()
    s = ui.stats()
    assert s["nodes"] == 3 and s["errors"] == 0  # nothing bad reached the renderer
    ui.deinit()


def test_bad_events():
    setup()
    cases = [
        (TypeError, "tap"),
        (KeyError, {"x": 1, "y": 1}),
        (ValueError, {"kind": "press", "x": 1, "y": 1}),
        (KeyError, {"kind": "tap", "y": 1}),
        (KeyError, {"kind": "move", "x": 1}),
        (KeyError, {"kind": "key"}),
        (TypeError, {"kind": "key", "key": "a"}),
        (ValueError, {"kind": "tap", "x": 1 << 20, "y": 1}),
        (TypeError, {"kind": "scroll", "x": 1, "y": 1, "key": 1.0}),
        (ValueError, {"kind": "tap", "x": 1, "y": 1, "button": 1}),
        (ValueError, {"kind": "key", "key": 1 << 31}),
        (ValueError, {"kind": "key", "key": -(1 << 31) - 1}),
    ]
    for exc, ev in cases:
        raises(exc, ui.notify_input, ev)
    ui.deinit()


def test_event_keys_cover_int32_and_echo():
    setup()
    got = []
    ui.on_input(got.append)
    # SDL's key codes for arrows and the like are above 2**30.
    for key in (0x4000004F, -(1 << 31), (1 << 31) - 1):
        ui.notify_input({"kind": "key", "key": key})
    ui.sync()
    assert [e["key"] for e in got] == [0x4000004F, -(1 << 31), (1 << 31) - 1]
    ui.notify_input(got[0])  # an event received can be injected again, target and all
    ui.sync()
    assert got[3]["key"] == 0x4000004F
    ui.deinit()


def test_callback_may_deinit_or_reinit():
    setup()
    seen = []

    def stop_on_first(e):
        seen.append(e["x"])
        ui.deinit()

    ui.on_input(stop_on_first)
    ui._pause(True)  # all five answers come during sync, not between calls
    for x in range(5):
        ui.notify_input({"kind": "tap", "x": x, "y": 0})
    ui._pause(False)
    ui.sync()  # the first event's callback ends the display; the rest go with it
    assert seen == [0]
    # The same while events pile up faster than they are read: the callback
    # runs from the scheduler or from a call waiting for ring room. A call
    # that was waiting reports a stopped renderer (RuntimeError) instead of
    # touching the old link; a later call starts a fresh display.
    setup(ring_size=1024)
    ui.on_input(stop_on_first)
    seen.clear()
    for i in range(2000):
        try:
            ui.notify_input({"kind": "tap", "x": i % 100, "y": 0})
        except RuntimeError as e:
            assert "not running" in str(e)
    try:
        ui.sync()
    except RuntimeError as e:
        assert "not running" in str(e)
    assert seen
    # Usable again: the next call starts a fresh display.
    ui.on_input(None)
    setup()
    ui.stack_add(0, rect(0, 0, 1, 1, 1))
    assert ui.present() == 1
    ui.deinit()


def test_bad_init():
    if ui is None:
        skip("this build has no mp_rlvgl (a port without the simulator)")
    # Beyond the machine word a port may say OverflowError; never truncated.
    raises((ValueError, OverflowError), ui.init, width=1 << 32)
    raises((ValueError, OverflowError), ui.init, max_nodes=(1 << 32) + 8)
    raises(ValueError, ui.init, timeout_ms=-1)
    raises(ValueError, ui.init, ring_size=-1)
    raises(ValueError, ui.init, width=0)
    raises(ValueError, ui.init, height=5000)
    raises(ValueError, ui.init, format="BGR")
    raises(ValueError, ui.init, ring_size=3000)
    raises(ValueError, ui.init, max_nodes=0)
    raises(ValueError, ui.init, background=0x1000000)
    # Still usable after the failures.
    setup()
    ui.stack_add(0, rect(0, 0, 1, 1, 1))
    ui.present()
    ui.deinit()


def test_scene_full():
    setup(max_nodes=8)
    for z in range(8):
        ui.stack_add(z, rect(0, 0, 1, 1, 1))
    raises(RuntimeError, ui.stack_add, 8, rect(0, 0, 1, 1, 1))
    ui.stack_remove(0)
    ui.stack_add(8, rect(0, 0, 1, 1, 1))
    ui.deinit()


def test_small_change_redraws_little():
    setup()
    ui.stack_add(0, rect(0, 0, W, H, 0x202020))
    ui.stack_add(1, text(10, 10, "count: 0"))
    ui.stack_add(2, rect(100, 60, 20, 20, 0xFF0000))
    ui.present()
    ui.stack_replace(1, text(10, 10, "count: 1"))
    ui.present()
    assert ui.stats()["pixels_drawn"] == 8 * 8 * 16  # one line of text, nothing else
    ui.stack_replace(2, rect(130, 60, 20, 20, 0xFF0000))
    ui.present()
    assert ui.stats()["pixels_drawn"] == 2 * 20 * 20
    ui.deinit()

