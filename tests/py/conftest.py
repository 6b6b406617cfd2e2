# SPDX-License-Identifier: MIT
"""pytest setup: the tests must exercise our extension (cpython/mpx), never an
installed msgpack-python that happens to be importable."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CPYTHON = os.path.realpath(os.path.join(HERE, "..", "..", "cpython"))
sys.path.insert(0, CPYTHON)
sys.path.insert(0, HERE)

import mpx.msgpack  # noqa: E402  (fails loudly if the extension is not built)

# MPX_TEST_INSTALLED=1 tests an installed copy (pip install .) instead.
assert os.path.realpath(mpx.msgpack.__file__).startswith(CPYTHON) or \
    os.environ.get("MPX_TEST_INSTALLED"), "tests would run against " + mpx.msgpack.__file__
