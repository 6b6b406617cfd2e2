# SPDX-License-Identifier: MIT
# Sourced by the guest scripts: a configfs gadget with one FunctionFS
# function, and mpx-dfu-sim on it, bound to dummy_hcd's UDC.
#   gadget_setup; sim_start [mpx-dfu-sim options]; ... sim_wait; sim_stop
G=/sys/kernel/config/usb_gadget/mpx
FFS=/run/ffs
SIM=${SIM:-$BIN/mpx-dfu-sim}

gadget_setup() {
  mkdir -p $G/strings/0x409 $G/configs/c.1 $G/functions/ffs.dfu
  echo 0x0483 > $G/idVendor
  echo 0xdf11 > $G/idProduct
  echo 0x2200 > $G/bcdDevice
  echo STMicroelectronics > $G/strings/0x409/manufacturer
  echo "STM32  BOOTLOADER" > $G/strings/0x409/product
  echo 3276384C3336 > $G/strings/0x409/serialnumber
  ln -s $G/functions/ffs.dfu $G/configs/c.1/ 2>/dev/null || true
  mkdir -p $FFS
  mount -t functionfs dfu $FFS
}

bind_udc() {
  i=0
  while [ ! -f "$WORK/ready" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
  # A sim that exits (closes ep0) unbinds the gadget itself; writing an
  # empty UDC while the sim still runs can block in the kernel, so the
  # scripts never do that.
  i=0
  until echo dummy_udc.0 > $G/UDC 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 40 ] || return 1
    sleep 0.05
  done
  i=0
  while [ ! -e /sys/bus/usb/devices/1-1/idVendor ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
  [ -e /sys/bus/usb/devices/1-1/idVendor ]
}

# Starts the sim in the background (SIMPID), binds the gadget, waits for
# the device to enumerate.
sim_start() {
  rm -f "$WORK/ready"
  "$SIM" --ready "$WORK/ready" --image "$WORK/flash.img" --stats "$WORK/stats" "$@" $FFS >> "$WORK/sim.log" 2>&1 &
  SIMPID=$!
  bind_udc
}

# Like sim_start, but when the sim resets (exit 3) it comes back with the
# second option set (a string), as a board does after a reset: used for
# detach and read unprotect.
sim_start_then() {
  first=$1
  then_opts=$2
  rm -f "$WORK/ready" "$WORK/second.rc"
  (
    # shellcheck disable=SC2086
    "$SIM" --ready "$WORK/ready" --image "$WORK/flash.img" --stats "$WORK/stats" $first $FFS >> "$WORK/sim.log" 2>&1
    rc=$?
    if [ $rc -eq 3 ]; then
      sleep 0.3
      rm -f "$WORK/ready"
      # shellcheck disable=SC2086
      "$SIM" --ready "$WORK/ready" --image "$WORK/flash.img" --stats "$WORK/stats" $then_opts $FFS >> "$WORK/sim.log" 2>&1 &
      pid=$!
      bind_udc
      wait $pid
      echo $? > "$WORK/second.rc"
    fi
  ) &
  SIMPID=$!
  bind_udc
}

# Waits (up to 15 s) for the sim to end by itself (leave, reset); its exit
# status goes to SIMRC ("running" if it did not end).
sim_wait() {
  i=0
  while kill -0 $SIMPID 2>/dev/null && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
  if kill -0 $SIMPID 2>/dev/null; then
    SIMRC=running
    return
  fi
  wait $SIMPID
  SIMRC=$?
}

sim_stop() {
  if kill -0 $SIMPID 2>/dev/null; then
    kill $SIMPID 2>/dev/null
    wait $SIMPID 2>/dev/null
  fi
  # A child sim of sim_start_then may still run.
  pkill -f "mpx-dfu-sim --ready" 2>/dev/null
  sleep 0.1
  return 0
}
