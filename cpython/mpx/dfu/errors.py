# SPDX-License-Identifier: MIT
"""mpx.dfu's exceptions: one class per kind of libmpxdfu failure, each
carrying the library's status id and the device's own report."""
from . import _cdfu


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
    """The arguments are wrong (code "argument"; "no-alt": the device has no
    such alt setting), e.g. raw binary without an address."""


class FileError(DfuError):
    """A file is unreadable or not what it must be: io, format, truncated,
    crc, overlap, mismatch."""


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
    "argument": ArgumentError, "no-alt": ArgumentError, "nomem": DfuError,
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
