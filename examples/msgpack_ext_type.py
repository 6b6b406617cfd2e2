# SPDX-License-Identifier: MIT
# The seed's ExtType example: a class that MessagePack does not know travels
# as an extension type (code 1), through `default` when packing and
# `ext_hook` when unpacking. This is how the RPC sends proxies of objects.
from io import BytesIO

try:
    from mpx import msgpack  # desktop: the mpx package
except ImportError:
    import msgpack  # MicroPython: the built-in module

pack, unpack, ExtType = msgpack.pack, msgpack.unpack, msgpack.ExtType


class MyClass:
    def __init__(self, val):
        self.value = val

    def __str__(self):
        return str(self.value)


def encoder(obj):
    if isinstance(obj, MyClass):
        # represent MyClass as object with code == 1
        # valid codes are in the range 0~127
        return ExtType(1, obj.value)
    return "no encoder for {}".format(obj)


def decoder(code, data):
    if code == 1:
        # code == 1 is our code for MyClass
        return MyClass(data)
    return "no decoder for type {}".format(code)


data = MyClass(b'my_value')

buffer = BytesIO()
pack(data, buffer, default=encoder)
buffer.seek(0)
decoded = unpack(buffer, ext_hook=decoder)
print("{} -> {} -> {}".format(data, buffer.getvalue(), decoded))
