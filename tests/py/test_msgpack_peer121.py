# SPDX-License-Identifier: MIT
"""Differential test against msgpack-python 1.2.1 itself, for what changed
since 1.0.3 (which test_msgpack_differential.py compares with): Packer
methods with autoreset, the pack nesting limit, non-contiguous input,
strict_map_key with object_pairs_hook, Timestamp and datetime, version.

The peer is 1.2.1's pure-Python implementation (msgpack/fallback.py, what
MSGPACK_PUREPYTHON=1 selects), loaded from its source tree: the directory
MSGPACK_PYTHON_SRC names (default: build/msgpack-python-1.2.1). There is no
PyPI here and CI does not fetch, so without that tree every test skips and
says why; test_msgpack_api.py and test_msgpack_bad_input.py check the same
behaviours with values taken from 1.2.1's source, and run everywhere. Where
the fallback and 1.2.1's C extension disagree, mpx.msgpack follows the C
extension (what msgpack-python's wheels contain), and the cases are left out
here with the reason (C_ONLY).

CPython only.
"""
from mpxtest import IS_MICROPYTHON, in_time_zone, skip

try:
    from mpx import msgpack as ours
except ImportError:
    ours = None

_peer = []


def peer():
    """msgpack-python 1.2.1's fallback, imported as the package `msgpack121`."""
    if IS_MICROPYTHON:
        skip("needs CPython and msgpack-python 1.2.1's source")
    if _peer:
        return _peer[0]
    import importlib.util
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    src = os.environ.get("MSGPACK_PYTHON_SRC") or os.path.join(here, "..", "..", "build", "msgpack-python-1.2.1")
    pkg = os.path.join(src, "msgpack")
    if not os.path.isfile(os.path.join(pkg, "fallback.py")):
        skip("msgpack-python 1.2.1's source not found at {} (set MSGPACK_PYTHON_SRC to its "
             "directory: `git clone -b v1.2.1 https://github.com/msgpack/msgpack-python` or "
             "the sdist msgpack-1.2.1.tar.gz)".format(os.path.abspath(src)))
    old = os.environ.get("MSGPACK_PUREPYTHON")
    os.environ["MSGPACK_PUREPYTHON"] = "1"
    try:
        spec = importlib.util.spec_from_file_location(
            "msgpack121", os.path.join(pkg, "__init__.py"), submodule_search_locations=[pkg])
        mod = importlib.util.module_from_spec(spec)
        sys.modules["msgpack121"] = mod
        spec.loader.exec_module(mod)
    finally:
        if old is None:
            del os.environ["MSGPACK_PUREPYTHON"]
        else:
            os.environ["MSGPACK_PUREPYTHON"] = old
    if mod.version != (1, 2, 1) or mod.Packer.__module__ != "msgpack121.fallback":
        skip("{} is msgpack-python {} ({}), not 1.2.1's fallback".format(
            src, mod.version, mod.Packer.__module__))
    _peer.append(mod)
    return mod


def outcome(fn):
    from test_msgpack_differential import outcome as differential_outcome

    return differential_outcome(fn)


def test_version_is_the_peer_version():
    ref = peer()
    assert ours.version == ref.version == (1, 2, 1)
    assert ours.__version__ == ref.__version__ == "1.2.1"


# Cases where 1.2.1's fallback differs from its C extension; we follow the
# C extension.
C_ONLY = [
    # The C extension takes any int8 code (Cython's char); the fallback only 0..127.
    ('pack_ext_type', -1, b''),
    # The C extension takes a bytearray as data (Cython's char*); the fallback only bytes.
    ('pack_ext_type', 5, bytearray(b'x' * 300)),
]


def test_packer_methods_agree_with_1_2_1():
    ref = peer()
    from test_msgpack_differential import PACKER_SCRIPTS, run_packer_script

    compared = 0
    for script in PACKER_SCRIPTS:
        if any(call in C_ONLY for call in script):
            continue
        for autoreset in (True, False):
            a = run_packer_script(ours, script, autoreset)
            b = run_packer_script(ref, script, autoreset)
            assert a == b, (script, autoreset, a, b)
            compared += 1
    assert compared >= 40


