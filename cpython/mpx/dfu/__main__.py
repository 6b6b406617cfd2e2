# SPDX-License-Identifier: MIT
"""python3 -m mpx.dfu: pydfu's command line (-l, --vid, --pid, -m, -u FILE, -x, -v)."""
import sys

from mpx.dfu.cli import main

sys.exit(main())
