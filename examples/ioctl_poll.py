# SPDX-License-Identifier: MIT
# A stream written in Python takes part in polling through its ioctl()
# method, and ioctl.ioctl() asks any stream the same question. This is how
# an RPC proxy of a remote socket answers poll() on the client. Runs on the
# desktop (mpx.ioctl) and on a MicroPython board (the built-in ioctl module).
import io

try:
    from mpx import ioctl  # desktop: the mpx package
except ImportError:
    import ioctl  # MicroPython: the built-in module


class Pipe(io.IOBase):
    """An in-memory byte pipe that reports what poll() would see."""

    def __init__(self):
        self.data = b""

    def write(self, buf):
        self.data += bytes(buf)
        return len(buf)

    def readinto(self, buf):
        n = min(len(buf), len(self.data))
        buf[:n] = self.data[:n]
        self.data = self.data[n:]
        return n

    def ioctl(self, request, arg):
        if request == ioctl.POLL:
            return (ioctl.POLLOUT | (ioctl.POLLIN if self.data else 0)) & arg
        return -22  # EINVAL


def ready(stream):
    flags = ioctl.ioctl(stream, ioctl.POLL, ioctl.POLLIN | ioctl.POLLOUT)
    return " ".join(name for name, bit in (("POLLIN", ioctl.POLLIN), ("POLLOUT", ioctl.POLLOUT))
                    if flags & bit) or "-"


p = Pipe()
print("empty pipe:      ", ready(p))
p.write(b"hello")
print("after a write:   ", ready(p))
try:
    ioctl.ioctl(p, 2, 0)  # MP_STREAM_SEEK takes a pointer
except ValueError as e:
    print("pointer request: ", "refused:", e)
