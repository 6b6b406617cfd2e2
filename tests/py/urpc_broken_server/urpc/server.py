# SPDX-License-Identifier: MIT
# A server module whose own import fails: the urpc package must let the
# error through (only a missing server module is tolerated).
import urpc_no_such_dependency  # noqa: F401
