# SPDX-License-Identifier: MIT
"""Python callbacks that call back into the Packer or Unpacker running them:
a stream's read()/readinto(), the unpack hooks and default(). A re-entrant
call raises RuntimeError (BufferError for a view of a Packer's buffer being
written); nothing is corrupted, nothing crashes, no byte is lost. Also the
buffers handed to Python streams: a stream that keeps them and writes to
them later must not reach the (MicroPython) module's own memory.

Runs under CPython (mpx.msgpack; also try PYTHONMALLOC=debug) and
MicroPython (the built-in msgpack).
"""
import gc
import io

from mpxtest import IS_MICROPYTHON

try:
    from mpx import msgpack
except ImportError:
    import msgpack

OBJECTS = [[1, 2, 3], {'k': b'v' * 40}, 'x' * 100, 7, [None, True]]
PACKED = b''.join(msgpack.packb(o) for o in OBJECTS)


class ReenteringStream:
    """A stream over PACKED whose first few reads first run `action(u)` on
    the Unpacker reading it, and record what that raised."""

    def __init__(self, action, times=3):
        self.data = PACKED
        self.pos = 0
        self.action = action
        self.times = times
        self.u = None
        self.errors = []

    def _reenter(self):
        if self.times > 0 and self.u is not None:
            self.times -= 1
            try:
                self.action(self.u)
                self.errors.append(None)
            except Exception as e:  # noqa: BLE001 - the type is what is checked
                self.errors.append(type(e))

    def _take(self, n):
        n = min(n, 5)  # short reads: more of them, each one re-entering
        chunk = self.data[self.pos:self.pos + n]
        self.pos += len(chunk)
        return chunk

    def read(self, n):
        self._reenter()
        return self._take(n)


class ReenteringReadinto(ReenteringStream):
    """The same through readinto() (what MicroPython prefers when a stream
    has it; CPython's Unpacker calls read())."""

    def readinto(self, buf):
        self._reenter()
        chunk = self._take(len(buf))
        buf[:len(chunk)] = chunk
        return len(chunk)


REENTRIES = [
    ('read_bytes', lambda u: u.read_bytes(1)),
    ('unpack', lambda u: u.unpack()),
    ('skip', lambda u: u.skip()),
    ('next', lambda u: next(u)),
    ('read_array_header', lambda u: u.read_array_header()),
    ('read_map_header', lambda u: u.read_map_header()),
    ('feed', lambda u: u.feed(b'\x01')),
]
if not IS_MICROPYTHON:
    REENTRIES.append(('__init__', lambda u: u.__init__(io.BytesIO(b'\xc0'))))


def _check_stream_reentry(stream_type):
    for name, action in REENTRIES:
        for read_size in (1, 3, 16, 4096):
            s = stream_type(action)
            u = msgpack.Unpacker(s, read_size=read_size)
            s.u = u
            got = list(u)
            assert got == OBJECTS, (name, read_size, got)
            assert s.errors and s.errors == [RuntimeError] * len(s.errors), (name, read_size, s.errors)
            assert u.tell() == len(PACKED)
            assert s.pos == len(PACKED)


def test_read_that_reenters_the_unpacker_is_refused():
    _check_stream_reentry(ReenteringStream)


def test_readinto_that_reenters_the_unpacker_is_refused():
    _check_stream_reentry(ReenteringReadinto)


def test_reentry_from_read_in_unpack_and_read_bytes_paths():
    # read() re-entered from inside read_bytes() and read_array_header(),
    # whose own loops read more.
    for name, action in REENTRIES:
        s = ReenteringStream(action, times=100)
        u = msgpack.Unpacker(s, read_size=2)
        s.u = u
        assert u.read_bytes(len(msgpack.packb(OBJECTS[0]))) == msgpack.packb(OBJECTS[0])
        assert u.read_map_header() == 1
        assert u.unpack() == 'k'
        assert u.unpack() == b'v' * 40
        assert list(u) == OBJECTS[2:]
        assert set(s.errors) == {RuntimeError}, (name, s.errors)


