# SPDX-License-Identifier: MIT
"""MessagePack for CPython on the mpx C core, compatible with msgpack-python 1.2.1.

Code written for msgpack-python 1.2 works with ``import mpx.msgpack as msgpack``:
the same functions, classes, options, defaults and exceptions, and the same
bytes for the same options. The one deliberate difference: ``unpack(stream)``
reads exactly one object from the stream (as the MicroPython module does, which
is what a serial link needs) instead of reading the whole stream.

    >>> from mpx import msgpack
    >>> msgpack.packb({'list': [True, False, None, 1, 'abc']})
    b'\\x81\\xa4list\\x95\\xc3\\xc2\\xc0\\x01\\xa3abc'
    >>> msgpack.unpackb(_)
    {'list': [True, False, None, 1, 'abc']}
"""
from .exceptions import *  # noqa: F401,F403
from .ext import ExtType, Timestamp
from ._cmsgpack import Packer, Unpacker, pack, packb, unpack, unpackb

# The msgpack-python release whose behaviour this module follows.
version = (1, 2, 1)
__version__ = "1.2.1"

# Aliases for compatibility with simplejson/marshal/pickle.
load = unpack
loads = unpackb
dump = pack
dumps = packb

__all__ = [
    "ExtType", "Timestamp", "Packer", "Unpacker", "pack", "packb", "unpack", "unpackb",
    "load", "loads", "dump", "dumps", "version",
    "UnpackException", "BufferFull", "OutOfData", "FormatError", "StackError", "ExtraData",
]
