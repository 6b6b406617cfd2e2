# SPDX-License-Identifier: MIT
"""The msgpack API as a user meets it: the seed's sessions, options, Packer,
Unpacker, ExtType, Timestamp, hooks and streams.

Runs under CPython (mpx.msgpack) and MicroPython (the built-in msgpack).
"""
from io import BytesIO

from mpxtest import IS_MICROPYTHON, float_is_double, has_bigint, in_time_zone, raises, skip

try:
    from mpx import msgpack
except ImportError:
    import msgpack

SEED_OBJ = {'list': [True, False, None, 1, 'abc'], 'str': 'blah', 'bytes': b'012345'}


# --- the seed's sessions --------------------------------------------------

def test_seed_session_pack_to_stream_and_unpack():
    buf = BytesIO()
    msgpack.pack(SEED_OBJ, buf)
    packed = buf.getvalue()
    assert len(packed) == 38
    assert packed[0] == 0x83
    for part in (b'\xa3str\xa4blah', b'\xa5bytes\xc4\x06012345', b'\xa4list\x95\xc3\xc2\xc0\x01\xa3abc'):
        assert part in packed
    buf.seek(0)
    assert msgpack.unpack(buf) == SEED_OBJ
    assert len(repr(SEED_OBJ)) == 74


class MyClass:
    def __init__(self, val):
        self.value = val

    def __str__(self):
        return str(self.value)


def _encoder(obj):
    if isinstance(obj, MyClass):
        return msgpack.ExtType(1, obj.value)
    return "no encoder for {}".format(obj)


def _decoder(code, data):
    if code == 1:
        return MyClass(data)
    return "no decoder for type {}".format(code)


def test_seed_session_ext_type_through_default_and_ext_hook():
    buffer = BytesIO()
    msgpack.pack(MyClass(b'my_value'), buffer, default=_encoder)
    assert buffer.getvalue() == b'\xd7\x01my_value'
    buffer.seek(0)
    decoded = msgpack.unpack(buffer, ext_hook=_decoder)
    assert isinstance(decoded, MyClass) and decoded.value == b'my_value'
    assert "{}".format(decoded) == "b'my_value'"


# --- encoding choices -----------------------------------------------------

INTS = [
    (0, b'\x00'), (127, b'\x7f'), (128, b'\xcc\x80'), (255, b'\xcc\xff'), (256, b'\xcd\x01\x00'),
    (65535, b'\xcd\xff\xff'), (65536, b'\xce\x00\x01\x00\x00'), (-1, b'\xff'), (-32, b'\xe0'),
    (-33, b'\xd0\xdf'), (-128, b'\xd0\x80'), (-129, b'\xd1\xff\x7f'), (-32768, b'\xd1\x80\x00'),
    (-32769, b'\xd2\xff\xff\x7f\xff'),
]
BIG_INTS = [
    (2 ** 32 - 1, b'\xce\xff\xff\xff\xff'), (2 ** 32, b'\xcf\x00\x00\x00\x01\x00\x00\x00\x00'),
    (2 ** 64 - 1, b'\xcf' + b'\xff' * 8), (-2 ** 31, b'\xd2\x80\x00\x00\x00'),
    (-2 ** 31 - 1, b'\xd3\xff\xff\xff\xff\x7f\xff\xff\xff'), (-2 ** 63, b'\xd3\x80' + b'\x00' * 7),
]


def test_ints_take_the_shortest_form_and_round_trip():
    table = INTS + (BIG_INTS if has_bigint() else [])
    for value, encoded in table:
        assert msgpack.packb(value) == encoded, value
        assert msgpack.unpackb(encoded) == value, value


def test_ints_beyond_64_bits_overflow_unless_default_handles_them():
    if not has_bigint():
        from mpxtest import skip
        skip("this port has no big ints")
    for v in (2 ** 64, -2 ** 63 - 1, 2 ** 100):
        raises(OverflowError, msgpack.packb, v)
    assert msgpack.unpackb(msgpack.packb(2 ** 64, default=str)) == str(2 ** 64)


