#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Seed corpora for the DFU fuzzers (fuzz/fuzz_dfu_*.c): small valid
DfuSe, Intel HEX and ELF32 files and real layout strings, built here from
the formats' definitions (UM0391, the Intel HEX spec, the ELF spec).

    tools/dfu_seeds.py OUTDIR     -> OUTDIR/{file,hex,elf,layout,source,sim}/
"""
import os
import struct
import sys
import zlib


def dfuse(targets, vid=0x0483, pid=0xDF11):
    body = b""
    for alt, elements in targets:
        els = b"".join(struct.pack("<II", a, len(d)) + d for a, d in elements)
        body += b"Target" + struct.pack("<BI", alt, 1) + b"ST...".ljust(255, b"\0")
        body += struct.pack("<II", len(els), len(elements)) + els
    data = b"DfuSe\x01" + struct.pack("<IB", 11 + len(body), len(targets)) + body
    data += struct.pack("<HHHH", 0, pid, vid, 0x011A) + b"UFD\x10"
    return data + struct.pack("<I", zlib.crc32(data) ^ 0xFFFFFFFF)


def hexrec(address, rtype, payload):
    rec = bytes([len(payload), address >> 8 & 0xFF, address & 0xFF, rtype]) + payload
    return ":" + (rec + bytes([-sum(rec) & 0xFF])).hex().upper() + "\n"


def elf(segments, entry=0x08000101):
    phoff, n = 52, len(segments)
    data_off = phoff + 32 * n
    head = b"\x7fELF\x01\x01\x01" + b"\0" * 9
    head += struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, entry, phoff, 0, 0, 52, 32, n, 40, 0, 0)
    ph, blob = b"", b""
    for paddr, payload in segments:
        ph += struct.pack("<IIIIIIII", 1, data_off + len(blob), 0x20000000, paddr, len(payload),
                          len(payload), 5, 4)
        blob += payload
    return head + ph + blob


def main():
    out = sys.argv[1]
    seeds = {
        "file": {
            "one.dfu": dfuse([(0, [(0x08000000, bytes(range(64)))])]),
            "two.dfu": dfuse([(0, [(0x08000000, b"\x01" * 40), (0x08004000, b"\x02" * 8)]),
                              (1, [(0x1FFFC000, b"\xef\xaa" + b"\xff" * 14)])]),
        },
        "hex": {
            "small.hex": (hexrec(0, 4, b"\x08\x00") + hexrec(0, 0, bytes(range(16))) +
                          hexrec(0x10, 0, b"\xaa\xbb") + hexrec(0, 5, b"\x08\x00\x01\x01") +
                          hexrec(0, 1, b"")).encode(),
            "segment.hex": (hexrec(0, 2, b"\x10\x00") + hexrec(0, 0, b"\x55") + hexrec(0, 1, b"")).encode(),
        },
        "elf": {
            "two.elf": elf([(0x08000000, bytes(range(48))), (0x08000030, b"\x78\x56\x34\x12")]),
        },
        "layout": {
            "f4.txt": b"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
            "ob.txt": b"@Option Bytes  /0x1FFFC000/01*016 e",
            "otp.txt": b"@OTP Memory /0x1FFF7800/01*512 g,01*016 g",
            "two.txt": b"@SPI/0x90000000/1*1Mg/0x08000000/2*128Bb",
        },
        # The file rules: the first byte picks the name, format and address
        # (fuzz/fuzz_dfu_source.c), the rest is the file.
        "source": {
            "dfu-named.bin": b"\x00" + dfuse([(0, [(0x08000000, bytes(range(64)))])]),
            "hex-bom.bin": b"\x01" + b"\xef\xbb\xbf\r\n" + (hexrec(0, 4, b"\x08\x00") + hexrec(0, 0, b"\x01\x02") +
                                                            hexrec(0, 1, b"")).encode(),
            "raw-at.bin": b"\x23" + b"\x00\x00\x02\x20\x01\x01\x00\x08" * 4,
            "html.bin": b"\x00<!DOCTYPE html>\n<html></html>\n",
            "elf.bin": b"\x02" + elf([(0x08000000, bytes(range(48)))]),
        },
        "sim": {
            # set address, erase, write block 2, status polls, upload block 2
            "flash.bin": b"\x00" + b"".join([
                struct.pack("<BBHH", 0x21, 1, 0, 5) + b"\x21\x00\x00\x00\x08",
                struct.pack("<BBHH", 0xA1, 3, 0, 6), struct.pack("<BBHH", 0xA1, 3, 0, 6),
                struct.pack("<BBHH", 0x21, 1, 0, 5) + b"\x41\x00\x00\x00\x08",
                struct.pack("<BBHH", 0xA1, 3, 0, 6), struct.pack("<BBHH", 0xA1, 3, 0, 6),
                struct.pack("<BBHH", 0x21, 1, 2, 8) + b"12345678",
                struct.pack("<BBHH", 0xA1, 3, 0, 6), struct.pack("<BBHH", 0xA1, 3, 0, 6),
                struct.pack("<BBHH", 0x21, 6, 0, 0), struct.pack("<BBHH", 0xA1, 2, 2, 16),
                struct.pack("<BBHH", 0x21, 1, 0, 0), struct.pack("<BBHH", 0xA1, 3, 0, 6),
            ]),
        },
    }
    for kind, files in seeds.items():
        os.makedirs(os.path.join(out, kind), exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(out, kind, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
