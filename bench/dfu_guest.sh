# SPDX-License-Identifier: MIT
# Runs inside the QEMU guest (bench/dfu_usb.sh): flashes 512 KiB onto
# mpx-dfu-sim with dfu-util, with mpx-dfu (native and dfu-util command
# lines), with pydfu's command line (tools/pydfu.py) and through the mpx.dfu
# Python API, RUNS times each, and prints per run: label, wall ms, the
# device's request count.
WORK=$1
REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=$REPO/build/host/bin
RUNS=$(cat "$WORK/runs" 2>/dev/null || echo 5)
. "$REPO/tests/usb/gadget.sh"
gadget_setup

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# The tools' output goes to the guest's tmpfs, as to a terminal: not to the
# run folder, where every write is a 9p round trip to the host.
OUT=${TMPDIR:-/tmp}/bench-out.txt

# one LABEL COMMAND...: a fresh device, the command timed, the flash checked.
# A command that prints "elapsed_ms N" (the Python API run) is timed by
# itself: the figure is then the API call's time in the process.
one() {
  label=$1
  shift
  sim_stop
  rm -f "$WORK/flash.img" "$WORK/stats"
  sim_start
  t0=$(now_ms)
  "$@" > "$OUT" 2>&1
  rc=$?
  t1=$(now_ms)
  sim_stop
  if [ $rc -ne 0 ] || ! cmp -s -n 524288 "$WORK/512k.bin" "$WORK/flash.img"; then
    echo "FAILED $label (exit $rc)"
    cat "$OUT"
    return
  fi
  ms=$(sed -n 's/^elapsed_ms //p' "$OUT")
  echo "$label ${ms:-$((t1 - t0))} $(sed -n 's/^requests //p' "$WORK/stats")"
}

# The Python API: open, flash (no verify, stay in DFU mode: the same work as
# dfu-util -D), close; with $1 = 1 a progress callback that counts, as a GUI
# would have (it runs once per USB block).
api() {
  PYTHONPATH=$REPO/cpython /usr/bin/python3 - "$WORK/512k.bin" "${1:-0}" <<'PY'
import sys, time
import mpx.dfu as dfu
img = dfu.read_file(sys.argv[1], address=0x08000000)
calls = [0]
def progress(phase, address, done, total):
    calls[0] += 1
t = time.monotonic()
with dfu.Device.open(0x0483, 0xDF11) as dev:
    dev.flash(img, progress=progress if sys.argv[2] == "1" else None, verify=False, leave=False)
    # From opening to done, as mpx-dfu's own "ms" (closing is not in either).
    print("elapsed_ms %d" % round((time.monotonic() - t) * 1000))
assert (calls[0] > 256) == (sys.argv[2] == "1"), calls
PY
}

# The same work from the C tool, timed the same way: its --json done event
# says how long it took from opening the device.
native_in_process() {
  "$BIN/mpx-dfu" --json flash --address 0x08000000 --no-verify --no-leave "$WORK/512k.bin" > "$OUT.json" || return 1
  tail -n 1 "$OUT.json" | sed -n 's/.*"ms":\([0-9]*\).*/elapsed_ms \1/p'
}

"$BIN/mpx-dfu" -q convert --address 0x08000000 "$WORK/512k.bin" "$WORK/512k.dfu"
run=0
while [ $run -lt "$RUNS" ]; do
  one dfu-util dfu-util -a 0 -s 0x08000000 -D "$WORK/512k.bin"
  one mpx-dfu "$BIN/mpx-dfu" -q flash --address 0x08000000 --no-verify --no-leave "$WORK/512k.bin"
  one mpx-dfu-verify "$BIN/mpx-dfu" -q flash --address 0x08000000 --no-leave "$WORK/512k.bin"
  one mpx-dfu-per-chunk "$BIN/mpx-dfu" -q flash --address 0x08000000 --no-verify --no-leave --per-chunk-address "$WORK/512k.bin"
  one as-dfu-util "$BIN/mpx-dfu" -a 0 -s 0x08000000 -D "$WORK/512k.bin"
  one deploy-dfu-util dfu-util -a 0 -d 0x0483:0xDF11 -D "$WORK/512k.dfu" -s :leave
  one deploy-as-dfu-util "$BIN/mpx-dfu" -a 0 -d 0x0483:0xDF11 -D "$WORK/512k.dfu" -s :leave
  one deploy-pydfu /usr/bin/python3 "$REPO/tools/pydfu.py" --vid 0x0483 --pid 0xdf11 -u "$WORK/512k.dfu"
  if [ -s "$WORK/pydfu-orig" ]; then
    one deploy-pydfu-micropython /usr/bin/python3 "$(cat "$WORK/pydfu-orig")" --vid 0x0483 --pid 0xdf11 -u "$WORK/512k.dfu"
  fi
  one mpx.dfu-api api 0
  one mpx.dfu-api-progress api 1
  one mpx-dfu-in-process native_in_process
  t0=$(now_ms); /usr/bin/python3 -c pass; t1=$(now_ms)
  echo "python3-start $((t1 - t0)) 0"
  run=$((run + 1))
done
