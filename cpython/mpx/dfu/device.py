# SPDX-License-Identifier: MIT
"""mpx.dfu's object API: files (Image, parse, read_file), layouts, and
devices (Device, list_devices), for programs and GUIs.

A file is what its name and content say, never a fallback: a name ending
.dfu must be a DfuSe file, .hex/.ihex Intel HEX, .elf an ELF; raw binary is
read only with format="bin" or an address, and never content that is not
firmware (empty, zeros, text such as a saved web page, an archive). The
rules are libmpxdfu's (dfu.h, dfu_source), the same as mpx-dfu's.
"""
import os

from . import _cdfu
from .errors import FileError, NoDeviceError

PHASES = ("erase", "write", "verify", "read", "leave")

state_name = _cdfu.state_name      # state_name(10) == "dfuERROR"
status_name = _cdfu.status_name    # status_name(3) == "errWRITE"


def display_name(raw):
    """A target or alt name (bytes) for display: UTF-8, else Windows-1252
    (what ST's DfuSe tools write), with U+FFFD for the bytes it lacks."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


class Target(tuple):
    """(alt, name) of a DfuSe target: name is for display (display_name),
    .raw the name's bytes as in the file (written back unchanged)."""

    def __new__(cls, alt, name, raw=None):
        if isinstance(name, bytes):
            raw, name = name, display_name(name)
        self = tuple.__new__(cls, (alt, name))
        self.raw = raw if raw is not None else name.encode("utf-8")
        return self

    @property
    def alt(self):
        return self[0]

    @property
    def name(self):
        return self[1]


class Image:
    """What a file asks to be written where.

    format    "dfuse", "ihex", "elf" or "bin"
    elements  list of dicts: num, alt, addr, size, data (pydfu's keys, plus alt)
    targets   list of Target (alt, name) of a DfuSe file; Target.raw: the bytes
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
        self.targets = [t if isinstance(t, Target) else Target(*t) for t in targets]
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
        """The image as DfuSe .dfu file bytes (as tools/dfu.py -b builds).
        A target's name is written as it was read (its raw bytes), or as
        UTF-8 if it was changed; at most 255 bytes, never cut inside a
        character."""
        names = {}
        for t in self.targets:
            if t.name:
                names[t.alt] = t.raw if display_name(t.raw) == t.name else t.name
        names = names or {0: "ST..."}
        suffix = self.suffix or {"vid": vid, "pid": pid, "bcd_device": 0}
        return _cdfu.write_dfuse(_triples(self.elements), (suffix["bcd_device"], suffix["pid"], suffix["vid"]),
                                 names, pad)

    def __repr__(self):
        return "<mpx.dfu.Image {} {} elements, {} bytes>".format(self.format, len(self.elements), self.size)


def parse(data, format="auto", address=None, name=None):
    """Parse file contents (bytes) into an Image by libmpxdfu's rules.

    format   "auto" (the name, then the content), "dfu", "hex", "elf", "bin"
    address  where raw binary goes: raw binary needs this or format="bin"
             (which puts it at 0x08000000, the STM32's flash)
    name     the file's name: its extension says what the content must be
    Raises FileError (content) or ArgumentError (raw binary without an
    address, an address with a file that says where its data goes)."""
    if format == "bin" and address is None:
        address = 0x08000000
    r = _cdfu.parse(bytes(data), format, address, name)
    elements = [{"num": i, "alt": alt, "addr": addr, "size": len(d), "data": d, "target": t}
                for i, (alt, addr, d, t) in enumerate(r["elements"])]
    suffix = None
    if r["suffix"] is not None:
        bcd, pid, vid, _ = r["suffix"]
        suffix = {"vid": vid, "pid": pid, "bcd_device": bcd}
    targets = [Target(alt, raw if named else b"") for alt, named, raw in r["targets"]]
    return Image(elements, r["format"], targets, suffix, r["entry"])


def read_file(path, format="auto", address=None):
    """Read a file into an Image: .dfu, Intel .hex or ELF as their names and
    contents say; raw binary only at `address` (or format="bin"). A file
    that cannot be read is a FileError (code "io")."""
    name = os.fsdecode(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise FileError("{}: {}".format(name, e.strerror or e), "io") from None
    return parse(data, format, address, name)


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


def _matching(found, vid, pid):
    out = []
    for d in found:
        if d["result"] == "filtered":
            continue
        if vid is not None and d["vid"] != vid or pid is not None and d["pid"] != pid:
            continue
        out.append(DeviceInfo(d))
    return out


def list_devices(vid=None, pid=None, serial=None, path=None):
    """DFU interfaces on the USB bus (usable or not; see .usable, .why)."""
    both = vid is not None and pid is not None
    return _matching(_cdfu.scan(vid if both else -1, pid if both else -1, serial, path), vid, pid)


class Device:
    """An open DFU device. Use as a context manager (closes on exit).

    Device.open(vid=None, pid=None, serial=None, path=None) finds it on USB;
    Device.simulated(...) opens the virtual bootloader (Simulator(...).device).

    Addresses and sizes are 32-bit and alt settings 0..255: a value outside
    raises OverflowError, a range past 4 GiB ValueError, an alt setting the
    device lacks ArgumentError (code "no-alt"), before any USB request.

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
    def simulated(cls, *args, **kwargs):
        """A Device on a new virtual STM32 bootloader: Simulator(...).device
        (the arguments are Simulator's). Keep the Simulator to look inside."""
        from .simulator import Simulator
        return Simulator(*args, **kwargs).device

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
        lay = self._info["layouts"][alt] if 0 <= alt < len(self._info["layouts"]) else None
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
              check_ids=True, format="auto"):
        """Write an Image (or a path, or a list of element dicts): check it
        against the layout, erase the pages it touches (or mass erase), write,
        read back (verify), and leave DFU mode jumping to leave_address (default:
        the image's start). A path is read by read_file(path, format, address):
        raw binary needs the address (or format="bin"). Returns True if option
        bytes were written (the device then resets by itself)."""
        if isinstance(image, (str, bytes)) or hasattr(image, "__fspath__"):
            image = read_file(image, format, address)
        elements = image.elements if isinstance(image, Image) else list(image)
        suffix = image.suffix if isinstance(image, Image) else None
        return self._s.flash(_triples(elements), progress,
                             None if suffix is None else (suffix["bcd_device"], suffix["pid"], suffix["vid"]),
                             mass_erase, verify, leave, leave_address, force, allow_option_bytes,
                             allow_rdp_level2, check_ids)

    def check(self, image, address=None, mass_erase=False, force=False, allow_option_bytes=False,
              allow_rdp_level2=False, check_ids=True, format="auto"):
        """Raise what flash(image, ...) would raise before its first USB
        request (the file, the alt settings, the layout, the opt-ins),
        sending none."""
        if isinstance(image, (str, bytes)) or hasattr(image, "__fspath__"):
            image = read_file(image, format, address)
        elements = image.elements if isinstance(image, Image) else list(image)
        suffix = image.suffix if isinstance(image, Image) else None
        self._s.flash(_triples(elements), None,
                      None if suffix is None else (suffix["bcd_device"], suffix["pid"], suffix["vid"]),
                      mass_erase, False, False, None, force, allow_option_bytes, allow_rdp_level2, check_ids,
                      check_only=True)

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
