# SPDX-License-Identifier: MIT
# Frozen into the ESP32 WiFi co-processor's firmware (ESP32_GENERIC, variant
# OTA): the port's usual modules, the urpc package and the server runner.
# Paths are relative to this file.
#
#   cd micropython/ports/esp32
#   make BOARD=ESP32_GENERIC BOARD_VARIANT=OTA \
#        USER_C_MODULES=/path/to/mpx/micropython/micropython.cmake \
#        FROZEN_MANIFEST=/path/to/mpx/micropython/boards/ESP32_URPC_SERVER/manifest.py
include("$(PORT_DIR)/boards/manifest.py")

package("urpc", files=["__init__.py", "link.py", "wire.py", "proxy.py", "server.py"],
        base_path="../../urpc/py")   # not __main__ (desktop)
module("urpc_server.py", base_path="modules")
