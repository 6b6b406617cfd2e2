# SPDX-License-Identifier: MIT
# The `finaliserproxy` module for CMake-based MicroPython ports; included by
# ../micropython.cmake. Lists the same sources as micropython.mk.
add_library(usermod_finaliserproxy INTERFACE)
target_sources(usermod_finaliserproxy INTERFACE ${CMAKE_CURRENT_LIST_DIR}/modfinaliserproxy.c)
target_link_libraries(usermod INTERFACE usermod_finaliserproxy)
