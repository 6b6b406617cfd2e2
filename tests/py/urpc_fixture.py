# SPDX-License-Identifier: MIT
"""Objects for urpc tests to reach through a server (imported by the server)."""
import builtins as host     # a module the client must never reach (exec, eval)
import gc as collector      # one it may (the tests allow gc)
import sys as system        # never reached either (sys.modules)

VERSION = 3


class FixtureError(Exception):
    """No built-in class of this name: arrives as urpc.RemoteError."""


class Counter:
    def __init__(self, value=0):
        self.value = value

    def incr(self, by=1):
        self.value += by
        return self.value

    def get(self):
        return self.value


class Reader:
    """A stream-like object: readinto() fills the buffer it is given."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def readinto(self, buf):
        n = min(len(buf), len(self.data) - self.pos)
        buf[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n

    def recv(self, n):
        data = self.data[self.pos:self.pos + n]
        self.pos += len(data)
        return data


class Sink:
    def __init__(self):
        self.got = b''

    def write(self, data):
        self.got += bytes(data)
        return len(data)

    def sendall(self, data):
        self.got += bytes(data)

    def count(self, byte):
        return self.got.count(byte)

    def size(self):
        return len(self.got)

    def crc32(self):
        import binascii

        return binascii.crc32(self.got)


def add(a, b):
    return a + b


def join(*parts, sep=' ', end=''):
    return sep.join(parts) + end


def same(obj):
    return obj


def value_of(counter):
    return counter.value


def blob(n):
    return bytes(i & 0xff for i in range(n))


def reader(n):
    """A Reader of blob(n), made on the server (the data never travels)."""
    return Reader(blob(n))


def echo(data):
    return data


def pair():
    c = Counter(42)
    return [c, {'again': c}]


def fail(kind, *args):
    if kind == 'FixtureError':
        raise FixtureError(*args)
    raise getattr(__import__('builtins'), kind)(*args)


def new_object():
    return Counter()


def sleep(seconds):
    import time

    time.sleep(seconds)
    return seconds


REPORTS = []


def report(*items):
    """Where a client that has no other channel (the qemu board, whose
    only UART carries the link) puts its results for the test to read."""
    REPORTS.append(items)
    return len(REPORTS)


def modules():
    return {"collector": collector, "host": host}


def loaded_modules():
    return system.modules


def functions():
    """Functions as objects (references), not as methods of this module."""
    return [add, same]


def countdown(n):
    """A generator: CPython's has a frame (gi_frame: f_globals, f_builtins)."""
    while n:
        yield n
        n -= 1
