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

expect "native -d takes 0x ids" 0 "" -d 0x1209:0x0002 convert "$T/fw.hex" "$T/hex2.dfu"
expect "... and the suffix has them" 0 "suffix: 1209:0002" info "$T/hex2.dfu"

# --- dfu-util's command line (no device here: a line that parses ends in exit 4) ---
NODEV="no usable DFU device"
ID=1d50:fff0   # matches no device, should a board be plugged in
expect "dfu-util: MicroPython's make deploy line" 4 "$NODEV" -a 0 -d 0x0483:0xDF11 -D "$T/fw.dfu" -s :leave
expect "dfu-util: raw file at -s ADDRESS, leave" 4 "$NODEV" -d $ID -a 0 -s 0x08000000:leave -D "$T/fw.bin"
expect "dfu-util: -D .dfu, stay in DFU mode" 4 "$NODEV" -d $ID -a 0 -D "$T/fw.dfu"
expect "dfu-util: -D .hex" 4 "$NODEV" -d $ID -D "$T/fw.hex"
expect "dfu-util: -U with ADDRESS:LENGTH" 4 "$NODEV" -d $ID -a 0 -s 0x08000000:65536 -U "$T/up.bin"
n=$((n + 1))
if [ ! -e "$T/up.bin" ]; then echo "ok $n - dfu-util: a failed -U leaves no file"; else
  failed=$((failed + 1)); echo "not ok $n - dfu-util: a failed -U leaves no file"; fi
expect "dfu-util: -U without -s" 4 "$NODEV" -d $ID -U "$T/up.bin"
expect "dfu-util: -l" 4 "no DFU devices" -l -d $ID
expect "dfu-util: -l with -v -S -p -a -t" 4 "no DFU devices" -l -v -v -d $ID -S 3276384C3336 -p 1-1 -a 0 -t 2048
expect "dfu-util: -e -E" 4 "$NODEV" -e -E 3 -d $ID
expect "dfu-util: -R -Z, -a NAME" 4 "$NODEV" -R -Z 65536 -a "@Internal Flash  /0x08000000/04*016Kg" -d $ID \
  -s 0x08000000:1024 -U "$T/up.bin"
expect "dfu-util: -s with every modifier but unprotect" 4 "$NODEV" -d $ID -s 0x08000000:leave:mass-erase:force:will-reset \
  -D "$T/fw.bin"
expect "dfu-util: -s :mass-erase:force alone" 4 "$NODEV" -d $ID -s :mass-erase:force
expect "dfu-util: -s :unprotect:force alone" 4 "$NODEV" -d $ID -s :unprotect:force
expect "dfu-util: -s ADDRESS:leave alone" 4 "$NODEV" -d $ID -s 0x08004000:leave
expect "dfu-util: long names" 4 "$NODEV" --device 0483:df11,:df12 --alt 0 --serial X, --path 1-1 \
  --transfer-size 1024 --download "$T/fw.bin" --dfuse-address 0x08000000:leave --reset --detach-delay 2 \
  --upload-size 9 --verbose
expect "dfu-util: with mpx-dfu's long options" 4 "$NODEV" -d $ID --no-verify --jump 0x08000000 --timeout 2000 \
  --per-chunk-address --no-check-id --format bin -q -D "$T/fw.bin" -s 0x08000000
expect "dfu-util: -D - reads stdin" 4 "$NODEV" -d $ID -s 0x08000000 -D - < "$T/fw.bin"
expect "dfu-util: --json -l" 4 '{"devices":\[\]}' --json -l -d $ID
expect "dfu-util: -V" 0 "dfu-util 0.11's command line" -V -l
ln -s "$MPX" "$T/dfu-util"
n=$((n + 1))
if "$T/dfu-util" -V > "$T/out" 2>&1 && grep -q "dfu-util 0.11" "$T/out"; then
  echo "ok $n - run as dfu-util (a symlink): dfu-util's command line"
else
  failed=$((failed + 1)); echo "not ok $n - run as dfu-util (a symlink): dfu-util's command line"; sed 's/^/#   /' "$T/out"
fi
expect "dfu-util: unknown option named" 2 "unknown option '-x'" -x -D "$T/fw.bin"
expect "dfu-util: unknown long option named" 2 "unknown option '--mass-erase'" --mass-erase -D "$T/fw.bin"
expect "dfu-util: -c not taken, named" 2 "option -c (--cfg)" -c 1 -l
expect "dfu-util: -i not taken, named" 2 "option -i (--intf)" -i 0 -D "$T/fw.bin"
expect "dfu-util: -n not taken, named" 2 "option -n (--devnum)" -n 3 -l
expect "dfu-util: -D without a value" 2 "option '-D' needs a value" -l -D
expect "dfu-util: unknown -s modifier" 2 "unknown modifier 'lave'" -s 0x08000000:lave -D "$T/fw.bin"
expect "dfu-util: bad -s address" 2 "bad address 'zz'" -s zz:leave -D "$T/fw.bin"
expect "dfu-util: zero -s length" 2 "bad length '0'" -s 0x08000000:0 -U "$T/up.bin"
expect "dfu-util: two -s lengths" 2 "two lengths" -s 0x08000000:16:32 -U "$T/up.bin"
expect "dfu-util: -s LENGTH with -D" 2 "how much -U reads" -s 0x08000000:1024 -D "$T/fw.bin"
expect "dfu-util: mass-erase needs force" 2 "needs :force" -s :mass-erase -D "$T/fw.bin"
expect "dfu-util: unprotect needs force" 2 "needs :force" -s :unprotect
expect "dfu-util: unprotect goes alone" 2 "goes alone" -s :unprotect:force -D "$T/fw.bin"
expect "dfu-util: mass-erase with -U" 2 "does not go with -U" -s :mass-erase:force -U "$T/up.bin"
expect "dfu-util: -D and -U" 2 "one at a time" -D "$T/fw.bin" -U "$T/up.bin"
expect "dfu-util: -l with -s" 2 "does not go with -s" -l -s :leave
expect "dfu-util: a COMMAND word" 2 "takes no COMMAND" -D "$T/fw.bin" flash
expect "dfu-util: wildcards in -d" 2 "wildcards" -d '*:df11' -D "$T/fw.bin"
expect "dfu-util: different serials" 2 "different run-time and DFU-mode serial" -S A,B -l
expect "dfu-util: bad -E" 2 "bad -E" -E soon -e
expect "dfu-util: bad -a" 2 "bad alt" -a 9 -l
expect "dfu-util: nothing to do" 2 "nothing to do" -R -a 0
expect "dfu-util: -s ADDRESS with a .hex" 2 "is for raw .bin files" -s 0x08000000 -D "$T/fw.hex"
expect "dfu-util: -s ADDRESS:leave with a .dfu" 2 "is for raw .bin files" -s 0x08000000:leave -D "$T/fw.dfu"
expect "dfu-util: damaged .dfu, before any device" 3 "CRC" -D "$T/flip.dfu"
: > "$T/exists.bin"
expect "dfu-util: -U does not overwrite a file" 3 "does not overwrite" -s 0x08000000:16 -U "$T/exists.bin"
expect "native -s stays a plain address" 2 "bad address '0x08000000x'" -s 0x08000000x flash "$T/fw.bin"
expect "native -w takes SECONDS, -S a value that looks like -D" 2 "bad wait" -w soon -S -Dx list

echo "1..$n"
[ "$failed" -eq 0 ]
