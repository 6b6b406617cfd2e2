# SPDX-License-Identifier: MIT
"""pydfu's progress bar for the command line (cli_progress)."""
import sys

_last_bar = None


def cli_progress(addr, offset, size):
    """A progress bar line for the command line (pydfu's). A line that would
    look the same as the one on screen is not written again."""
    global _last_bar
    width = 25
    done = offset * width // size if size else width
    bar = "\r0x{:08x} {:7d} [{}{}] {:3d}% ".format(addr, size, "=" * done, " " * (width - done),
                                                   offset * 100 // size if size else 100)
    if bar != _last_bar or offset == size:
        _last_bar = bar
        print(bar, end="")
        try:
            sys.stdout.flush()
        except OSError:
            pass
    if offset == size:
        _last_bar = None
        print("")
