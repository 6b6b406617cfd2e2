# SPDX-License-Identifier: MIT
# Adafruit Feather STM32F405 Express as the urpc WiFi client.
#
#   cd micropython/ports/stm32
#   make BOARD_DIR=/path/to/mpx/micropython/boards/ADAFRUIT_F405_IOT
#
# The mpx C modules (msgpack, finaliserproxy, ioctl, _urpc) and the frozen
# urpc client with its shims come with the board; no other option is needed.

MCU_SERIES = f4
CMSIS_MCU = STM32F405xx
AF_FILE = boards/stm32f405_af.csv
ifeq ($(USE_MBOOT),1)
LD_FILES = boards/stm32f405.ld boards/common_blifs.ld
TEXT0_ADDR = 0x08020000
else
LD_FILES = boards/stm32f405.ld boards/common_ifs.ld
TEXT0_ADDR = 0x08000000
TEXT1_ADDR = 0x08020000
endif

MPX_DIR := $(abspath $(BOARD_DIR)/../../..)
USER_C_MODULES ?= $(MPX_DIR)/micropython
FROZEN_MANIFEST ?= $(BOARD_DIR)/manifest.py
MICROPY_VFS_LFS2 = 1
