// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The two sides of the comparison, as functions the oracle runs in a child
// process each: st_*() drive ST's STM32H747I-DISCO BSP, components and H7
// HAL (st_side.c, compiled with ST's headers), our_*() drive the renderer's
// h747 layer (our_side.c, compiled with ours). Plain types only: neither
// side's headers can see the other's. Results go to model.h's shared state.
#ifndef ORACLE_SIDES_H
#define ORACLE_SIDES_H

#include <stdint.h>

// Framebuffer / LCD formats.
#define SIDE_RGB565 0
#define SIDE_ARGB8888 1

// The display: ST's BSP_LCD_InitEx (landscape, 800 x 480, layer 0 at the
// SDRAM's start), our display_init over an 800 x 480 framebuffer there.
void st_lcd_init(int format);
void our_display_init(int format);

// ST's HAL_LTDC_ConfigLayer for a layer whose image is `pitch_pixels` wide
// (a padded framebuffer), the rest as BSP_LCD_InitEx configures layer 0;
// our display_init over a framebuffer with that stride.
void st_ltdc_layer_pitch(int format, uint32_t pitch_pixels);
void our_display_init_pitch(int format, uint32_t pitch_pixels);

// A filled rectangle: ST's BSP_LCD_FillRect after BSP_LCD_InitEx, our
// dma2d_fill on the same framebuffer. colour is in the framebuffer's format.
void st_fill(int format, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t colour);
void our_fill(int format, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t colour);

// Pixels of the other format onto the framebuffer: ST's BSP_LCD_DrawBitmap
// of a BMP at bmp (bus address), our dma2d_blit from the source at src
// (bus address, rows top-down, src_stride bytes apart). Both at (x, y).
void st_bitmap(int format, uint32_t x, uint32_t y, uint32_t bmp);
void our_blit(int format, uint32_t x, uint32_t y, uint32_t src, int src_format, uint32_t w,
    uint32_t h, uint32_t src_stride);

// The touch controller's set-up: ST's ft5336 component driven as the
// BSP's touch code drives its component (probe at 8-bit 0x54 then 0x70,
// Init, then the interrupt: PK7 pull-up, falling edge, EnableIT, NVIC),
// our touch_init.
void st_touch_init(void);
void our_touch_init(void);

#endif
