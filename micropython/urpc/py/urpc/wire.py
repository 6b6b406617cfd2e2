# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""urpc's protocol (docs/urpc-protocol.md): the operations, the ext types, how a
reference and a HELLO look in a body. Constants, the METHOD marker and two
small helpers; it imports nothing, so every other file can import it.
"""
PROTOCOL = 1

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


class _Marker:
    pass


_METHOD = _Marker()


def _ref_bytes(ref, shape):
    return ref.to_bytes(4, "big") + shape.to_bytes(2, "big")


def _is_hello(body):
    # [OP_HELLO, releases, protocol, max_body]: a fixarray whose first item is 0
    return len(body) > 1 and body[0] & 0xf0 == 0x90 and body[1] == OP_HELLO
