# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""urpc's link: frames over a byte stream, and the runtime underneath.

The runtime glue is here and only here: the mpx C modules (msgpack, the
_urpc framer and deframer, finaliserproxy) come from the mpx package on
CPython and are built in on MicroPython (MICROPYTHON says which), and the
clock and select.poll are MicroPython's or stand-ins for them. The other
files of the package take these names from this one.
"""
try:  # CPython: the mpx package
    from mpx import msgpack, _urpc  # noqa: F401 - msgpack for proxy.py and server.py
    from mpx.finaliserproxy import FinaliserProxy, Queue  # noqa: F401 - for proxy.py
    MICROPYTHON = False
except ImportError:  # MicroPython: built-in modules
    import msgpack  # noqa: F401
    import _urpc
    from finaliserproxy import FinaliserProxy, Queue  # noqa: F401
    MICROPYTHON = True

import errno

try:  # the built-in select, even where a urpc shim named select is on the path
    import uselect as select
except ImportError:
    import select

try:
    from time import sleep_ms, ticks_diff, ticks_ms
except ImportError:
    import time as _time

    def ticks_ms():
        return int(_time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b

    def sleep_ms(ms):
        _time.sleep(ms / 1000)

REQUEST = _urpc.REQUEST
REPLY = _urpc.REPLY
ERROR = _urpc.ERROR


def _blocking(stream):
    """True for a CPython socket or file that blocks on read."""
    if MICROPYTHON:
        return False
    if hasattr(stream, "gettimeout"):
        return stream.gettimeout() is None
    if hasattr(stream, "fileno"):
        import os

        try:
            return os.get_blocking(stream.fileno())
        except (OSError, ValueError):
            return False
    return False


def _io_functions(stream, blocking):
    """read(n) and write(b) for a stream: read returns None and write 0 when
    the stream would block (a non-blocking socket, file or UART)."""
    if hasattr(stream, "recv") and hasattr(stream, "send"):
        read, write = stream.recv, stream.send
    elif not MICROPYTHON and hasattr(stream, "fileno"):
        import os  # unbuffered: what select.poll says is what os.read gets

        fd = stream.fileno()

        def read(n):
            return os.read(fd, n)

        def write(b):
            return os.write(fd, b)
    else:
        read, write = stream.read, stream.write
    if blocking:
        return read, write

    def read_nb(n):
        try:
            return read(n)
        except OSError as e:
            if e.args and e.args[0] == errno.EAGAIN:
                return None
            raise

    def write_nb(b):
        try:
            return write(b)
        except OSError as e:
            if e.args and e.args[0] == errno.EAGAIN:
                return 0
            raise

    return read_nb, write_nb


class _Link:
    """A stream with a deframer: sends frames, returns the frames that arrive.

    On CPython a stream with a file descriptor is read by the deframer
    itself (Deframer.read_from: no copies, no Python per read). A client
    makes its descriptor non-blocking, so the bytes of a frame that is
    arriving are read as they come, without a poll before each read; a
    server reads a blocking descriptor without polling at all (serve())."""

    def __init__(self, stream, max_body, client=False):
        self.stream = stream
        self.deframer = _urpc.Deframer(max_body)
        self._wait = getattr(stream, "urpc_wait", None)
        self._fd = None
        if not MICROPYTHON and self._wait is None and hasattr(stream, "fileno"):
            self._fd = stream.fileno()
            if client:
                if hasattr(stream, "setblocking"):
                    stream.setblocking(False)
                else:
                    import os

                    os.set_blocking(self._fd, False)
        self.blocking = _blocking(stream)
        self._read, self._write = _io_functions(stream, self.blocking)
        if self._wait is None:
            self._poller = select.poll()
            self._poller.register(stream, select.POLLIN)
            self._out = select.poll()
            self._out.register(stream, select.POLLOUT)
        self.bytes_out = 0
        self.bytes_in = 0

    def send(self, data, stall_ms=5000):
        """Write all of data. A stream that takes nothing for stall_ms (a
        peer holding RTS, a full socket) raises OSError(ETIMEDOUT)."""
        size = len(data)
        self.bytes_out += size
        done = self._write(data) or 0
        if done == size:
            return
        view = memoryview(data)
        since = ticks_ms()
        while done < size:
            n = self._write(view[done:])
            if n:
                done += n
                since = ticks_ms()
                continue
            # None or 0: the stream would block; wait until it takes bytes
            left = stall_ms - ticks_diff(ticks_ms(), since)
            if left <= 0:
                self.bytes_out -= size - done
                raise OSError(errno.ETIMEDOUT, "urpc: the stream takes no bytes")
            if self._wait is None:
                self._out.poll(min(left, 100))
            else:
                sleep_ms(1)

    def readable(self, timeout_ms):
        """Bytes can be read within timeout_ms (None: no limit)."""
        if timeout_ms is None:
            if self.blocking:
                return True       # the read itself waits
            timeout_ms = -1
        elif timeout_ms < 0:
            timeout_ms = 0
        if self._wait is not None:
            return self._wait(timeout_ms)
        return bool(self._poller.poll(timeout_ms))

    def frames(self, timeout_ms):
        """The frames that complete within timeout_ms (None: no limit)."""
        d = self.deframer
        if self._fd is not None:
            frames, n = d.read_from(self._fd, -1 if timeout_ms is None else max(0, timeout_ms),
                                    not self.blocking)
            self.bytes_in += n
            return frames
        if not self.readable(timeout_ms):
            return ()
        data = self._read(max(4096, d.need))
        if data is None:
            return ()
        if not data:
            raise OSError(errno.ECONNRESET, "urpc: the stream has ended")
        self.bytes_in += len(data)
        return d.feed(data)


# errnos that say a stream is gone for good (MicroPython's errno has no EPIPE)
_ENDED = (errno.ECONNRESET, getattr(errno, "EPIPE", 32), errno.EIO, errno.EBADF)


def _ended(e):
    return bool(e.args) and e.args[0] in _ENDED
