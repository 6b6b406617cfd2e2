# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""urpc shim: `import ssl` on a board without networking.

The server's ssl module: wrap_socket() and SSLContext() take the proxy
of a server socket; TLS runs on the server.

Frozen into the client firmware; needs urpc.connect(uart) first (boot.py).
Attributes are fetched from the server on first use and kept here.
"""
import urpc

__getattr__ = urpc.module_getattr("ssl", globals())
