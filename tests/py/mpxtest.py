# SPDX-License-Identifier: MIT
"""Helpers for tests that run unchanged under CPython (pytest) and MicroPython
(mpy_runner.py): no pytest import at module level, nothing MicroPython lacks.
"""
import sys

IS_MICROPYTHON = sys.implementation.name == "micropython"

# Set by mpy_runner.py on MicroPython; found from this file's place on CPython.
DATA_DIR = None


class Skip(Exception):
    """Raised on MicroPython to skip a test; the runner prints the reason."""


def skip(reason):
    """Skip the calling test, with a reason that is printed."""
    if IS_MICROPYTHON:
        raise Skip(reason)
    import pytest

    pytest.skip(reason)


def data_path(name):
    """Path of a file under tests/data."""
    base = DATA_DIR
    if base is None:
        import os

        base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    return base + "/" + name


def raises(exc_type, fn, *args, **kwargs):
    """Call fn(*args, **kwargs); assert that it raises exc_type; return the exception."""
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        return e
    except Exception as e:  # noqa: BLE001 - report the wrong type clearly
        raise AssertionError("expected {}, got {}: {}".format(_names(exc_type), type(e).__name__, e))
    raise AssertionError("expected {}, nothing was raised".format(_names(exc_type)))


def _names(exc_type):
    if isinstance(exc_type, tuple):
        return " or ".join(t.__name__ for t in exc_type)
    return exc_type.__name__


def has_bigint():
    """True if the runtime has arbitrary-precision ints."""
    try:
        return (1 << 70) >> 69 == 2
    except OverflowError:
        return False


def float_is_double():
    """True if floats are 64-bit (not a single-precision port)."""
    return 1.0 + 2.0 ** -30 != 1.0


def in_time_zone(name, fn):
    """Call fn() with the local time zone set to `name` (CPython: TZ and
    time.tzset()), and put the old zone back."""
    import os
    import time

    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        return fn()
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()
