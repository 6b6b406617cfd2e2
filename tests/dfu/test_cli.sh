#!/bin/sh
# SPDX-License-Identifier: MIT
# mpx-dfu's commands that need no device: usage errors, info, convert, and
# bad files (run by ctest; the USB cases are in tests/usb/).
#   tests/dfu/test_cli.sh PATH/TO/mpx-dfu
MPX=$(readlink -f "$1")
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
expect "--address is for raw binary only" 2 "which says where its data goes; an address is only for raw binary" \
  info --address 0x08000000 "$T/fw.hex"
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
expect "info of raw binary without an address: refused, with the hint" 2 "give the address with --address" info "$T/fw.bin"
expect "info --format bin" 0 "raw binary without an address" info --format bin "$T/fw.bin"
expect "convert of raw binary needs --address" 2 "raw binary needs --address" convert --format bin "$T/fw.bin" "$T/x.dfu"

expect "native -d takes 0x ids" 0 "" -d 0x1209:0x0002 convert "$T/fw.hex" "$T/hex2.dfu"
expect "... and the suffix has them" 0 "suffix: 1209:0002" info "$T/hex2.dfu"

# --- dfu-util's command line (no device here: a line that parses ends in
# dfu-util's exit 74, EX_IOERR; -l that finds nothing exits 0, as dfu-util) ---
NODEV="no usable DFU device"
ID=1d50:fff0   # matches no device, should a board be plugged in
expect "dfu-util: MicroPython's make deploy line" 74 "$NODEV" -a 0 -d 0x0483:0xDF11 -D "$T/fw.dfu" -s :leave
expect "dfu-util: raw file at -s ADDRESS, leave" 74 "$NODEV" -d $ID -a 0 -s 0x08000000:leave -D "$T/fw.bin"
expect "dfu-util: -D .dfu, stay in DFU mode" 74 "$NODEV" -d $ID -a 0 -D "$T/fw.dfu"
expect "dfu-util: -D .hex" 74 "$NODEV" -d $ID -D "$T/fw.hex"
expect "dfu-util: -U with ADDRESS:LENGTH" 74 "$NODEV" -d $ID -a 0 -s 0x08000000:65536 -U "$T/up.bin"
n=$((n + 1))
if [ ! -e "$T/up.bin" ]; then echo "ok $n - dfu-util: a failed -U leaves no file"; else
  failed=$((failed + 1)); echo "not ok $n - dfu-util: a failed -U leaves no file"; fi
expect "dfu-util: -U without -s" 74 "$NODEV" -d $ID -U "$T/up.bin"
expect "dfu-util: -l that finds nothing exits 0, as dfu-util" 0 "no DFU devices" -l -d $ID
expect "dfu-util: -l with -v -S -p -a -t" 0 "no DFU devices" -l -v -v -d $ID -S 3276384C3336 -p 1-1 -a 0 -t 2048
expect "dfu-util: -e -E" 74 "$NODEV" -e -E 3 -d $ID
expect "dfu-util: -R -Z, -a NAME" 74 "$NODEV" -R -Z 65536 -a "@Internal Flash  /0x08000000/04*016Kg" -d $ID \
  -s 0x08000000:1024 -U "$T/up.bin"
expect "dfu-util: -s with every modifier but unprotect" 74 "$NODEV" -d $ID -s 0x08000000:leave:mass-erase:force:will-reset \
  -D "$T/fw.bin"
expect "dfu-util: -s :mass-erase:force alone" 74 "$NODEV" -d $ID -s :mass-erase:force
expect "dfu-util: -s :unprotect:force alone" 74 "$NODEV" -d $ID -s :unprotect:force
expect "dfu-util: -s ADDRESS:leave alone" 74 "$NODEV" -d $ID -s 0x08004000:leave
expect "dfu-util: long names" 74 "$NODEV" --device 0483:df11,:df12 --alt 0 --serial X, --path 1-1 \
  --transfer-size 1024 --download "$T/fw.bin" --dfuse-address 0x08000000:leave --reset --detach-delay 2 \
  --upload-size 9 --verbose
