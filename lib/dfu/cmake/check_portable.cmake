# SPDX-License-Identifier: MIT
# The portable part of libmpxdfu (lib/dfu/src) must work without an OS: no
# stdio, no files, no clock. Run after libdfu_core.a is built, on every
# build (host, Release, sanitizers, fuzzers, Cortex-M4/M7), this fails the
# build if
#   - a source or header of src/ (or a public header it uses) includes a
#     system header outside ALLOWED_HEADERS, or
#   - the archive calls a function outside ALLOWED_CALLS that it does not
#     define itself (compiler helpers and sanitizer hooks aside).
#   cmake -DNM=nm -DLIB=libdfu_core.a "-DFILES=a.c;b.h" -P check_portable.cmake
cmake_minimum_required(VERSION 3.20)
set(ALLOWED_HEADERS stdarg.h stdbool.h stddef.h stdint.h stdlib.h string.h limits.h)
set(ALLOWED_CALLS memcpy memmove memset memcmp memchr strlen strcmp strncmp strchr strrchr strstr
    malloc calloc realloc free qsort)
# Calls the compiler emits on its own: libgcc/compiler-rt arithmetic and the
# ARM EABI helpers, bcmp for memcmp() == 0 (clang), the fortified mem*, the
# stack protector, PIC, and instrumentation.
set(COMPILER_CALLS_REGEX
    "^(__aeabi_.*|bcmp|__mem(cpy|move|set)_chk|__(u?(div|mod)|mul|ashl|ashr|lshr|clz|ctz|popcount|bswap|ffs)[a-z]*[0-9]|__stack_chk_(fail|guard)|_GLOBAL_OFFSET_TABLE_|__(asan|ubsan|sanitizer|sancov|tsan|msan)_.*|__(start|stop)___sancov_.*)$")

set(failures "")
foreach(file IN LISTS FILES)
  file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*<")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*<([^>]*)>.*" "\\1" header "${line}")
    if(NOT header IN_LIST ALLOWED_HEADERS)
      get_filename_component(name "${file}" NAME)
      string(APPEND failures "  ${name} includes <${header}>\n")
    endif()
  endforeach()
endforeach()

if(NM)
  execute_process(COMMAND "${NM}" -P "${LIB}" OUTPUT_VARIABLE symbols RESULT_VARIABLE rc ERROR_VARIABLE nm_err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_portable: ${NM} -P ${LIB} failed: ${nm_err}")
  endif()
  # (brackets in "lib.a[member.o]:" would stop CMake splitting the list)
  string(REGEX REPLACE "[][;]" "_" symbols "${symbols}")
  string(REPLACE "\n" ";" lines "${symbols}")
  set(defined "")
  set(undefined "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^([^ :]+) ([A-Za-z?]) ")
      set(sym "${CMAKE_MATCH_1}")
      set(type "${CMAKE_MATCH_2}")
      if(type MATCHES "^[Uwv]$")
        list(APPEND undefined "${sym}")
      else()
        list(APPEND defined "${sym}")
      endif()
    endif()
  endforeach()
  list(REMOVE_DUPLICATES undefined)
  foreach(sym IN LISTS undefined)
    if(NOT sym IN_LIST defined AND NOT sym IN_LIST ALLOWED_CALLS AND NOT sym MATCHES "${COMPILER_CALLS_REGEX}")
      string(APPEND failures "  calls ${sym}\n")
    endif()
  endforeach()
else()
  message(WARNING "check_portable: no nm; only the #include lines were checked")
endif()

if(failures)
  message(FATAL_ERROR "lib/dfu/src must stay free of stdio and OS calls (host code goes in lib/dfu/host):\n${failures}")
endif()
