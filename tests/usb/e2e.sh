# SPDX-License-Identifier: MIT
# Runs inside the QEMU guest (tests/usb/run.sh): mpx-dfu and dfu-util
# against mpx-dfu-sim on a real USB bus (dummy_hcd). Prints TAP; the exit
# status is the number of failed cases.
#   sh tests/usb/e2e.sh WORKDIR
WORK=$1
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(cat "$WORK/bindir" 2>/dev/null || echo "$REPO/build/host/bin")
MPX=$BIN/mpx-dfu
. "$REPO/tests/usb/gadget.sh"
MB=1048576
n=0
failed=0

result() {  # name, 0/1
  n=$((n + 1))
  if [ "$2" -eq 0 ]; then
    echo "ok $n - $1"
  else
    failed=$((failed + 1))
    echo "not ok $n - $1"
    sed 's/^/#   /' "$WORK/out.txt" | tail -n 15
  fi
}

# check NAME COMMAND...: the command's status decides.
check() {
  name=$1
  shift
  if "$@"; then result "$name" 0; else result "$name" 1; fi
}

# mpx ARGS...: runs mpx-dfu, output in out.txt, status in $rc.
mpx() {
  "$MPX" "$@" > "$WORK/out.txt" 2>&1
  rc=$?
  echo "\$ mpx-dfu $* -> $rc" >> "$WORK/commands.log"
  cat "$WORK/out.txt" >> "$WORK/commands.log"
}

dfuutil() {
  dfu-util "$@" > "$WORK/out.txt" 2>&1
  rc=$?
  echo "\$ dfu-util $* -> $rc" >> "$WORK/commands.log"
  cat "$WORK/out.txt" >> "$WORK/commands.log"
}

says() { grep -q -- "$1" "$WORK/out.txt"; }
rc_is() { [ "$rc" -eq "$1" ]; }

# flash_has FILE ADDRESS: the sim's flash image holds FILE at ADDRESS.
flash_has() {
  size=$(stat -c %s "$1")
  cmp -s -n "$size" "$1" "$WORK/flash.img" 0 $(($2 - 0x08000000))
}

# flash_erased ADDRESS LENGTH
flash_erased() {
  head -c "$2" /dev/zero | tr '\0' '\377' > "$WORK/ff.bin"
  cmp -s -n "$2" "$WORK/ff.bin" "$WORK/flash.img" 0 $(($1 - 0x08000000))
}

fresh() {
  sim_stop
  rm -f "$WORK/flash.img" "$WORK/stats"
}

# A flash image with the filesystem sector (3) and a far sector filled.
seeded_image() {
  python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
img = bytearray(b"\xff" * (1024 * 1024 + 16))
fs = open(f"{w}/fs.bin", "rb").read()
img[0xC000:0x10000] = fs
img[0x60000:0x64000] = fs
img[1024 * 1024:1024 * 1024 + 2] = b"\xef\xaa"
open(f"{w}/flash.img", "wb").write(img)
PY
}

stat_is() { grep -q "^$1 $2\$" "$WORK/stats"; }

gadget_setup
: > "$WORK/commands.log"

# --- list ----------------------------------------------------------------
fresh; sim_start
mpx list
check "list shows the device, its alt settings and parsed layout" \
  sh -c 'rc_ok=$0; [ "$rc_ok" -eq 0 ] && grep -q "0483:df11 at 1-1 (DFU mode)" "$1" &&
         grep -q "alt 1: \"@Option Bytes" "$1" && grep -q "0x08020000    7 x 131072 B  rew" "$1"' "$rc" "$WORK/out.txt"
mpx --json list
check "list --json parses, with transfer size and segments" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["devices"][0]
assert d["vid"] == 0x0483 and d["pid"] == 0xDF11 and d["mode"] == "dfu", d
assert d["transfer_size"] == 2048 and d["dfu_version"] == 0x011A, d
seg = d["alts"][0]["layout"]["segments"]
assert [(s["pages"], s["page_size"]) for s in seg] == [(4, 16384), (1, 65536), (7, 131072)], seg
assert d["alts"][1]["layout"]["name"] == "Option Bytes"
' "$WORK/out.txt"
dfuutil -l
check "dfu-util -l sees the virtual device" says 'name="@Internal Flash  /0x08000000/04\*016Kg,01\*064Kg,07\*128Kg"'

