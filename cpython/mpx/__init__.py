# SPDX-License-Identifier: MIT
"""mpx: C cores with Python bindings for people who build products on MicroPython boards.

Desktop side of the toolkit. Each submodule mirrors a MicroPython module of the
same name, so the same application code and tests run on the desktop and on the
board:

- ``mpx.msgpack``: MessagePack, compatible with msgpack-python 1.0.
- ``mpx.finaliserproxy``: ``FinaliserProxy`` and ``Queue``.
- ``mpx.ioctl``: a stream's ioctl (POLL, TIMEOUT, ...), as on the board.
"""

__version__ = "0.1.0"
