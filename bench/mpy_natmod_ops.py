# SPDX-License-Identifier: MIT
# Runs ON MicroPython, with the built-in `msgpack` or the native module
# (msgpack.mpy): bench/msgpack_natmod.py times the same operations with
# both on the same MicroPython version.
#
#   micropython mpy_natmod_ops.py OP N   run OP (small.pack, ..., mixed.unpack) N times, print nothing
#   micropython mpy_natmod_ops.py import print "RESULT import.heap <bytes>" (heap used by `import msgpack`)
#   micropython mpy_natmod_ops.py        print that and "RESULT <op> <us per call>" for every OP
import gc
import sys
import time

gc.collect()
_before = gc.mem_free()
import msgpack  # noqa: E402  (the heap it takes is measured)

gc.collect()
IMPORT_HEAP = _before - gc.mem_free()


def rec(i):
    return {'id': i, 'count': (i * 7919) % 1000, 'big': (i * 104729) % 1000000007,
            'delta': -((i * 31) % 9999), 'ratio': i / 7.0, 'temp': (i % 80) - 40.5,
            'name': 'name%d' % i, 'city': ('Zurich', 'Berkeley', 'Tokyo')[i % 3],
            'tag': 'x' * (5 + i % 25), 'ok': i % 2 == 0}


# The seed's dict, and 100 mixed records (bench/mpy_msgpack_vs_json.py's).
SMALL = {'list': [True, False, None, 1, 'abc'], 'str': 'blah', 'bytes': b'012345'}
MIXED = [rec(i) for i in range(100)]
DATA = {'small': (SMALL, msgpack.packb(SMALL)), 'mixed': (MIXED, msgpack.packb(MIXED))}


def op(name):
    obj, packed = DATA[name.split('.')[0]]
    if name.endswith('.pack'):
        return lambda: msgpack.packb(obj)
    return lambda: msgpack.unpackb(packed)


OPS = ('small.pack', 'small.unpack', 'mixed.pack', 'mixed.unpack')
COUNTS = {'small': 2000, 'mixed': 20}

if sys.argv[1:] == ['import']:
    print("RESULT import.heap {}".format(IMPORT_HEAP))
elif len(sys.argv) > 2:
    fn = op(sys.argv[1])
    for _ in range(int(sys.argv[2])):
        fn()
else:
    print("RESULT import.heap {}".format(IMPORT_HEAP))
    for name in OPS:
        fn = op(name)
        n = COUNTS[name.split('.')[0]]
        best = None
        for _ in range(3):
            gc.collect()
            t = time.ticks_us()
            for _ in range(n):
                fn()
            us = time.ticks_diff(time.ticks_us(), t) / n
            best = us if best is None or us < best else best
        print("RESULT {} {}".format(name, best))
