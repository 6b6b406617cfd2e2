# SPDX-License-Identifier: MIT
# Runs ON MicroPython (unix port or a board): msgpack against the built-in
# json on the same data, and the heap a streaming pack allocates.
# Prints "RESULT key value" lines for bench/msgpack_micropython.py.
import gc
import io
import json
import time

import msgpack


def rec(i):
    return {'id': i, 'count': (i * 7919) % 1000, 'big': (i * 104729) % 1000000007,
            'delta': -((i * 31) % 9999), 'ratio': i / 7.0, 'temp': (i % 80) - 40.5,
            'name': 'name%d' % i, 'city': ('Zurich', 'Berkeley', 'Tokyo')[i % 3],
            'tag': 'x' * (5 + i % 25), 'ok': i % 2 == 0}


# json has no bytes type: the seed's dict with the bytes as a string.
SMALL = {'list': [True, False, None, 1, 'abc'], 'str': 'blah', 'bytes': '012345'}
MIXED = [rec(i) for i in range(100)]


def per_call(fn, n):
    gc.collect()
    t = time.ticks_us()
    for _ in range(n):
        fn()
    return time.ticks_diff(time.ticks_us(), t) / n


for name, obj, n in (("small", SMALL, 2000), ("mixed", MIXED, 40)):
    p = msgpack.packb(obj)
    j = json.dumps(obj)
    assert msgpack.unpackb(p) == json.loads(j)
    print("RESULT {}.size.msgpack {}".format(name, len(p)))
    print("RESULT {}.size.json {}".format(name, len(j)))
    print("RESULT {}.pack.msgpack {}".format(name, per_call(lambda: msgpack.packb(obj), n)))
    print("RESULT {}.pack.json {}".format(name, per_call(lambda: json.dumps(obj), n)))
    print("RESULT {}.unpack.msgpack {}".format(name, per_call(lambda: msgpack.unpackb(p), n)))
    print("RESULT {}.unpack.json {}".format(name, per_call(lambda: json.loads(j), n)))


def heap_used_by(fn):
    # A stream that never grows: a BytesIO over enough zeros, rewound.
    buf = io.BytesIO(bytes(8192))
    fn(buf)  # warm up (first-use allocations, if any)
    buf.seek(0)
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    fn(buf)
    after = gc.mem_alloc()
    gc.enable()
    return after - before


INTS = list(range(1000))
TEN = INTS[:10]
print("RESULT alloc.pack1000 {}".format(heap_used_by(lambda s: msgpack.pack(INTS, s))))
print("RESULT alloc.pack10 {}".format(heap_used_by(lambda s: msgpack.pack(TEN, s))))
print("RESULT alloc.json1000 {}".format(heap_used_by(lambda s: json.dump(INTS, s))))
