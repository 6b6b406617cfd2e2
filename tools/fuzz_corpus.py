#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write a seed corpus for the msgpack fuzzers: every encoding of the
msgpack-test-suite vectors, one file each.

usage: fuzz_corpus.py OUTDIR [--prefix-byte]
  --prefix-byte   prepend the harness's control byte (fuzz_mpk_decode)
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    out = sys.argv[1]
    prefix = b"\x03" if "--prefix-byte" in sys.argv else b""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(ROOT, "tests", "data", "msgpack-test-suite", "msgpack-test-suite.json")) as f:
        suite = json.load(f)
    n = 0
    for cases in suite.values():
        for case in cases:
            for enc in case["msgpack"]:
                with open(os.path.join(out, "v%03d" % n), "wb") as f:
                    f.write(prefix + bytes.fromhex(enc.replace("-", "")))
                n += 1
    print("{} seeds in {}".format(n, out))


if __name__ == "__main__":
    main()
