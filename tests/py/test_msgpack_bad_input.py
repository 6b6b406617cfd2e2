# SPDX-License-Identifier: MIT
"""Bad input gets its documented exception, allocates nothing large, and
loses nothing: truncations, 0xc1, hostile lengths, deep nesting, invalid
UTF-8, non-string keys, hooks that raise, misbehaving streams.

Runs under CPython (mpx.msgpack) and MicroPython (the built-in msgpack).
"""
import gc
from io import BytesIO

from mpxtest import IS_MICROPYTHON, raises

try:
    from mpx import msgpack
except ImportError:
    import msgpack

SAMPLES = [
    None, True, 1, -1, 200, -200, 70000, -70000, 2 ** 31, 1.5, 'x', 'y' * 40, 'z' * 300,
    b'b', b'c' * 300, [], [1, [2, [3]]], {}, {'k': {'n': [None, 'v']}}, (1, 'two', b'3'),
    msgpack.ExtType(1, b'e'), msgpack.ExtType(2, b'f' * 20), msgpack.Timestamp(1, 2),
    msgpack.Timestamp(-5, 0),
]


def encodings():
    return [msgpack.packb(s) for s in SAMPLES]


def test_every_truncation_is_an_error():
    for enc in encodings():
        for cut in range(len(enc)):
            part = enc[:cut]
            e = raises(ValueError, msgpack.unpackb, part)
            assert not isinstance(e, msgpack.ExtraData), (enc, cut)
            raises(msgpack.OutOfData, msgpack.unpack, BytesIO(part))
            u = msgpack.Unpacker()
            u.feed(part)
            raises(msgpack.OutOfData, u.unpack)
            assert list(u) == []
            # ...and the rest completes it: nothing was lost.
            u.feed(enc[cut:])
            assert u.unpack() == msgpack.unpackb(enc)


def test_reserved_byte_c1_is_a_format_error():
    for data in (b'\xc1', b'\x91\xc1', b'\x81\xa1k\xc1', b'\x92\x01\xc1'):
        raises(msgpack.FormatError, msgpack.unpackb, data)
        raises(msgpack.FormatError, msgpack.unpack, BytesIO(data))
        u = msgpack.Unpacker()
        u.feed(data)
        raises(msgpack.FormatError, u.unpack)


HOSTILE = [
    b'\xdd\xff\xff\xff\xff',            # array32 of 4G elements
    b'\xdf\xff\xff\xff\xff',            # map32 of 4G pairs
    b'\xdb\xff\xff\xff\xff',            # str32 of 4 GB
    b'\xc6\xff\xff\xff\xff',            # bin32 of 4 GB
    b'\xc9\xff\xff\xff\xff\x01',        # ext32 of 4 GB
    b'\xdd\x10\x00\x00\x00\x01\x02',    # array32 of 256M elements, 2 given
    b'\xdf\x01\x00\x00\x00\x01\x02',    # map32 of 16M pairs
    b'\xdc\xff\xff',                    # array16 with nothing after
]


def test_hostile_lengths_allocate_nothing_large():
    gc.collect()
    for data in HOSTILE:
        # One-shot: the length is checked against the input first.
        raises(ValueError, msgpack.unpackb, data)
        # Streams: checked against max_buffer_size, then the reader only
        # holds what arrived.
        e = raises(Exception, msgpack.unpack, BytesIO(data))
        assert isinstance(e, (ValueError, msgpack.OutOfData)), e
        u = msgpack.Unpacker()
        u.feed(data)
        e = raises(Exception, u.unpack)
        assert isinstance(e, (ValueError, msgpack.OutOfData)), e


def test_a_claim_under_the_limit_waits_for_the_bytes():
    # 50 MB announced, 3 bytes given: no 50 MB allocation (the qemu board
    # has 143 kB of heap), just OutOfData.
    data = b'\xc6\x03\x00\x00\x00abc'
    raises(msgpack.OutOfData, msgpack.unpack, BytesIO(data))
    u = msgpack.Unpacker()
    u.feed(data)
    raises(msgpack.OutOfData, u.unpack)


def test_nesting_depth_limit():
    assert msgpack.unpackb(b'\x91' * 1023 + b'\x90') is not None
    raises(msgpack.StackError, msgpack.unpackb, b'\x91' * 1024 + b'\x90')
    e = raises(ValueError, msgpack.unpackb, b'\x91' * 1024 + b'\x90')
    assert isinstance(e, msgpack.UnpackException)


class Repeat:
    """A stream of `count` copies of one byte, then 0x90: deep input that
    never exists in memory at once (the qemu board has 143 kB of heap)."""

    def __init__(self, byte, count):
        self.byte = byte
        self.left = count
        self.served = 0

    def read(self, n):
        k = min(n, self.left)
        self.left -= k
        self.served += k
        return self.byte * k if k else (b'\x90' if self.left == 0 and n else b'')