def test_floats_use_the_port_precision_by_default():
    assert msgpack.packb(1.5, use_single_float=True) == b'\xca\x3f\xc0\x00\x00'
    if float_is_double():
        assert msgpack.packb(1.5) == b'\xcb\x3f\xf8' + b'\x00' * 6
        assert msgpack.unpackb(msgpack.packb(0.1)) == 0.1
    else:
        assert msgpack.packb(1.5) == b'\xca\x3f\xc0\x00\x00'
    assert msgpack.unpackb(b'\xca\x3f\xc0\x00\x00') == 1.5
    assert msgpack.unpackb(b'\xcb\x3f\xf8' + b'\x00' * 6) == 1.5


def test_str_bin_and_the_compatibility_mode():
    assert msgpack.packb('a' * 31)[:1] == b'\xbf'
    assert msgpack.packb('a' * 32)[:2] == b'\xd9\x20'
    assert msgpack.packb('a' * 256)[:3] == b'\xda\x01\x00'
    assert msgpack.packb(b'ab') == b'\xc4\x02ab'
    assert msgpack.packb(bytearray(b'ab')) == b'\xc4\x02ab'
    assert msgpack.packb(memoryview(b'ab')) == b'\xc4\x02ab'
    # use_bin_type=False: the spec's compatibility mode, no bin and no str8.
    assert msgpack.packb('a' * 32, use_bin_type=False)[:3] == b'\xda\x00\x20'
    assert msgpack.packb(b'ab', use_bin_type=False) == b'\xa2ab'
    assert msgpack.unpackb(b'\xa2ab', raw=True) == b'ab'
    assert msgpack.unpackb(b'\xa2ab') == 'ab'
    assert msgpack.unpackb(msgpack.packb('h\u00e9llo \u20ac')) == 'h\u00e9llo \u20ac'


def test_containers():
    assert msgpack.packb([]) == b'\x90'
    assert msgpack.packb((1, 2)) == b'\x92\x01\x02'
    assert msgpack.packb(list(range(16)))[:3] == b'\xdc\x00\x10'
    assert msgpack.packb({}) == b'\x80'
    assert msgpack.unpackb(b'\x92\x01\x02', use_list=False) == (1, 2)
    assert msgpack.unpackb(b'\x91\x92\x01\x02', use_list=False) == ((1, 2),)
    big = {str(i): i for i in range(20)}
    assert msgpack.unpackb(msgpack.packb(big)) == big
    nested = {'a': [1, {'b': (2, 3)}, [[], {}]], 'c': None}
    assert msgpack.unpackb(msgpack.packb(nested)) == {'a': [1, {'b': [2, 3]}, [[], {}]], 'c': None}


def test_strict_types():
    raises(TypeError, msgpack.packb, (1, 2), strict_types=True)
    assert msgpack.packb((1, 2), strict_types=True, default=list) == b'\x92\x01\x02'
    assert msgpack.packb([1, 2], strict_types=True) == b'\x92\x01\x02'


# --- ExtType and Timestamp -----------------------------------------------

def test_ext_type_is_a_value():
    e = msgpack.ExtType(5, b'abc')
    assert e.code == 5 and e.data == b'abc'
    assert e[0] == 5 and e[1] == b'abc'
    code, data = e
    assert (code, data) == (5, b'abc')
    assert e == msgpack.ExtType(5, b'abc') and not (e == msgpack.ExtType(6, b'abc'))
    assert e == (5, b'abc')
    assert hash(e) == hash(msgpack.ExtType(5, b'abc')) == hash((5, b'abc'))
    assert repr(e) == "ExtType(code=5, data=b'abc')"
    assert len({e, msgpack.ExtType(5, b'abc')}) == 1
    raises(ValueError, msgpack.ExtType, 128, b'')
    raises(ValueError, msgpack.ExtType, -1, b'')
    raises(TypeError, msgpack.ExtType, 1, 'text')
    raises(TypeError, msgpack.ExtType, '1', b'')


