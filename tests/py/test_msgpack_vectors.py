# SPDX-License-Identifier: MIT
"""msgpack-test-suite (tests/data): every case, both directions.

Runs under CPython (mpx.msgpack) and MicroPython (the built-in msgpack).
"""
import json

from mpxtest import IS_MICROPYTHON, data_path

try:
    from mpx import msgpack
except ImportError:
    import msgpack

VALUE_KEYS = ("nil", "bool", "binary", "bignum", "number", "string", "array", "map",
              "timestamp", "ext")


def unhex(s):
    return bytes.fromhex(s.replace("-", ""))


def load_suite():
    with open(data_path("msgpack-test-suite/msgpack-test-suite.json")) as f:
        return json.load(f)


def expected(case):
    for key in VALUE_KEYS:
        if key in case:
            v = case[key]
            if key == "binary":
                return unhex(v)
            if key == "bignum":
                return int(v)
            if key == "timestamp":
                return msgpack.Timestamp(v[0], v[1])
            if key == "ext":
                return msgpack.ExtType(v[0], unhex(v[1]))
            return v
    raise AssertionError("case without a value: {}".format(case))


def cases():
    for group, items in sorted(load_suite().items()):
        for i, case in enumerate(items):
            yield "{}#{}".format(group, i), case


def test_every_encoding_decodes_to_its_value():
    n = 0
    for name, case in cases():
        want = expected(case)
        for enc in case["msgpack"]:
            got = msgpack.unpackb(unhex(enc))
            assert got == want, (name, enc, got, want)
            n += 1
    assert n == 233, n


def test_every_value_encodes_to_a_listed_encoding():
    n = 0
    for name, case in cases():
        want = expected(case)
        packed = msgpack.packb(want)
        listed = [unhex(e) for e in case["msgpack"]]
        if IS_MICROPYTHON and isinstance(want, dict) and len(want) > 1:
            # MicroPython's dict order is not insertion order: same pairs,
            # possibly another order. Check the pairs round trip instead.
            assert msgpack.unpackb(packed) == want, name
            assert len(packed) == len(listed[0]), name
        else:
            assert packed in listed, (name, packed, listed)
        n += 1
    assert n == 85, n


def test_the_shortest_listed_encoding_is_chosen():
    # Floats aside (float32 is shorter but not the default), our encoding is
    # never longer than the shortest listed one.
    for name, case in cases():
        packed = msgpack.packb(expected(case))
        shortest = min(len(unhex(e)) for e in case["msgpack"] if not e.startswith("ca"))
        assert len(packed) <= shortest, (name, packed)
