# SPDX-License-Identifier: MIT
# Frozen into the ADAFRUIT_F405_IOT client firmware: the port's usual
# modules (asyncio and friends), the urpc package, the shims that stand in
# for network/socket/select/ssl, and the board's link settings. Paths are
# relative to this file.
include("$(PORT_DIR)/boards/manifest.py")

# The client end of urpc: not server.py (the ESP32 serves), nor __main__.py
# (the desktop's server command).
package("urpc", files=["__init__.py", "link.py", "wire.py", "proxy.py"], base_path="../../urpc/py")
for shim in ("network", "socket", "select", "ssl"):
    module(shim + ".py", base_path="../../urpc/py/shims")
module("urpc_board.py", base_path="modules")
