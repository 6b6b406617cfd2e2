# SPDX-License-Identifier: MIT
"""mpx.dfu: flash STM32 boards over USB DFU from Python, on libmpxdfu.

Two APIs over the same C library (lib/dfu, the one behind ``mpx-dfu``):

The object API, for programs and GUIs::

    from mpx import dfu

    image = dfu.read_file("firmware.dfu")          # .dfu, .hex, ELF or .bin
    with dfu.Device.open(vid=0x0483, pid=0xDF11) as dev:
        dev.flash(image, progress=lambda phase, addr, done, total: print(phase, done, total))

``Device.flash``, ``erase``, ``read`` and ``leave`` release the GIL while they
talk to the device and take it back to call ``progress``; ``Device.cancel()``
from any other thread stops the operation at the next USB request, which then
raises ``CancelledError``. Every failure is a ``DfuError`` carrying the
library's ``code`` and the device's own report: ``state``, ``status`` and
``device_string`` (None when the device said nothing, e.g. it vanished).

pydfu's module API (MicroPython's tools/pydfu.py), so that a program written
for it runs with ``import mpx.dfu as pydfu``: ``init``, ``get_dfu_devices``,
``list_dfu_devices``, ``get_memory_layout``, ``read_dfu_file``,
``mass_erase``, ``page_erase``, ``set_address``, ``write_memory``,
``write_page``, ``write_elements``, ``exit_dfu``, ``get_status``,
``clr_status``, ``abort_request``, ``cli_progress``, ``main``; and pydfu's
command line: ``python3 -m mpx.dfu -l``, ``--vid V --pid P -u firmware.dfu``.

For tests and development, ``Device.simulated(...)`` opens libmpxdfu's
in-process virtual STM32 bootloader (dfu_sim.h), with its fault injection.
"""
import os
import sys

from . import _cdfu

__all__ = [
    "DfuError", "ArgumentError", "FileError", "NoDeviceError", "UsbError", "DeviceError", "ProtectedError",
    "VerifyError", "RefusedError", "CancelledError", "Device", "Image", "read_file", "parse", "list_devices",
    "parse_layout", "state_name", "status_name",
]

# ---------------------------------------------------------------------------
# Exceptions


