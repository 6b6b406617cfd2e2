# SPDX-License-Identifier: MIT
"""What differs, or could, when `msgpack` is the native module (msgpack.mpy)
rather than built into the firmware: docs/msgpack.md, "Without building
firmware".

Runs under CPython (mpx.msgpack) and MicroPython (the built-in module, or
the .mpy: tools/natmod_test.py).
"""
from mpxtest import IS_MICROPYTHON, skip

try:
    from mpx import msgpack
except ImportError:
    import msgpack

NATIVE = IS_MICROPYTHON and getattr(msgpack, "__file__", "").endswith(".mpy")


def test_map_keys_that_name_a_qstr_are_that_qstr():
    # A key the firmware already holds as a name costs no allocation: the
    # unpacked key is that name (the same object as the literal).
    if not IS_MICROPYTHON:
        skip("MicroPython only: CPython has no qstrs")
    d = msgpack.unpackb(msgpack.packb({'__name__': 1, 'append': 2}))
    keys = sorted(d)
    assert keys == ['__name__', 'append']
    assert keys[0] is '__name__' and keys[1] is 'append'  # noqa: F632 - identity is the point


def test_repeated_map_keys():
    # Keys that name no qstr: equal everywhere; the native module hands out
    # one str object for a key text it met before (its key cache), the
    # built-in module a new one each time.
    if not IS_MICROPYTHON:
        skip("MicroPython only: the identity of keys is CPython's business")
    key = 'zq' + 'xk%d' % 7
    a, b = msgpack.unpackb(msgpack.packb([{key: 1}, {key: 2}]))
    (ka,), (kb,) = list(a), list(b)
    assert ka == kb == key and type(ka) is str
    assert (ka is kb) == NATIVE
    # A value is never taken from the cache.
    va, vb = msgpack.unpackb(msgpack.packb([key, key]))
    assert va == vb == key and va is not vb


def test_subclass_of_a_subclass_of_dict_or_list_packs_as_one():
    # (py/dynruntime.h's mp_obj_cast_to_native_base looks one level up only.)
    class A(dict):
        pass

    class B(A):
        pass

    class L(list):
        pass

    class M(L):
        pass

    b = B()
    b['x'] = 1
    assert msgpack.packb(b) == msgpack.packb({'x': 1}) == b'\x81\xa1x\x01'
    assert msgpack.packb(M([1, 2])) == b'\x92\x01\x02'
    assert msgpack.packb([b, M([3])]) == b'\x92\x81\xa1x\x01\x91\x03'


def test_the_types_can_be_subclassed():
    class P(msgpack.Packer):
        def twice(self, obj):
            return self.pack(obj) + self.pack(obj)

    class U(msgpack.Unpacker):
        pass

    assert P().twice(1) == b'\x01\x01'
    u = U()
    u.feed(b'\x01\x02')
    assert list(u) == [1, 2]
    assert isinstance(u, msgpack.Unpacker)
