# SPDX-License-Identifier: MIT
"""ioctl: integer requests reach the stream (sockets, files, io.IOBase
subclasses), pointer requests are refused, errors carry the stream's errno.

Runs under CPython (mpx.ioctl) and MicroPython (the C module).
"""
import io
import sys

from mpxtest import IS_MICROPYTHON, raises, skip

try:
    from mpx import ioctl as ioctl_mod
except ImportError:
    import ioctl as ioctl_mod

ioctl = ioctl_mod.ioctl
POLL, POLLIN, POLLOUT = ioctl_mod.POLL, ioctl_mod.POLLIN, ioctl_mod.POLLOUT
EINVAL, EAGAIN = 22, 11


def test_constants():
    m = ioctl_mod
    assert (m.FLUSH, m.POLL, m.CLOSE, m.TIMEOUT, m.GET_FILENO) == (1, 3, 4, 5, 10)
    assert (m.POLLIN, m.POLLOUT, m.POLLERR, m.POLLHUP, m.POLLNVAL) == (1, 4, 8, 16, 32)


class Dev(io.IOBase):
    """A Python stream (as a urpc proxy would be): it answers ioctl itself."""

    def __init__(self):
        self.pending = b''
        self.calls = []
        self.timeout = None

    def readinto(self, buf):
        n = min(len(buf), len(self.pending))
        buf[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    def write(self, data):
        return len(data)

    def ioctl(self, req, arg):
        self.calls.append((req, arg))
        if req == POLL:
            ready = POLLOUT
            if self.pending:
                ready |= POLLIN
            return ready & arg
        if req == ioctl_mod.TIMEOUT:
            self.timeout = arg
            return 0
        return -EINVAL


def test_an_iobase_subclass_answers():
    d = Dev()
    assert ioctl(d, POLL, POLLIN | POLLOUT) == POLLOUT
    d.pending = b'xy'
    assert ioctl(d, POLL, POLLIN | POLLOUT) == POLLIN | POLLOUT
    assert ioctl(d, POLL, POLLIN) == POLLIN
    assert ioctl(d, ioctl_mod.TIMEOUT, 250) == 0 and d.timeout == 250
    assert d.calls[0] == (POLL, POLLIN | POLLOUT)
    e = raises(OSError, ioctl, d, ioctl_mod.FLUSH, 0)   # it answers -EINVAL
    assert e.errno == EINVAL


def test_pointer_requests_are_refused():
    d = Dev()
    for req in (2, 6, 7, 8, 9, 12, 99, -1):   # SEEK, the option requests, RAISE_ERROR, unknown
        raises(ValueError, ioctl, d, req, 0)
    assert d.calls == []   # the stream never saw them


def test_streams_without_ioctl():
    class NoIoctl(io.IOBase):
        def readinto(self, buf):
            return 0

    e = raises(OSError, ioctl, NoIoctl(), POLL, POLLIN)
    assert e.errno == 95   # EOPNOTSUPP
    raises(TypeError, ioctl, object(), POLL, POLLIN)
    raises(TypeError, ioctl, 42, POLL, POLLIN)


def listening_socket(socket):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    port = 0
    if IS_MICROPYTHON:  # no getsockname(): try ports until one is free
        import random
        for _ in range(50):
            port = 20000 + random.getrandbits(14)
            try:
                s.bind(socket.getaddrinfo('127.0.0.1', port)[0][-1])
                break
            except OSError:
                continue
    else:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    s.listen(1)
    return s, port


def test_poll_on_sockets():
    try:
        import socket
    except ImportError:
        skip("no socket module on this port")
    server, port = listening_socket(socket)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect(socket.getaddrinfo('127.0.0.1', port)[0][-1])
    conn = server.accept()[0]
    try:
        assert ioctl(conn, POLL, POLLOUT) == POLLOUT          # writable
        assert ioctl(conn, POLL, POLLIN) == 0                 # nothing to read yet
        client.send(b'ping')
        for _ in range(100):                                  # loopback: soon
            if ioctl(conn, POLL, POLLIN):
                break
        assert ioctl(conn, POLL, POLLIN | POLLOUT) == POLLIN | POLLOUT
        assert conn.recv(4) == b'ping'
        assert ioctl(conn, POLL, POLLIN) == 0
        assert ioctl(server, POLL, POLLIN) == 0               # no pending connection
        assert ioctl(conn, ioctl_mod.GET_FILENO) == conn.fileno()
    finally:
        conn.close()
        client.close()
        server.close()


def test_files():
    f = open(__file__, 'rb')
    if IS_MICROPYTHON:
        # MicroPython's files do not answer POLL (the unix port's select uses
        # file descriptors directly; ROM files answer only SEEK and CLOSE):
        # the stream's own error comes back, as OSError with its errno.
        e = raises(OSError, ioctl, f, POLL, POLLIN)
        assert e.errno == EINVAL
    else:
        assert ioctl(f, POLL, POLLIN) == POLLIN               # a file is always readable
    if sys.platform == 'linux':
        assert ioctl(f, ioctl_mod.GET_FILENO) == f.fileno()
    assert ioctl(f, ioctl_mod.CLOSE) == 0
    if sys.platform == 'linux':
        raises((OSError, ValueError), f.read, 1)              # closed through ioctl
