#!/bin/sh
# SPDX-License-Identifier: MIT
# mpx-dfu's commands that need no device: usage errors, info, convert, and
# bad files (run by ctest; the USB cases are in tests/usb/).
#   tests/dfu/test_cli.sh PATH/TO/mpx-dfu
MPX=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
failed=0

expect() {  # name, wanted exit, phrase ('' for any), args...
  name=$1; want=$2; phrase=$3
  shift 3
  "$MPX" "$@" > "$T/out" 2>&1
  rc=$?
  n=$((n + 1))
  if [ "$rc" -eq "$want" ] && { [ -z "$phrase" ] || grep -q -- "$phrase" "$T/out"; }; then
    echo "ok $n - $name"
  else
    failed=$((failed + 1))
    echo "not ok $n - $name (exit $rc, wanted $want and '$phrase')"
    sed 's/^/#   /' "$T/out"
  fi
}

/usr/bin/python3 - "$T" <<'PY'
import random, sys
rnd = random.Random(7)
open(sys.argv[1] + "/fw.bin", "wb").write(bytes(rnd.getrandbits(8) for _ in range(5000)))
rec = lambda a, t, p: ":" + (bytes([len(p), a >> 8, a & 255, t]) + p + bytes([-(len(p) + (a >> 8) + (a & 255) + t + sum(p)) & 255])).hex().upper() + "\n"
open(sys.argv[1] + "/fw.hex", "w").write(rec(0, 4, b"\x08\x00") + rec(0, 0, bytes(range(16))) + rec(0x100, 0, b"\xaa") + rec(0, 1, b""))
open(sys.argv[1] + "/bad.hex", "w").write(rec(0, 0, bytes(range(16))).replace("0F", "0E", 1) + rec(0, 1, b""))
PY

expect "no command is a usage error" 2 "no command"
expect "unknown command" 2 "unknown command"  frobnicate
expect "bad -d" 2 "bad device" -d zz:1 list
expect "bad address" 2 "bad address" read 0x8000000x 16 "$T/o"
expect "flash needs a file" 2 "takes 1 argument" flash
expect "--help lists the exit codes" 0 "exit status: 0 ok" --help
expect "--version" 0 "mpx-dfu 0" --version
expect "convert .bin" 0 "wrote" convert --address 0x08004000 "$T/fw.bin" "$T/fw.dfu"
expect "info .dfu" 0 "0x08004000..0x08005387" info "$T/fw.dfu"
if command -v dfu-suffix > /dev/null; then
  n=$((n + 1))
  if dfu-suffix --check "$T/fw.dfu" > "$T/out" 2>&1 && grep -q "Product ID:	0xDF11" "$T/out"; then
    echo "ok $n - dfu-suffix --check accepts our .dfu"
  else
    failed=$((failed + 1))
    echo "not ok $n - dfu-suffix --check accepts our .dfu"
    sed 's/^/#   /' "$T/out"
  fi
else
  echo "# SKIPPED dfu-suffix --check: dfu-util is not installed"
fi
expect "convert -d sets the suffix ids" 0 "" -d 1209:0001 convert "$T/fw.hex" "$T/hex.dfu"
expect "info shows them" 0 "suffix: 1209:0001" info "$T/hex.dfu"
expect "info .hex: two elements" 0 "2 elements" info "$T/fw.hex"
expect "info --json" 0 '"format":"ihex"' --json info "$T/fw.hex"
expect "--address is for .bin only" 2 "raw .bin" info --address 0x08000000 "$T/fw.hex"
head -c 300 "$T/fw.dfu" > "$T/cut.dfu"
expect "truncated .dfu: exit 3" 3 "suffix" info "$T/cut.dfu"
cp "$T/fw.dfu" "$T/flip.dfu"
printf '\377' | dd of="$T/flip.dfu" bs=1 seek=400 conv=notrunc 2>/dev/null
expect "flipped byte in .dfu: CRC, exit 3" 3 "CRC" info "$T/flip.dfu"
expect "bad HEX checksum: exit 3" 3 "checksum" info "$T/bad.hex"
expect "missing file: exit 3" 3 "No such file" info "$T/nope.dfu"
expect "--json error event" 3 '"event":"error","code":"crc","exit":3' --json info "$T/flip.dfu"
expect "unprotect without --yes" 8 "--yes" unprotect
expect "--json with read to stdout" 2 "standard output" --json read 0x08000000 16 -
expect "zero length" 2 "bad length" read 0x08000000 0 "$T/o"
expect "bad alt" 2 "bad alt" -a 9 list

echo "1..$n"
[ "$failed" -eq 0 ]
