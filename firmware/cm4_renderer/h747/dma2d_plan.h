// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The DMA2D's work as plain functions: the register values for a fill
// (register to memory) or a copy (memory to memory, converting RGB565 and
// ARGB8888 on the way), and the blit's clipping and software copy that
// stand in when the DMA2D cannot take a request. No register access: the
// host compiles this for tests against a model of the DMA2D's register
// semantics; h747/dma2d_h747.c writes the values and starts the transfer.
//
// Facts: RM0399's DMA2D chapter (registers and fields checked against ST's
// CMSIS stm32h747xx.h): CR MODE 18:16 (000 memory to memory, 001 with pixel
// format conversion, 011 register to memory), line offsets in pixels (CR
// LOM = 0), NLR PL 29:16 (14 bits) and NL 15:0, FGPFCCR and OPFCCR CM
// (0000 ARGB8888, 0010 RGB565), OCOLR in the output format.
#ifndef MPX_CM4_DMA2D_PLAN_H
#define MPX_CM4_DMA2D_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "ui_draw.h"

#define DMA2D_MODE_M2M 0u
#define DMA2D_MODE_M2M_PFC 1u
#define DMA2D_MODE_R2M 3u
#define DMA2D_MODE_SHIFT 16u
#define DMA2D_CM_ARGB8888 0u
#define DMA2D_CM_RGB565 2u
#define DMA2D_PL_MAX 0x3FFFu          // pixels per line
#define DMA2D_NL_MAX 0xFFFFu          // lines
#define DMA2D_OFFSET_MAX 0xFFFFu      // line offsets, in pixels

// Memory as the DMA2D sees it: a bus address, not a C pointer (the host's
// tests map it onto their buffers).
typedef struct {
    uint32_t addr;        // pixel (0, 0)
    uint32_t stride;      // bytes per row
    int32_t width, height;
    ui_format_t format;
} dma2d_surface_t;

// What to write before setting CR START (registers a mode does not use stay 0).
typedef struct {
    uint32_t cr;          // the mode; START is the poker's
    uint32_t fgmar, fgor, fgpfccr;
    uint32_t opfccr, ocolr, omar, oor, nlr;
} dma2d_regs_t;

// Fill area of s with px (s's native pixel, as ui_fb_pixel gives it).
// False when the DMA2D cannot: an empty area or one outside s, a format it
// is not given here, an address or stride not aligned to the pixel size, a
// size or offset over its fields.
bool dma2d_plan_fill(const dma2d_surface_t *s, const ui_area_t *area, uint32_t px,
    dma2d_regs_t *r);

// A blit after clipping: w x h pixels from (sx, sy) in the source to (dx, dy)
// in the destination.
typedef struct {
    int32_t dx, dy, sx, sy, w, h;
} dma2d_blit_t;

// Copy b from src to dst, converting when their formats differ. False as for
// a fill, and when the two rectangles share memory (the DMA2D reads and
// writes line by line forwards).
bool dma2d_plan_copy(const dma2d_surface_t *dst, const dma2d_surface_t *src, const dma2d_blit_t *b,
    dma2d_regs_t *r);

// Clip a blit once, for both paths: src_area of src goes with its top-left
// corner at (x, y) of dst, inside clip. False when nothing is left.
bool dma2d_clip_blit(const ui_fb_t *dst, const ui_area_t *clip, int32_t x, int32_t y,
    const ui_fb_t *src, const ui_area_t *src_area, dma2d_blit_t *out);

// The software copy of a clipped blit: rows moved as bytes when the formats
// match (overlap allowed), pixels converted through ui_fb_get/ui_fb_pixel
// otherwise. Returns pixels written (0 when the formats differ and the
// rectangles overlap in memory).
uint32_t dma2d_soft_blit(ui_fb_t *dst, const ui_fb_t *src, const dma2d_blit_t *b);

#endif
