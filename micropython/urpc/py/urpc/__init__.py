# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""urpc: an object RPC between MicroPython boards and PCs, over any byte stream.

One source for both runtimes: frozen as ``urpc`` into board firmware, and
installed as ``mpx.urpc`` on the desktop. The protocol is in docs/urpc-protocol.md.

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

The package, by file:

    link.py    frames over a stream (the _urpc C module), waits, the runtime
    wire.py    the protocol: operations, ext types, PROTOCOL
    proxy.py   the client end: Client, Proxy, RemoteError
    server.py  the server end: Server, the allow-list, the object table
    here       the public names, and the board's default link (the shims)
"""
# Every name `urpc` offered before it was split into files is here still.
from .link import ERROR, MICROPYTHON, REPLY, REQUEST  # noqa: F401
from .proxy import Client, Proxy, RemoteError
from .wire import EXT_METHOD, EXT_REF, OP_CALL, OP_CALLMETHOD, OP_GETATTR, OP_HELLO, OP_IMPORT, \
    OP_POLL, OP_READINTO, OP_RELEASE, OP_SETATTR, OP_SHAPE, OP_STATS, OP_STR, PROTOCOL  # noqa: F401

__all__ = ["Client", "Proxy", "RemoteError", "PROTOCOL", "connect", "client", "module_getattr"]


def _is_missing(e, module):
    """True if the ImportError e says that `module` itself is not there (not
    that something it imports is missing, or fails)."""
    if hasattr(e, "name"):  # CPython
        return e.name == module
    # MicroPython names the module, unless its error reporting is terse
    # ("module not found") or none (""): such a build cannot tell.
    return str(e) in ("no module named '{}'".format(module), "module not found", "")


try:
    from .server import DEFAULT_ALLOW, Server
except ImportError as e:
    # A client-only firmware (the ADAFRUIT_F405_IOT board) leaves server.py
    # out: it saves that board the flash and the RAM of the server. Any
    # other import error (inside server.py) is the caller's to see.
    if not _is_missing(e, __name__ + ".server"):
        raise
else:
    __all__ += ["Server", "DEFAULT_ALLOW"]


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
