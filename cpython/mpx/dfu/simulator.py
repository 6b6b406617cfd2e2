# SPDX-License-Identifier: MIT
"""libmpxdfu's virtual STM32 bootloader (dfu_sim.h) in this process: a
device to rehearse with and to test against, without USB.

    sim = Simulator(faults={"error_write_at": 3})
    with sim.device as dev:              # a Device, as Device.open gives
        dev.flash(image)
    sim.memory(0x08000000, 16)          # what its flash holds now
    sim.state()["requests"]             # DFU requests it has seen

The environment variable MPX_DFU_SIM (1, or a layout string) puts one in
place of USB for pydfu's functions and command line (and for mpx-dfu);
MPX_DFU_SIM_IMAGE keeps its flash in a file, MPX_DFU_SIM_STATS writes its
counters to one when the process ends.
"""
import atexit
import os

from . import _cdfu
from .device import Device, DeviceInfo


class Simulator:
    """A virtual STM32 bootloader, an F4 by default (flash and option bytes).

    layout     alt 0's layout string; layouts: a list, one per alt
    faults     dict of dfu_sim_config faults: stall_write_at, error_write_at,
               vanish_at_request (1-based counters), vanish_on_leave,
               stall_busy_polls, erase_busy_polls, no_functional_descriptor,
               runtime, read_protected
    transfer_size  used when the device has no functional descriptor
    config     other dfu_sim_config fields: vid, pid, bcd_device,
               transfer_size_device (its wTransferSize), attributes, plain,
               write_poll_ms, erase_poll_ms, mass_erase_poll_ms;
               busy_limit_ms / timeout_ms for the session
    real_time  sleep the device's poll timeouts (a board's pace, for GUI
               demos and thread tests); by default the clock is virtual
               and they cost no real time.
    image      a file with its flash: loaded now (erased if missing);
               save(path) writes it back

    The hooks (memory, poke, state, reset, protect) still work after the
    device is closed.
    """

    def __init__(self, layout=None, layouts=None, faults=None, transfer_size=0, real_time=False, image=None,
                 **config):
        if layout is not None and layouts is not None:
            raise TypeError("give layout or layouts, not both")
        if layout is not None:
            layouts = [layout]
        busy_limit = config.pop("busy_limit_ms", 0)
        timeout = config.pop("timeout_ms", 0)
        if "transfer_size_device" in config:
            config["transfer_size"] = config.pop("transfer_size_device")
        cfg = dict(config)
        cfg.update(faults or {})
        self._s = _cdfu.open_sim(layouts, cfg, transfer_size, real_time)
        if image is not None:
            self._s.sim_load(os.fsdecode(image))
        if busy_limit or timeout:
            self._s.set_timeouts(timeout, busy_limit)
        self._device = Device(self._s)

    @property
    def device(self):
        """The Device on it (one; closing it does not end the simulator)."""
        return self._device

    def describe(self):
        """The device as list_devices describes one (DeviceInfo), or None
        once it left DFU mode."""
        d = self._s.sim_describe()
        return None if d is None else DeviceInfo(d)

    def memory(self, address, size):
        """Its memory, read directly (no USB)."""
        return self._s.sim_peek(address, size)

    def poke(self, address, data):
        """Writes its memory directly (no USB, no erase needed)."""
        self._s.sim_poke(address, data)

    def state(self):
        """dict: presence ("present", "left", "reset"), the jump address, and
        the request counters (requests, dnloads, uploads, getstatus, erases,
        mass_erases, set_address, early_polls, stalls)."""
        return self._s.sim_state()

    def reset(self, runtime=False):
        """Power-cycle it: back in dfuIDLE (or in runtime mode)."""
        self._s.sim_reset(runtime)

    def protect(self, level1=True):
        """Set read protection level 1 (or 0), as if programmed and reloaded."""
        self._s.sim_protect(level1)

    def save(self, path):
        """Write its whole memory to a file (the image= of a later one)."""
        self._s.sim_save(os.fsdecode(path))

    def save_counters(self, path):
        """Write its counters, one "name value" line each (as mpx-dfu-sim's --stats)."""
        self._s.sim_save_counters(os.fsdecode(path))


_from_environment = None


def from_environment():
    """The simulator MPX_DFU_SIM asks for, one per process (None if it is
    unset or "0"): "1" (or anything but a layout) an STM32F4, "@..." a
    layout string for one alt setting. Its flash is loaded from and saved
    to MPX_DFU_SIM_IMAGE, its counters written to MPX_DFU_SIM_STATS, when
    the process ends."""
    global _from_environment
    value = os.environ.get("MPX_DFU_SIM", "")
    if not value or value == "0":
        return None
    if _from_environment is None:
        image = os.environ.get("MPX_DFU_SIM_IMAGE") or None
        stats = os.environ.get("MPX_DFU_SIM_STATS") or None
        sim = Simulator(layout=value if value.startswith("@") else None, image=image)

        def finish():
            if image:
                sim.save(image)
            if stats:
                sim.save_counters(stats)

        atexit.register(finish)
        _from_environment = sim
    return _from_environment
