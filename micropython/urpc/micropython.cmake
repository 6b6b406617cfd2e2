# SPDX-License-Identifier: MIT
# The `_urpc` module for CMake-based MicroPython ports; included by
# ../micropython.cmake. Lists the same sources as micropython.mk.
add_library(usermod_urpc INTERFACE)
get_filename_component(MPX_LIB_URPC ${CMAKE_CURRENT_LIST_DIR}/../../lib/urpc ABSOLUTE)
target_sources(usermod_urpc INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}/mod_urpc.c
    ${MPX_LIB_URPC}/src/urpc_frame.c
)
target_include_directories(usermod_urpc INTERFACE ${MPX_LIB_URPC}/include)
target_link_libraries(usermod INTERFACE usermod_urpc)
