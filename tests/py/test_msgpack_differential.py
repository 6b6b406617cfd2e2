# SPDX-License-Identifier: MIT
"""Differential test against Debian's python3-msgpack (1.0.3, the C extension):
random object trees packed with every pack option give the same bytes (or the
same exception), and the bytes (and mutations of them) unpack the same way
with every unpack option.

mpx.msgpack follows msgpack-python 1.2.1. Its packing and unpacking of values
are 1.0.3's (1.2.1's pack_template.h and unpack_template.h differ from
1.0.3's only in clean-ups), so 1.0.3's C extension, which Debian has, is the
peer here. Where 1.2.1 changed what users see (pack_ext_type with autoreset,
the pack nesting limit, strict_map_key with object_pairs_hook, non-contiguous
input, Timestamp and datetime, the Unpacker after an error), this file leaves
1.0.3 out: test_msgpack_peer121.py compares those with 1.2.1 itself (its
pure-Python implementation, when its source is at hand), and
test_msgpack_api.py and test_msgpack_bad_input.py check them with values
taken from 1.2.1's source.

CPython only: it needs the reference implementation beside ours.
"""
import math
import random

try:
    import datetime
except ImportError:  # MicroPython: every test here skips, it needs the reference
    datetime = None

from mpxtest import IS_MICROPYTHON, skip

try:
    from mpx import msgpack as ours
except ImportError:
    ours = None

SEED = 20261121


def reference():
    if IS_MICROPYTHON:
        skip("needs CPython with Debian's python3-msgpack as the reference")
    import msgpack as ref

    if ref.version[:2] != (1, 0):
        skip("reference msgpack is {}, not 1.0".format(ref.version))
    return ref


class Point:
    """Not packable as is: only through default()."""

    def __init__(self, x):
        self.x = x


class MyInt(int):
    pass


class MyDict(dict):
    pass


class MyList(list):
    pass


class MyStr(str):
    pass


UTC = datetime.timezone.utc if datetime else None
INT_EDGES = [0, 1, 31, 32, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1,
             2 ** 32, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1, 2 ** 64, -1, -31, -32, -33, -127, -128,
             -129, -32768, -32769, -2 ** 31, -2 ** 31 - 1, -2 ** 63, -2 ** 63 - 1]
STR_LENS = [0, 1, 31, 32, 33, 255, 256, 65535, 65536]


