# SPDX-License-Identifier: MIT
"""pydfu's command line (python3 -m mpx.dfu, tools/pydfu.py): -l, --vid,
--pid, -m, -u FILE, -x, -v, read by argparse as pydfu's own.

The file is read and checked before any device is opened; a file it cannot
flash (not a DfuSe, HEX or ELF file, damaged, empty, a saved web page...)
ends the run with one line saying why and status 1, so that MicroPython's
`make deploy` fails instead of succeeding with nothing written.

Exit status: 0 done, 1 failed (one "DFU: ..." line on stderr; -l with no
device: pydfu's "No DFU capable devices found"), 2 usage.
"""
import os

from . import pydfu
from .errors import DfuError
from .progress import cli_progress
from .simulator import from_environment


def _usb_id(text):
    import argparse
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("invalid USB id: '%s'" % text) from None
    if not 0 <= value <= 0xFFFF:
        raise argparse.ArgumentTypeError("USB id %s is outside 0..0xFFFF" % text)
    return value


def parser():
    """pydfu's options, as its argparse parser has them."""
    import argparse
    p = argparse.ArgumentParser(prog="pydfu", description="DFU Python Util (mpx.dfu, on libmpxdfu)")
    p.add_argument("-l", "--list", help="list available DFU devices", action="store_true", default=False)
    p.add_argument("--vid", help="USB Vendor ID", type=_usb_id, default=None)
    p.add_argument("--pid", help="USB Product ID", type=_usb_id, default=None)
    p.add_argument("-m", "--mass-erase", help="mass erase device", action="store_true", default=False)
    p.add_argument("-u", "--upload", help="write a file (.dfu, .hex, ELF) to the DFU device (pydfu's name)",
                   dest="path", default=False)
    p.add_argument("-x", "--exit", help="Exit DFU", action="store_true", default=False)
    p.add_argument("-v", "--verbose", help="increase output verbosity", action="store_true", default=False)
    return p


def main(argv=None):
    """pydfu's command line: -l, --vid, --pid, -m, -u FILE, -x, -v."""
    args = parser().parse_args(argv)
    pydfu._verbose = args.verbose
    kwargs = {}
    if args.vid is not None:
        kwargs["idVendor"] = args.vid
    if args.pid is not None:
        kwargs["idProduct"] = args.pid
    if os.environ.get("MPX_DFU_SIM"):
        from_environment()  # its counters are written even if nothing reaches it
    try:
        if args.list:
            pydfu.list_dfu_devices(**kwargs)
            return 0
        elements = None
        if args.path:
            # Before any device: a file that cannot be flashed stops here.
            img = pydfu.read_file(args.path)
            pydfu.print_dfu_file(args.path, img)
            elements = img.elements
        dev = pydfu.open_device(**kwargs)
        if elements:
            # What write_elements would refuse (the layout, the alt settings),
            # before the first request.
            dev.check(elements, check_ids=False)
        dev.reach_idle()
        command_run = False
        if args.mass_erase:
            print("Mass erase...")
            pydfu.mass_erase()
            command_run = True
        if elements:
            print("Writing memory...")
            pydfu.write_elements(elements, args.mass_erase, progress=cli_progress)
        if elements or args.exit:
            print("Exiting DFU...")  # once, after -u with or without -x
            pydfu.exit_dfu()
            command_run = True
        print("Finished" if command_run else "No command specified")
        return 0
    except DfuError as e:
        msg = "DFU: " + e.message
        if e.code == "argument" and "raw binary" in e.message:
            msg += " (pydfu's -u takes a .dfu, .hex or ELF file: mpx-dfu convert --address ADDRESS FILE FILE.dfu)"
        if e.device_string and e.device_string not in e.message:
            msg += " (device: {})".format(e.device_string)
        raise SystemExit(msg) from None
    except OSError as e:
        raise SystemExit("DFU: {}".format(e)) from None