mpx -d 0483:df11 --serial 3276384C3336 --path 1-1 list
check "filters: VID:PID, serial and path all match" sh -c "[ $rc -eq 0 ] && grep -q 'at 1-1' '$WORK/out.txt'"
mpx -d 1234:5678 list
check "filters: another VID:PID finds nothing (exit 4)" rc_is 4
mpx --serial NOPE flash --address 0x08000000 "$WORK/small.bin"
check "filters: flash explains what it saw and why it was not used" sh -c "[ $rc -eq 4 ] && grep -q 'does not match the filter' '$WORK/out.txt'"

# --- flash each format, leave ---------------------------------------------
mpx flash --address 0x08000000 "$WORK/fw.bin"
sim_wait; left=$SIMRC
check "flash .bin: exit 0, verified, left" sh -c "[ $rc -eq 0 ] && [ $left = 0 ]"
check "flash .bin: the flash holds the file" flash_has "$WORK/fw.bin" 0x08000000
check "flash .bin: jumped to the image start" grep -q "jumping to 0x08000000" "$WORK/sim.log"

sim_start
mpx read 0x08000000 300000 "$WORK/readback.bin"
check "read: exit 0 and the bytes match" sh -c "[ $rc -eq 0 ] && cmp -s '$WORK/fw.bin' '$WORK/readback.bin'"

for fmt in elf hex; do
  fresh; sim_start
  mpx flash "$WORK/fw.$fmt"
  sim_wait; left=$SIMRC
  check "flash .$fmt: exit 0 and left" sh -c "[ $rc -eq 0 ] && [ $left = 0 ]"
  check "flash .$fmt: the flash equals objcopy -O binary of the ELF" flash_has "$WORK/fw-elf.bin" 0x08000000
done

"$MPX" convert "$WORK/fw.elf" "$WORK/fw.dfu" > "$WORK/out.txt" 2>&1
check "convert ELF to .dfu" test -s "$WORK/fw.dfu"
dfu-suffix --check "$WORK/fw.dfu" > "$WORK/out.txt" 2>&1
check "dfu-suffix --check accepts our .dfu" says "Vendor ID:	0x0483"
fresh; sim_start
mpx flash "$WORK/fw.dfu"
sim_wait; left=$SIMRC
check "flash .dfu: exit 0, left, contents match" sh -c "[ $rc -eq 0 ] && [ $left = 0 ]"
check "flash .dfu: the flash equals the ELF's image" flash_has "$WORK/fw-elf.bin" 0x08000000

# --- page erase vs mass erase ------------------------------------------------
fresh; seeded_image; sim_start
mpx flash --address 0x08000000 --no-leave "$WORK/small.bin"
sim_stop
check "page erase: exit 0" rc_is 0
check "page erase: the image is written" flash_has "$WORK/small.bin" 0x08000000
check "page erase: the filesystem sector survives" flash_has "$WORK/fs.bin" 0x0800C000
check "page erase: a far sector survives" flash_has "$WORK/fs.bin" 0x08060000
check "page erase: the rest of a touched page is erased" flash_erased $((0x08000000 + 40000)) $((49152 - 40000))
check "page erase: 3 sectors erased, no mass erase" sh -c "grep -q '^erases 3$' '$WORK/stats' && grep -q '^mass_erases 0$' '$WORK/stats'"
sim_start
mpx flash --address 0x08000000 --mass-erase --no-leave "$WORK/small.bin"
sim_stop
check "mass erase: exit 0" rc_is 0
check "mass erase: the image is written" flash_has "$WORK/small.bin" 0x08000000
check "mass erase: the filesystem sector is gone" flash_erased 0x0800C000 16384
sim_start
mpx erase 0x08004000 0x4000
sim_stop
check "erase ADDRESS LENGTH: exit 0" rc_is 0
check "erase: the sector is erased" flash_erased 0x08004000 16384
check "erase: the sector before is kept" sh -c "cmp -s -n 16384 '$WORK/small.bin' '$WORK/flash.img'"

