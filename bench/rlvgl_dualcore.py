#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""mp_rlvgl on two emulated cores (tools/dualcore.py): MicroPython on QEMU
mps2-an500 (Cortex-M7) sends stack operations through the rings to the
renderer on QEMU mps2-an386 (Cortex-M4).

- Stack operations per second from Python on the M7 through the rings to
  the M4 (applied there), beside the peer: round trips per second of a
  present() that changes nothing followed by sync() (one record each way
  and both doorbells, no drawing), in the same run.
- Instructions per present() on the M4 (its QEMU under -icount shift=0: one
  instruction per virtual nanosecond; the renderer's render_us is read from
  its 25 MHz timer), beside the pixels that frame wrote.

    MICROPY=/path/to/qemu/firmware.elf bench/rlvgl_dualcore.py   # or: tools/mpy_build.py first

The renderer comes from $MICROPY_RENDERER or what tools/mpy_build.py built.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import dualcore  # noqa: E402
import mpy_test  # noqa: E402

OPS = """
import mp_rlvgl as ui, time
ui.init(width=320, height=240)
for z in range(64):
    ui.stack_add(z, {"kind": "rect", "x": z, "y": 0, "w": 1, "h": 1, "color": 0})
ui.sync()
node = {"kind": "rect", "x": 1, "y": 2, "w": 3, "h": 4, "color": 0x123456}
N = 20000
t = time.ticks_us()
for i in range(N):
    ui.stack_replace(i & 63, node)
ui.sync()
ops_us = time.ticks_diff(time.ticks_us(), t)
R = 2000
ui.present()
ui.sync()
t = time.ticks_us()
for i in range(R):
    ui.present()
    ui.sync()
rt_us = time.ticks_diff(time.ticks_us(), t)
print(N * 1000000 // ops_us, R * 1000000 // rt_us)
"""

FRAMES = """
import mp_rlvgl as ui
def frame(what):
    ui.present()
    ui.sync()
    s = ui.stats()
    print(what, s["render_us"], s["pixels_drawn"])
ui.init(width=800, height=480, format="{fmt}")  # the renderer draws the background at attach
ui.stack_add(0, {{"kind": "rect", "x": 0, "y": 0, "w": 800, "h": 480, "color": 0x101820}})
frame("full-screen rect")
ui.stack_add(10, {{"kind": "rect", "x": 20, "y": 20, "w": 160, "h": 60, "color": 0x2060a0}})
ui.stack_add(11, {{"kind": "text", "x": 28, "y": 40, "text": "button  0", "fg": 0xffffff, "bg": 0x2060a0}})
frame("a button (rect + 9-glyph label)")
ui.stack_replace(10, {{"kind": "rect", "x": 50, "y": 20, "w": 160, "h": 60, "color": 0x2060a0}})
frame("move the button 30 px")
ui.stack_replace(11, {{"kind": "text", "x": 28, "y": 40, "text": "button  1", "fg": 0xffffff, "bg": 0x2060a0}})
frame("new label text")
"""


def main():
    m7 = [p for p in os.environ.get("MICROPY", "").split(":") if p.endswith(".elf")]
    m4 = os.environ.get("MICROPY_RENDERER") or mpy_test.default_renderer()
    if not m7 or not m4:
        print("SKIPPED: needs MICROPY=<qemu firmware.elf> and the renderer (tools/mpy_build.py builds both)")
        return 0
    with dualcore.DualCore(m7[0], m4) as dc:
        dc.start()
        ops, rts = (int(x) for x in dc.exec_raw(OPS, 600).split())
    print("M7 -> M4 through the rings (wall time, both QEMUs on this host):")
    print("  stack_replace from Python, applied on the M4: {} ops/s".format(ops))
    print("  peer: present()+sync() of nothing (a record each way, both doorbells): {} round trips/s".format(rts))
    print("  ratio: {:.1f} operations per round trip's time".format(ops / rts))
    for fmt in ("RGB565", "ARGB8888"):
        with dualcore.DualCore(m7[0], m4, m4_args=["-icount", "shift=0"]) as dc:
            dc.start()
            out = dc.exec_raw(FRAMES.format(fmt=fmt), 600)
        print("M4 instructions per present() ({}; -icount shift=0, 1,000 per render_us):".format(fmt))
        for line in out.splitlines():
            what, _, rest = line.rpartition(" ")
            what, _, us = what.rpartition(" ")
            instr, px = int(us) * 1000, int(rest)
            per = "{:.1f} per pixel".format(instr / px) if px else "-"
            print("  {:<34} {:>10} instructions, {:>7} pixels written, {}".format(what, instr, px, per))
    return 0


if __name__ == "__main__":
    sys.exit(main())