def test_unpacker_usable_after_a_read_that_raised():
    class Flaky:
        def __init__(self):
            self.pos = 0
            self.calls = 0

        def read(self, n):
            self.calls += 1
            if self.calls % 3 == 0:
                raise OSError(5, 'EIO')
            chunk = PACKED[self.pos:self.pos + min(n, 4)]
            self.pos += len(chunk)
            return chunk

    u = msgpack.Unpacker(Flaky(), read_size=4)
    got = []
    while True:
        try:
            got.append(u.unpack())
        except OSError:
            continue
        except msgpack.OutOfData:
            break
    assert got == OBJECTS
    u.read_bytes(0)  # not left busy


HOOK_REENTRIES = [
    lambda u: u.feed(b'\x01'),
    lambda u: u.unpack(),
    lambda u: u.skip(),
    lambda u: next(u),
    lambda u: u.read_bytes(1),
    lambda u: u.read_array_header(),
    lambda u: u.read_map_header(),
]
if not IS_MICROPYTHON:
    HOOK_REENTRIES.append(lambda u: u.__init__())


def test_hooks_that_reenter_the_unpacker_are_refused():
    obj = {'a': [1, msgpack.ExtType(5, b'e')], 'b': [2]}
    packed = msgpack.packb(obj) + msgpack.packb([3])
    for action in HOOK_REENTRIES:
        errors = []
        box = []

        def reenter():
            try:
                action(box[0])
                errors.append(None)
            except Exception as e:  # noqa: BLE001
                errors.append(type(e))

        def object_hook(d):
            reenter()
            return d

        def list_hook(lst):
            reenter()
            return lst

        def ext_hook(code, data):
            reenter()
            return (code, data)

        def object_pairs_hook(pairs):
            reenter()
            return dict(pairs)

        for hooks in ({'object_hook': object_hook}, {'list_hook': list_hook},
                      {'ext_hook': ext_hook}, {'object_pairs_hook': object_pairs_hook}):
            for stream in (False, True):
                errors.clear()
                if stream:
                    u = msgpack.Unpacker(io.BytesIO(packed), read_size=3, **hooks)
                else:
                    u = msgpack.Unpacker(**hooks)
                    u.feed(packed)
                box.clear()
                box.append(u)
                got = list(u)
                want_ext = (5, b'e') if 'ext_hook' in hooks else msgpack.ExtType(5, b'e')
                assert got == [{'a': [1, want_ext], 'b': [2]}, [3]], (hooks, got)
                assert errors and set(errors) == {RuntimeError}, (hooks, errors)
                assert u.tell() == len(packed)


class KeepsViews:
    """readinto() keeps every buffer it was given; scribble() writes to
    them all later, as a buggy driver or a DMA-style stream might."""

    def __init__(self, data):
        self.data = data
        self.pos = 0
        self.views = []

    def readinto(self, buf):
        self.views.append(buf)
        chunk = self.data[self.pos:self.pos + min(len(buf), 7)]
        self.pos += len(chunk)
        buf[:len(chunk)] = chunk
        return len(chunk)

    def read(self, n):
        chunk = self.data[self.pos:self.pos + min(n, 7)]
        self.pos += len(chunk)
        return chunk

    def scribble(self):
        for v in self.views:
            for i in range(len(v)):
                v[i] = 0xc1


def _churn():
    # Allocate and check: freed memory that a kept view scribbled on would
    # show up here (or in the GC) as corrupted objects.
    gc.collect()
    keep = [bytes([i % 251]) * (16 + i) for i in range(200)]
    gc.collect()
    for i, b in enumerate(keep):
        assert b == bytes([i % 251]) * (16 + i)


