# SPDX-License-Identifier: MIT
# The `_urpc` module (urpc frames in C) for make-based MicroPython ports; the
# urpc package itself is Python (py/urpc), frozen by a board's manifest.
URPC_MOD_DIR := $(USERMOD_DIR)
MPX_LIB_URPC := $(abspath $(URPC_MOD_DIR)/../../lib/urpc)
SRC_USERMOD_C += $(URPC_MOD_DIR)/mod_urpc.c
SRC_USERMOD_LIB_C += $(MPX_LIB_URPC)/src/urpc_frame.c
CFLAGS_USERMOD += -I$(MPX_LIB_URPC)/include