expect "dfu-util: with mpx-dfu's long options" 74 "$NODEV" -d $ID --no-verify --jump 0x08000000 --timeout 2000 \
  --per-chunk-address --no-check-id --format bin -q -D "$T/fw.bin" -s 0x08000000
expect "dfu-util: -D - reads stdin" 74 "$NODEV" -d $ID -s 0x08000000 -D - < "$T/fw.bin"
expect "dfu-util: --json -l" 0 '{"devices":\[\]}' --json -l -d $ID
expect "dfu-util: -V" 0 "dfu-util 0.11's command line" -V -l
ln -s "$MPX" "$T/dfu-util"
n=$((n + 1))
if "$T/dfu-util" -V > "$T/out" 2>&1 && grep -q "dfu-util 0.11" "$T/out"; then
  echo "ok $n - run as dfu-util (a symlink): dfu-util's command line"
else
  failed=$((failed + 1)); echo "not ok $n - run as dfu-util (a symlink): dfu-util's command line"; sed 's/^/#   /' "$T/out"
fi
expect "dfu-util: unknown option named" 64 "unknown option '-x'" -x -D "$T/fw.bin"
expect "dfu-util: unknown long option named" 64 "unknown option '--mass-erase'" --mass-erase -D "$T/fw.bin"
expect "dfu-util: -c not taken, named" 64 "option -c (--cfg)" -c 1 -l
expect "dfu-util: -i not taken, named" 64 "option -i (--intf)" -i 0 -D "$T/fw.bin"
expect "dfu-util: -n not taken, named" 64 "option -n (--devnum)" -n 3 -l
expect "dfu-util: -D without a value" 64 "option '-D' needs a value" -l -D
expect "dfu-util: unknown -s modifier" 64 "unknown modifier 'lave'" -s 0x08000000:lave -D "$T/fw.bin"
expect "dfu-util: bad -s address" 64 "bad address 'zz'" -s zz:leave -D "$T/fw.bin"
expect "dfu-util: zero -s length" 64 "bad length '0'" -s 0x08000000:0 -U "$T/up.bin"
expect "dfu-util: two -s lengths" 64 "two lengths" -s 0x08000000:16:32 -U "$T/up.bin"
expect "dfu-util: -s LENGTH with -D" 64 "how much -U reads" -s 0x08000000:1024 -D "$T/fw.bin"
expect "dfu-util: mass-erase needs force" 64 "needs :force" -s :mass-erase -D "$T/fw.bin"
expect "dfu-util: unprotect needs force" 64 "needs :force" -s :unprotect
expect "dfu-util: unprotect goes alone" 64 "goes alone" -s :unprotect:force -D "$T/fw.bin"
expect "dfu-util: mass-erase with -U" 64 "does not go with -U" -s :mass-erase:force -U "$T/up.bin"
expect "dfu-util: -D and -U" 64 "one at a time" -D "$T/fw.bin" -U "$T/up.bin"
expect "dfu-util: -l with -s" 64 "does not go with -s" -l -s :leave
expect "dfu-util: a COMMAND word" 64 "takes no COMMAND" -D "$T/fw.bin" flash
expect "dfu-util: wildcards in -d" 64 "wildcards" -d '*:df11' -D "$T/fw.bin"
expect "dfu-util: different serials" 64 "different run-time and DFU-mode serial" -S A,B -l
expect "dfu-util: bad -E" 64 "bad -E" -E soon -e
expect "dfu-util: bad -a" 64 "bad alt" -a 256 -l
expect "dfu-util: nothing to do" 64 "nothing to do" -R -a 0
expect "dfu-util: -s ADDRESS with a .hex" 64 "an address is only for raw binary" -s 0x08000000 -D "$T/fw.hex"
expect "dfu-util: -s ADDRESS:leave with a .dfu" 64 "an address is only for raw binary" -s 0x08000000:leave -D "$T/fw.dfu"
expect "dfu-util: damaged .dfu, before any device" 64 "CRC" -D "$T/flip.dfu"
: > "$T/exists.bin"
expect "dfu-util: -U does not overwrite a file (73, dfu-util's EX_CANTCREAT)" 73 "does not overwrite" -s 0x08000000:16 -U "$T/exists.bin"
expect "native -s stays a plain address" 2 "bad address '0x08000000x'" -s 0x08000000x flash "$T/fw.bin"
expect "native -w takes SECONDS, -S a value that looks like -D" 2 "bad wait" -w soon -S -Dx list

