# SPDX-License-Identifier: MIT
# Sourced by tests/usb/e2e.sh (its helpers: check, fresh, seeded_image,
# sim_start, sim_stop): the bad-input matrix, differential. Each case runs,
# on a fresh seeded device each, through
#   Debian's dfu-util and mpx-dfu with the same dfu-util command line, and
#   MicroPython's own tools/pydfu.py and ours (tools/pydfu.py, mpx.dfu)
#   with MicroPython's `make deploy` line (--vid --pid -u FILE), for the
#   cases that are a file alone.
# Asserted: mpx-dfu and our pydfu refuse before the first DFU request (the
# device's counters say 0), with the exit code of mpx-dfu(1)'s dfu-util
# table (pydfu: 1 and one line), and the flash is as before; dfu-util's
# exit code and whether it wrote, as observed, so that a case where it
# flashes garbage and we refuse says so in its name; MicroPython's pydfu.py
# likewise.

matrix_start=$(date +%s)
# The files (fw.dfu, fw.hex, fw.elf from e2e.sh's start).
/usr/bin/python3 - "$WORK" <<'PY'
import struct, sys
w = sys.argv[1]
junk = b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n"
for ext in ("dfu", "hex", "bin", "elf"):
    open(f"{w}/junk.{ext}", "wb").write(junk)
open(f"{w}/empty.dfu", "wb").write(b"")
dfu = open(f"{w}/fw.dfu", "rb").read()
open(f"{w}/trunc.dfu", "wb").write(dfu[:300])
open(f"{w}/badcrc.dfu", "wb").write(dfu[:-1] + bytes([dfu[-1] ^ 0x01]))
hexlines = open(f"{w}/fw.hex", "rb").read().splitlines(keepends=True)
bad = bytearray(hexlines[1])
bad[-4:-2] = b"00" if bad[-4:-2] != b"00" else b"01"      # the second record's checksum
open(f"{w}/badsum.hex", "wb").write(b"".join(hexlines[:1] + [bytes(bad)] + hexlines[2:]))
open(f"{w}/bom.hex", "wb").write(b"\xef\xbb\xbf\r\n\r\n" + b"".join(hexlines))
# An ELF executable with one program header, a note: nothing to load.
ehdr = b"\x7fELF\x01\x01\x01" + bytes(9) + struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, 0x08000101, 52, 0, 0, 52, 32, 1,
                                                       40, 0, 0)
open(f"{w}/noload.elf", "wb").write(ehdr + struct.pack("<IIIIIIII", 4, 84, 0, 0, 4, 4, 4, 4) + b"note")
PY
"$MPX" -q convert --address 0x080F0000 "$WORK/blob.bin" "$WORK/outside.dfu"   # 70000 bytes past the 1 MiB flash
cp /bin/true "$WORK/prog.elf"                                                   # an ELF for this computer
mkdir -p "$WORK/adir.dfu"
rm -f "$WORK/nope.dfu"
ORIG=$(cat "$WORK/pydfu-orig" 2>/dev/null)
if [ -z "$ORIG" ] || ! python3 -c "import usb.core" 2>/dev/null; then
  echo "# skipped: MicroPython's pydfu.py in the bad-input matrix (needs python3-usb and a MicroPython source:" \
       "MICROPYTHON_PYDFU, or make test's build/micropython)"
  ORIG=""
fi

# run_on_fresh TOOL ARGS...: on a fresh seeded device; sets rc, wrote
# (yes/no: the flash differs from before), requests and dnloads (the
# device's counters).
run_on_fresh() {
  tool=$1
  shift
  fresh; seeded_image
  cp "$WORK/flash.img" "$WORK/before.img"
  sim_start
  case $tool in
    dfuutil) dfu-util "$@" > "$WORK/out.txt" 2>&1 ;;
    mpx) "$MPX" "$@" > "$WORK/out.txt" 2>&1 ;;
    pydfu) /usr/bin/python3 "$REPO/tools/pydfu.py" "$@" > "$WORK/out.txt" 2>&1 ;;
    pydfu-orig) /usr/bin/python3 "$ORIG" "$@" > "$WORK/out.txt" 2>&1 ;;
  esac
  rc=$?
  sim_stop
  if cmp -s "$WORK/flash.img" "$WORK/before.img"; then wrote=no; else wrote=yes; fi
  requests=$(sed -n 's/^requests //p' "$WORK/stats" 2>/dev/null)
  dnloads=$(sed -n 's/^dnloads //p' "$WORK/stats" 2>/dev/null)
  { echo "\$ $tool $* -> exit $rc, wrote $wrote, requests ${requests:-?}, dnloads ${dnloads:-?}"; cat "$WORK/out.txt"; } \
    >> "$WORK/commands.log"
}