def test_100000_deep_input_is_a_stack_error():
    s = Repeat(b'\x91', 100000)
    raises(msgpack.StackError, msgpack.unpack, s)
    assert s.served < 2000  # it stopped at the limit, long before the end
    u = msgpack.Unpacker(Repeat(b'\x91', 100000), read_size=5000)
    raises(msgpack.StackError, u.unpack)
    # One-shot, the whole input in memory: 100000 levels where the heap
    # allows it, 2000 on a small board (still twice the limit).
    gc.collect()
    big = not IS_MICROPYTHON or gc.mem_free() > 1000000
    deep = b'\x91' * (100000 if big else 2000) + b'\x90'
    raises(msgpack.StackError, msgpack.unpackb, deep)


def test_pack_nesting_limit():
    # msgpack-python 1.2's limit: objects nested up to 1024 levels below the
    # top one (1.0.3: 511). Also through a Packer and a dict.
    ok = []
    for _ in range(1024):
        ok = [ok]
    assert msgpack.packb(ok) == b'\x91' * 1024 + b'\x90'  # 1025 nested lists
    e = raises(ValueError, msgpack.packb, [ok])       # 1026
    assert 'recursion limit exceeded' in str(e)
    raises(ValueError, msgpack.Packer().pack, {'k': ok})
    assert len(msgpack.Packer().pack({'k': ok[0]})) == 3 + 1024


INVALID_UTF8 = [b'\xa1\xff', b'\xa2\xc3\x28', b'\xa3\xed\xa0\x80', b'\xa2\xc0\x80',
                b'\xa4\xf4\x90\x80\x80', b'\xa1\x80']


def test_invalid_utf8():
    for data in INVALID_UTF8:
        raises(UnicodeError, msgpack.unpackb, data)
        assert msgpack.unpackb(data, raw=True) == data[1:]


def test_non_string_keys_under_strict_map_key():
    for data in (b'\x81\x01\x02', b'\x81\xc0\x01', b'\x81\xcb' + b'\x00' * 8 + b'\x01',
                 b'\x81\x90\x01'):
        raises(ValueError, msgpack.unpackb, data)


class Boom(Exception):
    pass


def boom(*args):
    raise Boom("hook")


def test_hooks_that_raise_propagate_unchanged():
    packed = msgpack.packb({'a': [1, msgpack.ExtType(3, b'x')]})
    for kw in ({'object_hook': boom}, {'object_pairs_hook': boom}, {'list_hook': boom},
               {'ext_hook': boom}):
        raises(Boom, msgpack.unpackb, packed, **kw)
        raises(Boom, msgpack.unpack, BytesIO(packed), **kw)
    raises(Boom, msgpack.packb, object(), default=boom)


# After an error other than OutOfData an Unpacker stays usable, where
# msgpack-python 1.2.1's C extension leaves it: the object in progress is
# dropped and unpacking goes on from the last byte of the value (or header)
# that failed. The expected values follow 1.2.1's unpack_template.h.

def _unpacker_with(data, **kw):
    u = msgpack.Unpacker(**kw)
    u.feed(data)
    return u


def test_unpacker_after_a_hook_error_goes_on_like_msgpack_python_1_2_1():
    # [1, ExtType(1, b'x')], then 'after': the hook fails on the ext, whose
    # last byte (b'x', 120) is where unpacking goes on.
    u = _unpacker_with(msgpack.packb([1, msgpack.ExtType(1, b'x')]) + msgpack.packb('after'),
                       ext_hook=boom)
    raises(Boom, u.unpack)
    assert u.tell() == 4
    assert u.unpack() == 120
    assert u.unpack() == 'after'
    raises(msgpack.OutOfData, u.unpack)
    # An object_hook that fails on {} (one byte): that byte again, each time.
    u = _unpacker_with(b'\x80\x07', object_hook=boom)
    raises(Boom, u.unpack)
    raises(Boom, u.unpack)
    assert u.tell() == 0
    assert u.read_bytes(1) == b'\x80' and u.unpack() == 7


def test_unpacker_after_bad_data_goes_on_like_msgpack_python_1_2_1():
    # 0xc1 stays where it is: the same FormatError until it is read away.
    u = _unpacker_with(b'\x92\x01\xc1\x05')
    raises(msgpack.FormatError, u.unpack)
    assert u.tell() == 2
    raises(msgpack.FormatError, u.skip)
    assert u.read_bytes(1) == b'\xc1'
    assert u.unpack() == 5
    # msgpack-python 1.2.1's own regression test: an int key refused, then
    # skip() goes on from the last byte of the value (0x00).
    u = _unpacker_with(b'\x83\x73\xc4\x00')
    raises(ValueError, u.unpack)
    assert u.tell() == 3
    assert u.skip() is None
    raises(msgpack.OutOfData, u.unpack)
    assert u.tell() == 4