# --- dfu-util interop ----------------------------------------------------------
fresh; sim_start
dfuutil -a 0 -s :leave -D "$WORK/fw.dfu"
sim_wait; left=$SIMRC
check "dfu-util flashes our .dfu" sh -c "[ $rc -eq 0 ] && [ $left = 0 ]"
check "dfu-util's flash of our .dfu matches" flash_has "$WORK/fw-elf.bin" 0x08000000
fresh; sim_start
dfuutil -a 0 -s 0x08000000 -D "$WORK/fw.bin"
check "dfu-util -D fw.bin" rc_is 0
sim_stop; sim_start
mpx read 0x08000000 300000 "$WORK/readback.bin"
check "mpx-dfu read matches what dfu-util flashed" sh -c "[ $rc -eq 0 ] && cmp -s '$WORK/fw.bin' '$WORK/readback.bin'"
fresh; sim_start
mpx flash --address 0x08000000 --no-leave "$WORK/fw.bin"
dfuutil -a 0 -s 0x08000000:300000 -U "$WORK/upload.bin"
check "dfu-util uploads what mpx-dfu flashed" sh -c "cmp -s '$WORK/fw.bin' '$WORK/upload.bin'"

# --- dfu-util's command line: mpx-dfu and dfu-util, same arguments, same device ---
# same_as_dfu_util NAME ARGS...: on a seeded device each, dfu-util and then
# mpx-dfu run ARGS (OUT in them is a file, per tool). Both must succeed,
# leave the same flash and OUT, and both leave DFU mode or both stay in it.
same_as_dfu_util() {
  what=$1   # not $name, which check sets
  shift
  for tool in dfuutil ${OURS:-mpx}; do
    fresh; seeded_image; sim_start
    rm -f "$WORK/OUT"
    # shellcheck disable=SC2046
    $tool "$@"
    [ "$tool" = dfuutil ] || tool=mpx   # ours, whichever command ran
    cp "$WORK/out.txt" "$WORK/out-$tool.txt"
    eval "rc_$tool=$rc"
    i=0
    while kill -0 $SIMPID 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
    if kill -0 $SIMPID 2>/dev/null; then
      eval "state_$tool=stayed"
      sim_stop
    else
      wait $SIMPID
      eval "state_$tool=left-\$?"
    fi
    cp "$WORK/flash.img" "$WORK/flash-$tool.img"
    cp "$WORK/stats" "$WORK/stats-$tool" 2>/dev/null || : > "$WORK/stats-$tool"
    if [ -e "$WORK/OUT" ]; then mv "$WORK/OUT" "$WORK/OUT-$tool"; else rm -f "$WORK/OUT-$tool"; fi
  done
  # shellcheck disable=SC2154
  { echo "dfu-util: exit $rc_dfuutil, $state_dfuutil; mpx-dfu: exit $rc_mpx, $state_mpx"; cat "$WORK/out-mpx.txt"; } > "$WORK/out.txt"
  check "same as dfu-util: $what: both exit 0" sh -c "[ $rc_dfuutil -eq 0 ] && [ $rc_mpx -eq 0 ]"
  check "same as dfu-util: $what: both $state_dfuutil" test "$state_dfuutil" = "$state_mpx"
  check "same as dfu-util: $what: the same flash" cmp "$WORK/flash-dfuutil.img" "$WORK/flash-mpx.img"
  if [ -e "$WORK/OUT-dfuutil" ] || [ -e "$WORK/OUT-mpx" ]; then
    check "same as dfu-util: $what: the same file read" cmp "$WORK/OUT-dfuutil" "$WORK/OUT-mpx"
  fi
}
same_as_dfu_util "MicroPython's make deploy (-a 0 -d 0x0483:0xDF11 -D fw.dfu -s :leave)" \
  -a 0 -d 0x0483:0xDF11 -D "$WORK/fw.dfu" -s :leave
