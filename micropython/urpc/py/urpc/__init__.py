# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""urpc: an object RPC between MicroPython boards and PCs, over any byte stream.

One source for both runtimes: frozen as ``urpc`` into board firmware, and
installed as ``mpx.urpc`` on the desktop. The protocol is in docs/urpc.md.

    # client (e.g. an STM32 board; the server is an ESP32 on uart)
    client = urpc.Client(uart, timeout=5)
    network = client.import_('network')
    wlan = network.WLAN(network.STA_IF)
    wlan.connect('ssid', 'secret')

    # server
    urpc.Server(uart, allow=('network', 'socket', 'select', 'ssl', 'time', 'gc')).serve()

A stream is anything with read/write (a UART, a pty or pipe file) or
recv/send (a socket). A transport written in Python can also offer
``urpc_wait(timeout_ms) -> bool`` to say when it has bytes to read.
"""
import sys

try:  # CPython: the mpx package
    from mpx import msgpack, _urpc
    from mpx.finaliserproxy import FinaliserProxy, Queue
    MICROPYTHON = False
except ImportError:  # MicroPython: built-in modules
    import msgpack
    import _urpc
    from finaliserproxy import FinaliserProxy, Queue
    MICROPYTHON = True

import builtins
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

__all__ = ["Client", "Server", "Proxy", "RemoteError", "DEFAULT_ALLOW", "PROTOCOL", "connect",
           "client", "module_getattr"]

PROTOCOL = 1
DEFAULT_ALLOW = ("network", "socket", "select", "ssl", "time", "gc")

REQUEST = _urpc.REQUEST
REPLY = _urpc.REPLY
ERROR = _urpc.ERROR

OP_HELLO = 0
OP_IMPORT = 1
OP_GETATTR = 2
OP_SETATTR = 3
OP_CALL = 4
OP_CALLMETHOD = 5
OP_SHAPE = 6
OP_RELEASE = 7
OP_STR = 8
OP_STATS = 9
OP_READINTO = 10
OP_POLL = 11

EXT_REF = 100
EXT_METHOD = 101

# Reference ids stay small ints on 32-bit boards (finaliserproxy.Queue).
_REF_LIMIT = 1 << 29
_WINDOW = 32            # processed request ids a server remembers
_METHOD_TYPES = ("function", "bound_method", "closure", "method", "builtin_function_or_method",
                 "method-wrapper")
# Objects that open the server's namespaces (a frame's f_globals and
# f_builtins): never sent, whatever hands them out (a generator's gi_frame).
_NEVER_SENT = ("frame", "code", "traceback")
# Modules served with only these attributes: CPython's gc hands out any
# object (get_objects, get_referrers), MicroPython's offers just these.
_VETTED = {"gc": ("collect", "enable", "disable", "isenabled", "mem_alloc", "mem_free", "threshold")}


class RemoteError(Exception):
    """An exception raised on the server that has no built-in class here.

    ``name`` is its class name, ``remote_args`` its args, ``traceback`` the
    server's traceback text.
    """

    def __init__(self, name, args, traceback):
        super().__init__("{}{}".format(name, tuple(args)))
        self.name = name
        self.remote_args = args
        self.traceback = traceback


class _Marker:
    pass


_METHOD = _Marker()


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


def _ref_bytes(ref, shape):
    return ref.to_bytes(4, "big") + shape.to_bytes(2, "big")


# ---------------------------------------------------------------------------
# Client

class Proxy(FinaliserProxy):
    """A server object. Attribute access and calls go to the server; proxies
    of the same object compare and hash equal. When a proxy is garbage its
    finaliser queues a release (no I/O there); the next request carries it."""

    def __init__(self, client, ref, shape):
        queue = client._releases
        session = client._session

        def release():  # runs with the heap locked: no allocation, no I/O
            if client._session == session:   # not a reference of a server gone since
                queue.put(ref)

        super().__init__(release)
        object.__setattr__(self, "_c", client)
        object.__setattr__(self, "_r", ref)
        object.__setattr__(self, "_s", shape)
        object.__setattr__(self, "_g", session)
        client._count("proxies")

    def __getattr__(self, name):
        if name[:1] == "_":
            raise AttributeError(name)
        c = self._live()
        if name in c._methods(self._s):
            return _Method(self, name)
        v = c._call(OP_GETATTR, self, name)
        return _Method(self, name) if v is _METHOD else v

    def __setattr__(self, name, value):
        if name[:1] == "_":
            object.__setattr__(self, name, value)
        else:
            self._live()._call(OP_SETATTR, self, name, value)

    def __call__(self, *args, **kwargs):
        if kwargs:
            return self._live()._call(OP_CALL, self, args, kwargs)
        return self._live()._call(OP_CALL, self, args)

    def _live(self):
        c = self._c
        if self._g != c._session:
            raise ReferenceError("urpc: a proxy from before the server restarted")
        return c

    def __eq__(self, other):
        return isinstance(other, Proxy) and other._c is self._c and other._r == self._r

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._r)

    def __repr__(self):
        return "<urpc.Proxy #{}>".format(self._r)

    def __str__(self):
        return self._live()._call(OP_STR, self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        c = self._live()
        if "close" in c._methods(self._s):
            c._call(OP_CALLMETHOD, self, "close", ())


class _Method:
    """A remote method, called in one round trip."""

    def __init__(self, proxy, name):
        self.proxy = proxy
        self.name = name

    def __call__(self, *args, **kwargs):
        p = self.proxy
        c = p._c
        name = self.name
        if args and not kwargs:
            if name in ("readinto", "recv_into"):
                return c._readinto(p, name, *args)
            if name in ("send", "write") and len(args) == 1:
                return c._send_part(p, name, args[0])
            if name == "sendall" and len(args) == 1:
                return c._sendall(p, args[0])
        if kwargs:
            return c._call(OP_CALLMETHOD, p, name, args, kwargs)
        return c._call(OP_CALLMETHOD, p, name, args)

    def __repr__(self):
        return "<urpc method {} of {!r}>".format(self.name, self.proxy)


class Client:
    """The client end of a urpc link.

    stream   a UART, socket, pty/pipe file, or a transport with urpc_wait()
    timeout  seconds a call may take before OSError(ETIMEDOUT)
    retry    seconds without a reply before the request is sent again
    max_body the longest frame body this end accepts
    releases how many releases the finalisers may queue between two requests
    """

    def __init__(self, stream, *, timeout=5.0, retry=None, max_body=4096, releases=None):
        self._link = _Link(stream, max_body, client=True)
        self._timeout = int(timeout * 1000)
        self._retry = int(retry * 1000) if retry else max(self._timeout // 5, 20)
        self._id = 0
        if releases is None:
            releases = 256 if MICROPYTHON else 1 << 20
        self._releases = Queue(releases)
        self._uncertain = []       # [request id, [refs]] of requests without a reply
        self._shapes = {}
        self._counts = {"calls": 0, "retries": 0, "timeouts": 0, "late_replies": 0,
                        "releases_sent": 0, "proxies": 0, "abandoned": 0}
        self._session = 0
        self._max_body = max_body
        self._server_max = 4096    # until the server says (hello)
        self.server = {}
        self.hello()

    # --- the public API ---

    def hello(self):
        """(Re)start the session: after connect, and after the server was
        restarted. The server drops the objects of an earlier session, so
        proxies from before are dead (using one raises ReferenceError) and
        their releases are not sent. Returns the server's info dict."""
        c = self._counts
        c["abandoned"] = c["proxies"] - c["releases_sent"]   # all but the released
        self._session += 1
        for _ in self._releases:
            pass                # drained: references of the old session
        self._uncertain = []
        self._shapes = {}
        self.server = {}
        info = self._call(OP_HELLO, PROTOCOL, self._max_body)
        if not isinstance(info, dict) or info.get("protocol") != PROTOCOL:
            raise OSError(errno.EINVAL, "urpc: the server speaks protocol {}".format(
                info.get("protocol") if isinstance(info, dict) else "?"))
        self.server = info
        self._server_max = info.get("max_body", 4096)
        return info

    def import_(self, name):
        """The server's module `name` (a proxy)."""
        return self._call(OP_IMPORT, name)

    def getattr_(self, proxy, name):
        return self._call(OP_GETATTR, proxy, name)

    def setattr_(self, proxy, name, value):
        self._call(OP_SETATTR, proxy, name, value)

    def poll_(self, entries, timeout_ms=0):
        """[[proxy, flags], ...] -> their ready flags, after at most timeout_ms."""
        return self._call(OP_POLL, entries, timeout_ms)

    def flush(self):
        """Send the queued releases now (they also go with the next request)."""
        self._call(OP_RELEASE)

    def server_stats(self):
        return self._call(OP_STATS)

    def stats(self):
        """Live references, releases sent, frames dropped, retries, and more."""
        s = dict(self._counts)
        s["live"] = s["proxies"] - s["abandoned"] - s["releases_sent"] - len(self._releases) - \
            sum(len(u[1]) for u in self._uncertain)
        s["releases_queued"] = len(self._releases)
        s["releases_lost"] = self._releases.overflow
        s["frames_dropped"] = self._link.deframer.dropped
        s["bytes_skipped"] = self._link.deframer.skipped
        s["bytes_out"] = self._link.bytes_out
        s["bytes_in"] = self._link.bytes_in
        return s

    # --- internals ---

    def _count(self, key, n=1):
        self._counts[key] += n

    def _methods(self, shape):
        names = self._shapes.get(shape)
        if names is None:
            names = set(self._call(OP_SHAPE, shape)) if shape else set()
            self._shapes[shape] = names
        return names

    def _encode(self, obj):
        if isinstance(obj, Proxy):
            if obj._c is not self:
                raise ValueError("urpc: a proxy of another link")
            obj._live()
            try:
                return obj._x
            except AttributeError:      # the first time: made once, kept
                x = msgpack.ExtType(EXT_REF, obj._r.to_bytes(4, "big"))
                object.__setattr__(obj, "_x", x)
                return x
        raise TypeError("urpc: can not send {} (only MessagePack values and proxies)".format(
            type(obj).__name__))

    def _ext(self, code, data):
        if code == EXT_REF and len(data) == 6:
            return Proxy(self, int.from_bytes(data[:4], "big"), int.from_bytes(data[4:], "big"))
        if code == EXT_METHOD:
            return _METHOD
        return msgpack.ExtType(code, data)

    def _call(self, op, *args):
        releases = list(self._releases) if len(self._releases) else []
        sent = releases + self._uncertain if self._uncertain else releases
        body = msgpack.packb((op, sent or None) + args, default=self._encode)
        if len(body) > self._server_max:
            self._restore(releases)
            raise ValueError("urpc: request of {} bytes, the server takes {}".format(len(body), self._server_max))
        self._id = rid = self._id % 65535 + 1
        frame = _urpc.frame(REQUEST, rid, body)
        link = self._link
        timeout = self._timeout
        start = last = ticks_ms()
        self._counts["calls"] += 1
        try:
            link.send(frame, timeout)
            wait = min(timeout, self._retry)
            while True:
                for kind, fid, fbody in link.frames(wait):
                    if fid == rid and kind != REQUEST:
                        break
                    self._counts["late_replies"] += 1
                else:
                    now = ticks_ms()
                    left = timeout - ticks_diff(now, start)
                    if left <= 0:
                        self._counts["timeouts"] += 1
                        link.deframer.clear()
                        raise OSError(errno.ETIMEDOUT, "urpc: no reply in {} ms".format(timeout))
                    wait = min(left, self._retry - ticks_diff(now, last))
                    if wait <= 0:
                        link.send(frame, left)
                        last = ticks_ms()
                        self._counts["retries"] += 1
                        wait = min(left, self._retry)
                    continue
                break
        except OSError:
            # A link failure: the server may or may not have seen this
            # request's releases; the next request tells it which (see
            # docs/urpc.md, releases).
            if releases:
                self._uncertain.append([rid, releases])
            raise
        # The server has seen this request, with its releases and the
        # uncertain ones it carried.
        if sent:
            self._counts["releases_sent"] += len(releases) + sum(len(u[1]) for u in self._uncertain)
            self._uncertain = []
        if kind == REPLY:
            return msgpack.unpackb(fbody, ext_hook=self._ext, strict_map_key=False)
        raise self._error(fbody)   # a remote exception (not a link failure)

    def _restore(self, releases):
        for r in releases:
            self._releases.put(r)

    def _error(self, body):
        try:
            name, args, tb = msgpack.unpackb(body, strict_map_key=False)
            if not (isinstance(name, str) and isinstance(args, list) and isinstance(tb, str)):
                raise ValueError
        except Exception:
            return RemoteError("?", [], "urpc: malformed error reply")
        cls = getattr(builtins, name, None)
        if isinstance(cls, type) and issubclass(cls, Exception):
            try:
                return cls(*args)
            except Exception:
                pass
        return RemoteError(name, args, tb)

    def _room(self):
        # Bytes of payload a frame holds both ways, the request envelope
        # aside; a request that still does not fit is refused by _call.
        return max(16, min(self._server_max, self._link.deframer.max_body) - 64)

    def _readinto(self, proxy, name, buf, nbytes=0):
        n = len(buf) if not nbytes else min(nbytes, len(buf))
        n = min(n, self._room())
        data = self._call(OP_READINTO, proxy, name, n)
        if data is None:
            return None
        if not isinstance(data, bytes) or len(data) > n:
            raise ValueError("urpc: {} returned more than was asked for".format(name))
        buf[:len(data)] = data
        return len(data)

    def _send_part(self, proxy, name, data):
        # send()/write() may take less than all: never more than a frame holds.
        room = self._room()
        if len(data) > room:
            data = memoryview(data)[:room]
        return self._call(OP_CALLMETHOD, proxy, name, (data,))

    def _sendall(self, proxy, data):
        view = memoryview(data)
        room = self._room()
        for i in range(0, len(view), room):
            self._call(OP_CALLMETHOD, proxy, "sendall", (view[i:i + room],))


