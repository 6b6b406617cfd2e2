# SPDX-License-Identifier: MIT
# The seed's display example, as the seed types it: the same lines run on
# the desktop (CPython, the simulator), on MicroPython's unix port, and on
# the Cortex-M7 with the renderer on the Cortex-M4 (tools/dualcore.sh).
import mp_rlvgl as ui

ui.stack_clear()
ui.stack_add(0, {"kind": "rect", "x": 20, "y": 20, "w": 100, "h": 40, "color": 0xFF00FF})
print("present() ->", ui.present())
ui.sync()
print("display:", sorted(ui.display().items()))
