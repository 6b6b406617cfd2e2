#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drop-in for MicroPython's tools/pydfu.py, on libmpxdfu (mpx.dfu):

    make -C ports/stm32 deploy PYDFU=/path/to/mpx/tools/pydfu.py

runs `$(PYTHON) $(PYDFU) --vid V --pid P -u firmware.dfu` through this file.
Uses the installed mpx package, else the one built in place in this tree.
"""
import os
import sys

try:
    import mpx.dfu  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "cpython"))

from mpx.dfu import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