check "same as dfu-util: make deploy: the flash holds the ELF's image" \
  cmp -s -n "$(stat -c %s "$WORK/fw-elf.bin")" "$WORK/fw-elf.bin" "$WORK/flash-mpx.img"
# MicroPython's USE_PYDFU=1 deploy line through tools/pydfu.py (mpx.dfu),
# against dfu-util's deploy line: the same flash, both leave.
pydfu_deploy() {  # the dfu-util arguments are the peer's; this runs pydfu's line
  /usr/bin/python3 "$REPO/tools/pydfu.py" --vid 0x0483 --pid 0xdf11 -u "$WORK/fw.dfu" > "$WORK/out.txt" 2>&1
  rc=$?
  echo "\$ python3 tools/pydfu.py --vid 0x0483 --pid 0xdf11 -u fw.dfu -> $rc" >> "$WORK/commands.log"
  cat "$WORK/out.txt" >> "$WORK/commands.log"
}
OURS=pydfu_deploy
same_as_dfu_util "MicroPython's make deploy with pydfu (pydfu.py --vid 0x0483 --pid 0xdf11 -u fw.dfu)" \
  -a 0 -d 0x0483:0xDF11 -D "$WORK/fw.dfu" -s :leave
OURS=
check "pydfu line: the flash holds the ELF's image, and pydfu's output" \
  sh -c "cmp -s -n $(stat -c %s "$WORK/fw-elf.bin") '$WORK/fw-elf.bin' '$WORK/flash-mpx.img' &&
         grep -q 'Writing memory' '$WORK/out-mpx.txt' && grep -q 'Exiting DFU' '$WORK/out-mpx.txt' &&
         grep -q '100%' '$WORK/out-mpx.txt'"
# ... and against MicroPython's own pydfu.py (pyusb) with the same line. On
# a one-element .dfu both leave the same flash. fw.dfu has two elements in
# sector 4 (0x08010000): pydfu erases that sector again for the second one
# and so loses the first one's tail there; ours keeps it (the ELF's image).
pydfu_both() {  # FILE: runs both on a fresh seeded device each
  for which in orig ours; do
    fresh; seeded_image; sim_start
    if [ $which = orig ]; then script=$(cat "$WORK/pydfu-orig"); else script=$REPO/tools/pydfu.py; fi
    /usr/bin/python3 "$script" --vid 0x0483 --pid 0xdf11 -u "$1" > "$WORK/out-$which.txt" 2>&1
    eval "rc_$which=\$?"
    sim_wait
    eval "left_$which=\$SIMRC"
    cp "$WORK/flash.img" "$WORK/flash-$which.img"
  done
  cat "$WORK/out-orig.txt" "$WORK/out-ours.txt" > "$WORK/out.txt"
}
if [ -s "$WORK/pydfu-orig" ] && python3 -c "import usb.core" 2>/dev/null; then
  "$MPX" -q convert --address 0x08000000 "$WORK/small.bin" "$WORK/small.dfu"
  pydfu_both "$WORK/small.dfu"
  check "same as MicroPython's pydfu.py (one element): both exit 0 and leave" \
    sh -c "[ $rc_orig -eq 0 ] && [ $rc_ours -eq 0 ] && [ '$left_orig' = 0 ] && [ '$left_ours' = 0 ]"
  check "same as MicroPython's pydfu.py (one element): the same flash" \
    cmp "$WORK/flash-orig.img" "$WORK/flash-ours.img"
  pydfu_both "$WORK/fw.dfu"
  size=$(stat -c %s "$WORK/fw-elf.bin")
  check "MicroPython's pydfu.py, two elements in one sector: it loses the first one's tail, ours does not" \
    sh -c "[ $rc_orig -eq 0 ] && [ $rc_ours -eq 0 ] &&
           cmp -s -n $size '$WORK/fw-elf.bin' '$WORK/flash-ours.img' &&
           ! cmp -s -n $size '$WORK/fw-elf.bin' '$WORK/flash-orig.img' &&
           cmp -s -n 65536 '$WORK/flash-orig.img' '$WORK/flash-ours.img' &&
           head -c 4508 /dev/zero | tr '\\0' '\\377' | cmp -s -n 4508 - '$WORK/flash-orig.img' 0 65536"
