# SPDX-License-Identifier: MIT
"""ExtType and Timestamp, as in msgpack-python 1.2.1 (mpx.msgpack.ext).

The byte layout of a Timestamp lives once, in the C core (lib/msgpack);
from_bytes/to_bytes call it.
"""
from collections import namedtuple
import datetime


class ExtType(namedtuple("ExtType", "code data")):
    """An application extension value: a type code 0..127 and its data bytes."""

    __slots__ = ()

    def __new__(cls, code, data):
        if not isinstance(code, int):
            raise TypeError("code must be int")
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        if not 0 <= code <= 127:
            raise ValueError("code must be 0~127")
        return super().__new__(cls, code, data)


_utc = datetime.timezone.utc
_epoch = datetime.datetime(1970, 1, 1, tzinfo=_utc)


class Timestamp:
    """The MessagePack timestamp extension (type -1): seconds and nanoseconds.

    Equal only to another Timestamp with the same fields; hashable; immutable
    by convention. Packing picks the shortest of the 4-, 8- and 12-byte forms.
    """

    __slots__ = ["seconds", "nanoseconds"]

    def __init__(self, seconds, nanoseconds=0):
        """seconds: int, since 1970-01-01 UTC, may be negative;
        nanoseconds: int in 0..999999999, added to seconds (also before 1970)."""
        if not isinstance(seconds, int):
            raise TypeError("seconds must be an integer")
        if not isinstance(nanoseconds, int):
            raise TypeError("nanoseconds must be an integer")
        if not (0 <= nanoseconds < 10**9):
            raise ValueError("nanoseconds must be a non-negative integer less than 999999999.")
        self.seconds = seconds
        self.nanoseconds = nanoseconds

    def __repr__(self):
        return "Timestamp(seconds={0}, nanoseconds={1})".format(self.seconds, self.nanoseconds)

    def __eq__(self, other):
        if type(other) is self.__class__:
            return self.seconds == other.seconds and self.nanoseconds == other.nanoseconds
        return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((self.seconds, self.nanoseconds))

    @staticmethod
    def from_bytes(b):
        """Unpack bytes into a `Timestamp` object (4, 8 or 12 bytes)."""
        from ._cmsgpack import _timestamp_from_bytes

        return Timestamp(*_timestamp_from_bytes(b))

    def to_bytes(self):
        """Pack this Timestamp object into bytes, in the shortest of the three forms."""
        from ._cmsgpack import _timestamp_to_bytes

        return _timestamp_to_bytes(self.seconds, self.nanoseconds)

    @staticmethod
    def from_unix(unix_sec):
        """Create a Timestamp from posix timestamp in seconds (int or float)."""
        seconds = int(unix_sec // 1)
        nanoseconds = int((unix_sec % 1) * 10**9)
        return Timestamp(seconds, nanoseconds)

    def to_unix(self):
        """Get the timestamp as a floating-point value (seconds since the epoch)."""
        return self.seconds + self.nanoseconds / 1e9

    @staticmethod
    def from_unix_nano(unix_ns):
        """Create a Timestamp from posix timestamp in nanoseconds (int)."""
        return Timestamp(*divmod(unix_ns, 10**9))

    def to_unix_nano(self):
        """Get the timestamp as a unixtime in nanoseconds (int)."""
        return self.seconds * 10**9 + self.nanoseconds

    def to_datetime(self):
        """Get the timestamp as an aware UTC datetime (nanoseconds cut to microseconds)."""
        return _epoch + datetime.timedelta(seconds=self.seconds, microseconds=self.nanoseconds // 1000)

    @staticmethod
    def from_datetime(dt):
        """Create a Timestamp from a datetime, exactly (no float on the way).

        An aware datetime counts in its own zone; a naive one is local time,
        as datetime.timestamp() and msgpack-python 1.2.1 take it. Times
        before 1970 give negative seconds and positive nanoseconds.
        """
        if dt.utcoffset() is None:  # naive: local time
            dt = dt.astimezone(_utc)
        delta = dt - _epoch
        return Timestamp(delta.days * 86400 + delta.seconds, delta.microseconds * 1000)
