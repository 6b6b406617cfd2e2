#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Both cores of the display stack under emulation: MicroPython with the mpx
modules on QEMU mps2-an500 (a Cortex-M7) and the renderer firmware
(firmware/cm4_renderer, TARGET=qemu) on QEMU mps2-an386 (a Cortex-M4), on one
shared RAM file (firmware/cm4_renderer/qemu/qemu_shm.h), doorbells over a
UART pair, taps from the host over the M4's UART2.

    tools/dualcore.py --m7 firmware.elf --m4 renderer.elf SCRIPT.py OUT.png

runs SCRIPT on the M7 through the raw REPL, prints its output, writes the
framebuffer (read from the shared file) to OUT.png and exits with the
script's status (1 when it raised). tools/dualcore.sh builds the two images
first. As a module, DualCore is what the tests drive (taps, a stopped M4).
"""
import argparse
import mmap
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "py"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.append(os.path.join(ROOT, "examples"))  # rlvgl_scenes

import mpy_test  # noqa: E402
import pngtool  # noqa: E402

SHM_SIZE = 16 << 20
FB_INFO = 0x100000
FB_PIXELS = 0x100040
FB_MAGIC = 0x31424651
ROMFS_ADDR = 0x60C00000
FORMATS = {1: "RGB565", 2: "ARGB8888"}


class DualCore:
    def __init__(self, m7, m4, romfs=None, m4_args=()):
        self.m7_elf, self.m4_elf, self.romfs = m7, m4, romfs
        self.m4_args = list(m4_args)  # e.g. ["-icount", "shift=0"]: instruction counts
        self.tmp = tempfile.mkdtemp(prefix="mpx-dualcore-")
        self.shm_path = os.path.join("/dev/shm" if os.path.isdir("/dev/shm") else self.tmp,
                                     "mpx-dualcore-{}-{}".format(os.getpid(), id(self)))
        self.bell = os.path.join(self.tmp, "bell.sock")
        self.touch = os.path.join(self.tmp, "touch.sock")
        self.m4_log = os.path.join(self.tmp, "m4.log")
        self.m4 = self.m7 = None
        self.pending = b""

    def _machine(self, name):
        return ["qemu-system-arm", "-M", name, "-nographic", "-monitor", "none", "-semihosting",
                "-object", "memory-backend-file,id=shm,mem-path={},size=16M,share=on".format(self.shm_path),
                "-machine", "memory-backend=shm"]

    def start(self, m4=True, timeout=30):
        with open(self.shm_path, "wb") as f:
            f.truncate(SHM_SIZE)
        fd = os.open(self.shm_path, os.O_RDWR)
        self.mem = mmap.mmap(fd, SHM_SIZE)
        os.close(fd)
        deadline = time.monotonic() + timeout
        # The M4 is the server of both sockets: it starts first.
        m4_cmd = self._machine("mps2-an386") + self.m4_args + [
            "-serial", "file:" + self.m4_log,
            "-chardev", "socket,id=bell,path={},server=on,wait=off".format(self.bell), "-serial", "chardev:bell",
            "-chardev", "socket,id=touch,path={},server=on,wait=off".format(self.touch), "-serial", "chardev:touch",
            "-kernel", self.m4_elf]
        if m4:
            self.m4 = subprocess.Popen(m4_cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            while not os.path.exists(self.bell):
                if self.m4.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the M4's QEMU did not start: " + self.m4.stdout.read().decode())
                time.sleep(0.02)
            bell = ["-chardev", "socket,id=bell,path={}".format(self.bell), "-serial", "chardev:bell"]
        else:
            bell = ["-serial", "null"]  # a CM4 that never starts
        m7_cmd = self._machine("mps2-an500") + ["-serial", "stdio"] + bell + ["-kernel", self.m7_elf]
        if self.romfs:
            m7_cmd += ["-device", "loader,file={},addr={:#x},force-raw=on".format(self.romfs, ROMFS_ADDR)]
        self.m7 = subprocess.Popen(m7_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
        self.read_until(b">>> ", deadline)
        self.m7.stdin.write(b"\r\x01")  # raw REPL
        self.m7.stdin.flush()
        self.read_until(b"raw REPL; CTRL-B to exit\r\n>", deadline)
        if self.romfs:
            self.exec_raw(mpy_test.rom_mount_code(hex(ROMFS_ADDR), os.path.getsize(self.romfs)), timeout)
        return self

    def read_until(self, marker, deadline):
        """The M7's output up to and including marker; what came after it
        stays for the next read."""
        while marker not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(self.pending)
            r, _, _ = select.select([self.m7.stdout], [], [], left)
            if not r:
                continue
            chunk = os.read(self.m7.stdout.fileno(), 4096)
            if not chunk:
                raise EOFError(self.pending)
            self.pending += chunk
        end = self.pending.index(marker) + len(marker)
        out, self.pending = self.pending[:end], self.pending[end:]
        return out

    def send(self, code):
        """Start code in the raw REPL; its output follows 'OK'."""
        if isinstance(code, str):
            code = code.encode()
        self.m7.stdin.write(code + b"\x04")
        self.m7.stdin.flush()
        self.read_until(b"OK", time.monotonic() + 10)

    def finish(self, timeout):
        """Wait for the code sent to end: (output, error output)."""
        raw = self.read_until(b"\x04>", time.monotonic() + timeout)
        body = raw[:-2]
        out, _, err = body.partition(b"\x04")
        return out.decode("utf-8", "replace").replace("\r\n", "\n"), err.decode("utf-8", "replace").replace("\r\n", "\n")

    def exec_raw(self, code, timeout=60):
        self.send(code)
        out, err = self.finish(timeout)
        if err:
            raise RuntimeError("on the M7: " + err)
        return out

    def soft_reset(self, timeout=30):
        """Ctrl-D at the raw REPL: MicroPython's soft reset, as mpremote does
        between runs. The ROMFS is mounted again."""
        deadline = time.monotonic() + timeout
        self.m7.stdin.write(b"\x04")
        self.m7.stdin.flush()
        out = self.read_until(b"raw REPL; CTRL-B to exit\r\n>", deadline)
        if self.romfs:
            self.exec_raw(mpy_test.rom_mount_code(hex(ROMFS_ADDR), os.path.getsize(self.romfs)), timeout)
        return out.decode("utf-8", "replace")

    def tap(self, x, y, kind="tap", key=0):
        """An input event at the M4, as its touch panel would give it."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.touch)
            s.sendall("{} {} {} {}\n".format(kind, x, y, key).encode())
            time.sleep(0.05)  # the chardev delivers before the socket closes

    def stop_m4(self):
        os.kill(self.m4.pid, signal.SIGSTOP)

    def continue_m4(self):
        os.kill(self.m4.pid, signal.SIGCONT)

    def fb_info(self):
        magic, w, h, fmt, stride, frame, attaches, inputs, refused = struct.unpack_from("<9I", self.mem, FB_INFO)
        return {"valid": magic == FB_MAGIC, "width": w, "height": h, "format": FORMATS.get(fmt, fmt),
                "stride": stride, "frame": frame, "attaches": attaches, "inputs": inputs}

    def framebuffer(self):
        """(width, height, format, pixel bytes) of the M4's framebuffer."""
        info = self.fb_info()
        if not info["valid"]:
            raise RuntimeError("the renderer has no framebuffer (it never attached)")
        n = info["stride"] * info["height"]
        return info["width"], info["height"], info["format"], bytes(self.mem[FB_PIXELS:FB_PIXELS + n])

    def snapshot(self, path):
        w, h, fmt, pixels = self.framebuffer()
        pngtool.write_rgb(path, w, h, pngtool.framebuffer_rgb(pixels, fmt))

    def m4_output(self):
        try:
            with open(self.m4_log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def close(self):
        for p in (self.m7, self.m4):
            if p is not None:
                try:
                    os.kill(p.pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass
                p.kill()
                p.wait()
        if getattr(self, "mem", None) is not None:
            self.mem.close()
        for path in (self.shm_path,):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def romfs_for_tests():
    """The ROMFS image tests/py scripts import from (mpxtest, and
    rlvgl_scenes in examples/): ROMFS_PATH_CODE puts both on sys.path."""
    fd, path = tempfile.mkstemp(suffix=".romfs")
    with os.fdopen(fd, "wb") as f:
        f.write(mpy_test.romfs_image({"py": os.path.join(ROOT, "tests", "py"),
                                      "examples": os.path.join(ROOT, "examples")}))
    return path


ROMFS_PATH_CODE = "import sys\nsys.path.append('/rom/py')\nsys.path.append('/rom/examples')\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--m7", required=True, help="MicroPython qemu firmware.elf (MPS2_AN500) with mp_rlvgl")
    ap.add_argument("--m4", required=True, help="renderer.elf (firmware/cm4_renderer, TARGET=qemu)")
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("script")
    ap.add_argument("png")
    args = ap.parse_args()
    with open(args.script, "rb") as f:
        code = f.read()
    romfs = romfs_for_tests()
    try:
        with DualCore(args.m7, args.m4, romfs=romfs) as dc:
            dc.start()
            # tests/py and examples/ are importable, as on the desktop.
            dc.exec_raw(ROMFS_PATH_CODE)
            dc.send(code)
            out, err = dc.finish(args.timeout)
            sys.stdout.write(out)
            if err:
                sys.stdout.write(err)
            try:
                dc.snapshot(args.png)
            except RuntimeError as e:
                print("dualcore: no PNG: {}".format(e), file=sys.stderr)
                return 1
            return 1 if err else 0
    finally:
        os.unlink(romfs)


if __name__ == "__main__":
    sys.exit(main())
