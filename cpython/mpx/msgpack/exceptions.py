# SPDX-License-Identifier: MIT
"""Exceptions of mpx.msgpack, with msgpack-python's names and hierarchy."""


class UnpackException(Exception):
    """Base of the unpacking errors that are specific to MessagePack.

    Unpacking can also raise ValueError, TypeError, UnicodeDecodeError or
    whatever a hook raises; catch Exception to catch everything.
    """


class BufferFull(UnpackException):
    """The Unpacker's buffer would grow past max_buffer_size."""


class OutOfData(UnpackException):
    """The data ended inside an object (or before one)."""


class FormatError(ValueError, UnpackException):
    """Invalid msgpack format (the reserved byte 0xc1)."""


class StackError(ValueError, UnpackException):
    """Too nested."""


# Old name kept for compatibility; it is ValueError itself.
UnpackValueError = ValueError


class ExtraData(UnpackValueError):
    """unpackb() decoded an object and bytes were left after it.

    ``unpacked`` is the object, ``extra`` the bytes that followed.
    """

    def __init__(self, unpacked, extra):
        self.unpacked = unpacked
        self.extra = extra

    def __str__(self):
        return "unpack(b) received extra data."


# Old names kept for compatibility; they are the built-in classes.
PackException = Exception
PackValueError = ValueError
PackOverflowError = OverflowError
