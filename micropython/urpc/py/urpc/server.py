# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""The server end of a urpc link: Server, its object table and shapes,
and what a client may reach (the allow-list, the vetted modules, the
objects never sent).
"""
import sys

from .link import ERROR, MICROPYTHON, REPLY, REQUEST, _Link, _ended, _urpc, msgpack, select, \
    sleep_ms
from .wire import EXT_METHOD, EXT_REF, OP_CALL, OP_CALLMETHOD, OP_GETATTR, OP_HELLO, OP_IMPORT, \
    OP_POLL, OP_READINTO, OP_RELEASE, OP_SETATTR, OP_SHAPE, OP_STATS, OP_STR, PROTOCOL, _METHOD, \
    _REF_LIMIT, _is_hello, _ref_bytes

DEFAULT_ALLOW = ("network", "socket", "select", "ssl", "time", "gc")
_WINDOW = 32            # processed request ids a server remembers
_METHOD_TYPES = ("function", "bound_method", "closure", "method", "builtin_function_or_method",
                 "method-wrapper")
# Objects that open the server's namespaces (a frame's f_globals and
# f_builtins): never sent, whatever hands them out (a generator's gi_frame).
_NEVER_SENT = ("frame", "code", "traceback")
# Modules served with only these attributes: CPython's gc hands out any
# object (get_objects, get_referrers), MicroPython's offers just these.
_VETTED = {"gc": ("collect", "enable", "disable", "isenabled", "mem_alloc", "mem_free", "threshold")}
_desktop_gc = None


def _served(obj):
    """What the client gets for obj: on CPython, MicroPython's gc API in
    place of the gc module (_gc_for_desktop); anything else as it is."""
    if MICROPYTHON or obj is not sys.modules.get("gc"):
        return obj
    global _desktop_gc
    if _desktop_gc is None:
        _desktop_gc = _gc_for_desktop()
    return _desktop_gc


def _gc_for_desktop():
    """A module named gc with MicroPython's gc functions, true on a desktop
    (CPython) server: collect, enable, disable, isenabled as CPython's gc;
    mem_alloc the bytes of anonymous memory the server process holds in RAM
    (its heap: RssAnon in /proc/self/status), mem_free the bytes the machine
    can still give (MemAvailable in /proc/meminfo); -1 for a figure the
    system does not report, as MicroPython's mem_free does. No threshold:
    CPython's collector counts objects, not bytes."""
    import gc
    import types

    def proc_bytes(path, field):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1]) * 1024     # "NNN kB"
        except (OSError, ValueError, IndexError):
            pass
        return -1

    def collect():
        gc.collect()

    def mem_alloc():
        return proc_bytes("/proc/self/status", "RssAnon")

    def mem_free():
        return proc_bytes("/proc/meminfo", "MemAvailable")

    m = types.ModuleType("gc", "MicroPython's gc functions on a desktop urpc server.")
    m.collect, m.enable, m.disable, m.isenabled = collect, gc.enable, gc.disable, gc.isenabled
    m.mem_alloc, m.mem_free = mem_alloc, mem_free
    return m


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
            mod = _served(mod)
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
        obj = _served(obj)
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



def _traceback(e):
    if MICROPYTHON:
        import io

        s = io.StringIO()
        sys.print_exception(e, s)
        return s.getvalue()
    import traceback

    return "".join(traceback.format_exception(type(e), e, e.__traceback__))
