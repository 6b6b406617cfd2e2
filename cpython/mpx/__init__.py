# SPDX-License-Identifier: MIT
"""mpx: C cores with Python bindings for people who build products on MicroPython boards.

Desktop side of the toolkit. Each submodule mirrors a MicroPython module of the
same name, so the same application code and tests run on the desktop and on the
board:

- ``mpx.msgpack``: MessagePack, compatible with msgpack-python 1.0.
- ``mpx.finaliserproxy``: ``FinaliserProxy`` and ``Queue``.
- ``mpx.ioctl``: a stream's ioctl (POLL, TIMEOUT, ...), as on the board.
- ``mpx.urpc``: the object RPC (client and server; ``python3 -m mpx.urpc`` serves).
- ``mpx.dfu``: flashing over USB DFU (also pydfu's API, ``python3 -m mpx.dfu``).

The display module ``mp_rlvgl`` is installed beside it, and ``pip install``
puts the ``mpx-dfu`` and ``mpx-dfu-sim`` commands beside the venv's python.

``__version__`` is the version of all of it (the package, the commands and
the C libraries' CMake project), written here and nowhere else.
``mpx.msgpack.version`` is another thing: the msgpack-python API it matches.
"""

__version__ = "0.1.0"
