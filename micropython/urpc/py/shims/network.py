# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""urpc shim: `import network` on a board without networking.

The server's network module: network.WLAN(network.STA_IF) and the rest.
The board must build without its own network module (MICROPY_PY_NETWORK=0):
`network` is not an extensible built-in, so a file can not shadow it.

Frozen into the client firmware; needs urpc.connect(uart) first (boot.py).
Attributes are fetched from the server on first use and kept here.
"""
import urpc

__getattr__ = urpc.module_getattr("network", globals())
