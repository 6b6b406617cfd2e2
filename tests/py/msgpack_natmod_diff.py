# SPDX-License-Identifier: MIT
# Runs ON MicroPython: prints what `msgpack` does with a fixed set of
# payloads and options, one line per case. tools/natmod_test.py runs it with
# the firmware's built-in module and with the native module (.mpy) on a
# build of the same MicroPython, and compares the two outputs line by line:
# the bytes packed, the objects unpacked, the errors raised and the names
# the module and its types have must all be the same.
import gc
import io
import sys

import msgpack

def hx(b):
    """The bytes in hex, or for long ones their length and a checksum."""
    if len(b) <= 256:
        return "".join("%02x" % c for c in b)
    a, h = 1, 0
    for c in b:  # Adler-32 style sums
        a = (a + c) % 65521
        h = (h + a) % 65521
    return "len={} sum={:08x}".format(len(b), (h << 16) | a)


def out(*parts):
    print(" ".join(str(p) for p in parts))


# --- deterministic payloads ---------------------------------------------------

class Rng:
    def __init__(self, seed):
        self.s = seed

    def next(self):
        self.s = (self.s * 1103515245 + 12345) & 0x7FFFFFFF
        return self.s

    def below(self, n):
        return self.next() % n


def edge_ints():
    out_ = [0, 1, 31, 127, 128, 255, 256, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, 2**32,
            2**62, 2**63 - 1, 2**63, 2**64 - 1]
    return out_ + [-v for v in out_ if v <= 2**63] + [-32, -33, -128, -129, -32768, -32769]


def text(rng, n):
    chars = "abcxyz \u00e9\u20ac\U0001f600"
    return "".join(chars[rng.below(len(chars))] for _ in range(n))


def value(rng, depth):
    k = rng.below(14 if depth < 3 else 9)
    if k == 0:
        return None
    if k == 1:
        return rng.below(2) == 0
    if k == 2:
        ints = edge_ints()
        return ints[rng.below(len(ints))]
    if k == 3:
        return (rng.below(2000001) - 1000000) / 7.0
    if k == 4:
        return text(rng, (0, 1, 5, 31, 32, 255, 256)[rng.below(7)])
    if k == 5:
        return bytes(rng.below(256) for _ in range((0, 3, 255, 256)[rng.below(4)]))
    if k == 6:
        return msgpack.ExtType(rng.below(128), bytes(rng.below(256) for _ in range((1, 2, 4, 8, 16, 3, 300)[rng.below(7)])))
    if k == 7:
        return msgpack.Timestamp((0, 1, 2**32 - 1, 2**32, 2**34, -1, -2**40)[rng.below(7)],
                                 (0, 1, 999999999)[rng.below(3)])
    if k == 8:
        return -rng.below(1 << 20)
    # 15 and 16 cross the fixarray/fixmap limit; only near the top, to keep
    # the payloads small (a board's heap holds them all).
    n = (0, 1, 2, 15, 16)[rng.below(5)] if depth < 2 else rng.below(4)
    if k in (9, 10):
        return [value(rng, depth + 1) for _ in range(n)]
    if k == 11:
        return tuple(value(rng, depth + 1) for _ in range(n))
    d = {}
    for i in range(n):
        d[text(rng, 1 + rng.below(8)) + str(i)] = value(rng, depth + 1)
    return d


N_PAYLOADS = 163


def payload(i):
    """Payload i, made again at each use: a board's heap need not hold them all."""
    if i < 160:
        return value(Rng(i + 1), 0)
    return ({'list': [True, False, None, 1, 'abc'], 'str': 'blah', 'bytes': b'012345'},
            [1.5, -0.0, 1e300, float('inf')], ['x' * 65536, b'y' * 65536])[i - 160]


# --- packing ------------------------------------------------------------------

class Unknown:
    pass


def default(o):
    if isinstance(o, Unknown):
        return msgpack.ExtType(42, b'unknown')
    raise TypeError("no")


PACK_OPTIONS = [
    {},
    {'use_bin_type': False},
    {'use_single_float': True},
    {'strict_types': True},
    {'default': default},
]


def attempt(fn, *args, **kw):
    try:
        return "ok", fn(*args, **kw)
    except Exception as e:  # noqa: BLE001 - the type and text are compared
        return "error", "{}: {}".format(type(e).__name__, e)


def show(tag, r):
    if r[0] == "ok" and isinstance(r[1], (bytes, bytearray)):
        out(tag, "ok", hx(r[1]))
    else:
        try:
            text = repr(r[1])
        except RuntimeError as e:  # nesting deeper than this port's repr goes
            text = "<{} {}: {}>".format(type(r[1]).__name__, type(e).__name__, e)
        out(tag, r[0], text if len(text) <= 256 else hx(text.encode()))


for i in range(N_PAYLOADS):
    obj = payload(i)
    gc.collect()
    for j, opts in enumerate(PACK_OPTIONS):
        show("packb {} {}".format(i, j), attempt(msgpack.packb, obj, **opts))
    s = io.BytesIO()
    r = attempt(msgpack.pack, obj, s)
    show("pack {}".format(i), ("ok", s.getvalue()) if r[0] == "ok" else r)

show("default", attempt(msgpack.packb, [Unknown(), {1: Unknown()}], default=default))
show("nodefault", attempt(msgpack.packb, Unknown()))
show("bigint", attempt(msgpack.packb, 2**64))
show("negbigint", attempt(msgpack.packb, -2**63 - 1))

p = msgpack.Packer(autoreset=False)
for i in range(20):
    p.pack(payload(i))
