# SPDX-License-Identifier: MIT
# The seed's MessagePack session: pack an object to a stream, compare its
# size with JSON, unpack it again. Runs unchanged on the desktop (mpx.msgpack)
# and on a MicroPython board (the built-in msgpack module).
import json
from io import BytesIO

try:
    from mpx import msgpack  # desktop: the mpx package
except ImportError:
    import msgpack  # MicroPython: the built-in module

# msgpack takes a "stream-like" target
buf = BytesIO()

# object to pack
obj = {'list': [True, False, None, 1, 'abc'], 'str': 'blah', 'bytes': b'012345'}

msgpack.pack(obj, buf)
print("packed   [{}]: {}".format(len(buf.getvalue()), buf.getvalue()))

# JSON has no bytes type: the same object with the bytes as a string
as_json = json.dumps({k: (v.decode() if isinstance(v, bytes) else v) for k, v in obj.items()})
print("json     [{}]: {}".format(len(as_json), as_json))

# unpack
buf.seek(0)
obj_unpacked = msgpack.unpack(buf)
print("unpacked [{}]: {}".format(len(repr(obj)), obj_unpacked))
