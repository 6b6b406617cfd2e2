# SPDX-License-Identifier: MIT
# lib/urpc holds no writable static data: its CRC table is a constant (in
# flash on a board; no first-use fill, no race between threads).
#   cmake -DNM=nm -DLIB=liburpc.a -P check_const.cmake
execute_process(COMMAND ${NM} --defined-only ${LIB} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} ${LIB} failed")
endif()
string(REGEX MATCHALL "[^\n]* [bBdDcC] [^\n]*" writable "${symbols}")
if(writable)
  string(REPLACE ";" "\n" writable "${writable}")
  message(FATAL_ERROR "writable static data in ${LIB}:\n${writable}")
endif()
message(STATUS "no writable static data in ${LIB}")