def test_ext_sizes_use_fixext_when_they_can():
    for n, head in ((1, b'\xd4'), (2, b'\xd5'), (4, b'\xd6'), (8, b'\xd7'), (16, b'\xd8'),
                    (0, b'\xc7\x00'), (3, b'\xc7\x03'), (256, b'\xc8\x01\x00')):
        packed = msgpack.packb(msgpack.ExtType(9, b'x' * n))
        assert packed[:len(head)] == head, n
        assert packed[len(head)] == 9
        assert msgpack.unpackb(packed) == msgpack.ExtType(9, b'x' * n)


def test_negative_ext_codes_need_an_ext_hook():
    raises(ValueError, msgpack.unpackb, b'\xd4\xfe\x01')
    assert msgpack.unpackb(b'\xd4\xfe\x01', ext_hook=lambda c, d: (c, d)) == (-2, b'\x01')


def test_timestamp_forms():
    T = msgpack.Timestamp
    cases = [
        (T(1, 0), b'\xd6\xff\x00\x00\x00\x01'),
        (T(2 ** 32 - 1, 0), b'\xd6\xff\xff\xff\xff\xff'),
        (T(1, 1), b'\xd7\xff\x00\x00\x00\x04\x00\x00\x00\x01'),
        (T(-1, 0), b'\xc7\x0c\xff\x00\x00\x00\x00' + b'\xff' * 8),
    ]
    if has_bigint():
        cases.append((T(2 ** 34, 0), b'\xc7\x0c\xff\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00'))
    for ts, enc in cases:
        assert msgpack.packb(ts) == enc, ts
        assert msgpack.unpackb(enc) == ts
        assert ts.to_bytes() == enc[-len(ts.to_bytes()):]
        assert T.from_bytes(ts.to_bytes()) == ts


def test_timestamp_value_and_conversions():
    T = msgpack.Timestamp
    t = T(5, 6)
    assert (t.seconds, t.nanoseconds) == (5, 6)
    assert repr(t) == "Timestamp(seconds=5, nanoseconds=6)"
    assert t == T(5, 6) and t != T(5, 7) and not (t == (5, 6))
    assert hash(t) == hash(T(5, 6))
    assert T(0).nanoseconds == 0
    raises(ValueError, T, 0, 10 ** 9)
    raises(ValueError, T, 0, -1)
    raises(TypeError, T, 1.5)
    assert T(-1, 500000000).to_unix() == -0.5
    assert T.from_unix(-0.5) == T(-1, 500000000)
    if has_bigint():
        assert T(3, 4).to_unix_nano() == 3000000004
        assert T.from_unix_nano(-1) == T(-1, 999999999)
    packed = msgpack.packb(T(7, 250000000))
    assert msgpack.unpackb(packed, timestamp=1) == 7.25
    if has_bigint():
        assert msgpack.unpackb(packed, timestamp=2) == 7250000000
    raises(ValueError, msgpack.unpackb, packed, timestamp=4)


# --- Packer ---------------------------------------------------------------

def test_packer_autoreset_and_buffer():
    p = msgpack.Packer()
    assert p.pack(1) == b'\x01'
    assert p.pack('x') == b'\xa1x'
    p = msgpack.Packer(autoreset=False)
    assert p.pack(1) is None
    assert p.pack([2]) is None
    assert p.bytes() == b'\x01\x91\x02'
    assert bytes(p.getbuffer()) == b'\x01\x91\x02'
    p.reset()
    assert p.bytes() == b''


def test_packer_headers_and_pairs():
    p = msgpack.Packer()
    stream = p.pack_array_header(3) + p.pack(1) + p.pack(2) + p.pack(3)
    assert stream == msgpack.packb([1, 2, 3])
    assert p.pack_map_header(1) + p.pack('k') + p.pack('v') == msgpack.packb({'k': 'v'})
    assert p.pack_map_pairs([('a', 1), ('b', 2)]) == b'\x82\xa1a\x01\xa1b\x02'
    # As msgpack-python 1.2.1 (1.0.3 returned None and kept the bytes):
    # pack_ext_type() returns them and empties the buffer when autoreset.
    assert p.pack_ext_type(3, b'xy') == b'\xd5\x03xy'
    assert p.bytes() == b''
    assert p.pack(1) == b'\x01'
    raises(ValueError, p.pack_array_header, -1)