def test_stream_that_keeps_the_readinto_view_cannot_corrupt_memory():
    for _ in range(3):
        s = KeepsViews(PACKED * 3)
        got = [msgpack.unpack(s) for _ in range(len(OBJECTS))]
        assert got == OBJECTS
        s.scribble()
        _churn()
        assert [msgpack.unpack(s) for _ in range(len(OBJECTS))] == OBJECTS
        s.scribble()

        u = msgpack.Unpacker(s, read_size=64)
        first = u.unpack()
        s.scribble()  # into the views of reads whose bytes are already held
        _churn()
        assert [first] + list(u) == OBJECTS
        s.scribble()
        _churn()


def test_iobase_stream_that_keeps_its_buffers():
    if not hasattr(io, 'IOBase'):
        return  # no io.IOBase on this port: nothing to check

    class Dev(io.IOBase):
        def __init__(self, data):
            self.data = data
            self.pos = 0
            self.views = []
            self.out = bytearray()

        def readinto(self, buf):
            self.views.append(buf)
            chunk = self.data[self.pos:self.pos + min(len(buf), 5)]
            self.pos += len(chunk)
            buf[:len(chunk)] = chunk
            return len(chunk)

        def read(self, n=-1):
            chunk = self.data[self.pos:self.pos + min(n, 5)]
            self.pos += len(chunk)
            return chunk

        def write(self, buf):
            self.views.append(buf)
            self.out += buf
            return len(buf)

        def ioctl(self, req, arg):
            return 0

    d = Dev(PACKED)
    assert [msgpack.unpack(d) for _ in range(len(OBJECTS))] == OBJECTS
    for o in OBJECTS:
        msgpack.pack(o, d)
    assert bytes(d.out) == PACKED
    for v in d.views:
        try:
            for i in range(len(v)):
                v[i] = 0xc1
        except TypeError:
            pass  # bytes handed to write(): read-only, fine
    _churn()
    u = msgpack.Unpacker(Dev(PACKED), read_size=32)
    assert list(u) == OBJECTS


# --- Packer -----------------------------------------------------------------

try:
    REFUSED = (RuntimeError, BufferError)
except NameError:  # MicroPython has no BufferError
    REFUSED = RuntimeError

def test_default_that_reenters_the_packer_is_refused():
    calls = [
        lambda p: p.pack(b'y' * 5000),  # would grow (move) the buffer being written
        lambda p: p.pack_array_header(1),
        lambda p: p.pack_map_header(1),
        lambda p: p.pack_map_pairs([(1, 2)]),
        lambda p: p.pack_ext_type(1, b'z' * 5000),
        lambda p: p.reset(),
    ]
    if not IS_MICROPYTHON:
        calls.append(lambda p: p.__init__())
        calls.append(lambda p: p.getbuffer())
    for autoreset in (True, False):
        for call in calls:
            errors = []
            box = []

            def default(o):
                try:
                    call(box[0])
                    errors.append(None)
                except REFUSED as e:
                    errors.append(type(e).__name__)
                return 'D'

            p = msgpack.Packer(default=default, autoreset=autoreset)
            box.append(p)
            if not autoreset:
                p.pack(0)
            obj = [b'a' * 100, object(), b'b' * 3000, object()]
            r = p.pack(obj)
            want = msgpack.packb([b'a' * 100, 'D', b'b' * 3000, 'D'])
            if autoreset:
                assert r == want
            else:
                assert r is None and p.bytes() == b'\x00' + want
            assert errors == ['RuntimeError', 'RuntimeError'] or \
                errors == ['BufferError', 'BufferError'], errors


def test_default_may_read_the_packer():
    # bytes() during default() sees what was there before this call.
    seen = []
    box = []

    def default(o):
        seen.append(box[0].bytes())
        return 0

    p = msgpack.Packer(default=default, autoreset=False)
    box.append(p)
    p.pack(b'x' * 10)
    p.pack([b'y' * 5000, object()])
    assert seen == [msgpack.packb(b'x' * 10)]
    assert p.bytes() == msgpack.packb(b'x' * 10) + msgpack.packb([b'y' * 5000, 0])