# --- the simulated device (--sim, MPX_DFU_SIM): bad input refused before the
# first USB request, as its counters (MPX_DFU_SIM_STATS) show; the exit code
# of each command line's table ---
STATS=$T/stats
# sim_expect NAME WANT PHRASE REQUESTS ARGS...: with the simulated device;
# REQUESTS: the DFU requests it must have seen ('0': none, '+': some).
sim_expect() {
  sname=$1; swant=$2; sphrase=$3; sreq=$4
  shift 4
  rm -f "$STATS"
  MPX_DFU_SIM_STATS=$STATS expect "$sname" "$swant" "$sphrase" --sim "$@"
  got=$(sed -n 's/^requests //p' "$STATS" 2>/dev/null)
  n=$((n + 1))
  if { [ "$sreq" = + ] && [ "${got:-0}" -gt 0 ]; } || [ "$sreq" = "${got:-none}" ]; then
    echo "ok $n - $sname: the device saw ${got:-no} requests"
  else
    failed=$((failed + 1)); echo "not ok $n - $sname: the device saw ${got:-no} requests, wanted $sreq"
  fi
}
printf '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n' > "$T/junk.dfu"
cp "$T/junk.dfu" "$T/junk.hex"
cp "$T/junk.dfu" "$T/junk.bin"
: > "$T/empty.dfu"
head -c 64 /dev/zero > "$T/zeros.bin"
printf 'PK\003\004\024\000\000\000\010\000' > "$T/fw.zip.bin"
printf '\357\273\277\r\n\r\n' > "$T/bom.hex"
cat "$T/fw.hex" >> "$T/bom.hex"
mkdir "$T/adir.dfu"
cp "$MPX" "$T/host-program.elf"
sim_expect "junk page as .dfu (dfu-util's line): 64" 64 'junk.dfu is not a DfuSe file: it starts with "<!DOCTYPE html>", a web page?' 0 \
  -a 0 -d 0x0483:0xDF11 -D "$T/junk.dfu" -s :leave
sim_expect "junk page as .dfu (mpx-dfu flash): 3" 3 "is not a DfuSe file" 0 flash "$T/junk.dfu"
sim_expect "junk page as .hex: 64" 64 "junk.hex is not an Intel HEX file: it starts with" 0 -a 0 -D "$T/junk.hex"
sim_expect "junk page as .hex (mpx-dfu flash): 3" 3 "is not an Intel HEX file" 0 flash "$T/junk.hex"
sim_expect "junk page as .bin at -s ADDRESS (dfu-util flashes it): 64" 64 "junk.bin is not firmware: it starts with" 0 \
  -a 0 -s 0x08000000:leave -D "$T/junk.bin"
sim_expect "an empty .dfu: 64" 64 "empty.dfu is not a DfuSe file: it is empty" 0 -a 0 -D "$T/empty.dfu"
sim_expect "zeros at an address: 3" 3 "is not firmware: it is 64 zero bytes" 0 flash --address 0x08000000 "$T/zeros.bin"
sim_expect "a ZIP at an address: 64" 64 "it is a ZIP archive" 0 -a 0 -s 0x08000000 -D "$T/fw.zip.bin"
sim_expect "a program for this computer as .elf: 3" 3 "a program for a computer" 0 flash "$T/host-program.elf"
sim_expect "raw binary without an address (dfu-util's rule): 64" 64 "give the address with -s ADDRESS" 0 -a 0 -D "$T/fw.bin"
sim_expect "raw binary without an address (mpx-dfu flash): 2" 2 "give the address with --address" 0 flash "$T/fw.bin"
sim_expect "a damaged .dfu: 64" 64 "CRC" 0 -a 0 -D "$T/flip.dfu" -s :leave
sim_expect "a missing file: 66, as dfu-util" 66 "No such file" 0 -a 0 -D "$T/nope.dfu"
sim_expect "a directory: 66 (dfu-util: 70)" 66 "is a directory" 0 -a 0 -D "$T/adir.dfu"
sim_expect "a directory (mpx-dfu flash): 3" 3 "is a directory" 0 flash "$T/adir.dfu"
sim_expect "-a 5, an alt the device lacks: 74, as dfu-util" 74 'no alt setting 5 (it has 0 "@Internal Flash' 0 \
  -a 5 -D "$T/fw.dfu"