def test_pack_nesting_limit_agrees_with_1_2_1():
    ref = peer()
    import sys

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 30000))  # the fallback recurses in Python
    try:
        for depth in (1023, 1024, 1025, 1026, 1027):
            obj = None
            for _ in range(depth):
                obj = [obj]
            # (Not through dicts: the fallback counts a map value two levels
            # down, the C extension one; we count one.)
            for wrap in (lambda o: o, lambda o: (o,), lambda o: [1, o]):
                a = outcome(lambda: ours.packb(wrap(obj)))
                b = outcome(lambda: ref.packb(wrap(obj)))
                assert a == b, (depth, a, b)
            assert outcome(lambda: ours.packb(obj))[0] == ('ok' if depth <= 1024 else 'raise')
    finally:
        sys.setrecursionlimit(old)


def test_noncontiguous_input_agrees_with_1_2_1():
    ref = peer()
    packed = ours.packb({'a': [1, 2.5, 'x' * 40, b'y' * 300], 'b': None})
    padded = bytes(b for x in packed for b in (x, 0xc1))  # every other byte is junk
    views = [memoryview(padded)[::2], memoryview(packed[::-1])[::-1]]
    # A 2-D view: the C extension and we take its bytes; the fallback's
    # len() of it is 1, which makes its default limits refuse it.
    flat = memoryview(bytearray(packed)).cast('B', (1, len(packed)))
    assert ours.unpackb(flat) == ours.unpackb(packed)
    for v in views:
        a = outcome(lambda: ours.unpackb(v))
        b = outcome(lambda: ref.unpackb(v))
        assert a == b == ('ok', ours.unpackb(packed)), (a, b)
        ua, ub = ours.Unpacker(), ref.Unpacker()
        ua.feed(v)
        ub.feed(v)
        assert list(ua) == list(ub) == [ours.unpackb(packed)]


def test_strict_map_key_with_object_pairs_hook_agrees_with_1_2_1():
    ref = peer()
    for data in (b'\x81\x01\x02', b'\x81\xc0\x01', b'\x82\xa1k\x01\xcb' + b'\x00' * 8 + b'\x02',
                 b'\x81\xa1k\x01', b'\x81\xc4\x01k\x01', b'\x81\x92\x01\x02\x03'):
        for strict in (True, False):
            for hook in (list, dict, lambda pairs: sorted(pairs, key=repr)):
                kw = dict(object_pairs_hook=hook, strict_map_key=strict, use_list=False)
                a = outcome(lambda: ours.unpackb(data, **kw))
                b = outcome(lambda: ref.unpackb(data, **kw))
                assert a == b, (data, strict, a, b)


def test_timestamp_and_datetime_agree_with_1_2_1():
    ref = peer()
    import datetime

    utc = datetime.timezone.utc
    zones = [utc, datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
             datetime.timezone(datetime.timedelta(hours=-8))]
    moments = [(1970, 1, 1, 0, 0, 0, 0), (1969, 12, 31, 23, 59, 59, 500000), (1900, 3, 1, 12, 0, 0, 1),
               (2024, 4, 16, 8, 43, 9, 420317), (2024, 7, 1, 12, 0, 0, 5), (2038, 1, 19, 3, 14, 8, 999999),
               (2106, 2, 7, 6, 28, 16, 0)]

    def compare():
        for m in moments:
            for tz in zones + [None]:
                dt = datetime.datetime(*m, tzinfo=tz)
                a = ours.Timestamp.from_datetime(dt)
                b = ref.Timestamp.from_datetime(dt)
                assert (a.seconds, a.nanoseconds) == (b.seconds, b.nanoseconds), (dt, a, b)
                back_a, back_b = a.to_datetime(), b.to_datetime()
                assert back_a == back_b and back_a.tzinfo is utc and back_b.tzinfo is utc
                assert back_a == (dt if tz is not None else dt.astimezone(utc))
                # Packing with datetime=True and unpacking with timestamp=3.
                if tz is not None:
                    pa, pb = ours.packb(dt, datetime=True), ref.packb(dt, datetime=True)
                    assert pa == pb
                    assert ours.unpackb(pa, timestamp=3) == ref.unpackb(pb, timestamp=3) == dt

    # A naive datetime is local time in both: a zone with daylight saving,
    # as a POSIX TZ string (no tzdata needed).
    in_time_zone("CET-1CEST,M3.5.0,M10.5.0/3", compare)
    for sec, ns in ((0, 0), (-1, 999999999), (2 ** 34, 1), (-2 ** 40, 5), (1, 999)):
        a, b = ours.Timestamp(sec, ns), ref.Timestamp(sec, ns)
        assert repr(a) == repr(b) and hash(a) == hash(b)
        assert outcome(a.to_datetime) == outcome(b.to_datetime)
        assert a.to_bytes() == b.to_bytes() and ours.packb(a) == ref.packb(b)
