# SPDX-License-Identifier: MIT
# The `msgpack` module for make-based MicroPython ports (unix, stm32, qemu, ...):
#   make USER_C_MODULES=/path/to/mpx/micropython
MSGPACK_MOD_DIR := $(USERMOD_DIR)
# The C core lives outside the module directory; absolute paths keep its
# objects inside the port's build directory.
MPX_LIB_MSGPACK := $(abspath $(MSGPACK_MOD_DIR)/../../lib/msgpack)

SRC_USERMOD_C += \
	$(MSGPACK_MOD_DIR)/modmsgpack.c \
	$(MSGPACK_MOD_DIR)/types.c \
	$(MSGPACK_MOD_DIR)/pack.c \
	$(MSGPACK_MOD_DIR)/unpack.c

SRC_USERMOD_LIB_C += \
	$(MPX_LIB_MSGPACK)/src/mpk_write.c \
	$(MPX_LIB_MSGPACK)/src/mpk_read.c \
	$(MPX_LIB_MSGPACK)/src/mpk_common.c \
	$(MPX_LIB_MSGPACK)/src/mpk_inbuf.c

CFLAGS_USERMOD += -I$(MSGPACK_MOD_DIR) -I$(MPX_LIB_MSGPACK)/include
