// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Software raster: framebuffers in RGB565 or ARGB8888, solid fills and 8x16
// glyphs. Each public function clips once, to the framebuffer and to the
// caller's clip area; the per-format code behind it can assume its
// coordinates are in bounds.
#ifndef MPX_UI_DRAW_H
#define MPX_UI_DRAW_H

#include "ui.h"

typedef enum { UI_FMT_RGB565 = 1, UI_FMT_ARGB8888 = 2 } ui_format_t;

typedef struct ui_fb ui_fb_t;

// A hardware fill for a framebuffer (a DMA2D, a blitter): area lies inside
// the framebuffer and is not empty, px is the framebuffer's native pixel
// (ui_fb_pixel). Returns true when it has filled the area, false to leave it
// to the software raster (a request the hardware cannot take, or a transfer
// that failed). Glyphs are always drawn in software.
typedef bool (*ui_fill_hook_t)(void *ctx, ui_fb_t *fb, const ui_area_t *area, uint32_t px);

struct ui_fb {
    uint8_t *pixels;
    int32_t width, height;
    uint32_t stride;          // bytes per row
    ui_format_t format;
    ui_fill_hook_t fill_hook; // NULL (as ui_fb_init leaves it): software only
    void *fill_ctx;
};

// Bytes per pixel of a format (0 if unknown).
uint32_t ui_format_bpp(ui_format_t f);

// Set up fb over caller memory of size bytes (stride = width * bpp).
ui_status_t ui_fb_init(ui_fb_t *fb, void *pixels, size_t size, int32_t width, int32_t height,
    ui_format_t format);

// The framebuffer's native pixel for a colour 0xRRGGBB.
uint32_t ui_fb_pixel(const ui_fb_t *fb, uint32_t rgb);
// The colour 0xRRGGBB at (x, y) (RGB565 widened by bit replication).
uint32_t ui_fb_get(const ui_fb_t *fb, int32_t x, int32_t y);

// Fill area & clip with a colour; returns pixels written.
uint32_t ui_draw_fill(ui_fb_t *fb, const ui_area_t *clip, const ui_area_t *area, uint32_t rgb);

// Draw UTF-8 text with its top-left corner at (x, y): each character an 8x16
// cell of fg on bg, '\n' back to x one line down; a character the font lacks
// is a replacement box. Returns pixels written.
uint32_t ui_draw_text(ui_fb_t *fb, const ui_area_t *clip, int32_t x, int32_t y, const char *text,
    size_t len, uint32_t fg, uint32_t bg);

// The font: 16 row bytes (MSB = leftmost pixel) for a code point, or NULL.
const uint8_t *ui_font_glyph(uint32_t cp);
// The glyph drawn for characters the font lacks.
extern const uint8_t ui_font_replacement[UI_GLYPH_H];
// How many code points the font maps.
uint32_t ui_font_count(void);

#endif
