# SPDX-License-Identifier: MIT
"""The simulator's PNG writer (sim/ui_png.c, zlib): a screen whose
compressed data outgrows one IDAT chunk decodes, with Python's own zlib and
chunk CRCs, to exactly the framebuffer's pixels. (The golden frames of
test_rlvgl_desktop.py, written before zlib, decode to the same pixels too.)

CPython only: files and the desktop mp_rlvgl.
"""
from mpxtest import IS_MICROPYTHON, skip

if not IS_MICROPYTHON:
    import os
    import random
    import struct
    import tempfile

    import pngtool

    try:
        import mp_rlvgl as ui
    except ImportError:
        ui = None


def _chunks(data):
    pos, out = 8, []
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        out.append((data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]))
        pos += 12 + n
    return out


def test_a_busy_screen_spans_several_idat_chunks_and_keeps_every_pixel():
    if IS_MICROPYTHON:
        skip("CPython only: PNG files (MicroPython's frames are compared in test_rlvgl_desktop)")
    if ui is None:
        skip("mp_rlvgl is not built (python3 setup.py build_ext --inplace)")
    w, h = 1024, 768
    ui.init(width=w, height=h, format="ARGB8888")
    try:
        rnd = random.Random(20)
        for z in range(1000):   # text in random colours: hard to compress
            text = "".join(chr(rnd.randrange(33, 127)) for _ in range(60))
            ui.stack_add(z, {"kind": "text", "x": rnd.randrange(-100, w), "y": rnd.randrange(h),
                             "text": text, "fg": rnd.getrandbits(24), "bg": rnd.getrandbits(24)})
        ui.present()
        ui.sync()
        want = pngtool.framebuffer_rgb(ui.framebuffer(), "ARGB8888")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "busy.png")
            ui.snapshot(path)
            with open(path, "rb") as f:
                data = f.read()
            assert pngtool.read_rgb(path) == (w, h, want)   # checks every chunk's CRC too
    finally:
        ui.deinit()
    kinds = [k for k, _ in _chunks(data)]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND", kinds
    assert kinds.count(b"IDAT") >= 2, kinds
    idat = b"".join(body for k, body in _chunks(data) if k == b"IDAT")
    # zlib's stream header at its default level (the old hand-made deflate wrote 78 01).
    assert idat[:2] == b"\x78\x9c", idat[:2].hex()
    assert len(data) < w * h // 4   # compressed: under a quarter of a byte a pixel
