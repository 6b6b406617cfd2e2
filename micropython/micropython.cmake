# SPDX-License-Identifier: MIT
# All mpx modules for CMake-based MicroPython ports, e.g. esp32:
#   make BOARD=ESP32_GENERIC BOARD_VARIANT=OTA USER_C_MODULES=/path/to/mpx/micropython/micropython.cmake
include(${CMAKE_CURRENT_LIST_DIR}/msgpack/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/finaliserproxy/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/ioctl/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/urpc/micropython.cmake)