else
  echo "# skipped: the comparison with MicroPython's pydfu.py (needs python3-usb and a MicroPython source: MICROPYTHON_PYDFU, or make test's build/micropython)"
fi
fresh; sim_start
/usr/bin/python3 "$REPO/tools/pydfu.py" -l > "$WORK/out.txt" 2>&1
rc=$?
check "pydfu line: -l lists the device and its memory layout" sh -c "[ $rc -eq 0 ] &&
  grep -q 'ID 0483:df11' '$WORK/out.txt' && grep -q '0x8020000  7 pages of 128K bytes' '$WORK/out.txt'"
/usr/bin/python3 "$REPO/tools/pydfu.py" --vid 0x1234 --pid 0x5678 -u "$WORK/fw.dfu" > "$WORK/out.txt" 2>&1
rc=$?
check "pydfu line: no device with those ids: an error, no request sent" sh -c "[ $rc -ne 0 ] &&
  grep -qi 'no.*device' '$WORK/out.txt'"
sim_stop
check "pydfu line: ... and the device saw no DFU request" stat_is requests 0
same_as_dfu_util "-R after -D: DETACH and a USB reset, the device stays in DFU mode" \
  -a 0 -D "$WORK/fw.dfu" -R
check "same as dfu-util: -R: both reset the bus once" \
  sh -c "grep -q '^bus_resets 1$' '$WORK/stats-dfuutil' && grep -q '^bus_resets 1$' '$WORK/stats-mpx'"
same_as_dfu_util "-a 0 -d 0483:df11 -D fw.dfu -s :leave" -a 0 -d 0483:df11 -D "$WORK/fw.dfu" -s :leave
same_as_dfu_util "-a 0 -s 0x08000000:leave -D small.bin" -a 0 -s 0x08000000:leave -D "$WORK/small.bin"
check "same as dfu-util: raw file: written, the filesystem sector kept" \
  sh -c "cmp -s -n 40000 '$WORK/small.bin' '$WORK/flash-mpx.img' &&
         cmp -s -n 16384 '$WORK/fs.bin' '$WORK/flash-mpx.img' 0 49152"
same_as_dfu_util "-a 0 -D fw.dfu stays in DFU mode" -a 0 -D "$WORK/fw.dfu"
same_as_dfu_util "-a 0 -s 0x08000000:65536 -U OUT" -a 0 -s 0x08000000:65536 -U "$WORK/OUT"
check "same as dfu-util: without -R neither resets the bus" \
  sh -c "grep -q '^bus_resets 0$' '$WORK/stats-dfuutil' && grep -q '^bus_resets 0$' '$WORK/stats-mpx'"
check "same as dfu-util: -U read 65536 bytes, the filesystem sector among them" \
  sh -c "[ \$(stat -c %s '$WORK/OUT-mpx') -eq 65536 ] && cmp -s -n 16384 '$WORK/fs.bin' '$WORK/OUT-mpx' 0 49152"
same_as_dfu_util "-a NAME -s 0x0800C000 -U OUT (to the end of the segment)" \
  -a "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg" -s 0x0800C000 -U "$WORK/OUT"
