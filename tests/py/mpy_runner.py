# SPDX-License-Identifier: MIT
"""Run test modules under MicroPython: each module-level function named test_*
is called; a test passes if it returns, fails if it raises. Prints a line per
failure or skip (with its reason) and ends with "N passed, N failed".

    micropython mpy_runner.py [--data DIR] [--path DIR:DIR] test_module [test_module ...]
"""
import sys

import mpxtest


def run_module(name, totals):
    try:
        mod = __import__(name)
    except Exception as e:  # a module that cannot load fails as a whole
        print("FAIL {}: import: {}: {}".format(name, type(e).__name__, e))
        totals[1] += 1
        return
    for attr in sorted(dir(mod)):
        if not attr.startswith("test_"):
            continue
        fn = getattr(mod, attr)
        if not callable(fn):
            continue
        try:
            fn()
        except mpxtest.Skip as e:
            print("SKIP {}.{}: {}".format(name, attr, e))
            totals[2] += 1
        except Exception as e:
            print("FAIL {}.{}: {}: {}".format(name, attr, type(e).__name__, e))
            if hasattr(sys, "print_exception"):
                sys.print_exception(e)
            totals[1] += 1
        else:
            totals[0] += 1


def main(argv):
    args = list(argv)
    while len(args) >= 2 and args[0] in ("--data", "--path"):
        if args[0] == "--data":
            mpxtest.DATA_DIR = args[1]
        else:
            for p in reversed(args[1].split(":")):
                sys.path.insert(1, p)
        args = args[2:]
    totals = [0, 0, 0]
    for name in args:
        if name.endswith(".py"):
            name = name[:-3]
        name = name.split("/")[-1]
        run_module(name, totals)
    if totals[2]:
        print("{} skipped".format(totals[2]))
    print("{} passed, {} failed".format(totals[0], totals[1]))
    return totals


if __name__ == "__main__":
    result = main(sys.argv[1:])
    sys.exit(1 if result[1] else 0)