sim_expect "-a Flash, a name the device lacks: 74, as dfu-util" 74 'no alt setting named "Flash"' 0 -a Flash -D "$T/fw.dfu"
sim_expect "native -a 5 read: 2" 2 "no alt setting 5" 0 -a 5 read 0x08000000 16 "$T/o"
sim_expect "outside the layout: 64" 64 "outside" 0 -a 0 -s 0x08100000 -D "$T/fw.bin"
sim_expect "outside the layout (mpx-dfu flash): 8" 8 "outside" 0 flash --address 0x08100000 "$T/fw.bin"
sim_expect "the BOM hex flashes" 0 "wrote 17 bytes, verified" + -a 0 -D "$T/bom.hex" -s :leave
sim_expect "-a NAME, the whole name" 0 "wrote 5000 bytes" + -a "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg" \
  -s 0x08000000 -D "$T/fw.bin"
sim_expect "--format bin: at the start of the alt's memory" 0 "writing .*fw.bin at 0x08000000, the start of alt 0" + \
  flash --format bin "$T/fw.bin"
sim_expect "-l with the simulated device" 0 'Found DFU: \[0483:df11\] ver=2200, devnum=0, cfg=1, intf=0, path="sim", alt=0' 0 -l
sim_expect "-l with a filter that matches nothing: 0, as dfu-util" 0 "no DFU devices found" 0 -l -d 1234:5678
sim_expect "list with a filter that matches nothing: 4" 4 "no DFU devices found that match" 0 -d 1234:5678 list
sim_expect "--sim=LAYOUT: one alt setting" 0 'alt 0: "@Flash /0x08000000/8\*1Kg"' 0 --sim="@Flash /0x08000000/8*1Kg" list
expect "--sim=garbage is a usage error" 2 "bad --sim=" --sim=garbage list
n=$((n + 1))
if MPX_DFU_SIM=1 "$MPX" list > "$T/out" 2>&1 && grep -q "0483:df11 at sim (DFU mode)" "$T/out"; then
  echo "ok $n - MPX_DFU_SIM=1 puts the simulated device on the bus"
else
  failed=$((failed + 1)); echo "not ok $n - MPX_DFU_SIM=1 puts the simulated device on the bus"; sed 's/^/#   /' "$T/out"
fi
# The flash of the simulated device across runs (MPX_DFU_SIM_IMAGE): flash, read back, compare.
n=$((n + 1))
rm -f "$T/sim.img" "$T/back.bin"
if MPX_DFU_SIM_IMAGE=$T/sim.img "$MPX" --sim -q flash --address 0x08004000 "$T/fw.bin" > "$T/out" 2>&1 &&
   MPX_DFU_SIM_IMAGE=$T/sim.img "$MPX" --sim -q read 0x08004000 5000 "$T/back.bin" >> "$T/out" 2>&1 &&
   cmp -s "$T/fw.bin" "$T/back.bin"; then
  echo "ok $n - MPX_DFU_SIM_IMAGE keeps the simulated flash from one run to the next"
else
  failed=$((failed + 1)); echo "not ok $n - MPX_DFU_SIM_IMAGE keeps the simulated flash"; sed 's/^/#   /' "$T/out"
fi
# ... and a refused file leaves it as it was.
cp "$T/sim.img" "$T/sim-before.img"
MPX_DFU_SIM_IMAGE=$T/sim.img "$MPX" --sim -a 0 -s 0x08004000 -D "$T/junk.bin" > "$T/out" 2>&1
rc=$?
n=$((n + 1))
if [ $rc -eq 64 ] && cmp -s "$T/sim.img" "$T/sim-before.img"; then
  echo "ok $n - a refused file leaves the simulated flash as it was"
else
  failed=$((failed + 1)); echo "not ok $n - a refused file leaves the simulated flash as it was"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