fresh; sim_start
dfuutil -l
grep '^Found' "$WORK/out.txt" > "$WORK/found-dfuutil.txt"
mpx -l
grep '^Found' "$WORK/out.txt" > "$WORK/found-mpx.txt"
diff "$WORK/found-dfuutil.txt" "$WORK/found-mpx.txt" > "$WORK/out.txt" 2>&1
check "dfu-util's -l: the same \"Found DFU\" lines" sh -c "[ $rc -eq 0 ] && [ -s '$WORK/found-mpx.txt' ] && diff -q '$WORK/found-dfuutil.txt' '$WORK/found-mpx.txt' >/dev/null"
mpx -a 0 -e
sim_wait; left=$SIMRC
check "dfu-util's -e on a DFU-mode device: it leaves" sh -c "[ $rc -eq 0 ] && [ $left = 0 ]"
fresh
sim_start_then "--runtime" ""
mpx -e -E 10
check "dfu-util's -e on a runtime device: detached, back in DFU mode" sh -c "[ $rc -eq 0 ] && grep -q 'in DFU mode' '$WORK/out.txt'"
mpx -a 0 -s 0x08000000:leave -D "$WORK/small.bin"
sim_wait
check "... and then flashes with :leave" sh -c "[ $rc -eq 0 ] && [ \"\$(cat '$WORK/second.rc')\" = 0 ]"
fresh; sim_start
mpx -a 0 -s 0x08000000:mass-erase:force:leave -D "$WORK/small.bin"
sim_wait; left=$SIMRC
check "dfu-util's :mass-erase:force:leave -D: exit 0, left, written" sh -c "[ $rc -eq 0 ] && [ $left = 0 ]"
check "... a mass erase, no page erase" sh -c "grep -q '^mass_erases 1$' '$WORK/stats' && grep -q '^erases 0$' '$WORK/stats'"
fresh; sim_start --vanish-on-leave
mpx -a 0 -s 0x08000000:leave -D "$WORK/small.bin"
check "dfu-util's command line: a device that resets on leave is success (dfu-util: 74)" rc_is 0
fresh; sim_start   # the device in DFU mode for the next section

# --- leave, re-enumeration, waiting ----------------------------------------------
mpx leave --jump 0x08004000
sim_wait; left=$SIMRC
check "leave --jump: exit 0, the device leaves" sh -c "[ $rc -eq 0 ] && [ $left = 0 ]"
check "leave --jump: it jumped there" grep -q "jumping to 0x08004000" "$WORK/sim.log"
(sleep 2; sim_start) &
helper=$!
mpx list --wait 20
wait $helper
check "list --wait sees a device that appears later (fresh libusb contexts)" rc_is 0
fresh
sim_start_then "--runtime" ""
mpx flash --address 0x08000000 "$WORK/small.bin"
sim_wait   # the DFU-mode sim saves its flash when it leaves (no sleep: the ASan build is slower)
check "runtime mode: flash detaches, waits, flashes" sh -c "[ $rc -eq 0 ] && grep -q detaching '$WORK/out.txt'"
check "runtime mode: the image is written" flash_has "$WORK/small.bin" 0x08000000

