# SPDX-License-Identifier: MIT
"""Flash a board from a GUI with mpx.dfu: a worker thread does the USB work
(libmpxdfu releases the GIL), the progress callback posts to a queue that the
UI thread polls, and Cancel calls Device.cancel() from the UI thread.

    python3 examples/dfu_gui_flash.py firmware.dfu            # Tk window, real board
    python3 examples/dfu_gui_flash.py --sim firmware.dfu      # the virtual bootloader
    python3 examples/dfu_gui_flash.py --sim --console --cancel-at 50   # no Tk: text, Cancel at 50 %

Without a file, --sim flashes 600 KiB of test data.
"""
import argparse
import queue
import sys
import threading

from mpx import dfu


class FlashJob:
    """One flash in a worker thread. The UI reads .events (a queue of
    ("progress", phase, percent), ("done", None) or ("error", exception)) and
    may call cancel() at any time."""

    def __init__(self, device, image, lockstep=False):
        self.device = device
        self.image = image
        self.events = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        # The virtual device is instant: in lockstep the worker waits for the
        # UI to take each event (ack()), as a real board's pace lets it.
        self.lockstep = lockstep
        self._ack = threading.Event()

    def ack(self):
        self._ack.set()

    def start(self):
        self.thread.start()

    def cancel(self):
        self.device.cancel()          # any thread: stops at the next USB request

    def _progress(self, phase, address, done, total):
        # Runs in the worker thread: never touch widgets here, post instead.
        self.events.put(("progress", phase, 100 * done // total if total else 100))
        if self.lockstep:
            self._ack.wait(5)
            self._ack.clear()

    def _run(self):
        try:
            self.device.flash(self.image, progress=self._progress)
            self.events.put(("done", None))
        except dfu.DfuError as e:
            self.events.put(("error", e))
        finally:
            self.device.close()


def describe(e):
    """An error for a dialog: the message plus what the device itself said."""
    text = str(e)
    if e.state_name:
        text += "\n\ndevice: {} / {}".format(e.state_name, e.status_name)
    if e.device_string:
        text += " ({})".format(e.device_string)
    return text


def open_device(args):
    if args.sim:
        return dfu.Device.simulated()
    return dfu.Device.open(vid=args.vid, pid=args.pid)


def load_image(args):
    if args.file:
        return dfu.read_file(args.file)
    data = bytes((i * 7) & 0xFF for i in range(600 * 1024))
    return dfu.Image([{"addr": 0x08000000, "data": data}])


def run_console(job, cancel_at):
    """A stand-in for a UI event loop: poll the queue, 'click' Cancel."""
    job.start()
    last = None
    while True:
        event = job.events.get()
        if event[0] == "progress":
            _, phase, percent = event
            if (phase, percent // 10) != last:
                last = (phase, percent // 10)
                print("{:7s} {:3d}%".format(phase, percent))
            if cancel_at is not None and phase == "write" and percent >= cancel_at:
                print("[Cancel clicked]")
                job.cancel()
                cancel_at = None
            job.ack()
        elif event[0] == "done":
            print("done")
            return 0
        else:
            e = event[1]
            print("cancelled" if isinstance(e, dfu.CancelledError) else "failed: " + describe(e))
            return 1


def run_tk(job):
    import tkinter as tk
    from tkinter import messagebox, ttk

    root = tk.Tk()
    root.title("mpx.dfu flash")
    label = ttk.Label(root, text="starting...", width=40)
    label.pack(padx=10, pady=5)
    bar = ttk.Progressbar(root, length=300, maximum=100)
    bar.pack(padx=10, pady=5)
    button = ttk.Button(root, text="Cancel", command=job.cancel)
    button.pack(pady=5)

    def poll():
        try:
            while True:
                event = job.events.get_nowait()
                if event[0] == "progress":
                    label.config(text=event[1])
                    bar["value"] = event[2]
                elif event[0] == "done":
                    messagebox.showinfo("mpx.dfu", "Flashed; the board is running the new firmware.")
                    root.destroy()
                    return
                else:
                    messagebox.showerror("mpx.dfu", describe(event[1]))
                    root.destroy()
                    return
        except queue.Empty:
            pass
        root.after(50, poll)

    job.start()
    root.after(50, poll)
    root.mainloop()
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("file", nargs="?", help=".dfu, .hex, ELF (or .bin at 0x08000000)")
    p.add_argument("--sim", action="store_true", help="the in-process virtual STM32 bootloader")
    p.add_argument("--vid", type=lambda s: int(s, 0), default=0x0483)
    p.add_argument("--pid", type=lambda s: int(s, 0), default=0xDF11)
    p.add_argument("--console", action="store_true", help="no Tk window: text progress")
    p.add_argument("--cancel-at", type=int, default=None, help="console: click Cancel at this write percentage")
    args = p.parse_args(argv)
    if not args.file and not args.sim:
        p.error("give a firmware file (or --sim)")
    image = load_image(args)
    try:
        device = open_device(args)
    except dfu.DfuError as e:
        print("no board: " + describe(e), file=sys.stderr)
        return 1
    job = FlashJob(device, image, lockstep=args.sim and args.console)
    if args.console:
        return run_console(job, args.cancel_at)
    try:
        return run_tk(job)
    except ImportError:
        return run_console(job, args.cancel_at)


if __name__ == "__main__":
    sys.exit(main())
