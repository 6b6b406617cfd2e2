# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""The client end of a urpc link: Client, the proxies of the server's
objects (Proxy), their methods, and RemoteError for what the server raised.
"""
import builtins
import errno

from .link import MICROPYTHON, REPLY, REQUEST, FinaliserProxy, Queue, _Link, _urpc, msgpack, \
    ticks_diff, ticks_ms
from .wire import EXT_METHOD, EXT_REF, OP_CALL, OP_CALLMETHOD, OP_GETATTR, OP_HELLO, OP_IMPORT, \
    OP_POLL, OP_READINTO, OP_RELEASE, OP_SETATTR, OP_SHAPE, OP_STATS, OP_STR, PROTOCOL, _METHOD


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
            # docs/urpc-protocol.md, releases).
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