# --- read protection, option bytes --------------------------------------------
fresh
sim_start_then "--read-protected" ""
mpx flash --address 0x08000000 "$WORK/small.bin"
check "read-protected: flash fails with exit 6" rc_is 6
check "read-protected: the message says so" says "read protection is active"
mpx unprotect
check "unprotect without --yes is refused (exit 8)" rc_is 8
mpx unprotect --yes
check "unprotect --yes: the device erases, resets, comes back" rc_is 0
mpx flash --address 0x08000000 --no-leave "$WORK/small.bin"
check "after unprotect, flash works" rc_is 0
mpx -a 1 read 0x1FFFC000 16 "$WORK/ob.bin"
check "option bytes read (alt 1): RDP level 0" sh -c "[ $rc -eq 0 ] && [ \"\$(od -An -tx1 -j1 -N1 '$WORK/ob.bin' | tr -d ' ')\" = aa ]"
mpx -a 1 flash --address 0x1FFFC000 "$WORK/ob.bin"
check "option bytes need --option-bytes (exit 8)" sh -c "[ $rc -eq 8 ] && grep -q option-bytes '$WORK/out.txt'"
printf '\357\252' | dd of="$WORK/ob.bin" bs=1 conv=notrunc 2>/dev/null   # USER 0xEF, RDP 0xAA
printf '\125' | dd of="$WORK/ob.bin" bs=1 seek=15 conv=notrunc 2>/dev/null   # a changed last byte
mpx -a 1 flash --option-bytes --address 0x1FFFC000 "$WORK/ob.bin"
sim_wait
check "option bytes with --option-bytes: written, then the device resets to load them" \
  sh -c "[ $rc -eq 0 ] && grep -q 'resets to load its option bytes' '$WORK/out.txt' &&
         [ \"\$(cat '$WORK/second.rc')\" = 3 ] && cmp -s -n 16 '$WORK/ob.bin' '$WORK/flash.img' 0 $MB"

# --- the fault matrix ----------------------------------------------------------
fault() {  # name, sim options, expected exit, expected phrase, mpx options...
  name=$1; simopts=$2; want=$3; phrase=$4
  shift 4
  fresh
  # shellcheck disable=SC2086
  sim_start $simopts
  mpx --address 0x08000000 "$@" "$WORK/small.bin"
  check "fault: $name -> exit $want" sh -c "[ $rc -eq $want ] && grep -q -- '$phrase' '$WORK/out.txt'"
}
fault "stall mid-write" "--stall-write 5" 6 "errSTALLEDPKT" flash
fault "error status mid-write" "--error-write 3" 6 "errWRITE" flash
fault "device vanishes mid-transfer" "--vanish-at 40" 5 "error:" flash
fault "timeout: erase stays busy" "--slow-erase 100000 --erase-ms 100" 5 "still busy" --timeout 1500 flash
fault "no functional descriptor" "--no-functional-descriptor" 6 "give one with -t" flash
fault "no functional descriptor, -t given" "--no-functional-descriptor" 0 "wrote 40000 bytes" -t 2048 flash
fault "STALL while busy (STM32L4)" "--stall-busy" 0 "verified" flash
fault "outside the layout" "" 8 "outside" --address 0x08100000 flash
fault "vanish on leave is success" "--vanish-on-leave" 0 "left DFU mode" flash
fresh; sim_start --vanish-on-leave
dfuutil -a 0 -s 0x08000000:leave -D "$WORK/small.bin"
echo "# for comparison, dfu-util on the same device: exit $rc$(grep -o 'Error during download get_status' "$WORK/out.txt" | head -n 1 | sed 's/^/, /')"
"$MPX" -d 1209:0001 convert --address 0x08000000 "$WORK/small.bin" "$WORK/other.dfu" > /dev/null 2>&1
fresh; sim_start
mpx flash "$WORK/other.dfu"
sim_stop
check "fault: .dfu for another VID:PID -> exit 3" sh -c "[ $rc -eq 3 ] && grep -q 1209:0001 '$WORK/out.txt'"
check "fault: nothing was sent to the device" stat_is requests 0
fresh; sim_start
printf 'DfuSe\001garbage' > "$WORK/bad.dfu"
mpx flash "$WORK/bad.dfu"
sim_stop
check "fault: damaged .dfu -> exit 3, no request sent" sh -c "[ $rc -eq 3 ] && grep -q '^requests 0$' '$WORK/stats'"

# --- cancellation ---------------------------------------------------------------
fresh; sim_start
"$MPX" flash --address 0x08000000 --no-leave "$WORK/512k.bin" > "$WORK/out.txt" 2>&1 &
mpxpid=$!
sleep 0.5
kill -INT $mpxpid
wait $mpxpid
rc=$?
check "Ctrl-C stops at a request boundary: exit 130, says cancelled" sh -c "[ $rc -eq 130 ] && grep -q cancelled '$WORK/out.txt'"
mpx flash --address 0x08000000 --no-leave "$WORK/small.bin"
check "after a cancel the device flashes again" sh -c "[ $rc -eq 0 ]"
sim_stop

# --- JSON events ----------------------------------------------------------------
fresh; sim_start
mpx --json flash --address 0x08000000 --no-leave "$WORK/small.bin"
check "--json: progress events and a done event" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
phases = {e["phase"] for e in ev if e["event"] == "progress"}
assert phases == {"erase", "write", "verify"}, phases
assert ev[-1]["event"] == "done" and ev[-1]["bytes"] == 40000, ev[-1]
' "$WORK/out.txt"
sim_stop

# --- the bad-input matrix, differential -------------------------------------------
. "$REPO/tests/usb/bad_input.sh"

echo "1..$n"
echo "# $failed of $n failed"
exit $failed
