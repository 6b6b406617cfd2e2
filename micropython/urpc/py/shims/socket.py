# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""urpc shim: `import socket` on a board without networking.

The server's socket module: socket.socket(), getaddrinfo(), the constants.
Sockets are proxies; recv/send/readinto/write move bytes as bin payloads.

Frozen into the client firmware; needs urpc.connect(uart) first (boot.py).
Attributes are fetched from the server on first use and kept here.
"""
import urpc

__getattr__ = urpc.module_getattr("socket", globals())