def test_packer_methods_return_and_autoreset_like_msgpack_python():
    for autoreset in (True, False):
        p = msgpack.Packer(autoreset=autoreset)
        results = [p.pack_array_header(2), p.pack(1), p.pack_map_header(1), p.pack('k'),
                   p.pack_map_pairs([('a', 1)]), p.pack_ext_type(1, b'e'), p.pack_ext_type(2, b'')]
        stream = b'\x92\x01\x81\xa1k\x81\xa1a\x01'
        ext = b'\xd4\x01e\xc7\x00\x02'
        if autoreset:
            assert results == [b'\x92', b'\x01', b'\x81', b'\xa1k', b'\x81\xa1a\x01',
                               b'\xd4\x01e', b'\xc7\x00\x02']
        else:
            assert results == [None] * 7
        assert p.bytes() == (b'' if autoreset else stream + ext)
        assert bytes(p.getbuffer()) == p.bytes()
        assert p.reset() is None and p.bytes() == b''


def test_packer_errors_keep_or_empty_the_buffer_like_msgpack_python():
    for autoreset in (True, False):
        p = msgpack.Packer(autoreset=autoreset)
        p.pack_ext_type(1, b'e')
        if not autoreset:
            p.pack(5)
        before = p.bytes()
        assert before == (b'' if autoreset else b'\xd4\x01e\x05')
        # Refused before anything is written: the buffer is kept.
        raises(ValueError, p.pack_array_header, 2 ** 32)
        raises(ValueError, p.pack_map_header, 2 ** 32)
        raises(ValueError, p.pack_ext_type, 128, b'x')
        raises(TypeError, p.pack_ext_type, 1, 5)
        assert p.bytes() == before
        # A map that fails half-way is dropped, what came before it kept.
        raises(TypeError, p.pack_map_pairs, [(1, 2), (3, object())])
        raises(TypeError, p.pack_map_pairs, [(1, 2), 3])
        raises(ValueError, p.pack_map_pairs, [(1, 2, 3)])
        assert p.bytes() == before
        # pack() that fails empties the buffer, as msgpack-python's does.
        raises(TypeError, p.pack, [1, object()])
        assert p.bytes() == b''
        assert p.pack(7) == (b'\x07' if autoreset else None)


def test_packer_error_leaves_it_usable():
    p = msgpack.Packer()
    raises(TypeError, p.pack, [1, object()])
    assert p.pack(5) == b'\x05'  # no half-written bytes left behind


def test_any_callable_as_default_or_hook():
    class Conv:
        def __call__(self, obj):
            return 'conv'

        def method(self, obj):
            return 'meth'

    c = Conv()
    for default, want in ((c, 'conv'), (c.method, 'meth'), (str, None), (lambda o: 'lam', 'lam')):
        got = msgpack.unpackb(msgpack.packb(MyClass(1), default=default))
        assert got == want or (want is None and isinstance(got, str)), got
    raises(TypeError, msgpack.packb, 1, default=1)


# --- unpack options and hooks ---------------------------------------------

def test_hooks():
    packed = msgpack.packb({'a': [1, 2], 'b': {'c': 3}})
    assert msgpack.unpackb(packed, object_hook=lambda d: sorted(d.keys())) == ['a', 'b']
    pairs = msgpack.unpackb(packed, object_pairs_hook=lambda ps: ps)
    assert sorted(pairs) == [('a', [1, 2]), ('b', [('c', 3)])]
    assert msgpack.unpackb(packed, list_hook=sum) == {'a': 3, 'b': {'c': 3}}
    raises(TypeError, msgpack.unpackb, packed, object_hook=len, object_pairs_hook=len)
    raises(TypeError, msgpack.unpackb, packed, object_hook=1)


