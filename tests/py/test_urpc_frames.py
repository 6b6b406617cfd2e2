# SPDX-License-Identifier: MIT
"""The `_urpc` module (lib/urpc's frames in C) as Python sees it: the frame
layout, the deframer fed in pieces, its counters, its limits, and bad
arguments. CPython's Deframer.read_from() (reads a descriptor) too.
"""
import binascii

from mpxtest import IS_MICROPYTHON, raises, skip

try:
    from mpx import _urpc
except ImportError:
    import _urpc


def test_frame_layout():
    f = _urpc.frame(_urpc.REPLY, 0x1234, b"body")
    assert len(f) == 4 + _urpc.OVERHEAD and _urpc.OVERHEAD == 14
    assert f[:2] == b"\xb7\x5e" and f[2] & 0x0F == _urpc.REPLY
    assert f[3:5] == b"\x34\x12" and f[5:8] == b"\x04\x00\x00"
    assert f[10:14] == b"body"
    assert int.from_bytes(f[14:], "little") == binascii.crc32(b"body") == _urpc.crc32(b"body")
    assert _urpc.crc32(b"6789", _urpc.crc32(b"12345")) == 0xCBF43926


def test_bad_arguments():
    raises(ValueError, _urpc.frame, 0, 1, b"")          # kind 1..15
    raises(ValueError, _urpc.frame, 1, 70000, b"")      # id 0..65535
    raises(TypeError, _urpc.frame, 1, 1, 5)             # a buffer only
    raises(ValueError, _urpc.Deframer, 4)               # too small a body limit
    raises(TypeError, _urpc.Deframer(64).feed, 12)


def test_feed_in_pieces_need_and_buffered():
    frames = [_urpc.frame(1 + k % 3, k, bytes([k]) * (k * 5)) for k in range(20)]
    stream = b"".join(frames)
    for step in (1, 3, 16, 1000):
        d = _urpc.Deframer(256)
        got = []
        for i in range(0, len(stream), step):
            got.extend(d.feed(stream[i:i + step]))
            if got and len(got) < 20:
                assert d.need >= 1
        assert [(k, i, len(b)) for k, i, b in got] == [(1 + k % 3, k, k * 5) for k in range(20)]
        assert d.frames == 20 and d.dropped == 0 and d.skipped == 0 and d.buffered == 0
    d = _urpc.Deframer(256)
    f = frames[10]
    assert d.feed(f[:5]) == [] and d.buffered == 5 and d.need == 10 - 5   # a 10-byte header
    assert d.feed(f[5:20]) == [] and d.buffered == 20 and d.need == len(f) - 20
    assert len(d.feed(f[20:])) == 1 and d.buffered == 0


def test_damage_is_counted_and_skipped():
    good = _urpc.frame(2, 7, b"payload")
    bad = bytearray(good)
    bad[12] ^= 0x01                                     # body damaged: CRC-32 fails
    d = _urpc.Deframer(64)
    out = d.feed(b"noise" + bytes(bad) + good)
    assert out == [(2, 7, b"payload")]
    assert d.dropped == 1 and d.skipped >= 5
    # A body longer than max_body is refused (never waited for).
    d = _urpc.Deframer(16)
    assert d.feed(_urpc.frame(1, 1, bytes(17)) + good) == [(2, 7, b"payload")]
    assert d.dropped == 1
    d.feed(good[:9])
    d.clear()
    assert d.buffered == 0 and d.feed(good) == [(2, 7, b"payload")]


def test_read_from_a_descriptor():
    if IS_MICROPYTHON:
        skip("read_from is CPython's (MicroPython reads streams through their protocol)")
    import errno
    import os
    import threading
    import time

    r, w = os.pipe()
    try:
        d = _urpc.Deframer(1 << 16)
        assert d.read_from(r, 0, False) == ([], 0)      # nothing: returns at once
        t = time.monotonic()
        assert d.read_from(r, 50, False) == ([], 0)     # waits its time, no longer
        assert time.monotonic() - t < 5
        big = _urpc.frame(2, 3, bytes(range(256)) * 200)

        def writer():
            for i in range(0, len(big), 1000):          # arrives in pieces
                os.write(w, big[i:i + 1000])
                time.sleep(0.001)

        th = threading.Thread(target=writer)
        th.start()
        os.set_blocking(r, False)
        frames, n = d.read_from(r, 10000, True)
        th.join()
        assert n == len(big) and frames == [(2, 3, bytes(range(256)) * 200)]
        os.write(w, _urpc.frame(1, 4, b"a") + _urpc.frame(1, 5, b"b"))
        frames, n = d.read_from(r, 1000, True)
        assert [f[1] for f in frames] == [4, 5]
        os.close(w)
        w = None
        e = raises(OSError, d.read_from, r, 1000, True)
        assert e.args[0] == errno.ECONNRESET
    finally:
        os.close(r)
        if w is not None:
            os.close(w)
