# SPDX-License-Identifier: MIT
# Shared compiler settings: warnings (errors by default), sanitizers, and the
# helper that turns a test program into a ctest test on the host or, when
# cross-compiling, under qemu-system-arm.

# The core libraries get the strictest set; tests and tools a slightly
# gentler one (no -Wconversion, which is noisy in table-driven tests).
set(MPX_WARNINGS_COMMON -Wall -Wextra -Wpedantic -Wshadow -Wdouble-promotion
    -Wfloat-conversion -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
    -Wundef -Wvla -Wcast-align)
set(MPX_WARNINGS_CORE ${MPX_WARNINGS_COMMON} -Wconversion -Wsign-conversion)
if(MPX_WERROR)
  list(APPEND MPX_WARNINGS_COMMON -Werror)
  list(APPEND MPX_WARNINGS_CORE -Werror)
endif()

if(MPX_FUZZ)
  # Coverage instrumentation for everything the harnesses link.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(MPX_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

if(MPX_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

function(mpx_core_warnings target)
  target_compile_options(${target} PRIVATE ${MPX_WARNINGS_CORE})
endfunction()

function(mpx_warnings target)
  target_compile_options(${target} PRIVATE ${MPX_WARNINGS_COMMON})
endfunction()

# mpx_add_test(NAME name SOURCES ... LIBS ...): a test program run by ctest.
function(mpx_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;INCLUDES" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS})
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests/c ${T_INCLUDES})
  mpx_warnings(${T_NAME})
  if(CMAKE_CROSSCOMPILING)
    target_link_libraries(${T_NAME} PRIVATE mpx_arm_startup)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT 300)
endfunction()

if(CMAKE_CROSSCOMPILING)
  # Vector table, reset handler (FPU on, then newlib's _start) and a fault
  # handler that ends QEMU with a failure instead of hanging.
  add_library(mpx_arm_startup OBJECT ${CMAKE_SOURCE_DIR}/cmake/arm/startup.c ${CMAKE_SOURCE_DIR}/cmake/arm/fault.c)
  target_compile_options(mpx_arm_startup PRIVATE ${MPX_WARNINGS_COMMON})
endif()
