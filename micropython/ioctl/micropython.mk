# SPDX-License-Identifier: MIT
# The `ioctl` module for make-based MicroPython ports.
SRC_USERMOD_C += $(USERMOD_DIR)/modioctl.c