class DfuError(Exception):
    """A libmpxdfu failure.

    code           the library's status id ("crc", "no-device", "status", ...)
    message        what failed, with numbers
    state, status  the device's DFU state and status (ints) from its last
                   GETSTATUS, or None if the device did not report one
    state_name, status_name   their names ("dfuERROR", "errWRITE") or None
    istring        the device's string index (0: none)
    device_string  the device's own error text (None if it gave none)
    """

    def __init__(self, message, code="unknown", state=None, status=None, istring=0, device_string=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.state = state
        self.status = status
        self.istring = istring
        self.device_string = device_string or None
        self.state_name = _cdfu.state_name(state) if state is not None else None
        self.status_name = _cdfu.status_name(status) if status is not None else None

    def __str__(self):
        return self.message


class ArgumentError(DfuError, ValueError):
    """The arguments are wrong (code "argument"), e.g. no transfer size."""


class FileError(DfuError):
    """A file is unreadable or invalid: io, format, truncated, crc, overlap, mismatch."""


class NoDeviceError(DfuError, ValueError):
    """No matching device, access denied, or it went away (a ValueError, as
    pydfu's init raised ValueError("No DFU device found"))."""


class UsbError(DfuError):
    """A transfer failed: usb, stall, timeout."""


class DeviceError(DfuError):
    """The device reported an error or is in the wrong state: status, state,
    unsupported, layout."""


class ProtectedError(DeviceError):
    """The device is read-protected (errVENDOR on ST's bootloader)."""


class VerifyError(DfuError):
    """Read-back differs from what was written."""


class RefusedError(DfuError):
    """Refused before touching the device: an address outside the layout,
    option bytes or RDP level 2 without the opt-in."""


class CancelledError(DfuError):
    """Device.cancel() (or a progress callback returning True) stopped it."""


_CLASSES = {
    "argument": ArgumentError, "nomem": DfuError,
    "io": FileError, "format": FileError, "truncated": FileError, "crc": FileError, "overlap": FileError,
    "mismatch": FileError,
    "no-device": NoDeviceError, "access": NoDeviceError,
    "usb": UsbError, "stall": UsbError, "timeout": UsbError,
    "state": DeviceError, "status": DeviceError, "unsupported": DeviceError, "layout": DeviceError,
    "protected": ProtectedError,
    "verify": VerifyError,
    "address": RefusedError, "refused": RefusedError,
    "cancelled": CancelledError,
}


def _make_error(code, message, has_device, state, status, istring, device_string):
    cls = _CLASSES.get(code, DfuError)
    if not has_device:
        return cls(message, code)
    return cls(message, code, state, status, istring, device_string)


_cdfu.set_error_factory(_make_error)

state_name = _cdfu.state_name      # state_name(10) == "dfuERROR"
status_name = _cdfu.status_name    # status_name(3) == "errWRITE"

# ---------------------------------------------------------------------------
# Files


class Image:
    """What a file asks to be written where.

    format    "dfuse", "ihex", "elf" or "bin"
    elements  list of dicts: num, alt, addr, size, data (pydfu's keys, plus alt)
    targets   list of (alt, name) of a DfuSe file
    suffix    dict vid, pid, bcd_device of the DFU suffix, or None
    entry     the ELF/HEX entry point, or None
    """

    def __init__(self, elements=(), format="bin", targets=(), suffix=None, entry=None):
        self.format = format
        self.elements = [dict(e) for e in elements]
        for i, e in enumerate(self.elements):
            e.setdefault("num", i)
            e.setdefault("alt", 0)
            e.setdefault("size", len(e["data"]))
        self.targets = list(targets)
        self.suffix = suffix
        self.entry = entry

    @property
    def size(self):
        """Total bytes of all elements."""
        return sum(e["size"] for e in self.elements)

    @property
    def start(self):
        """Lowest address of alt 0 (the default jump address), or None."""
        addrs = [e["addr"] for e in self.elements if e.get("alt", 0) == 0] or [e["addr"] for e in self.elements]
        return min(addrs) if addrs else None

    def to_dfuse(self, vid=0x0483, pid=0xDF11, pad=8):
        """The image as DfuSe .dfu file bytes (as tools/dfu.py -b builds)."""
        names = {alt: name for alt, name in self.targets if name} or {0: "ST..."}
        suffix = self.suffix or {"vid": vid, "pid": pid, "bcd_device": 0}
        return _cdfu.write_dfuse(_triples(self.elements), (suffix["bcd_device"], suffix["pid"], suffix["vid"]),
                                 names, pad)

    def __repr__(self):
        return "<mpx.dfu.Image {} {} elements, {} bytes>".format(self.format, len(self.elements), self.size)


def parse(data, format="auto", address=0x08000000):
    """Parse file contents (bytes) into an Image. format: auto, dfu, hex, elf,
    bin; address: where a raw .bin goes."""
    r = _cdfu.parse(bytes(data), format, address)
    elements = [{"num": i, "alt": alt, "addr": addr, "size": len(d), "data": d, "target": t}
                for i, (alt, addr, d, t) in enumerate(r["elements"])]
    suffix = None
    if r["suffix"] is not None:
        bcd, pid, vid, _ = r["suffix"]
        suffix = {"vid": vid, "pid": pid, "bcd_device": bcd}
    targets = [(alt, name if named else "") for alt, named, name in r["targets"]]
    return Image(elements, r["format"], targets, suffix, r["entry"])


def read_file(path, format="auto", address=0x08000000):
    """Read a .dfu, Intel .hex, ELF or raw .bin file into an Image (parsed by
    libmpxdfu; a .bin is placed at `address`)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return parse(data, format, address)
    except DfuError as e:
        e.message = "{}: {}".format(path, e.message)
        e.args = (e.message,)
        raise


def parse_layout(text):
    """Parse a DfuSe layout string ("@Internal Flash /0x08000000/04*016Kg,...")
    into (name, [dict(addr, last_addr, size, num_pages, page_size, flags)])."""
    name, segs = _cdfu.parse_layout(text)
    return name, [_segment(*s) for s in segs]


def _segment(start, page_size, pages, flags):
    size = page_size * pages
    return {"addr": start, "last_addr": start + size - 1, "size": size, "num_pages": pages,
            "page_size": page_size, "flags": flags}


def _triples(elements):
    return [(e.get("alt", 0), e["addr"], bytes(e["data"][:e.get("size", len(e["data"]))])) for e in elements]


# ---------------------------------------------------------------------------
# Devices


class DeviceInfo:
    """A DFU interface seen on the bus (list_devices / get_dfu_devices).
    Attributes: bus, address (pydfu's names), idVendor, idProduct, vid, pid,
    path, serial, manufacturer, product, runtime, alt_names, transfer_size,
    usable, why."""

    def __init__(self, d):
        self.__dict__.update(d)
        self.idVendor = d["vid"]
        self.idProduct = d["pid"]
        self.usable = d["result"] == "usable"

    def __repr__(self):
        return "<DeviceInfo {:04x}:{:04x} at {} {}>".format(self.vid, self.pid, self.path, self.product)


def list_devices(vid=None, pid=None, serial=None, path=None):
    """DFU interfaces on the USB bus (usable or not; see .usable, .why)."""
    both = vid is not None and pid is not None
    found = _cdfu.scan(vid if both else -1, pid if both else -1, serial, path)
    out = []
    for d in found:
        if d["result"] == "filtered":
            continue
        if vid is not None and d["vid"] != vid or pid is not None and d["pid"] != pid:
            continue
        out.append(DeviceInfo(d))
    return out


PHASES = ("erase", "write", "verify", "read", "leave")


class Device:
    """An open DFU device. Use as a context manager (closes on exit).

    Device.open(vid=None, pid=None, serial=None, path=None) finds it on USB;
    Device.simulated(...) opens the virtual bootloader (tests).

    Progress callbacks are progress(phase, address, done, total) with phase
    one of PHASES; they run in the thread doing the work, with the GIL held;
    returning True cancels. cancel() may be called from any thread.
    """

    def __init__(self, session):
        self._s = session
        self._info = session.describe()

    # --- opening

    @classmethod
    def open(cls, vid=None, pid=None, serial=None, path=None, transfer_size=0, detach_timeout_ms=5000):
        """Open the one usable DFU device matching vid:pid, serial, and/or USB
        path ("BUS-PORT.PORT"). A device in runtime mode is detached first.
        Raises NoDeviceError if none (or several) match."""
        if (vid is None) != (pid is None):
            matches = [d for d in list_devices(vid, pid, serial, path) if d.usable]
            if len(matches) == 1:
                vid, pid = matches[0].vid, matches[0].pid
                path = path or matches[0].path
        if (vid is None) != (pid is None):
            raise NoDeviceError("no single DFU device matches {}".format(
                "vid 0x%04x" % vid if vid is not None else "pid 0x%04x" % pid), "no-device")
        return cls(_cdfu.open_usb(-1 if vid is None else vid, -1 if pid is None else pid, serial, path,
                                  transfer_size, detach_timeout_ms))

    @classmethod
    def simulated(cls, layout=None, layouts=None, faults=None, transfer_size=0, real_time=False, **config):
        """Test/development hook: libmpxdfu's in-process virtual STM32
        bootloader (dfu_sim.h), an F4 by default (flash and option bytes).

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
        """
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
        dev = cls(_cdfu.open_sim(layouts, cfg, transfer_size, real_time))
        if busy_limit or timeout:
            dev._s.set_timeouts(timeout, busy_limit)
        return dev

    def close(self):
        """Release the device (a busy device refuses: cancel() first)."""
        self._s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self._s.close()
        except RuntimeError:
            self._s.cancel()
        return False

    # --- what it is

    @property
    def info(self):
        """dict: vid, pid, bus, address, path, manufacturer, product, serial,
        interface, transfer_size, dfuse, simulated, alt_names, runtime."""
        return dict(self._info)

    @property
    def alt_names(self):
        return list(self._info["alt_names"])

    @property
    def transfer_size(self):
        return self._info["transfer_size"]

    def layout(self, alt=0):
        """The memory layout of an alt setting: list of pydfu-style segment
        dicts (addr, last_addr, size, num_pages, page_size, flags); [] if none."""
        lay = self._info["layouts"][alt] if alt < len(self._info["layouts"]) else None
        return [] if lay is None else [_segment(*s) for s in lay[1]]

    def __repr__(self):
        i = self._info
        return "<mpx.dfu.Device {:04x}:{:04x} at {}>".format(i["vid"], i["pid"], i["path"])

    # --- work

    def cancel(self):
        """Stop the running operation at its next USB request (any thread);
        it raises CancelledError. A cancel with nothing running applies to the
        next operation."""
        self._s.cancel()

    def flash(self, image, progress=None, address=None, mass_erase=False, verify=True, leave=True,
              leave_address=None, force=False, allow_option_bytes=False, allow_rdp_level2=False,
              check_ids=True):
        """Write an Image (or a path, or a list of element dicts): check it
        against the layout, erase the pages it touches (or mass erase), write,
        read back (verify), and leave DFU mode jumping to leave_address (default:
        the image's start). address places a raw .bin given by path. Returns True
        if option bytes were written (the device then resets by itself)."""
        if isinstance(image, str) or hasattr(image, "__fspath__"):
            image = read_file(image, address=0x08000000 if address is None else address)
        elements = image.elements if isinstance(image, Image) else list(image)
        suffix = image.suffix if isinstance(image, Image) else None
        return self._s.flash(_triples(elements), progress,
                             None if suffix is None else (suffix["bcd_device"], suffix["pid"], suffix["vid"]),
                             mass_erase, verify, leave, leave_address, force, allow_option_bytes,
                             allow_rdp_level2, check_ids)

    def erase(self, address=0, size=0, alt=0, mass=False, force=False, progress=None):
        """Erase the pages of [address, address+size) of alt, or everything (mass=True)."""
        self._s.erase(alt, address, size, mass, force, progress)

    def mass_erase(self, progress=None):
        """Erase the whole flash (DfuSe 0x41)."""
        self._s.erase(0, 0, 0, True, False, progress)

    def read(self, address, size, alt=0, progress=None):
        """Read size bytes of device memory (bytes)."""
        return self._s.read(alt, address, size, progress)

    def leave(self, address=None):
        """Leave DFU mode and jump to address (default: the device's last
        address pointer; pass the application's start, e.g. 0x08000000). A
        device that resets before answering counts as success."""
        self._s.leave(address)

    def status(self):
        """GETSTATUS: dict status, status_name, state, state_name, poll_timeout_ms, istring, string."""
        st, poll, state, istring, text = self._s.get_status()
        return {"status": st, "status_name": status_name(st), "state": state, "state_name": state_name(state),
                "poll_timeout_ms": poll, "istring": istring, "string": text}

    def clear_status(self):
        self._s.clear_status()

    def abort(self):
        self._s.abort()

    def reach_idle(self):
        """From any state to dfuIDLE (CLRSTATUS / ABORT as needed)."""
        self._s.reach_idle()

    def set_address(self, address):
        self._s.set_address(address)

    def erase_page(self, address):
        self._s.erase_page(address)

    def write_memory(self, address, data, progress=None):
        """Write already-erased memory (no erase, no layout check): SET_ADDRESS
        and DNLOAD per transfer-size chunk, as pydfu's write_memory."""
        self._s.write_raw(address, data, progress)

    def read_unprotect(self):
        """Remove read protection: the device erases ALL its flash and resets."""
        self._s.read_unprotect()

    # --- test hooks (simulated devices only; they still work after close())

    def sim_memory(self, address, size):
        """The virtual device's memory, read directly (no USB)."""
        return self._s.sim_peek(address, size)

    def sim_poke(self, address, data):
        self._s.sim_poke(address, data)

    def sim_state(self):
        """dict: presence ("present", "left", "reset"), the jump address, and
        the request counters of the virtual device."""
        return self._s.sim_state()

    def sim_reset(self, runtime=False):
        """Power-cycle the virtual device (back in dfuIDLE)."""
        self._s.sim_reset(runtime)


# ---------------------------------------------------------------------------
# pydfu's module API (tools/pydfu.py): module-level state, as there


_dev = None       # the Device init() opened
_verbose = False


def init(**kwargs):
    """Open the one DFU device, as pydfu's init: idVendor, idProduct filters
    (pydfu's keywords), plus serial, path, or device= an open Device (e.g.
    Device.simulated(); the environment variable MPX_DFU_SIM=1 does the same
    for a fresh virtual STM32F4). Brings it to dfuIDLE."""
    global _dev
    dev = kwargs.pop("device", None)
    sim = os.environ.get("MPX_DFU_SIM")
    if dev is None and sim:
        # Test/dev hook: MPX_DFU_SIM=1 (an STM32F4) or a layout string puts
        # the virtual bootloader in place of USB (pydfu's command line too).
        dev = Device.simulated(layout=None if sim == "1" else sim)
    if dev is None:
        # One look at the bus (Device.open's), not a listing first and then
        # an open: each is a libusb context and an enumeration.
        try:
            dev = Device.open(kwargs.get("idVendor"), kwargs.get("idProduct"), kwargs.get("serial"),
                              kwargs.get("path"))
        except NoDeviceError as e:
            raise NoDeviceError("No DFU device found ({})".format(e.message), e.code) from None
        except ArgumentError as e:
            if "devices match" not in e.message:  # "N DFU devices match; choose one ..."
                raise
            raise NoDeviceError("Multiple DFU devices found ({})".format(e.message), "no-device") from None
    _dev = dev
    _dev.reach_idle()


def _need():
    if _dev is None:
        raise NoDeviceError("no device: call init() first", "no-device")
    return _dev


def get_status():
    """GETSTATUS: returns the state (prints the device's string, as pydfu)."""
    st = _need().status()
    if st["string"]:
        print(st["string"])
    return st["state"]


def check_status(stage, expected):
    status = get_status()
    if status != expected:
        raise SystemExit("DFU: %s failed (%s)" % (stage, state_name(status)))


def clr_status():
    _need().clear_status()


def abort_request():
    _need().abort()


def mass_erase():
    """Erase the entire device."""
    _need().mass_erase()


def page_erase(addr):
    """Erase the page holding addr."""
    if _verbose:
        print("Erasing page: 0x%x..." % (addr))
    _need().erase_page(addr)


def set_address(addr):
    _need().set_address(addr)


def write_memory(addr, buf, progress=None, progress_addr=0, progress_size=0):
    """Write already-erased memory, calling progress(progress_addr, offset,
    progress_size) as pydfu does."""
    dev = _need()
    cb = None
    if progress:
        def cb(phase, at, done, total):
            progress(progress_addr, addr + done - progress_addr, progress_size)
        progress(progress_addr, addr - progress_addr, progress_size)
    if _verbose:
        print("Addr 0x%x %dKBs..." % (addr, len(buf) // 1024))
    dev.write_memory(addr, bytes(buf), cb)


def write_page(buf, xfer_offset):
    """Write one already-erased page at 0x08000000 + xfer_offset."""
    _need().write_memory(0x08000000 + xfer_offset, bytes(buf))
    if _verbose:
        print("Write: 0x%x " % (0x08000000 + xfer_offset))


def write_elements(elements, mass_erase_used, progress=None):
    """Write elements (dicts with addr, size, data), erasing the pages they
    touch; progress(elem_addr, offset, elem_size) as pydfu's. No verify and
    no leave (exit_dfu() does that)."""
    dev = _need()
    elements = [e for e in elements]
    cb = None
    if progress:
        spans = sorted((e["addr"], e["size"]) for e in elements if e["size"])
        state = {"cur": None}

        def cb(phase, at, done, total):
            if phase != "write":
                return
            for a, n in spans:
                if a <= at < a + n:
                    if state["cur"] != a:
                        state["cur"] = a
                        progress(a, 0, n)
                    chunk = min(dev.transfer_size or n, a + n - at)
                    progress(a, at + chunk - a, n)
                    return
    dev.flash(elements, cb, verify=False, leave=False, check_ids=False)


def exit_dfu():
    """Leave DFU mode and start the program at 0x08000000 (as pydfu)."""
    global _dev
    dev = _need()
    try:
        dev.leave(0x08000000)
    except DfuError:
        print("Failed to reset device")
    try:
        dev.close()
    except Exception:  # noqa: BLE001 - pydfu swallows everything here too
        pass
    _dev = None


def compute_crc(data):
    """The DFU suffix CRC of data."""
    return _cdfu.crc32(bytes(data))


def read_dfu_file(filename):
    """Read a DfuSe file into a list of element dicts (num, addr, size, data,
    plus alt), printing its tables as pydfu does; None if it is invalid.
    Intel HEX, ELF and .bin (at 0x08000000) files are read too."""
    print("File: {}".format(filename))
    try:
        img = read_file(filename)
    except FileError as e:
        print(e.message)
        return None
    if img.format == "dfuse":
        print("    DfuSe v1, image size: %d, targets: %d" % (img.size, len(img.targets)))
        for i, (alt, name) in enumerate(img.targets):
            n = [e for e in img.elements if e["alt"] == alt]
            print('    Target %d, alt setting: %s, name: "%s", size: %d, elements: %d'
                  % (i, alt, name, sum(e["size"] for e in n), len(n)))
    for e in img.elements:
        print("      %(num)d, address: 0x%(addr)08x, size: %(size)d" % e)
    if img.suffix:
        print("    usb: %(vid)04x:%(pid)04x, device: 0x%(bcd_device)04x" % img.suffix)
    return img.elements


def get_dfu_devices(*args, **kwargs):
    """DFU devices on the bus (DeviceInfo, with pydfu's bus, address,
    idVendor, idProduct); filters: idVendor, idProduct, serial, path."""
    return [d for d in list_devices(kwargs.get("idVendor"), kwargs.get("idProduct"), kwargs.get("serial"),
                                    kwargs.get("path")) if d.usable]


def get_memory_layout(device):
    """The layout of alt 0 of a DeviceInfo or Device: list of dicts addr,
    last_addr, size, num_pages, page_size."""
    if isinstance(device, Device):
        return [{k: s[k] for k in ("addr", "last_addr", "size", "num_pages", "page_size")} for s in device.layout(0)]
    names = getattr(device, "alt_names", None) or []
    if not names:
        return []
    return [{k: s[k] for k in ("addr", "last_addr", "size", "num_pages", "page_size")}
            for s in parse_layout(names[0])[1]]


def list_dfu_devices(*args, **kwargs):
    """Print the DFU devices and their layouts (SystemExit if none, as pydfu)."""
    devices = get_dfu_devices(*args, **kwargs)
    if not devices:
        raise SystemExit("No DFU capable devices found")
    for device in devices:
        print("Bus {} Device {:03d}: ID {:04x}:{:04x}".format(device.bus, device.address, device.idVendor,
                                                              device.idProduct))
        layout = get_memory_layout(device)
        print("Memory Layout")
        for entry in layout:
            print("    0x{:x} {:2d} pages of {:3d}K bytes".format(entry["addr"], entry["num_pages"],
                                                                  entry["page_size"] // 1024))


_last_bar = None


def cli_progress(addr, offset, size):
    """A progress bar line for the command line (pydfu's). A line that would
    look the same as the one on screen is not written again."""
    global _last_bar
    width = 25
    done = offset * width // size if size else width
    bar = "\r0x{:08x} {:7d} [{}{}] {:3d}% ".format(addr, size, "=" * done, " " * (width - done),
                                                   offset * 100 // size if size else 100)
    if bar != _last_bar or offset == size:
        _last_bar = bar
        print(bar, end="")
        try:
            sys.stdout.flush()
        except OSError:
            pass
    if offset == size:
        _last_bar = None
        print("")


# pydfu's options: (short, long, destination, takes a value, help). The
# command line runs on every `make deploy`, so it is parsed by hand: argparse
# pulls in re, enum, gettext, locale and shutil, which cost more than the rest
# of the start-up together on a slow machine (bench/dfu_usb.sh).
_OPTIONS = (
    ("-l", "--list", "list", False, "list available DFU devices"),
    (None, "--vid", "vid", True, "USB Vendor ID"),
    (None, "--pid", "pid", True, "USB Product ID"),
    ("-m", "--mass-erase", "mass_erase", False, "mass erase device"),
    ("-u", "--upload", "path", True, "write a file to the DFU device (pydfu's name)"),
    ("-x", "--exit", "exit", False, "Exit DFU"),
    ("-v", "--verbose", "verbose", False, "increase output verbosity"),
)
_USAGE = "usage: pydfu [-h] [-l] [--vid VID] [--pid PID] [-m] [-u PATH] [-x] [-v]"


class _Args:
    list = mass_erase = exit = verbose = False
    vid = pid = None
    path = False


def _usage_error(message):
    sys.stderr.write("%s\npydfu: error: %s\n" % (_USAGE, message))
    raise SystemExit(2)


def _print_help():
    print(_USAGE)
    print("\nDFU Python Util (mpx.dfu, on libmpxdfu)\n\noptions:")
    print("  -h, --help            show this help message and exit")
    for short, long_, dest, value, text in _OPTIONS:
        names = ", ".join(n + (" " + dest.upper() if value else "") for n in (short, long_) if n)
        print("  %-21s %s" % (names, text) if len(names) <= 21 else "  %s\n%24s%s" % (names, "", text))
    raise SystemExit(0)


def _parse_args(argv):
    """pydfu's command line with argparse's rules: --opt VALUE, --opt=VALUE,
    a unique prefix of a long option, -uVALUE, grouped flags (-mx)."""
    args = _Args()
    argv = list(sys.argv[1:] if argv is None else argv)
    i = 0

    def take(option, dest, inline):
        nonlocal i
        if inline is None:
            if i >= len(argv) or (argv[i].startswith("-") and argv[i] != "-"):
                _usage_error("argument %s: expected one argument" % option)
            inline = argv[i]
            i += 1
        if dest in ("vid", "pid"):
            try:
                inline = int(inline, 0)
            except ValueError:
                _usage_error("argument %s: invalid int value: '%s'" % (option, inline))
        setattr(args, dest, inline)

    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg in ("-h", "--help"):
            _print_help()
        if arg.startswith("--") and len(arg) > 2:
            name, eq, inline = arg.partition("=")
            hits = [o for o in _OPTIONS if o[1] == name] or [o for o in _OPTIONS if o[1].startswith(name)]
            if "--help".startswith(name) and not [o for o in _OPTIONS if o[1] == name]:
                hits = hits + [("-h", "--help", None, False, "")]
            if len(hits) != 1:
                _usage_error(("ambiguous option: %s could match %s" % (name, ", ".join(o[1] for o in hits)))
                             if hits else "unrecognized arguments: %s" % arg)
            short, long_, dest, value, _ = hits[0]
            if dest is None:
                _print_help()
            if value:
                take(long_, dest, inline if eq else None)
            elif eq:
                _usage_error("argument %s: ignored explicit argument '%s'" % (long_, inline))
            else:
                setattr(args, dest, True)
        elif arg.startswith("-") and len(arg) > 1 and not arg.startswith("--"):
            j = 1
            while j < len(arg):
                hit = [o for o in _OPTIONS if o[0] == "-" + arg[j]]
                if arg[j] == "h":
                    _print_help()
                if not hit:
                    _usage_error("unrecognized arguments: %s" % arg)
                short, long_, dest, value, _ = hit[0]
                if value:
                    take(short + "/" + long_, dest, arg[j + 1:] or None)
                    break
                setattr(args, dest, True)
                j += 1
        else:
            _usage_error("unrecognized arguments: %s" % arg)
    return args


def main(argv=None):
    """pydfu's command line: -l, --vid, --pid, -m, -u FILE, -x, -v."""
    global _verbose
    args = _parse_args(argv)
    _verbose = args.verbose

    kwargs = {}
    if args.vid:
        kwargs["idVendor"] = args.vid
    if args.pid:
        kwargs["idProduct"] = args.pid

    try:
        if args.list:
            list_dfu_devices(**kwargs)
            return 0
        init(**kwargs)
        command_run = False
        if args.mass_erase:
            print("Mass erase...")
            mass_erase()
            command_run = True
        if args.path:
            elements = read_dfu_file(args.path)
            if not elements:
                print("No data in dfu file")
                return 0
            print("Writing memory...")
            write_elements(elements, args.mass_erase, progress=cli_progress)
            print("Exiting DFU...")
            exit_dfu()
            command_run = True
        if args.exit:
            print("Exiting DFU...")
            exit_dfu()
            command_run = True
        print("Finished" if command_run else "No command specified")
        return 0
    except DfuError as e:
        msg = "DFU: " + e.message
        if e.device_string and e.device_string not in e.message:
            msg += " (device: {})".format(e.device_string)
        raise SystemExit(msg)
    except OSError as e:
        raise SystemExit("DFU: {}".format(e))
