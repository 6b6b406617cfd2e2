# SPDX-License-Identifier: MIT
"""The desktop twin of MicroPython's `ioctl` module (same API and constants).

``ioctl(stream, request, arg=0)`` runs an integer-argument stream request:

- an object with an ``ioctl(request, arg)`` method (a MicroPython-style
  ``io.IOBase`` subclass) answers it itself: a value, or ``-errno``;
- otherwise POLL uses ``select.poll`` on ``stream.fileno()``, TIMEOUT calls
  ``settimeout`` (milliseconds; negative: blocking), FLUSH, CLOSE and
  GET_FILENO call ``flush``, ``close`` and ``fileno``.

Requests whose MicroPython argument is a pointer (SEEK and the option
requests) are refused with ValueError, as on the board. Failures raise
OSError with an errno.
"""
import errno
import os
import select

__all__ = ["ioctl", "FLUSH", "POLL", "CLOSE", "TIMEOUT", "GET_FILENO", "GET_BUFFER_SIZE",
           "POLLIN", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL"]

# Request numbers and poll flags of MicroPython's stream protocol (py/stream.h);
# the flags are Linux's poll flags.
FLUSH = 1
POLL = 3
CLOSE = 4
TIMEOUT = 5
GET_FILENO = 10
GET_BUFFER_SIZE = 11
POLLIN = 0x0001
POLLOUT = 0x0004
POLLERR = 0x0008
POLLHUP = 0x0010
POLLNVAL = 0x0020

_INTEGER_REQUESTS = (FLUSH, POLL, CLOSE, TIMEOUT, GET_FILENO, GET_BUFFER_SIZE)


def _oserror(code):
    return OSError(code, os.strerror(code))


def ioctl(stream, request, arg=0):
    """Run an integer-argument ioctl on stream; return its int result."""
    request = int(request)
    arg = int(arg)
    if request not in _INTEGER_REQUESTS:
        raise ValueError("ioctl request %d is refused: it takes a pointer or is unknown" % request)
    method = getattr(stream, "ioctl", None)
    if method is not None:
        ret = int(method(request, arg))
        if ret < 0:
            raise _oserror(-ret)
        return ret
    if not any(hasattr(stream, a) for a in ("read", "write", "fileno", "recv", "send")):
        raise TypeError("'%s' object is not a stream" % type(stream).__name__)
    if request == POLL:
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            raise _oserror(errno.EOPNOTSUPP) from None
        p = select.poll()
        p.register(fd, arg & (POLLIN | POLLOUT))
        ready = 0
        for _, events in p.poll(0):
            ready |= events
        return ready & (arg | POLLERR | POLLHUP | POLLNVAL)
    if request == TIMEOUT and hasattr(stream, "settimeout"):
        stream.settimeout(None if arg < 0 else arg / 1000)
        return 0
    if request == FLUSH and hasattr(stream, "flush"):
        stream.flush()
        return 0
    if request == CLOSE and hasattr(stream, "close"):
        stream.close()
        return 0
    if request == GET_FILENO and hasattr(stream, "fileno"):
        return stream.fileno()
    raise _oserror(errno.EINVAL)