# refused_by_ours NAME WANT_RC: mpx-dfu or our pydfu refused: the exit code,
# the flash as before, no DFU request at all.
refused_by_ours() {
  check "bad input: $1: exit $2, nothing written, no DFU request" \
    sh -c "[ $rc -eq $2 ] && [ $wrote = no ] && [ '${requests:-x}' = 0 ]"
}

# bad NAME DFU_UTIL_RC DFU_UTIL_WROTE OURS_RC PYDFU_ORIG_RC PYDFU_ORIG_WROTE ARGS...
# ARGS: dfu-util's command line; its last word is the file, which pydfu's
# line takes alone when the line is "-a 0 -D FILE -s :leave" ('-' in the
# pydfu columns: not run).
bad() {
  what=$1; want_du=$2; du_wrote=$3; want_ours=$4; want_orig=$5; orig_wrote=$6
  shift 6
  run_on_fresh dfuutil "$@"
  du_rc=$rc
  note=""
  [ "$du_wrote" = yes ] && note=" (it changes the flash; we refuse: see the case's comment)"
  check "bad input: $what: dfu-util exits $want_du, wrote $du_wrote$note" \
    sh -c "[ $rc -eq $want_du ] && [ $wrote = $du_wrote ]"
  [ "$du_wrote" = no ] || [ "$dnloads" != 0 ] || echo "# $what: dfu-util wrote without a DNLOAD?"
  run_on_fresh mpx "$@"
  refused_by_ours "$what: mpx-dfu $*" "$want_ours"
  if [ "$want_orig" = - ]; then
    return 0
  fi
  eval "file=\${$#}"
  run_on_fresh pydfu --vid 0x0483 --pid 0xdf11 -u "$file"
  said=$(grep -c '^DFU: ' "$WORK/out.txt")
  refused_by_ours "$what: our pydfu -u" 1
  check "bad input: $what: our pydfu says why in one line, last, and not Finished" \
    sh -c "[ $said -eq 1 ] && tail -n 1 '$WORK/out.txt' | grep -q '^DFU: ' && ! grep -q Finished '$WORK/out.txt'"
  if [ -n "$ORIG" ]; then
    run_on_fresh pydfu-orig --vid 0x0483 --pid 0xdf11 -u "$file"
    check "bad input: $what: MicroPython's pydfu.py exits $want_orig, wrote $orig_wrote" \
      sh -c "[ $rc -eq $want_orig ] && [ $wrote = $orig_wrote ]"
  fi
}

