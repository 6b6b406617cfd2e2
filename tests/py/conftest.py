# SPDX-License-Identifier: MIT
"""pytest setup: the tests must exercise our extension (cpython/mpx), never an
installed msgpack-python that happens to be importable."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CPYTHON = os.path.realpath(os.path.join(HERE, "..", "..", "cpython"))
# The demo's scenes (rlvgl_scenes) live with the examples; the tests draw them too.
EXAMPLES = os.path.realpath(os.path.join(HERE, "..", "..", "examples"))
# MPX_TEST_INSTALLED=1 tests an installed copy (pip install .) instead.
if not os.environ.get("MPX_TEST_INSTALLED"):
    sys.path.insert(0, CPYTHON)
sys.path.insert(0, HERE)
sys.path.append(EXAMPLES)

import mpx.msgpack  # noqa: E402  (fails loudly if the extension is not built)

if os.environ.get("MPX_TEST_INSTALLED"):
    assert not os.path.realpath(mpx.msgpack.__file__).startswith(CPYTHON), mpx.msgpack.__file__
else:
    assert os.path.realpath(mpx.msgpack.__file__).startswith(CPYTHON), \
        "tests would run against " + mpx.msgpack.__file__
