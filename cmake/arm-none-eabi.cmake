# SPDX-License-Identifier: MIT
# Toolchain for Cortex-M4 / Cortex-M7 builds with Debian's gcc-arm-none-eabi,
# and QEMU machines to run their tests on (see qemu-cortex-m notes in the README):
#   MPX_ARM_CPU=cortex-m4  -> mps2-an386 (FPU fpv4-sp-d16)
#   MPX_ARM_CPU=cortex-m7  -> mps2-an500 (FPU fpv5-d16)
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(MPX_ARM_CPU "cortex-m4" CACHE STRING "cortex-m4 or cortex-m7")
if(MPX_ARM_CPU STREQUAL "cortex-m4")
  set(_fpu fpv4-sp-d16)
  set(_machine mps2-an386)
elseif(MPX_ARM_CPU STREQUAL "cortex-m7")
  set(_fpu fpv5-d16)
  set(_machine mps2-an500)
else()
  message(FATAL_ERROR "MPX_ARM_CPU must be cortex-m4 or cortex-m7, not ${MPX_ARM_CPU}")
endif()

set(CMAKE_C_FLAGS_INIT "-mcpu=${MPX_ARM_CPU} -mthumb -mfpu=${_fpu} -mfloat-abi=hard -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=rdimon.specs -T${CMAKE_CURRENT_LIST_DIR}/arm/mps2.ld -Wl,--gc-sections")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-system-arm;-M;${_machine};-nographic;-monitor;none;-semihosting;-kernel)
set(MPX_QEMU_MACHINE ${_machine} CACHE INTERNAL "")