def test_strict_map_key():
    raises(ValueError, msgpack.unpackb, b'\x81\x01\x02')
    assert msgpack.unpackb(b'\x81\x01\x02', strict_map_key=False) == {1: 2}
    assert msgpack.unpackb(b'\x81\xc4\x01a\x01') == {b'a': 1}
    raises(TypeError, msgpack.unpackb, b'\x81\x91\x01\x02', strict_map_key=False)  # unhashable
    assert msgpack.unpackb(b'\x81\x91\x01\x02', strict_map_key=False, use_list=False) == {(1,): 2}


def test_strict_map_key_applies_with_object_pairs_hook_too():
    # msgpack-python 1.2.0 and later (1.0.3 let any key through object_pairs_hook).
    e = raises(ValueError, msgpack.unpackb, b'\x81\x01\x02', object_pairs_hook=list)
    assert 'int is not allowed for map key when strict_map_key=True' in str(e)
    assert msgpack.unpackb(b'\x81\x01\x02', object_pairs_hook=list, strict_map_key=False) == [(1, 2)]
    assert msgpack.unpackb(b'\x82\xa1k\x02\xc4\x01b\x03', object_pairs_hook=list) == [('k', 2), (b'b', 3)]


def test_limits():
    raises(ValueError, msgpack.unpackb, msgpack.packb('abcd'), max_str_len=3)
    assert msgpack.unpackb(msgpack.packb('abc'), max_str_len=3) == 'abc'
    raises(ValueError, msgpack.unpackb, msgpack.packb(b'abcd'), max_bin_len=3)
    raises(ValueError, msgpack.unpackb, msgpack.packb([1, 2, 3, 4]), max_array_len=3)
    raises(ValueError, msgpack.unpackb, msgpack.packb({'a': 1, 'b': 2}), max_map_len=1)
    raises(ValueError, msgpack.unpackb, msgpack.packb(msgpack.ExtType(1, b'1234')), max_ext_len=3)


def test_extra_data():
    e = raises(msgpack.ExtraData, msgpack.unpackb, b'\x01\x02\x03')
    assert e.unpacked == 1 and e.extra == b'\x02\x03'
    assert isinstance(e, ValueError)


def test_exception_hierarchy():
    assert issubclass(msgpack.FormatError, ValueError)
    assert issubclass(msgpack.StackError, ValueError)
    assert issubclass(msgpack.ExtraData, ValueError)
    for cls in (msgpack.FormatError, msgpack.StackError, msgpack.OutOfData, msgpack.BufferFull):
        assert issubclass(cls, msgpack.UnpackException), cls
    assert not issubclass(msgpack.OutOfData, ValueError)


def test_aliases():
    assert msgpack.dumps is msgpack.packb and msgpack.loads is msgpack.unpackb
    assert msgpack.dump is msgpack.pack and msgpack.load is msgpack.unpack
    # The msgpack-python release whose behaviour the module follows.
    assert msgpack.version == (1, 2, 1)


# --- streams --------------------------------------------------------------

def test_unpack_reads_exactly_one_object():
    buf = BytesIO(msgpack.packb([1, 2]) + msgpack.packb('next') + b'\xc0')
    assert msgpack.unpack(buf) == [1, 2]
    assert msgpack.unpack(buf) == 'next'
    assert msgpack.unpack(buf) is None
    raises(msgpack.OutOfData, msgpack.unpack, buf)


class Trickle:
    """A stream that returns at most one byte per read (a slow UART)."""

    def __init__(self, data):
        self.data = data
        self.pos = 0
        self.reads = 0

    def read(self, n):
        self.reads += 1
        chunk = self.data[self.pos:self.pos + min(n, 1)]
        self.pos += len(chunk)
        return chunk


def test_unpack_loops_on_short_reads():
    obj = {'k': ['v' * 40, b'\x00' * 300, 2 ** 20, -5.25]}
    s = Trickle(msgpack.packb(obj) + b'\x07')
    assert msgpack.unpack(s) == obj
    assert s.reads > 300
    assert msgpack.unpack(s) == 7  # nothing of the next object was consumed


