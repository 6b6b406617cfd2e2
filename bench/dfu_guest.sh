# SPDX-License-Identifier: MIT
# Runs inside the QEMU guest (bench/dfu_usb.sh): flashes 512 KiB onto
# mpx-dfu-sim with dfu-util and with mpx-dfu, RUNS times each, and prints
# wall time and the device's request counters for each run.
WORK=$1
REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=$REPO/build/host/bin
RUNS=$(cat "$WORK/runs" 2>/dev/null || echo 5)
. "$REPO/tests/usb/gadget.sh"
gadget_setup

now_ms() { echo $(($(date +%s%N) / 1000000)); }

one() {  # label, command...
  label=$1
  shift
  sim_stop
  rm -f "$WORK/flash.img" "$WORK/stats"
  sim_start
  t0=$(now_ms)
  "$@" > "$WORK/bench-out.txt" 2>&1
  rc=$?
  t1=$(now_ms)
  sim_stop
  if [ $rc -ne 0 ] || ! cmp -s -n 524288 "$WORK/512k.bin" "$WORK/flash.img"; then
    echo "FAILED $label (exit $rc)"
    cat "$WORK/bench-out.txt"
    return
  fi
  echo "$label $((t1 - t0)) $(sed -n 's/^requests //p' "$WORK/stats")"
}

run=0
while [ $run -lt "$RUNS" ]; do
  one dfu-util dfu-util -a 0 -s 0x08000000 -D "$WORK/512k.bin"
  one mpx-dfu "$BIN/mpx-dfu" -q flash --no-verify --no-leave "$WORK/512k.bin"
  one mpx-dfu-verify "$BIN/mpx-dfu" -q flash --no-leave "$WORK/512k.bin"
  one mpx-dfu-per-chunk "$BIN/mpx-dfu" -q flash --no-verify --no-leave --per-chunk-address "$WORK/512k.bin"
  run=$((run + 1))
done
