# SPDX-License-Identifier: MIT
"""Scenes drawn by the demo (rlvgl_demo.py, beside this file) and by the
snapshot and parity tests (tests/py). Each one runs unchanged on CPython and
MicroPython: a function of the mp_rlvgl module.

    micropython examples/rlvgl_scenes.py OUT_DIR     # snapshot every scene into OUT_DIR
"""

WIDTH = 320
HEIGHT = 240


def seed(ui):
    """The seed's example: one magenta rect."""
    ui.stack_clear()
    ui.stack_add(0, {"kind": "rect", "x": 20, "y": 20, "w": 100, "h": 40, "color": 0xFF00FF})
    ui.present()


def text_and_clipping(ui):
    """Text (ASCII, Latin-1, a character the font lacks, two lines), z order,
    nodes partly off every edge."""
    ui.stack_clear()
    ui.stack_add(-5, {"kind": "rect", "x": -30, "y": -20, "w": 80, "h": 60, "color": 0x2040C0})
    ui.stack_add(3, {"kind": "rect", "x": WIDTH - 40, "y": HEIGHT - 30, "w": 100, "h": 100,
                     "color": 0x30A030})
    ui.stack_add(1, {"kind": "text", "x": 10, "y": 60, "text": "Hello, mpx!", "fg": 0xFFFFFF,
                     "bg": 0x000000})
    ui.stack_add(2, {"kind": "text", "x": 10, "y": 80, "text": "caf\u00e9 \u00fcber \u00b5s \u4e16",
                     "fg": 0xFFFF00, "bg": 0x400040})
    ui.stack_add(4, {"kind": "text", "x": WIDTH - 50, "y": 100, "text": "edge\nclip", "fg": 0x000000,
                     "bg": 0xE0E0E0})
    ui.stack_add(0, {"kind": "rect", "x": 40, "y": 70, "w": 50, "h": 30, "color": 0xC04000})
    ui.present()


def button(ui, z, x, y, label, count, pressed=False):
    """A button: a rect with a text node on it at z + 1."""
    face = 0x2060A0 if not pressed else 0x60A0E0
    ui.stack_add(z, {"kind": "rect", "x": x, "y": y, "w": 120, "h": 40, "color": face})
    ui.stack_add(z + 1, {"kind": "text", "x": x + 8, "y": y + 12,
                         "text": "{} {}".format(label, count), "fg": 0xFFFFFF, "bg": face})


class CounterApp:
    """Buttons that count their taps through on_input; a tap anywhere else
    moves a small cursor there (the seed's "input echo" demo). Other input
    (the pointer moving, the wheel, keys) counts nothing."""

    BUTTONS = (("A", 10, 20, 20), ("B", 20, 20, 80), ("C", 30, 160, 20))

    def __init__(self, ui):
        self.ui = ui
        self.counts = {}
        ui.stack_clear()
        ui.stack_add(0, {"kind": "rect", "x": 0, "y": 0, "w": WIDTH, "h": HEIGHT, "color": 0x101820})
        for label, z, x, y in self.BUTTONS:
            self.counts[z] = 0
            button(ui, z, x, y, label, 0)
        ui.stack_add(100, {"kind": "rect", "x": -10, "y": -10, "w": 6, "h": 6, "color": 0xFFD000})
        ui.on_input(self.on_input)
        ui.present()

    def on_input(self, event):
        if event["kind"] != "tap":
            return
        ui = self.ui
        z = event["target"]
        if z is not None and z != 0 and z != 100:
            z = z - (z % 10)  # the label's z belongs to its button
            self.counts[z] += 1
            for label, bz, x, y in self.BUTTONS:
                if bz == z:
                    ui.stack_remove(z)
                    ui.stack_remove(z + 1)
                    button(ui, z, x, y, label, self.counts[z], pressed=True)
        else:
            ui.stack_replace(100, {"kind": "rect", "x": event["x"] - 3, "y": event["y"] - 3,
                                   "w": 6, "h": 6, "color": 0xFFD000})
        ui.present()


def counter_app(ui):
    """The app after a scripted session: A tapped 3 times, C once, the
    background once (the cursor moves there)."""
    app = CounterApp(ui)
    for x, y in ((30, 30), (40, 35), (100, 50), (200, 40), (250, 200)):
        ui.notify_input({"kind": "tap", "x": x, "y": y})
    ui.sync()
    ui.on_input(None)
    return app


SCENES = (("seed", seed), ("text_and_clipping", text_and_clipping), ("counter_app", counter_app))


def main(out_dir, fmt="ARGB8888"):
    import mp_rlvgl as ui

    for name, scene in SCENES:
        ui.init(width=WIDTH, height=HEIGHT, format=fmt)
        scene(ui)
        ui.snapshot(out_dir + "/" + name + ".png")
        ui.deinit()


if __name__ == "__main__":
    import sys

    main(sys.argv[1], *sys.argv[2:])
