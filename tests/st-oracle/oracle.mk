# SPDX-License-Identifier: MIT
# Builds the ST oracle (run.sh calls this): ST's BSP, components and H7 HAL
# from the unpacked archives under $(OUT)/src (never from this tree), our
# h747 layer from firmware/cm4_renderer/h747, the harness from here, all for
# the x86-64 host.
#   make -f tests/st-oracle/oracle.mk OUT=build/st-oracle ST=<.../BSP> HAL=<.../stm32lib>
OUT ?= build/st-oracle
CC := gcc
MPX := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
HERE := $(MPX)/tests/st-oracle
H747 ?= $(MPX)/firmware/cm4_renderer/h747

# ST's code as ST wrote it: not ours to warn about.
ST_SRC := $(ST)/STM32H747I-DISCO/stm32h747i_discovery_lcd.c \
	$(ST)/Components/nt35510/nt35510.c $(ST)/Components/nt35510/nt35510_reg.c \
	$(ST)/Components/otm8009a/otm8009a.c $(ST)/Components/otm8009a/otm8009a_reg.c \
	$(ST)/Components/ft5336/ft5336.c $(ST)/Components/ft5336/ft5336_reg.c \
	$(addprefix $(HAL)/STM32H7xx_HAL_Driver/Src/stm32h7xx_hal_,dsi.c ltdc.c dma2d.c gpio.c)
ST_INC := -I$(HERE)/st-include -isystem $(HAL)/CMSIS/STM32H7xx/Include \
	-isystem $(HAL)/STM32H7xx_HAL_Driver/Inc -isystem $(ST)/STM32H747I-DISCO \
	$(addprefix -isystem $(ST)/Components/,Common ft5336 nt35510 otm8009a is42s32800j)
# The CM4's view (the renderer's core), the SDRAM up before the display.
ST_DEF := -DSTM32H747xx -DCORE_CM4 -DUSE_HAL_DRIVER -DDATA_IN_ExtSDRAM
ST_CFLAGS := -std=gnu11 -O1 -g -w $(ST_DEF) $(ST_INC)

# Ours, with the firmware's warnings.
WARN := -Wall -Wextra -Wpedantic -Wshadow -Wdouble-promotion -Wfloat-conversion \
	-Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wundef -Wvla -Werror
OUR_SRC := $(addprefix $(H747)/,display_h747.c dma2d_h747.c touch_h747.c dsi_host.c \
	panel_init.c disco_panel.c dma2d_plan.c ft5336.c) \
	$(addprefix $(MPX)/lib/ui/src/,ui_area.c ui_draw.c) $(MPX)/lib/ui/font/ui_font_8x16.c
OUR_CFLAGS := -std=c11 -O1 -g $(WARN) -DRENDERER_DMA2D=1 -I$(H747) -I$(MPX)/lib/ui/include \
	-I$(MPX)/lib/ring/include -I$(HERE) -I$(MPX)/tests/c/cm4
HARNESS := $(HERE)/mmio.c $(HERE)/model.c $(HERE)/oracle.c $(MPX)/tests/c/cm4/dma2d_model.c

ST_OBJ := $(addprefix $(OUT)/obj/st/,$(notdir $(ST_SRC:.c=.o)))
OUR_OBJ := $(addprefix $(OUT)/obj/ours/,$(notdir $(OUR_SRC:.c=.o)))
HARNESS_OBJ := $(addprefix $(OUT)/obj/harness/,$(notdir $(HARNESS:.c=.o))) \
	$(OUT)/obj/harness/st_side.o $(OUT)/obj/harness/our_side.o

all: $(OUT)/st-oracle

$(OUT)/st-oracle: $(ST_OBJ) $(OUR_OBJ) $(HARNESS_OBJ)
	$(CC) -o $@ $^

vpath %.c $(sort $(dir $(ST_SRC)))
$(OUT)/obj/st/%.o: %.c | $(OUT)/obj/st
	$(CC) $(ST_CFLAGS) -MMD -c -o $@ $<

$(OUT)/obj/ours/%.o: $(H747)/%.c | $(OUT)/obj/ours
	$(CC) $(OUR_CFLAGS) -MMD -c -o $@ $<
$(OUT)/obj/ours/%.o: $(MPX)/lib/ui/src/%.c | $(OUT)/obj/ours
	$(CC) $(OUR_CFLAGS) -MMD -c -o $@ $<
$(OUT)/obj/ours/%.o: $(MPX)/lib/ui/font/%.c | $(OUT)/obj/ours
	$(CC) $(OUR_CFLAGS) -MMD -c -o $@ $<

# The harness: plain C, except st_side.c (ST's headers, with its config
# shims first) and our_side.c (our headers).
$(OUT)/obj/harness/st_side.o: $(HERE)/st_side.c | $(OUT)/obj/harness
	$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror $(ST_DEF) $(ST_INC) -I$(HERE) -MMD -c -o $@ $<
$(OUT)/obj/harness/our_side.o: $(HERE)/our_side.c | $(OUT)/obj/harness
	$(CC) $(OUR_CFLAGS) -MMD -c -o $@ $<
$(OUT)/obj/harness/%.o: $(HERE)/%.c | $(OUT)/obj/harness
	$(CC) -std=c11 -O1 -g $(WARN) -I$(HERE) -I$(MPX)/tests/c/cm4 -MMD -c -o $@ $<
$(OUT)/obj/harness/%.o: $(MPX)/tests/c/cm4/%.c | $(OUT)/obj/harness
	$(CC) -std=c11 -O1 -g $(WARN) -I$(HERE) -I$(MPX)/tests/c/cm4 -MMD -c -o $@ $<

$(OUT)/obj/st $(OUT)/obj/ours $(OUT)/obj/harness:
	mkdir -p $@

-include $(wildcard $(OUT)/obj/*/*.d)
.PHONY: all