def random_tree(rng, depth=0):
    """A tree of our types; to_ref() makes the reference's version of it."""
    kinds = 20 if depth < 3 else 15
    k = rng.randrange(kinds)
    if k == 0:
        return None
    if k == 1:
        return rng.random() < 0.5
    if k == 2:
        return rng.choice(INT_EDGES)
    if k == 3:
        return rng.randrange(-2 ** 64, 2 ** 64) >> rng.randrange(64)
    if k == 4:
        return rng.choice([0.0, -0.0, 1.5, -2.25, 1e300, 5e-324, float('inf'), float('-inf'),
                           float('nan'), rng.uniform(-1e9, 1e9)])
    if k == 5:
        n = rng.choice(STR_LENS[:7])
        alphabet = 'ab\u00e9\u20ac\U0001f37a' if rng.random() < 0.3 else 'xyz'
        return ''.join(rng.choice(alphabet) for _ in range(n))
    if k == 6:
        return bytes(rng.randrange(256) for _ in range(rng.choice(STR_LENS[:7])))
    if k == 7:
        return rng.choice([bytearray(b'ba'), memoryview(b'mv' * 20)])
    if k == 8:
        return ours.ExtType(rng.randrange(128), bytes(rng.choice([0, 1, 2, 3, 4, 8, 16, 17, 300])))
    if k == 9:
        return ours.Timestamp(rng.choice([0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 34 - 1, 2 ** 34, -1, -2 ** 40]),
                              rng.choice([0, 1, 999999999]))
    if k == 10:
        return Point(rng.randrange(10))
    if k == 11:
        return rng.choice([MyInt(5), MyStr('s'), datetime.datetime(2020, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
                           datetime.datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
                           datetime.datetime(2000, 1, 1)])
    if k == 12:
        return rng.choice(INT_EDGES) * 3
    if k == 13:
        return 'k' * rng.randrange(40)
    if k == 14:
        return rng.randrange(-100, 100)
    n = rng.choice([0, 1, 2, 3, 15, 16, 17])
    if k in (15, 16):
        return [random_tree(rng, depth + 1) for _ in range(n)]
    if k == 17:
        return tuple(random_tree(rng, depth + 1) for _ in range(n))
    if k == 18:
        return {('key%d' % i if rng.random() < 0.8 else b'b%d' % i): random_tree(rng, depth + 1)
                for i in range(n)}
    return rng.choice([MyDict(a=1), MyList([1, 2])])


def to_ref(obj, ref):
    if isinstance(obj, ours.ExtType):
        return ref.ExtType(obj.code, obj.data)
    if isinstance(obj, ours.Timestamp):
        return ref.Timestamp(obj.seconds, obj.nanoseconds)
    if type(obj) is list:
        return [to_ref(x, ref) for x in obj]
    if type(obj) is tuple:
        return tuple(to_ref(x, ref) for x in obj)
    if type(obj) is dict:
        return {k: to_ref(v, ref) for k, v in obj.items()}
    return obj


def make_default(mod):
    def default(obj):
        if isinstance(obj, Point):
            return mod.ExtType(42, bytes([obj.x]))
        if isinstance(obj, int):
            return str(obj)
        if isinstance(obj, datetime.datetime):
            return obj.isoformat()
        return ['unknown', type(obj).__name__]
    return default


def outcome(fn):
    try:
        return ('ok', fn())
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return ('raise', type(e).__name__)


PACK_OPTIONS = [
    dict(use_single_float=f, use_bin_type=b, strict_types=s, datetime=d)
    for f in (False, True) for b in (True, False) for s in (False, True) for d in (False, True)
]


def test_packb_is_byte_identical_for_every_option():
    ref = reference()
    rng = random.Random(SEED)
    compared = 0
    for i in range(400):
        tree = random_tree(rng)
        tree_ref = to_ref(tree, ref)
        for opts in PACK_OPTIONS:
            for with_default in (False, True):
                a = outcome(lambda: ours.packb(tree, default=make_default(ours) if with_default else None, **opts))
                b = outcome(lambda: ref.packb(tree_ref, default=make_default(ref) if with_default else None, **opts))
                assert a == b, (i, opts, with_default, tree, a, b)
                compared += 1
    assert compared == 400 * len(PACK_OPTIONS) * 2


def normalize(obj):
    """Comparable form of an unpacked value from either implementation."""
    name = type(obj).__name__
    if name == 'ExtType':
        return ('ext', obj.code, obj.data)
    if name == 'Timestamp':
        return ('ts', obj.seconds, obj.nanoseconds)
    if isinstance(obj, float):
        return ('float', 'nan' if math.isnan(obj) else repr(obj))
    if isinstance(obj, (list, tuple)):
        return (name, [normalize(x) for x in obj])
    if isinstance(obj, dict):
        return ('dict', [(normalize(k), normalize(v)) for k, v in obj.items()])
    return (name, obj)


def unpack_options():
    yield {}
    yield dict(use_list=False)
    yield dict(raw=True)
    yield dict(strict_map_key=False)
    for ts in (1, 2, 3):
        yield dict(timestamp=ts)
    yield dict(object_hook=lambda d: ('hook', sorted(d.items(), key=repr)))
    yield dict(object_pairs_hook=lambda pairs: ('pairs', pairs))
    yield dict(list_hook=lambda lst: ('list', lst))
    yield dict(ext_hook=lambda code, data: ('ext', code, data))
    yield dict(max_str_len=3, max_bin_len=3, max_array_len=3, max_map_len=2, max_ext_len=3)


def compare_unpack(ref, data, opts, note):
    a = outcome(lambda: normalize(ours.unpackb(data, **opts)))
    b = outcome(lambda: normalize(ref.unpackb(data, **opts)))
    if a != b and a[0] == 'raise' and b[0] == 'ok' and opts.get('timestamp') in (1, 2, 3):
        # Deliberate: we refuse a timestamp whose nanoseconds exceed
        # 999999999 in every mode; 1.0.3 checks only in mode 0.
        assert outcome(lambda: ours.unpackb(data, timestamp=0))[0] == 'raise', note
        return
    assert a == b, (note, data, opts, a, b)


def test_unpackb_agrees_for_every_option():
    ref = reference()
    rng = random.Random(SEED + 1)
    for i in range(300):
        tree = random_tree(rng)
        data = outcome(lambda: ours.packb(tree, default=make_default(ours), datetime=rng.random() < 0.5))
        if data[0] != 'ok':
            continue
        for opts in unpack_options():
            compare_unpack(ref, data[1], opts, i)


def test_mutated_input_fails_or_succeeds_the_same_way():
    ref = reference()
    rng = random.Random(SEED + 2)
    mutations = 0
    for i in range(400):
        tree = random_tree(rng)
        good = outcome(lambda: ours.packb(tree, default=make_default(ours)))
        if good[0] != 'ok' or not good[1]:
            continue
        data = bytearray(good[1])
        for _ in range(8):
            m = bytearray(data)
            op = rng.randrange(4)
            pos = rng.randrange(len(m))
            if op == 0:
                m[pos] = rng.randrange(256)
            elif op == 1:
                del m[pos:]
            elif op == 2:
                m.insert(pos, rng.choice([0xc1, 0xdd, 0xdf, 0xdb, 0xc6, 0xd7, 0x91, 0xff]))
            else:
                m += bytes([rng.randrange(256)])
            for opts in ({}, dict(strict_map_key=False, raw=True)):
                compare_unpack(ref, bytes(m), opts, (i, op, pos))
            mutations += 1
    assert mutations > 2000, mutations


def test_streaming_unpacker_agrees():
    ref = reference()
    rng = random.Random(SEED + 3)
    stream = b''.join(ours.packb(random_tree(rng), default=make_default(ours)) for _ in range(200))
    a, b = ours.Unpacker(strict_map_key=False), ref.Unpacker(strict_map_key=False)
    got_a, got_b = [], []
    pos = 0
    while pos < len(stream):
        step = rng.randrange(1, 50)
        a.feed(stream[pos:pos + step])
        b.feed(stream[pos:pos + step])
        pos += step
        got_a.extend(normalize(x) for x in a)
        got_b.extend(normalize(x) for x in b)
    assert got_a == got_b and len(got_a) == 200
    assert a.tell() == b.tell() == len(stream)


# --- The Packer and Unpacker API, method by method --------------------------
#
# Each script runs the same calls on ours and on the reference and records
# what every call returned (or the exception type) and the Packer's buffer
# after it. Where we differ on purpose, DELIBERATE below says so and the test
# checks our side of it.

PACKER_SCRIPTS = [
    [('pack', 1)], [('pack', object())], [('pack', 1), ('pack', object()), ('pack', 2)],
    [('pack_array_header', 2)], [('pack_array_header', 2 ** 32 - 1)],
    [('pack', 1), ('pack_array_header', 2 ** 32)], [('pack_array_header', 'x')],
    [('pack_map_header', 2)], [('pack', 1), ('pack_map_header', 2 ** 32)],
    [('pack_map_pairs', [(1, 2), ('a', b'b')])], [('pack_map_pairs', {1: 2}.items())],
    [('pack_map_pairs', 5)],
    [('pack_ext_type', 1, b'abc')], [('pack_ext_type', -1, b'')],
    [('pack_ext_type', 5, bytearray(b'x' * 300))],
    [('pack', 1), ('pack_ext_type', 1, b'abc'), ('pack', 2), ('pack_ext_type', 2, b'')],
    [('pack_ext_type', 1, b'a'), ('pack_array_header', 1), ('pack_map_pairs', [])],
    [('pack_ext_type', 1, 2)], [('pack_ext_type', 1)],
    [('reset',)], [('pack', 1), ('reset',), ('pack', 2)], [('pack', [1, 2]), ('bytes',)],
    [('pack', 'x'), ('getbuffer',)],
]

DELIBERATE = """
pack_array_header(-1) / pack_map_header(-1): 1.0.3 writes a 0xffffffff header
    (a size_t wrap); ours raise ValueError and write nothing.
pack_array_header(1.5): 1.0.3 truncates a float count; ours raise TypeError.
pack_ext_type(code outside -128..127): 1.0.3 wraps it to a byte; ours raise ValueError.
pack_ext_type(1.0, ...) and (1, 'str'): 1.0.3 coerces; ours raise TypeError.
pack_ext_type(1, memoryview): 1.0.3 raises TypeError after writing the header; ours pack it.
pack_map_pairs failing half-way: 1.0.3 leaves the partial map in the buffer (the
    next output is corrupt); ours drop it and keep what was there before the call.
Packer.pack while getbuffer()'s view is alive: 1.0.3 may move the buffer under
    the view; ours raise BufferError.
Unpacker.read_bytes / read_*_header with an object partly unpacked: 1.0.3 reads
    past the partial object; ours raise ValueError.
Unpacker.read_bytes(-1): 1.0.3 raises SystemError; ours ValueError.
Re-entering an Unpacker from a hook or file_like.read, or a Packer from
    default(): 1.0.3 allows it; ours raise RuntimeError.
unpack(stream): 1.0.3 reads the whole stream; ours exactly one object.
"""


def run_packer_script(mod, script, autoreset):
    p = mod.Packer(autoreset=autoreset)
    trace = []
    for call in script:
        name, args = call[0], call[1:]
        try:
            r = getattr(p, name)(*args)
            if isinstance(r, memoryview):
                r = ('view', bytes(r))
                trace.append(('ok', r))
                continue  # a live view pins the buffer (and makes bytes() differ in type)
            trace.append(('ok', r))
        except Exception as e:  # noqa: BLE001
            trace.append(('raise', type(e).__name__))
        trace.append(p.bytes())
    return trace


def changed_in_1_2(script, autoreset):
    """pack_ext_type() with autoreset returns and resets since 1.2.0."""
    return autoreset and any(call[0] == 'pack_ext_type' for call in script)


def test_packer_methods_agree_with_the_reference():
    ref = reference()
    for script in PACKER_SCRIPTS:
        for autoreset in (True, False):
            if changed_in_1_2(script, autoreset):
                continue  # test_msgpack_peer121.py
            a = run_packer_script(ours, script, autoreset)
            b = run_packer_script(ref, script, autoreset)
            assert a == b, (script, autoreset, a, b)


def test_packer_deliberate_differences():
    ref = reference()
    p = ours.Packer(autoreset=False)
    p.pack(1)
    for args in ((-1,), (1.5,)):
        assert outcome(lambda: p.pack_array_header(*args))[0] == 'raise'
        assert outcome(lambda: p.pack_map_header(*args))[0] == 'raise'
    for args in ((128, b'x'), (1.0, b'x'), (1, 'str')):
        assert outcome(lambda: p.pack_ext_type(*args))[0] == 'raise'
    assert p.bytes() == b'\x01'
    assert p.pack_ext_type(1, memoryview(b'xy')) is None and p.bytes() == b'\x01\xd5\x01xy'
    for mod in (ours, ref):
        q = mod.Packer(autoreset=False)
        q.pack(1)
        r = outcome(lambda: q.pack_map_pairs([(1, 2), (3, object())]))
        assert r == ('raise', 'TypeError')
        assert q.bytes() == (b'\x01' if mod is ours else b'\x01\x82\x01\x02\x03')
    q = ours.Packer(autoreset=False)
    view = q.getbuffer()
    assert outcome(lambda: q.pack(1)) == ('raise', 'BufferError')
    view.release()


UNPACKER_CASES = [
    # (feed bytes or None, file bytes or None, calls)
    (b'\x01', None, ['unpack', 'unpack']),
    (b'\x01\x02', None, ['unpack', 'tell', 'unpack', 'tell', 'unpack']),
    (b'\x92\x01', None, ['unpack', 'tell']),
    (b'\x92\x01\x02\x03', None, ['skip', 'tell', 'unpack', 'skip']),
    (b'\xc1\x01', None, ['unpack', 'tell']),
    (b'\xc1', None, ['skip']),
    (b'\x92\x01\x02', None, ['read_array_header', 'unpack', 'tell']),
    (b'\xdc\x00\x05', None, ['read_array_header', 'tell']),
    (b'\x81\x01\x02', None, ['read_array_header', 'read_map_header', 'unpack', 'unpack']),
    (b'\x91\x01', None, ['read_map_header']),
    (b'\xdc\x00', None, ['read_array_header', 'tell']),
    (b'', None, ['read_array_header', 'read_map_header', 'skip', 'unpack', 'next']),
    (b'\x01\x02\x03', None, [('read_bytes', 2), ('read_bytes', 5), 'tell', ('read_bytes', 0)]),
    (b'\x01\x02\x92', None, ['list', 'tell']),
    (None, b'\x01\x02\x03', [('read_bytes', 2), 'unpack', 'tell', 'unpack']),
    (None, b'\x01\x02\x03', [('read_bytes', 5), 'tell']),
    (None, b'\x01\x92\x02', ['list', 'tell']),
    (None, b'\x92\x01', ['unpack']),
    (None, b'\x01', [('feed', b'\x01'), 'unpack']),
    (b'\x01', None, [('feed', b'\x02'), ('feed', bytearray(b'\x03')), ('feed', memoryview(b'\x04')),
                     'list', ('feed', 'str'), ('feed', 1)]),
]


def run_unpacker_case(mod, feed, file_bytes, calls):
    import io

    u = mod.Unpacker(io.BytesIO(file_bytes)) if file_bytes is not None else mod.Unpacker()
    trace = []
    if feed is not None:
        trace.append(outcome(lambda: u.feed(feed)))
    for call in calls:
        name, args = (call, ()) if isinstance(call, str) else (call[0], call[1:])
        if name == 'list':
            trace.append(outcome(lambda: [normalize(x) for x in u]))
        elif name == 'next':
            trace.append(outcome(lambda: next(u)))
        else:
            trace.append(outcome(lambda: getattr(u, name)(*args)))
    return trace


def test_unpacker_methods_agree_with_the_reference():
    ref = reference()
    for feed, file_bytes, calls in UNPACKER_CASES:
        a = run_unpacker_case(ours, feed, file_bytes, calls)
        b = run_unpacker_case(ref, feed, file_bytes, calls)
        assert a == b, (feed, file_bytes, calls, a, b)


def test_unpacker_construction_agrees_with_the_reference():
    ref = reference()
    import io

    cases = [
        ((object(),), {}), ((type('NotCallable', (), {'read': 1})(),), {}), ((None, 5), {}),
        ((), dict(read_size=10, max_buffer_size=5)), ((), dict(object_hook=len, object_pairs_hook=len)),
        ((), dict(object_hook=1)), ((), dict(list_hook=1)), ((), dict(ext_hook=1)),
        ((), dict(timestamp=5)), ((io.BytesIO(),), dict(read_size=3)),
    ]
    for args, kwargs in cases:
        a = outcome(lambda: type(ours.Unpacker(*args, **kwargs)).__name__)
        b = outcome(lambda: type(ref.Unpacker(*args, **kwargs)).__name__)
        assert a == b, (args, kwargs, a, b)
    full = outcome(lambda: ours.Unpacker(max_buffer_size=3).feed(b'1234'))
    assert full == outcome(lambda: ref.Unpacker(max_buffer_size=3).feed(b'1234')) == ('raise', 'BufferFull')


def test_module_functions_agree_with_the_reference():
    ref = reference()
    import io

    calls = [
        lambda m: m.packb([1]), lambda m: m.packb(1, None), lambda m: m.dumps({'a': 1}),
        lambda m: m.pack([1], io.BytesIO()), lambda m: m.dump([1], io.BytesIO()),
        lambda m: (lambda s: (m.pack([1.0], s, use_single_float=True), s.getvalue()))(io.BytesIO()),
        lambda m: m.unpackb(b'\x01'), lambda m: m.loads(b'\x01'), lambda m: m.unpackb(b'\x01\x02'),
        lambda m: m.unpackb(b''), lambda m: m.unpackb(b'\x92\x01'), lambda m: m.unpackb(b'\xc1'),
        lambda m: m.unpackb('x'), lambda m: m.unpackb(b'\x01', None), lambda m: m.unpackb(b'\x80', object_hook=1),
        lambda m: m.unpack(io.BytesIO(b'\x01')), lambda m: m.load(io.BytesIO(b'\x91\x01')),
        lambda m: m.ExtType(128, b''), lambda m: m.ExtType(1, 'x'), lambda m: m.Timestamp(1, 10 ** 9),
    ]
    for i, call in enumerate(calls):
        a = outcome(lambda: normalize(call(ours)))
        b = outcome(lambda: normalize(call(ref)))
        assert a == b, (i, a, b)
