# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""urpc shim: `import select` that polls server sockets and local streams.

poll() and select() take proxies of server objects (sockets from the socket
shim) and local objects (a UART, a pin's stream) in the same call. Remote
objects are polled on the server in one request per round; local ones with
the built-in select (as `uselect`, which this file shadows). Used by asyncio
too: ipoll() is here.

Frozen into the client firmware; needs urpc.connect(uart) first (boot.py).
"""
import time

import urpc
import uselect as _builtin

POLLIN = _builtin.POLLIN
POLLOUT = _builtin.POLLOUT
POLLERR = _builtin.POLLERR
POLLHUP = _builtin.POLLHUP

_SLICE_MS = 20      # how long a remote round waits while local objects are registered


class poll:
    def __init__(self):
        self._local = _builtin.poll()
        self._nlocal = 0
        self._remote = {}        # proxy -> event mask (proxies hash by reference)

    def register(self, obj, eventmask=POLLIN | POLLOUT):
        if isinstance(obj, urpc.Proxy):
            self._remote[obj] = eventmask
        else:
            self._local.register(obj, eventmask)
            self._nlocal += 1

    def modify(self, obj, eventmask):
        if isinstance(obj, urpc.Proxy):
            if obj not in self._remote:
                raise OSError(2)  # ENOENT, as the built-in poll
            self._remote[obj] = eventmask
        else:
            self._local.modify(obj, eventmask)

    def unregister(self, obj):
        if isinstance(obj, urpc.Proxy):
            self._remote.pop(obj, None)
        else:
            self._local.unregister(obj)
            self._nlocal -= 1

    def poll(self, timeout=-1):
        """[(obj, events), ...] ready within timeout ms (-1: no limit)."""
        if not self._remote:
            return self._local.poll(timeout)
        entries = list(self._remote.items())
        query = [[obj, mask | POLLERR | POLLHUP] for obj, mask in entries]
        client = urpc.client()
        start = time.ticks_ms()
        while True:
            ready = self._local.poll(0) if self._nlocal else []
            left = -1 if timeout < 0 else max(0, timeout - time.ticks_diff(time.ticks_ms(), start))
            wait = 0 if ready or left == 0 else client._timeout // 2
            if self._nlocal:
                wait = min(wait, _SLICE_MS)
            if left >= 0:
                wait = min(wait, left)
            for (obj, _), ev in zip(entries, client.poll_(query, wait)):
                if ev:
                    ready.append((obj, ev))
            if ready or left == 0:
                return ready

    def ipoll(self, timeout=-1, flags=0):
        return iter(self.poll(timeout))


def select(rlist, wlist, xlist, timeout=None):
    """The classic select(): three lists of ready objects."""
    p = poll()
    masks = {}
    for objs, ev in ((rlist, POLLIN), (wlist, POLLOUT), (xlist, POLLERR)):
        for obj in objs:
            masks[obj] = masks.get(obj, 0) | ev
    for obj, ev in masks.items():
        p.register(obj, ev)
    ms = -1 if timeout is None else int(timeout * 1000)
    r, w, x = [], [], []
    for obj, ev in p.poll(ms):
        if ev & (POLLIN | POLLHUP) and obj in rlist:
            r.append(obj)
        if ev & POLLOUT and obj in wlist:
            w.append(obj)
        if ev & POLLERR and obj in xlist:
            x.append(obj)
    return r, w, x
