# SPDX-License-Identifier: MIT
# STM32H747I-DISCO, display variant: MicroPython with the mpx modules on the
# Cortex-M7, the mp_rlvgl renderer on the Cortex-M4.
#
#   cd micropython/ports/stm32
#   make BOARD_DIR=/path/to/mpx/micropython/boards/STM32H747I_DISCO_RLVGL
#
# firmware.dfu then holds both cores' images (see README.md here).

USE_MBOOT = 0
USE_PYDFU = 0
# The dual-core HAL wants to know which core it is built for.
CFLAGS += -DCORE_CM7

MCU_SERIES = h7
CMSIS_MCU = STM32H747xx
MICROPY_FLOAT_IMPL = double
AF_FILE = boards/stm32h743_af.csv
LD_FILES = $(BOARD_DIR)/stm32h747_rlvgl.ld
TEXT0_ADDR = 0x08000000

# A display, not a network node. OpenAMP stays off: it would own SRAM4,
# HSEM 0/1 and the HSEM1 interrupt that mp_rlvgl's CM7 backend uses.
MICROPY_PY_LWIP = 0
MICROPY_PY_SSL = 0
MICROPY_SSL_MBEDTLS = 0
MICROPY_PY_OPENAMP = 0
MICROPY_PY_OPENAMP_REMOTEPROC = 0

MPX_DIR := $(abspath $(BOARD_DIR)/../../..)
USER_C_MODULES ?= $(MPX_DIR)/micropython
MP_RLVGL_BACKEND = cm7

# ---- both cores in one firmware.dfu ----
# The CM4 renderer (firmware/cm4_renderer, TARGET=h747) is built into
# $(BUILD)/cm4_renderer and goes into firmware.dfu as a second element at
# the start of flash bank 2, where the CM4 boots (BOOT_CM4_ADD0). The
# port's rule makes firmware.dfu from $^ with GENERATE_DFU; this board
# adds the renderer to $^ and its own GENERATE_DFU (the port's TEXT1_ADDR
# split is not used here) puts each binary at its address. The renderer's
# make runs every time (it knows its own dependencies; when nothing
# changed it does nothing). It runs in the mpx tree (make -C), so it gets
# BUILD as an absolute path: a relative BUILD (the port's default
# build-BOARD, or BUILD=... on the command line) means ports/stm32/BUILD,
# and nothing is written into the mpx tree.
MPX_CM4_ADDR = 0x08100000
MPX_CM4_BIN := $(BUILD)/cm4_renderer/renderer.bin

$(BUILD)/firmware.dfu: $(MPX_CM4_BIN)

$(MPX_CM4_BIN): mpx-cm4-renderer
	@:

.PHONY: mpx-cm4-renderer
mpx-cm4-renderer:
	$(ECHO) "MAKE CM4 renderer (TARGET=h747)"
	$(Q)$(MAKE) -C $(MPX_DIR)/firmware/cm4_renderer TARGET=h747 BUILD=$(abspath $(BUILD)/cm4_renderer) \
		$(if $(V),,--no-print-directory >/dev/null)

override define GENERATE_DFU
	$(ECHO) "GEN $(1) (CM7 at $(3), CM4 at $(MPX_CM4_ADDR))"
	$(Q)$(PYTHON) $(DFU) \
	-D $(BOOTLOADER_DFU_USB_VID):$(BOOTLOADER_DFU_USB_PID) \
	-b $(3):$(filter-out $(MPX_CM4_BIN),$(2)) \
	-b $(MPX_CM4_ADDR):$(MPX_CM4_BIN) \
	$(1)
endef

# ---- flashing through the on-board ST-LINK ----
# The port's deploy-openocd and deploy-stlink write firmware.bin alone; here
# they write both images, each at its address. The port calls RUN_OPENOCD /
# RUN_STLINK with $^ (firmware.bin, and the renderer this board adds) and
# the CM7's address.
#
#   make BOARD_DIR=... deploy-openocd [BCM4=0|1]
#       openocd.cfg here: programs and verifies both banks, sets
#       BOOT_CM4_ADD0 if the CM4 would not boot the renderer, BCM4 only when
#       asked, never BCM7 (see there), then resets the board.
#   make BOARD_DIR=... deploy-stlink
#       st-flash (stlink-tools) writes and verifies each image, then resets;
#       it leaves the option bytes alone (st-flash writes whole option
#       registers, BCM7 included: not something to do for the user).
OPENOCD_CONFIG = $(BOARD_DIR)/openocd.cfg

deploy-openocd deploy-stlink: $(MPX_CM4_BIN)

override define RUN_OPENOCD
	$(ECHO) "Writing $(filter-out $(MPX_CM4_BIN),$(1)) (CM7, $(2)) and $(MPX_CM4_BIN) (CM4, $(MPX_CM4_ADDR)) through the ST-LINK (OpenOCD)"
	$(Q)$(OPENOCD) -f $(OPENOCD_CONFIG) -c "mpx_h747_flash $(filter-out $(MPX_CM4_BIN),$(1)) $(2) $(MPX_CM4_BIN) $(MPX_CM4_ADDR) $(BCM4)"
endef

override define RUN_STLINK
	$(ECHO) "Writing $(filter-out $(MPX_CM4_BIN),$(1)) (CM7, $(2)) and $(MPX_CM4_BIN) (CM4, $(MPX_CM4_ADDR)) through the ST-LINK (st-flash)"
	$(Q)$(STFLASH) write $(filter-out $(MPX_CM4_BIN),$(1)) $(2)
	$(Q)$(STFLASH) --reset write $(MPX_CM4_BIN) $(MPX_CM4_ADDR)
endef
