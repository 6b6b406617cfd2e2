# SPDX-License-Identifier: MIT
"""pydfu's module API (MicroPython's tools/pydfu.py) on libmpxdfu, so that a
program written for pydfu runs with ``import mpx.dfu as pydfu``: init,
get_dfu_devices, list_dfu_devices, get_memory_layout, read_dfu_file,
mass_erase, page_erase, set_address, write_memory, write_page,
write_elements, exit_dfu, get_status, clr_status, abort_request,
compute_crc. Module-level state, as there: init() opens the one device.

MPX_DFU_SIM=1 (or a layout string) puts the virtual STM32 bootloader in
place of USB for every function here (simulator.from_environment).
"""
from . import _cdfu
from .device import Device, list_devices, parse_layout, read_file, state_name, _matching
from .errors import ArgumentError, DfuError, NoDeviceError
from .simulator import from_environment

_dev = None       # the Device init() opened
_verbose = False


def init(**kwargs):
    """Open the one DFU device, as pydfu's init: idVendor, idProduct filters
    (pydfu's keywords), plus serial, path, or device= an open Device (e.g.
    Simulator().device; MPX_DFU_SIM=1 in the environment does the same for
    a fresh virtual STM32F4). Brings it to dfuIDLE."""
    open_device(**kwargs)
    _dev.reach_idle()


def open_device(**kwargs):
    """init() without its first request (the command line checks the file
    against the device's layout before it sends any): returns the Device."""
    global _dev
    dev = kwargs.pop("device", None)
    if dev is None:
        sim = from_environment()
        if sim is not None:
            if not _matching_sim(sim, kwargs.get("idVendor"), kwargs.get("idProduct")):
                raise NoDeviceError("No DFU device found (the simulated one does not match)", "no-device")
            dev = sim.device
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
    return dev


def _matching_sim(sim, vid, pid):
    d = sim.describe()
    return [] if d is None else _matching([d.__dict__], vid, pid)


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


def print_dfu_file(filename, img):
    """pydfu's tables of what a file holds."""
    print("File: {}".format(filename))
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


def read_dfu_file(filename):
    """Read a DfuSe file into a list of element dicts (num, addr, size, data,
    plus alt), printing its tables as pydfu does; None (and why) if it cannot
    be flashed. Intel HEX and ELF files are read too (their names say so);
    raw binary is not (it has no addresses)."""
    try:
        img = read_file(filename)
    except DfuError as e:
        print("File: {}".format(filename))
        print(e.message)
        return None
    print_dfu_file(filename, img)
    return img.elements


def get_dfu_devices(*args, **kwargs):
    """DFU devices on the bus (DeviceInfo, with pydfu's bus, address,
    idVendor, idProduct); filters: idVendor, idProduct, serial, path. With
    MPX_DFU_SIM: the simulated one."""
    sim = from_environment()
    if sim is not None:
        return _matching_sim(sim, kwargs.get("idVendor"), kwargs.get("idProduct"))
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
