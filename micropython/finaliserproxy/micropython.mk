# SPDX-License-Identifier: MIT
# The `finaliserproxy` module for make-based MicroPython ports.
SRC_USERMOD_C += $(USERMOD_DIR)/modfinaliserproxy.c