show("packer", ("ok", p.bytes()))
show("packer.getbuffer", ("ok", bytes(p.getbuffer())))
p.reset()
show("packer.array_header", attempt(p.pack_array_header, 70000))
show("packer.map_header", attempt(p.pack_map_header, 3))
show("packer.map_pairs", attempt(p.pack_map_pairs, [(1, 2), ('a', b'b')]))
show("packer.ext", attempt(p.pack_ext_type, 3, b'xyz'))
show("packer.bytes", ("ok", p.bytes()))
show("packer.bad_header", attempt(p.pack_array_header, -1))
show("packer.bad_header2", attempt(p.pack_array_header, 2**64 + 5))
show("packer.bad_ext", attempt(p.pack_ext_type, 2**64 + 5, b''))
show("packer.bad_ext2", attempt(p.pack_ext_type, 200, b''))
q = msgpack.Packer()
show("packer.autoreset", attempt(q.pack, [1, 2, 3]))
show("packer.autoreset2", attempt(q.pack_map_pairs, [(1, 2)]))


# --- unpacking ----------------------------------------------------------------

UNPACK_OPTIONS = [
    {},
    {'raw': True},
    {'use_list': False},
    {'strict_map_key': False},
    {'timestamp': 1},
    {'timestamp': 2},
    {'object_hook': lambda d: ('hook', sorted(d.items(), key=repr))},
    {'object_pairs_hook': lambda p: ('pairs', p), 'strict_map_key': False},
    {'list_hook': lambda l: ('list', l)},
    {'ext_hook': lambda c, d: ('ext', c, d)},
    {'max_str_len': 30, 'max_bin_len': 30, 'max_array_len': 3, 'max_map_len': 3, 'max_ext_len': 3},
]

for i in range(N_PAYLOADS):
    obj = None
    gc.collect()
    r = attempt(msgpack.packb, payload(i))
    if r[0] != "ok":
        continue
    packed = r[1]
    for j, opts in enumerate(UNPACK_OPTIONS):
        show("unpackb {} {}".format(i, j), attempt(msgpack.unpackb, packed, **opts))
    if len(packed) > 8192:
        # Streams read in chunks: the big payload's stream buffers would
        # test the heap (its fragmentation differs between the two builds).
        continue
    u = msgpack.Unpacker(max_buffer_size=1 << 20)
    got = []
    for k in range(0, len(packed), 7):
        u.feed(packed[k:k + 7])
        got.extend(u)
    show("unpacker {}".format(i), ("ok", got))
    show("unpack {}".format(i), attempt(msgpack.unpack, io.BytesIO(packed + b'\xc0')))

BAD = [b'', b'\xc1', b'\x91', b'\x92\x01', b'\xd9\x05ab', b'\xc7\x05\xff\x00', b'\xd6\xff\x00',
       b'\xa2\xff\xfe', b'\x81\x01\x02', b'\x81\x90\x01', b'\x01\x02', b'\xdd\xff\xff\xff\xff',
       b'\xd4\x80\x00', b'\x91' * 1025, b'\x91' * 1023 + b'\x90']
for i, b in enumerate(BAD):
    show("bad {}".format(i), attempt(msgpack.unpackb, b))
    u = msgpack.Unpacker()
    u.feed(b)
    show("badu {}".format(i), attempt(lambda: list(u)))
show("bad str", attempt(msgpack.unpackb, 'abc'))
show("bad hook", attempt(msgpack.unpackb, b'\x80', object_hook=1))
show("bad both", attempt(msgpack.unpackb, b'\x80', object_hook=dict, object_pairs_hook=list))
show("bad ts", attempt(msgpack.unpackb, b'\x80', timestamp=3))
show("bad kw", attempt(msgpack.unpackb, b'\x80', nonsense=1))
try:
    msgpack.unpackb(b'\x01\x02')
except msgpack.ExtraData as e:
    out("extradata", repr(e.unpacked), repr(e.extra), str(e))


# --- types and names ----------------------------------------------------------

def names(o):
    return " ".join(sorted(n for n in dir(o) if not n.startswith("__")))


out("module", names(msgpack))
for t in (msgpack.Packer, msgpack.Unpacker, msgpack.ExtType, msgpack.Timestamp):
    out("type", t.__name__, names(t))
for e in ("UnpackException", "BufferFull", "OutOfData", "FormatError", "StackError", "ExtraData"):
    t = getattr(msgpack, e)
    out("exception", e, issubclass(t, ValueError), issubclass(t, msgpack.UnpackException),
        issubclass(t, Exception))
out("version", msgpack.version)
t = msgpack.Timestamp(10, 5)
out("timestamp", repr(t), t.to_unix_nano(), hx(t.to_bytes()), repr(msgpack.Timestamp.from_unix_nano(-1)),
    repr(msgpack.Timestamp.from_bytes(b'\x00\x00\x00\x07')), t == msgpack.Timestamp(10, 5), hash(t) == hash((10, 5)))
e = msgpack.ExtType(3, b'ab')
out("exttype", repr(e), e.code, e.data, e[0], e[-1], len(e), list(e), e == (3, b'ab'), hash(e) == hash((3, b'ab')))
show("exttype bad", attempt(msgpack.ExtType, 128, b''))
show("exttype bad2", attempt(msgpack.ExtType, 1, 'str'))
show("exttype index", attempt(lambda: e[2]))
show("timestamp bad", attempt(msgpack.Timestamp, 1, 10**9))
out("done", sys.implementation.name)
