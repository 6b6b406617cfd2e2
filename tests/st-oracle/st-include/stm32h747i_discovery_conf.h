// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The BSP configuration the oracle compiles ST's STM32H747I-DISCO LCD code
// with: both DSI panel controllers, no HDMI bridge, the layer addresses of
// ST's template (layer 0 at the start of the SDRAM), the DMA2D for
// rectangles of pixels, interrupt priority 15 for the touch line.
#ifndef ORACLE_STM32H747I_DISCO_CONF_H
#define ORACLE_STM32H747I_DISCO_CONF_H

#include "stm32h7xx_hal.h"

#define USE_COM_LOG 0U
#define USE_BSP_COM_FEATURE 0U
#define USE_LCD_CTRL_NT35510 1U
#define USE_LCD_CTRL_OTM8009A 1U
#define USE_LCD_CTRL_ADV7533 0U
#define LCD_LAYER_0_ADDRESS 0xD0000000U
#define LCD_LAYER_1_ADDRESS 0xD0200000U
#define USE_DMA2D_TO_FILL_RGB_RECT 1U
#define USE_TS_GESTURE 0U
#define USE_TS_MULTI_TOUCH 1U
#define TS_TOUCH_NBR 2U
#define BSP_TS_IT_PRIORITY 15U

#endif