class Dribble:
    """A stream whose write() takes at most 3 bytes and says so."""

    def __init__(self):
        self.out = b''

    def write(self, data):
        self.out += bytes(data[:3])
        return min(3, len(data))


def test_pack_loops_on_partial_writes():
    d = Dribble()
    obj = ['x' * 1000, list(range(100))]
    msgpack.pack(obj, d)
    assert d.out == msgpack.packb(obj)


def test_unpacker_feed_in_any_pieces():
    objs = [1, 'two', [3, {'four': b'4' * 300}], None, msgpack.Timestamp(5, 6)]
    data = b''.join(msgpack.packb(o) for o in objs)
    for step in (1, 2, 7, len(data)):
        u = msgpack.Unpacker()
        got = []
        for i in range(0, len(data), step):
            u.feed(data[i:i + step])
            for o in u:
                got.append(o)
        assert got == objs, step
        assert u.tell() == len(data)


def test_unpacker_out_of_data_keeps_the_partial_object():
    u = msgpack.Unpacker()
    u.feed(b'\x93\x01\x02')
    raises(msgpack.OutOfData, u.unpack)
    assert list(u) == []
    u.feed(b'\x03')
    assert u.unpack() == [1, 2, 3]


def test_unpacker_reads_a_stream():
    objs = [{'a': 1}, [2, 3], 'x' * 100]
    data = b''.join(msgpack.packb(o) for o in objs)
    assert list(msgpack.Unpacker(BytesIO(data), read_size=3)) == objs
    u = msgpack.Unpacker(Trickle(data))
    assert u.unpack() == objs[0]
    assert list(u) == objs[1:]
    raises(msgpack.OutOfData, u.unpack)


def test_unpacker_skip_headers_and_bytes():
    data = msgpack.packb([1, [2]]) + msgpack.packb({'a': 1}) + msgpack.packb([7, 8]) + b'raw' + b'\x05'
    u = msgpack.Unpacker()
    u.feed(data)
    assert u.skip() is None
    assert u.read_map_header() == 1
    assert u.unpack() == 'a' and u.unpack() == 1
    assert u.read_array_header() == 2
    assert (u.unpack(), u.unpack()) == (7, 8)
    assert u.read_bytes(3) == b'raw'
    assert u.tell() == len(data) - 1
    raises(ValueError, u.read_array_header)  # 0x05 is not an array
    assert u.unpack() == 5


def test_unpacker_options():
    u = msgpack.Unpacker(use_list=False, raw=True, strict_map_key=False)
    u.feed(msgpack.packb({1: ['s']}))
    assert u.unpack() == {1: (b's',)}
    raises(ValueError, msgpack.Unpacker, read_size=10, max_buffer_size=5)
    u = msgpack.Unpacker(max_buffer_size=8)
    raises(msgpack.BufferFull, u.feed, b'123456789')
    u.feed(b'\x01')
    assert u.unpack() == 1


def test_unpacker_max_buffer_size_counts_what_is_not_decoded_yet():
    # As msgpack-python 1.2.1: the part of an object already decoded does
    # not count against max_buffer_size, only the bytes still to decode.
    u = msgpack.Unpacker(max_buffer_size=8)
    u.feed(b'\x94\x01\x02\x03')
    raises(msgpack.OutOfData, u.unpack)
    u.feed(b'\x04' + b'\xa3abc' + b'\x05\x06')   # 7 bytes held, 4 decoded before
    assert u.unpack() == [1, 2, 3, 4]
    raises(msgpack.BufferFull, u.feed, b'123456')   # 6 held + 6 > 8
    assert list(u) == ['abc', 5, 6]


# --- CPython: buffers, datetime, re-initialisation --------------------------

def _cpython_only():
    if IS_MICROPYTHON:
        skip("CPython only: strided buffers, datetime and __init__ do not exist here")