def test_unpacker_after_a_limit_goes_on_like_msgpack_python_1_2_1():
    # fixarray over max_array_len: its one header byte stays.
    u = _unpacker_with(b'\x93\x01\x02\x03', max_array_len=2)
    raises(ValueError, u.unpack)
    assert u.tell() == 0
    assert u.read_bytes(1) == b'\x93' and list(u) == [1, 2, 3]
    # array16: the last byte of its header (0x03) is the next object.
    u = _unpacker_with(b'\xdc\x00\x03\x01\x02\x03', max_array_len=2)
    raises(ValueError, u.unpack)
    assert list(u) == [3, 1, 2, 3]
    # A str over max_str_len: the last byte of its payload ('c', 99).
    u = _unpacker_with(b'\xa3abc\x07', max_str_len=2)
    e = raises(ValueError, u.unpack)
    assert '3 exceeds max_str_len(2)' in str(e)
    assert list(u) == [99, 7]
    # ...also when the payload is still on its way: it is dropped as it
    # arrives. (1.2.1 raises only once it has all arrived.)
    u = _unpacker_with(b'\xa5ab', max_str_len=2)
    raises(ValueError, u.unpack)
    assert u.tell() == 3
    u.feed(b'c')
    assert list(u) == []
    u.feed(b'de\x07')
    assert list(u) == [101, 7]
    assert u.tell() == 7


def test_unpacker_after_a_stack_error_goes_on_like_msgpack_python_1_2_1():
    # 1025 nested arrays: the 1025th header is where unpacking goes on.
    u = _unpacker_with(b'\x91' * 1025 + b'\x90')
    raises(msgpack.StackError, u.unpack)
    assert u.tell() == 1024
    assert u.unpack() == [[]]


def test_unpacker_keeps_a_partial_object_after_out_of_data():
    u = _unpacker_with(b'\x92\x01', ext_hook=boom)
    raises(msgpack.OutOfData, u.unpack)
    assert u.tell() == 2  # the bytes taken so far are held in the partial object
    u.feed(b'\xc0')
    assert u.unpack() == [1, None]


def test_hooks_cannot_reenter_the_unpacker():
    u = msgpack.Unpacker(list_hook=lambda lst: u.feed(b'\x01'))
    u.feed(b'\x91\x01')
    raises(RuntimeError, u.unpack)


def test_containers_changed_by_default_are_refused():
    # default() runs in the middle of packing the container it changes: the
    # header already announced the old size, so packing must stop.
    victim = [object(), 'x']
    raises(RuntimeError, msgpack.packb, victim, default=lambda o: victim.append(3))
    victim = [object(), 'x']
    raises(RuntimeError, msgpack.packb, victim, default=lambda o: victim.pop())
    d = {'a': object()}
    raises(RuntimeError, msgpack.packb, d, default=lambda o: d.update({'b': 1}))
    # Changed after it was packed: nothing wrong with that.
    done = [1, 2]
    assert msgpack.unpackb(msgpack.packb([done, object()], default=lambda o: done.append(3))) == \
        [[1, 2], None]


def test_streams_that_misbehave():
    class TooMuch:
        def read(self, n):
            return b'\x01\x02\x03\x04'

    raises(ValueError, msgpack.unpack, TooMuch())

    class Nothing:
        def write(self, data):
            return 0

    raises(OSError, msgpack.pack, [1, 2], Nothing())

    class WriteFails:
        def write(self, data):
            raise OSError(5, 'EIO')

    raises(OSError, msgpack.pack, 'x', WriteFails())
    raises(AttributeError, msgpack.pack, 1, object())


def test_bad_arguments():
    raises(TypeError, msgpack.unpackb, 'text')
    raises(TypeError, msgpack.packb, 1, no_such_option=1)
    raises(TypeError, msgpack.unpackb, b'\x01', no_such_option=1)
    # `encoding` went in msgpack-python 1.0 (1.2.1 refuses it too).
    raises(TypeError, msgpack.packb, 'x', encoding='utf-8')
    raises(TypeError, msgpack.unpackb, b'\xa1x', encoding='utf-8')
    raises(TypeError, msgpack.Packer, encoding='utf-8')
    raises(TypeError, msgpack.Unpacker, encoding='utf-8')
    raises(ValueError, msgpack.unpackb, b'\x01', timestamp=-1)
    raises(ValueError, msgpack.unpackb, b'\xc7\x05\xff12345')   # timestamp of 5 bytes
    raises(ValueError, msgpack.unpackb, b'\xd7\xff' + b'\xff' * 8)  # nanoseconds > 999999999
    raises(msgpack.BufferFull, msgpack.Unpacker(max_buffer_size=4).feed, b'12345')
    p = msgpack.Packer(autoreset=False)
    for code in (128, 200, -129, 1000):       # not silently wrapped into an int8
        raises(ValueError, p.pack_ext_type, code, b'x')
    assert p.bytes() == b''  # a refused code leaves nothing behind
    p.pack_ext_type(-128, b'x')
    p.pack_ext_type(127, b'')
    assert p.bytes() == b'\xd4\x80x\xc7\x00\x7f'
    u = msgpack.Unpacker(BytesIO(b''))
    raises(AssertionError, u.feed, b'\x01')
    if IS_MICROPYTHON:
        raises(ValueError, msgpack.unpackb, b'\x01', timestamp=3)  # no datetime here
