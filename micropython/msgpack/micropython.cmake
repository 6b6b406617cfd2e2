# SPDX-License-Identifier: MIT
# The `msgpack` module for CMake-based MicroPython ports (esp32, rp2, ...);
# included by ../micropython.cmake. Lists the same sources as micropython.mk.
add_library(usermod_msgpack INTERFACE)

get_filename_component(MPX_LIB_MSGPACK ${CMAKE_CURRENT_LIST_DIR}/../../lib/msgpack ABSOLUTE)

target_sources(usermod_msgpack INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}/modmsgpack.c
    ${CMAKE_CURRENT_LIST_DIR}/types.c
    ${CMAKE_CURRENT_LIST_DIR}/pack.c
    ${CMAKE_CURRENT_LIST_DIR}/unpack.c
    ${MPX_LIB_MSGPACK}/src/mpk_write.c
    ${MPX_LIB_MSGPACK}/src/mpk_read.c
    ${MPX_LIB_MSGPACK}/src/mpk_common.c
    ${MPX_LIB_MSGPACK}/src/mpk_inbuf.c
)

target_include_directories(usermod_msgpack INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}
    ${MPX_LIB_MSGPACK}/include
)

target_link_libraries(usermod INTERFACE usermod_msgpack)