# ---------------------------------------------------------------------------
# Server

class Server:
    """The server end of a urpc link: serves requests from one client.

    allow        the modules the client may import (DEFAULT_ALLOW)
    max_objects  the most objects the client may hold references to
    max_body     the longest frame body this end accepts
    """

    def __init__(self, stream, *, allow=DEFAULT_ALLOW, max_objects=256, max_body=4096, name="urpc"):
        self._link = _Link(stream, max_body)
        self.allow = tuple(allow)
        self.max_objects = max_objects
        self.name = name
        self._objs = {}            # ref -> [object, times sent]
        self._ids = {}             # id(object) -> ref
        self._next = 1
        self._shapes = []          # shape id - 1 -> type (or module)
        self._shape_ids = {}       # id(type) -> shape id
        self._imported = {}        # id(module) -> module: the allowed modules imported
        self._recent = {}          # request id -> [refs its reply sent], last _WINDOW requests
        self._order = []           # those request ids, oldest first
        self._last = None          # (request id, reply frame)
        self._sending = None
        self._client_max = 4096
        self.session = 0
        self.counts = {"requests": 0, "errors": 0, "resent": 0, "stale": 0, "link_errors": 0}

    # --- running ---

    def serve(self, *, idle_ms=1000):
        """Serve until the stream ends (never returns on a UART). Errors of
        served calls go back to the client; a link error (a stalled write)
        is counted and serving goes on."""
        wait = None if self._link.blocking else idle_ms
        while True:
            try:
                self.poll(wait)
            except OSError as e:
                if _ended(e):
                    return
                self.counts["link_errors"] += 1
                sleep_ms(10)

    def poll(self, timeout_ms=0):
        """Handle what arrives within timeout_ms; returns the number of frames."""
        frames = self._link.frames(timeout_ms)
        for kind, rid, body in frames:
            self.handle(kind, rid, body)
        return len(frames)

    async def serve_async(self):
        """Serve from an asyncio task until the stream ends. Other tasks run
        while the link is idle; a served call that blocks still blocks the
        loop. The stream must not block on read (a UART with timeout=0, a
        non-blocking file or socket)."""
        import asyncio

        link = self._link
        if MICROPYTHON:
            reader = asyncio.StreamReader(link.stream)
            while True:
                try:
                    data = await reader.read(max(4096, link.deframer.need))
                except OSError as e:
                    if _ended(e):
                        return
                    self.counts["link_errors"] += 1
                    await asyncio.sleep_ms(10)
                    continue
                if not data:
                    return
                link.bytes_in += len(data)
                for kind, rid, body in link.deframer.feed(data):
                    try:
                        self.handle(kind, rid, body)
                    except OSError as e:
                        if _ended(e):
                            return
                        self.counts["link_errors"] += 1
        loop = asyncio.get_running_loop()
        fd = link.stream.fileno()
        while True:
            ready = loop.create_future()
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(True))
            try:
                await ready
            finally:
                loop.remove_reader(fd)
            try:
                self.poll(0)
            except OSError as e:
                if _ended(e):
                    return
                self.counts["link_errors"] += 1

    # --- one request ---

    def handle(self, kind, rid, body):
        if kind != REQUEST:
            return
        # Request ids count within a session: a client that restarts counts
        # from 1 again, so its HELLO is never taken for a copy of an old
        # request (HELLO itself can run twice without harm).
        if not _is_hello(body):
            if self._last is not None and self._last[0] == rid:
                self.counts["resent"] += 1
                self._link.send(self._last[1])      # a copy: answered, not run again
                return
            if rid in self._recent:
                self.counts["stale"] += 1           # a late copy of an older request
                return
        self.counts["requests"] += 1
        sent = self._sending = []               # the references this reply sends
        try:
            # Arrays arrive as tuples: Python APIs expect tuples (socket addresses).
            req = msgpack.unpackb(body, ext_hook=self._ext, strict_map_key=False, use_list=False)
            if not isinstance(req, tuple) or len(req) < 2 or not isinstance(req[0], int):
                raise ValueError("urpc: malformed request")
            self._releases(req[1])
            result = self._dispatch(req[0], req[2:])
            reply = msgpack.packb(result, default=self._encode)
            if len(reply) > self._client_max:
                raise ValueError("urpc: reply of {} bytes, the client takes {}".format(
                    len(reply), self._client_max))
            frame = _urpc.frame(REPLY, rid, reply)
        except Exception as e:  # noqa: BLE001 - every error goes back as data
            for ref in sent:       # references counted for a reply that is not sent
                self._release(ref)
            del sent[:]
            self.counts["errors"] += 1
            frame = _urpc.frame(ERROR, rid, self._error_body(e))
        self._sending = None
        self._remember(rid, sent)
        self._last = (rid, frame)
        self._link.send(frame)

    def _remember(self, rid, sent):
        if rid not in self._recent:
            self._order.append(rid)
        self._recent[rid] = sent
        if len(self._order) > _WINDOW:
            del self._recent[self._order.pop(0)]

    def _releases(self, rel):
        if not rel:
            return
        for item in rel:
            if isinstance(item, int):
                self._release(item)
                continue
            rid, refs = item  # a request that got no reply
            sent = self._recent.get(rid)
            if sent is not None:
                # It was processed: its releases were applied then; its
                # reply was lost, so the references it sent go now.
                for ref in sent:
                    self._release(ref)
                del sent[:]
            else:
                for ref in refs:
                    self._release(ref)
                self._remember(rid, [])     # and a late copy will not run

    def _dispatch(self, op, args):
        if op == OP_CALLMETHOD:
            if len(args) == 3:
                return getattr(args[0], _name(args[1], args[0]))(*args[2])
            target, name, a, kw = args
            return getattr(target, _name(name, target))(*a, **kw)
        if op == OP_GETATTR:
            v = getattr(args[0], _name(args[1], args[0]))
            return _METHOD if type(v).__name__ in _METHOD_TYPES else v
        if op == OP_CALL:
            if len(args) == 2:
                return args[0](*args[1])
            target, a, kw = args
            return target(*a, **kw)
        if op == OP_SETATTR:
            setattr(args[0], _name(args[1], args[0]), args[2])
            return None
        if op == OP_READINTO:
            target, name, n = args
            buf = bytearray(max(0, min(n, self._client_max - 5)))   # a bin header is <= 5 bytes
            k = getattr(target, _name(name, target))(buf)
            return None if k is None else bytes(memoryview(buf)[:k])
        if op == OP_SHAPE:
            return self._shape_methods(args[0])
        if op == OP_IMPORT:
            name = args[0]
            if name not in self.allow:
                raise ImportError("urpc: module '{}' is not allowed".format(name))
            mod = __import__(name)
            for part in name.split(".")[1:]:    # __import__("a.b") is a
                mod = getattr(mod, part)
            self._imported[id(mod)] = mod
            return mod
        if op == OP_RELEASE:
            return None
        if op == OP_STR:
            return str(args[0])
        if op == OP_POLL:
            return self._poll(args[0], args[1])
        if op == OP_STATS:
            s = dict(self.counts)
            s["objects"] = len(self._objs)
            s["shapes"] = len(self._shapes)
            s["frames_dropped"] = self._link.deframer.dropped
            s["bytes_skipped"] = self._link.deframer.skipped
            return s
        if op == OP_HELLO:
            if args[0] != PROTOCOL:
                raise ValueError("urpc: the client speaks protocol {}, this server {}".format(
                    args[0], PROTOCOL))
            if not isinstance(args[1], int) or args[1] < 16:
                raise ValueError("urpc: a client max_body of at least 16 bytes")
            self._client_max = args[1]
            self._objs = {}    # a new client: the old one's objects and request ids go
            self._ids = {}
            self._recent = {}
            self._order = []
            self._last = None
            self.session += 1
            return {"protocol": PROTOCOL, "max_body": self._link.deframer.max_body,
                    "name": self.name, "session": self.session}
        raise ValueError("urpc: unknown operation {}".format(op))

    def _poll(self, entries, timeout_ms):
        # CPython's poll() answers with file descriptors, MicroPython's with
        # the objects themselves.
        p = select.poll()
        keys = []
        for obj, flags in entries:
            p.register(obj, flags)
            keys.append(id(obj) if MICROPYTHON else obj.fileno())
        ready = {}
        for obj, ev in p.poll(max(0, timeout_ms)):
            key = id(obj) if MICROPYTHON else obj
            ready[key] = ready.get(key, 0) | ev
        return [ready.get(k, 0) for k in keys]

    # --- references ---

    def _ext(self, code, data):
        if code == EXT_REF and len(data) == 4:
            entry = self._objs.get(int.from_bytes(data, "big"))
            if entry is None:
                raise ReferenceError("urpc: unknown or released reference")
            return entry[0]
        if code == EXT_METHOD:
            raise ValueError("urpc: a method marker is not a value")
        return msgpack.ExtType(code, data)

    def _encode(self, obj):
        if obj is _METHOD:
            return msgpack.ExtType(EXT_METHOD, b"")
        kind = type(obj).__name__
        if kind == "module" and id(obj) not in self._imported \
                and getattr(obj, "__name__", None) not in self.allow:
            # A module the client reached as an attribute (CPython's socket
            # module holds os and sys, say): only those in allow travel.
            raise ImportError("urpc: module '{}' is not allowed".format(getattr(obj, "__name__", "?")))
        if kind in _NEVER_SENT:
            raise TypeError("urpc: a {} is never sent".format(kind))
        ref = self._ref(obj)
        return msgpack.ExtType(EXT_REF, _ref_bytes(ref, self._shape(obj)))

    def _ref(self, obj):
        key = id(obj)
        ref = self._ids.get(key)
        if ref is None:
            if len(self._objs) >= self.max_objects:
                raise MemoryError("urpc: the object table is full ({} objects)".format(self.max_objects))
            ref = self._next
            while ref in self._objs:
                ref = ref % _REF_LIMIT + 1
            self._next = ref % _REF_LIMIT + 1
            self._objs[ref] = [obj, 0]
            self._ids[key] = ref
        self._objs[ref][1] += 1
        if self._sending is not None:
            self._sending.append(ref)
        return ref

    def _release(self, ref):
        entry = self._objs.get(ref)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del self._objs[ref]
            del self._ids[id(entry[0])]

    def _shape(self, obj):
        t = obj if type(obj).__name__ == "module" else type(obj)
        sid = self._shape_ids.get(id(t))
        if sid is None:
            if len(self._shapes) >= 0xffff:
                return 0
            self._shapes.append(t)
            sid = len(self._shapes)
            self._shape_ids[id(t)] = sid
        return sid

    def _shape_methods(self, sid):
        if not 0 < sid <= len(self._shapes):
            raise ValueError("urpc: unknown shape")
        t = self._shapes[sid - 1]
        names = []
        for n in dir(t):
            if n[:1] == "_" or not _vetted(t, n):
                continue
            try:
                v = getattr(t, n)
            except Exception:
                continue
            if callable(v) and not isinstance(v, type):
                names.append(n)
        return names

    # --- errors ---

    def _error_body(self, e):
        args = []
        for a in e.args:
            args.append(a if a is None or isinstance(a, (bool, int, float, str, bytes)) else repr(a))
        try:
            tb = _traceback(e)
        except Exception:
            tb = ""
        try:
            return msgpack.packb([type(e).__name__, args, tb])
        except Exception:
            return msgpack.packb([type(e).__name__, [], ""])


