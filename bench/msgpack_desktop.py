#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""mpx.msgpack against msgpack-python (Debian's python3-msgpack 1.0.3, the C
extension), measured in the same run, on three payloads:

  small   the seed's dict (38 bytes), one packb/unpackb call at a time
  mixed   10,000 dicts of ints, floats, strings and a bool (about 1.2 MB)
  blob    a list holding 10 MiB of random bytes

Two figures per operation, each as a ratio "peer / ours" (above 1: we are
faster): wall time (best of several repeats, alternating the two
implementations) and instructions counted by valgrind's callgrind (the
difference between runs doing k1 and k2 operations, so start-up and payload
construction cancel out; PYTHONHASHSEED=0 for repeatable counts).

    bench/msgpack_desktop.py [--no-callgrind] [--repeat N]

Targets (issue #21), on the mixed payload and judged on the instruction
counts: packb at least 2.0x and unpackb at least 1.6x fewer instructions
than the peer. (mpx.msgpack follows msgpack-python 1.2.1; Debian has 1.0.3,
whose C packing and unpacking code 1.2.1 keeps apart from clean-ups, and
there is no PyPI here to build 1.2.1's C extension.)
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "cpython"))

# (payload, op) -> least instruction ratio (peer / ours); wall time is shown beside.
TARGETS = {("mixed", "pack"): 2.0, ("mixed", "unpack"): 1.6}
PAYLOADS = ("small", "mixed", "blob")
# (calls per timing, k1, k2 operations for callgrind)
SIZES = {"small": (20000, 1000, 3000), "mixed": (5, 1, 3), "blob": (10, 1, 3)}


def payload(name):
    rng = random.Random(20261121)
    if name == "small":
        return {'list': [True, False, None, 1, 'abc'], 'str': 'blah', 'bytes': b'012345'}
    if name == "mixed":
        cities = ['Zurich', 'Berkeley', 'Tokyo', 'Nairobi']
        return [{'id': i, 'count': rng.randrange(1000), 'big': rng.randrange(2 ** 40),
                 'delta': -rng.randrange(2 ** 20), 'ratio': rng.random(), 'temp': rng.uniform(-40, 40),
                 'name': 'name%d' % i, 'city': rng.choice(cities), 'tag': 'x' * rng.randrange(5, 30),
                 'ok': rng.random() < 0.5} for i in range(10000)]
    return [rng.randbytes(10 * 1024 * 1024)]


def module(which):
    if which == "ours":
        from mpx import msgpack
        return msgpack
    import msgpack
    return msgpack


def worker(which, name, op, k):
    """Run k operations (under callgrind)."""
    m = module(which)
    obj = payload(name)
    data = m.packb(obj)
    if op == "pack":
        fn = m.packb
        arg = obj
    else:
        fn = m.unpackb
        arg = data
    for _ in range(k):
        fn(arg)


def callgrind_ir(which, name, op, k):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        env = dict(os.environ, PYTHONHASHSEED="0")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                        sys.executable, __file__, "--worker", which, name, op, str(k)],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as f:
            for line in f:
                m = re.match(r"(summary|totals):\s+(\d+)", line)
                if m:
                    return int(m.group(2))
    raise RuntimeError("no instruction total in callgrind output")


def per_op_ir(which, name, op):
    _, k1, k2 = SIZES[name]
    return (callgrind_ir(which, name, op, k2) - callgrind_ir(which, name, op, k1)) / (k2 - k1)


def wall(name, repeat):
    """Seconds per operation for each (impl, op), best of `repeat`."""
    number = SIZES[name][0]
    obj = payload(name)
    mods = {w: module(w) for w in ("ours", "peer")}
    data = {w: m.packb(obj) for w, m in mods.items()}
    assert data["ours"] == data["peer"], "the two implementations disagree on " + name
    best = {}
    for _ in range(repeat):
        for w, m in mods.items():  # alternate, so that drift hits both
            for op, fn, arg in (("pack", m.packb, obj), ("unpack", m.unpackb, data[w])):
                t = timeit.timeit(lambda: fn(arg), number=number) / number
                best[w, op] = min(best.get((w, op), t), t)
    return best, len(data["ours"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-callgrind", action="store_true", help="wall time only")
    ap.add_argument("--repeat", type=int, default=7, help="timing repeats (best is kept)")
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.worker[2], int(args.worker[3]))
        return 0
    peer = module("peer")
    print("mpx.msgpack vs msgpack-python {} ({}), /usr/bin/python3 {}".format(
        ".".join(map(str, peer.version)), os.path.basename(peer._cmsgpack.__file__) if hasattr(peer, "_cmsgpack") else "?",
        sys.version.split()[0]))
    head = "{:<7} {:<7} {:>9} {:>12} {:>12} {:>7} {:>14} {:>14} {:>7} {:>6}  {}".format(
        "payload", "op", "bytes", "ours", "peer", "ratio", "ours Ir", "peer Ir", "ratio", "target", "")
    print(head)
    print("-" * len(head))
    misses = 0
    for name in PAYLOADS:
        best, size = wall(name, args.repeat)
        for op in ("pack", "unpack"):
            t_ours, t_peer = best["ours", op], best["peer", op]
            r_wall = t_peer / t_ours
            if args.no_callgrind:
                ir_ours = ir_peer = r_ir = float("nan")
            else:
                ir_ours, ir_peer = per_op_ir("ours", name, op), per_op_ir("peer", name, op)
                r_ir = ir_peer / ir_ours
            target = TARGETS.get((name, op))
            verdict = ""
            if target is not None and not args.no_callgrind:
                verdict = "ok" if r_ir >= target else "MISS"
                misses += verdict == "MISS"
            print("{:<7} {:<7} {:>9} {:>9.2f} us {:>9.2f} us {:>6.2f}x {:>14,.0f} {:>14,.0f} {:>6.2f}x {:>6}  {}".format(
                name, op, size, t_ours * 1e6, t_peer * 1e6, r_wall, ir_ours, ir_peer, r_ir,
                "{:.1f}x".format(target) if target else "-", verdict))
    print("\nratio = peer / ours (above 1: mpx is faster); Ir = instructions per operation (callgrind);")
    print("target = least Ir ratio (issue #21); wall times vary by up to 40% on shared machines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
