# SPDX-License-Identifier: MIT
# The `mp_rlvgl` module for make-based MicroPython ports. The renderer runs
# where the backend says:
#   unix port:  the desktop simulator in a thread (default there)
#   qemu port, MPS2_AN500:  the renderer firmware on a second QEMU (mps2-an386)
#                           sharing its RAM (tools/dualcore.sh; default there)
#   STM32H747 (CM7):  MP_RLVGL_BACKEND=cm7, the renderer on the Cortex-M4
# Other ports leave the module out unless MP_RLVGL_BACKEND is set.
RLVGL_MOD_DIR := $(USERMOD_DIR)
MPX_ROOT := $(abspath $(RLVGL_MOD_DIR)/../..)
ifeq ($(notdir $(CURDIR)),unix)
MP_RLVGL_BACKEND ?= sim
endif
ifeq ($(notdir $(CURDIR))-$(BOARD),qemu-MPS2_AN500)
MP_RLVGL_BACKEND ?= qemu
endif

ifneq ($(MP_RLVGL_BACKEND),)
SRC_USERMOD_C += $(RLVGL_MOD_DIR)/mod_rlvgl.c $(RLVGL_MOD_DIR)/rlvgl_backend_$(MP_RLVGL_BACKEND).c
SRC_USERMOD_LIB_C += $(MPX_ROOT)/lib/ring/src/ring.c \
	$(addprefix $(MPX_ROOT)/lib/ui/src/,ui_area.c ui_draw.c ui_scene.c ui_link.c ui_client.c) \
	$(MPX_ROOT)/lib/ui/font/ui_font_8x16.c
CFLAGS_USERMOD += -I$(RLVGL_MOD_DIR) -I$(MPX_ROOT)/lib/ring/include -I$(MPX_ROOT)/lib/ui/include
ifeq ($(MP_RLVGL_BACKEND),sim)
SRC_USERMOD_LIB_C += $(MPX_ROOT)/sim/ui_sim.c $(MPX_ROOT)/sim/ui_png.c
CFLAGS_USERMOD += -DMP_RLVGL_BACKEND_SIM=1 -I$(MPX_ROOT)/sim
# sim/ui_png.c writes PNG through zlib (zlib1g-dev; lib32z1-dev for -m32).
LDFLAGS_USERMOD += -lpthread -ldl -lz
endif
ifeq ($(MP_RLVGL_BACKEND),qemu)
CFLAGS_USERMOD += -DMP_RLVGL_BACKEND_QEMU=1 -I$(MPX_ROOT)/firmware/cm4_renderer/qemu
endif
ifeq ($(MP_RLVGL_BACKEND),cm7)
SRC_USERMOD_C += $(RLVGL_MOD_DIR)/rlvgl_cm7_hw.c
CFLAGS_USERMOD += -DMP_RLVGL_BACKEND_CM7=1
endif
endif
