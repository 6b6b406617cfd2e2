# SPDX-License-Identifier: MIT
"""mpx.dfu: flash STM32 boards over USB DFU from Python, on libmpxdfu.

Two APIs over the same C library (lib/dfu, the one behind ``mpx-dfu``):

The object API (device.py), for programs and GUIs::

    from mpx import dfu

    image = dfu.read_file("firmware.dfu")          # .dfu, .hex, ELF; raw binary: address=...
    with dfu.Device.open(vid=0x0483, pid=0xDF11) as dev:
        dev.flash(image, progress=lambda phase, addr, done, total: print(phase, done, total))

``Device.flash``, ``erase``, ``read`` and ``leave`` release the GIL while they
talk to the device and take it back to call ``progress``; ``Device.cancel()``
from any other thread stops the operation at the next USB request, which then
raises ``CancelledError``. Every failure is a ``DfuError`` (errors.py) carrying
the library's ``code`` and the device's own report: ``state``, ``status`` and
``device_string`` (None when the device said nothing, e.g. it vanished).

pydfu's module API (pydfu.py; MicroPython's tools/pydfu.py), so that a program
written for it runs with ``import mpx.dfu as pydfu``: ``init``,
``get_dfu_devices``, ``list_dfu_devices``, ``get_memory_layout``,
``read_dfu_file``, ``mass_erase``, ``page_erase``, ``set_address``,
``write_memory``, ``write_page``, ``write_elements``, ``exit_dfu``,
``get_status``, ``clr_status``, ``abort_request``, ``cli_progress``
(progress.py), ``main`` (cli.py); and pydfu's command line:
``python3 -m mpx.dfu -l``, ``--vid V --pid P -u firmware.dfu``.

To rehearse and to test without a board, ``Simulator(...)`` (simulator.py) is
libmpxdfu's in-process virtual STM32 bootloader, with its fault injection:
``Simulator().device`` is a Device on it; ``MPX_DFU_SIM=1`` puts one in place
of USB for pydfu's functions and command line.
"""
from .errors import (ArgumentError, CancelledError, DeviceError, DfuError, FileError, NoDeviceError,  # noqa: F401
                     ProtectedError, RefusedError, UsbError, VerifyError)
from .device import (PHASES, Device, DeviceInfo, Image, Target, display_name, list_devices, parse,  # noqa: F401
                     parse_layout, read_file, state_name, status_name)
from .simulator import Simulator  # noqa: F401
from .progress import cli_progress  # noqa: F401
from .pydfu import (abort_request, check_status, clr_status, compute_crc, exit_dfu, get_dfu_devices,  # noqa: F401
                    get_memory_layout, get_status, init, list_dfu_devices, mass_erase, page_erase, read_dfu_file,
                    set_address, write_elements, write_memory, write_page)
from .cli import main  # noqa: F401

__all__ = [
    "DfuError", "ArgumentError", "FileError", "NoDeviceError", "UsbError", "DeviceError", "ProtectedError",
    "VerifyError", "RefusedError", "CancelledError", "Device", "DeviceInfo", "Image", "Target", "Simulator",
    "read_file", "parse", "list_devices", "parse_layout", "state_name", "status_name", "display_name",
]
