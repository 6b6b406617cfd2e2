// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The STM32H747I-DISCO hardware layer of the renderer: display, DMA2D and
// touch.
#ifndef MPX_CM4_H747_H
#define MPX_CM4_H747_H

#include <stdbool.h>
#include <stdint.h>

#include "ui_draw.h"

// RENDERER_DMA2D: fills (and dma2d_blit) go through the DMA2D when it can
// take them, in software otherwise. 0 leaves the DMA2D alone. The Makefile
// sets it for TARGET=h747 (RENDERER_DMA2D=0 on its command line turns it off).
#ifndef RENDERER_DMA2D
#define RENDERER_DMA2D 1
#endif

// What display_init returns: 0, or the first step that failed.
typedef enum {
    DISPLAY_OK = 0,
    DISPLAY_E_CONFIG = -1,      // the framebuffer's size or format, or the clock plan, is unusable
    DISPLAY_E_REGULATOR = -2,   // the DSI regulator did not become ready
    DISPLAY_E_PLL_LOCK = -3,    // the DSI PLL did not lock
    DISPLAY_E_PHY = -4,         // the D-PHY lanes did not reach their stop state
    DISPLAY_E_NO_PANEL = -5,    // neither controller answered its ID read
    DISPLAY_E_PANEL_INIT = -6,  // the host stopped taking the panel's init commands
} display_status_t;

// Bring the display up on fb: the panel's reset, the DSI host (PLL, D-PHY,
// video burst mode), the LTDC layer over the framebuffer, the panel probe
// and its init sequence, then the backlight. The renderer renders whatever
// this returns; only DISPLAY_OK shows anything.
display_status_t display_init(const ui_fb_t *fb);
// The status of the last display_init (DISPLAY_E_CONFIG before the first).
display_status_t display_status(void);

// The DMA2D: clocks it and lets dma2d_fill take fills.
void dma2d_init(void);
// A ui_fill_hook_t: fills fb's area with the DMA2D and waits for it; false
// (the software raster then fills) for small areas, requests it cannot
// take, or a transfer that failed or took too long.
bool dma2d_fill(void *ctx, ui_fb_t *fb, const ui_area_t *area, uint32_t px);
// Copy src_area of src to dst with its top-left corner at (x, y), inside
// clip, converting RGB565 <-> ARGB8888 when the formats differ: with the
// DMA2D when it can, in software otherwise. Returns pixels written.
uint32_t dma2d_blit(ui_fb_t *dst, const ui_area_t *clip, int32_t x, int32_t y,
    const ui_fb_t *src, const ui_area_t *src_area);

// Probe the touch controller on I2C4 and, when one answers, put it in
// interrupt trigger mode and arm its interrupt (PK7, falling edge).
void touch_init(int32_t width, int32_t height);
// The interrupt has fired and the controller was not read since.
bool touch_pending(void);
// Read the controller if its interrupt fired and queue the events.
void touch_poll(void);
// The next queued touch event, if any.
bool touch_next(ui_event_t *e);

// Let the CPU's buffered writes land before another bus master (the
// DMA2D) reads memory. (tests/st-oracle builds the register pokers for a
// host, where a fence stands in.)
#if defined(__arm__)
#define H747_DSB() __asm volatile ("dsb" ::: "memory")
#else
#define H747_DSB() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

// Busy waits on the DWT cycle counter, which main starts before anything
// else (it wraps after 21 s at 200 MHz: fine for these).
void h747_delay_us(uint32_t us);
// Spin until (*reg & mask) == want or timeout_us passes. True if it got there.
bool h747_wait(volatile uint32_t *reg, uint32_t mask, uint32_t want, uint32_t timeout_us);
// The cycle counter now, and whether us microseconds have passed since start.
uint32_t h747_cycles(void);
bool h747_since(uint32_t start, uint32_t us);

#endif
