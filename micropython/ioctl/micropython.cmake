# SPDX-License-Identifier: MIT
# The `ioctl` module for CMake-based MicroPython ports; included by
# ../micropython.cmake. Lists the same sources as micropython.mk.
add_library(usermod_ioctl INTERFACE)
target_sources(usermod_ioctl INTERFACE ${CMAKE_CURRENT_LIST_DIR}/modioctl.c)
target_link_libraries(usermod INTERFACE usermod_ioctl)
