# SPDX-License-Identifier: MIT
"""Read Unix `ar` archives (libgcc.a, libc.a) for MicroPython's mpy_ld.py.

mpy_ld.py links a native module against libgcc (LINK_RUNTIME=1) through
tools/ar_util.py, which reads archives with the `ar` package from PyPI
(`from ar import Archive`). That package is not in Debian; this module has
the part of its interface ar_util.py uses: Archive(file), iteration over
members with a `.name`, and open(name, mode) giving a seekable file.

The format: "!<arch>\\n", then per member a 60-byte header (name 16, mtime
12, uid 6, gid 6, mode 8, size 10, "`\\n") and the data, padded to an even
length. GNU archives name members "name/", keep longer names in a "//"
member (as "/offset") and the symbol index in "/".
"""
import io

MAGIC = b"!<arch>\n"


class Entry:
    def __init__(self, name, offset, size):
        self.name = name
        self.offset = offset
        self.size = size


class Archive:
    def __init__(self, f):
        data = f.read()
        if not data.startswith(MAGIC):
            raise ValueError("not an ar archive")
        self._data = data
        self.entries = []
        long_names = b""
        pos = len(MAGIC)
        while pos + 60 <= len(data):
            header = data[pos:pos + 60]
            if header[58:60] != b"`\n":
                raise ValueError("bad ar member header at offset {}".format(pos))
            raw = header[:16].rstrip(b" ")
            size = int(header[48:58].decode().strip())
            start = pos + 60
            if raw == b"//":
                long_names = data[start:start + size]
            elif raw not in (b"/", b"/SYM64/"):
                if raw.startswith(b"/") and raw[1:].isdigit():
                    at = int(raw[1:])
                    end = long_names.index(b"/\n", at)
                    name = long_names[at:end]
                elif raw.startswith(b"#1/"):  # BSD: the name leads the data
                    n = int(raw[3:])
                    name = data[start:start + n].rstrip(b"\0")
                    start += n
                    size -= n
                else:
                    name = raw[:-1] if raw.endswith(b"/") else raw
                self.entries.append(Entry(name.decode(), start, size))
            pos = start + size + ((start + size) & 1)

    def __iter__(self):
        return iter(self.entries)

    def open(self, name, mode="rb"):
        for e in self.entries:
            if e.name == name:
                return io.BytesIO(self._data[e.offset:e.offset + e.size])
        raise KeyError(name)