# The dfu-util line of MicroPython's make deploy, and raw files at -s ADDRESS.
D="-a 0 -d 0x0483:0xDF11"
#   name                                         dfu-util  ours  pydfu.py  dfu-util's command line
bad "a web page saved as firmware.dfu"           64 no      64    1 no     $D -s :leave -D "$WORK/junk.dfu"
bad "a web page saved as firmware.hex"           64 no      64    1 no     $D -s :leave -D "$WORK/junk.hex"
bad "a web page saved as firmware.elf"           64 no      64    1 no     $D -s :leave -D "$WORK/junk.elf"
# dfu-util writes any file at -s ADDRESS, a web page too; ours reads what it is first.
bad "a web page saved as firmware.bin, at -s ADDRESS" 0 yes 64    - -      $D -s 0x08000000:leave -D "$WORK/junk.bin"
bad "an empty file"                              64 no      64    1 no     $D -s :leave -D "$WORK/empty.dfu"
bad "a truncated .dfu"                           64 no      64    1 no     $D -s :leave -D "$WORK/trunc.dfu"
# dfu-util warns about the CRC, then no longer takes the file for DfuSe.
bad "a .dfu with a bad suffix CRC"               64 no      64    0 no     $D -s :leave -D "$WORK/badcrc.dfu"
bad "a .hex with a bad checksum"                 64 no      64    1 no     $D -s :leave -D "$WORK/badsum.hex"
# dfu-util writes the text of a .hex file at -s ADDRESS; a .hex says where its data goes.
bad "a .hex with a byte-order mark, at -s ADDRESS" 0 yes    64    - -      $D -s 0x08000000:leave -D "$WORK/bom.hex"
# ... and an ELF's bytes, headers and all.
bad "an ELF at -s ADDRESS"                       0 yes      64    - -      $D -s 0x08000000:leave -D "$WORK/fw.elf"
# MicroPython's pydfu.py reads any file as DfuSe: an ELF is "No data in dfu
# file", and it exits 0 (make deploy "succeeds" with nothing written).
bad "an ELF with no loadable segment"            64 no      64    0 no     $D -s :leave -D "$WORK/noload.elf"
bad "an ELF for this computer"                   64 no      64    0 no     $D -s :leave -D "$WORK/prog.elf"
# MicroPython's pydfu.py writes until the device refuses an address past its
# flash: the first 65536 bytes are written, then it fails (exit 1).
bad "a .dfu outside the device's layout"         64 no      64    1 yes    $D -s :leave -D "$WORK/outside.dfu"
bad "a wrong alt setting by number (-a 5)"       74 no      74    - -      -a 5 -d 0x0483:0xDF11 -D "$WORK/fw.dfu"
bad "a wrong alt setting by name (-a Flash)"     74 no      74    - -      -a Flash -d 0x0483:0xDF11 -D "$WORK/fw.dfu"
bad "a missing path"                             66 no      66    1 no     $D -s :leave -D "$WORK/nope.dfu"
# dfu-util fails to read a directory (74 here, "Could only read 0 of 4096
# bytes"; 70 on a filesystem that gives it no size); we say what it is: 66.
bad "a directory"                                74 no      66    1 no     $D -s :leave -D "$WORK/adir.dfu"
# dfu-util mass-erases first and then finds that the file (raw, no -s
# ADDRESS) is not one it takes: the flash is gone, nothing written; we
# refuse before the first request.
bad "a raw file with :mass-erase and no address" 64 yes     64    - -      $D -s :mass-erase:force:leave -D "$WORK/small.bin"

# The byte-order-mark HEX file is a good file: dfu-util does not read Intel
# HEX at all (no DfuSe prefix: "Only DfuSe file version 1.1a is supported",
# 64, nothing written); mpx-dfu and our pydfu flash it where its records say.
run_on_fresh dfuutil $D -s :leave -D "$WORK/bom.hex"
check "HEX with a byte-order mark: dfu-util refuses it (it takes no Intel HEX): 64, nothing written" \
  sh -c "[ $rc -eq 64 ] && [ $wrote = no ]"
for tool in mpx pydfu; do
  if [ $tool = mpx ]; then run_on_fresh mpx $D -s :leave -D "$WORK/bom.hex"
  else run_on_fresh pydfu --vid 0x0483 --pid 0xdf11 -u "$WORK/bom.hex"; fi
  check "HEX with a byte-order mark: $tool flashes it, the flash holds the ELF's image" \
    sh -c "[ $rc -eq 0 ] && cmp -s -n $(stat -c %s "$WORK/fw-elf.bin") '$WORK/fw-elf.bin' '$WORK/flash.img'"
done

# -U onto a file that exists: neither overwrites it; dfu-util finds out after
# opening the device, mpx-dfu before (73, EX_CANTCREAT, both).
printf 'keep' > "$WORK/exists.bin"
for tool in dfuutil mpx; do
  run_on_fresh $tool -a 0 -s 0x08000000:16 -U "$WORK/exists.bin"
  check "-U onto an existing file: $tool exits $rc (73), the file is kept" \
    sh -c "[ $rc -eq 73 ] && [ \"\$(cat '$WORK/exists.bin')\" = keep ]"
done

# dfu-util's -l with no device: 0 (set -e scripts go on), as dfu-util.
fresh
dfu-util -l -d 1234:5678 > "$WORK/out.txt" 2>&1
du_rc=$?
"$MPX" -l -d 1234:5678 > "$WORK/out.txt" 2>&1
mpx_rc=$?
check "-l that finds nothing: dfu-util exits $du_rc, mpx-dfu $mpx_rc (both 0)" sh -c "[ $du_rc -eq 0 ] && [ $mpx_rc -eq 0 ]"
echo "# the bad-input matrix took $(( $(date +%s) - matrix_start )) s"