# errnos that say a stream is gone for good (MicroPython's errno has no EPIPE)
_ENDED = (errno.ECONNRESET, getattr(errno, "EPIPE", 32), errno.EIO, errno.EBADF)


def _ended(e):
    return bool(e.args) and e.args[0] in _ENDED


def _name(name, target):
    if not isinstance(name, str) or name[:1] == "_" or not _vetted(target, name):
        raise AttributeError("urpc: attribute '{}' is not reachable".format(name))
    return name


def _vetted(target, name):
    """False for a name a vetted module (_VETTED) does not serve."""
    if type(target).__name__ != "module":
        return True
    names = _VETTED.get(getattr(target, "__name__", None))
    return names is None or name in names


def _is_hello(body):
    # [OP_HELLO, releases, protocol, max_body]: a fixarray whose first item is 0
    return len(body) > 1 and body[0] & 0xf0 == 0x90 and body[1] == OP_HELLO


def _traceback(e):
    if MICROPYTHON:
        import io

        s = io.StringIO()
        sys.print_exception(e, s)
        return s.getvalue()
    import traceback

    return "".join(traceback.format_exception(type(e), e, e.__traceback__))


# ---------------------------------------------------------------------------
# The board's link, for the socket/network/select/ssl shims

_default = None


def connect(stream, **options):
    """Open the board's default link (boot.py: ``urpc.connect(uart)``); the
    shims use it. Returns the Client."""
    global _default
    _default = Client(stream, **options)
    return _default


def client():
    """The default Client: the one connect() opened, or else the board's
    link (a frozen module `urpc_board` with link() and OPTIONS)."""
    if _default is None:
        try:
            import urpc_board
        except ImportError:
            raise RuntimeError("urpc: no link; call urpc.connect(stream) first (boot.py)")
        connect(urpc_board.link(), **getattr(urpc_board, "OPTIONS", {}))
    return _default


def module_getattr(name, module_globals):
    """A module-level __getattr__ that stands in for the server's module
    `name`: each attribute is fetched once and kept in the shim module."""
    remote = []

    def __getattr__(attr):
        if attr[:1] == "_":
            raise AttributeError(attr)
        if not remote:
            remote.append(client().import_(name))
        v = getattr(remote[0], attr)
        module_globals[attr] = v
        return v

    return __getattr__