def test_unpack_takes_non_contiguous_buffers():
    # msgpack-python 1.2: a strided memoryview is copied (1.0.3 refused it).
    _cpython_only()
    packed = msgpack.packb({'a': [1, 'x' * 40, b'y' * 300]})
    strided = memoryview(bytes(b for x in packed for b in (x, 0xc1)))[::2]
    assert not strided.contiguous
    assert msgpack.unpackb(strided) == msgpack.unpackb(packed)
    assert msgpack.unpackb(memoryview(packed[::-1])[::-1]) == msgpack.unpackb(packed)
    u = msgpack.Unpacker()
    u.feed(strided)
    u.feed(strided[:3])
    assert u.unpack() == msgpack.unpackb(packed)
    raises(msgpack.OutOfData, u.unpack)
    assert u.tell() == len(packed) + 3
    # Items of more than one byte are refused, by unpackb and feed alike.
    import array

    words = array.array('H', [0x0101])
    raises(BufferError, msgpack.unpackb, words)
    raises(BufferError, msgpack.Unpacker().feed, words)
    # Packing a strided memoryview: BufferError, as 1.2.1.
    raises(BufferError, msgpack.packb, strided)


def test_timestamp_datetime_conversions():
    _cpython_only()
    import datetime

    T = msgpack.Timestamp
    utc = datetime.timezone.utc
    # to_datetime: an aware UTC datetime, nanoseconds cut to microseconds.
    dt = T(42, 14999).to_datetime()
    assert dt == datetime.datetime(1970, 1, 1, 0, 0, 42, 14, tzinfo=utc) and dt.tzinfo is utc
    assert T(-1, 500000000).to_datetime() == datetime.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=utc)
    # from_datetime: exact for aware datetimes in any zone, before 1970 and
    # far after it (1.2.1 goes through a float and loses the microseconds there).
    plus2 = datetime.timezone(datetime.timedelta(hours=2))
    cases = [
        (datetime.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=utc), -1, 500000000),
        (datetime.datetime(1970, 1, 1, 2, 0, 1, 1, tzinfo=plus2), 1, 1000),
        (datetime.datetime(1900, 1, 1, tzinfo=utc), -2208988800, 0),
        (datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=utc), 253402300799, 999999000),
    ]
    for dt, sec, ns in cases:
        t = T.from_datetime(dt)
        assert (t.seconds, t.nanoseconds) == (sec, ns), (dt, t)
        assert t.to_datetime() == dt
        assert msgpack.unpackb(msgpack.packb(dt, datetime=True), timestamp=3) == dt
    # A naive datetime is local time (as datetime.timestamp() and 1.2.1);
    # here UTC+9, as a POSIX TZ string (no tzdata needed).
    t = in_time_zone("JST-9", lambda: T.from_datetime(datetime.datetime(1970, 1, 1, 9, 0, 5, 7)))
    assert (t.seconds, t.nanoseconds) == (5, 7000)
    # Packing a naive datetime stays an error (datetime=True needs tzinfo).
    raises(ValueError, msgpack.packb, datetime.datetime(2000, 1, 1), datetime=True)


def test_unpacker_init_again_starts_over():
    # msgpack-python 1.2: __init__ again drops the partial object and the
    # buffer (calling it from a hook is refused: test_msgpack_reentry.py).
    _cpython_only()
    import gc
    import weakref

    refs = []

    class Marker:
        pass

    def hook(code, data):
        m = Marker()
        refs.append(weakref.ref(m))
        return m

    u = msgpack.Unpacker(ext_hook=hook, strict_map_key=False)
    u.feed(b'\x91\x81\xd4\x01a')  # [{ExtType: <value missing>
    raises(msgpack.OutOfData, u.unpack)
    assert refs[0]() is not None
    u.__init__()
    gc.collect()
    assert refs[0]() is None
    raises(msgpack.OutOfData, u.unpack)
    u.feed(msgpack.packb({'a': 1}))
    assert u.unpack() == {'a': 1}
