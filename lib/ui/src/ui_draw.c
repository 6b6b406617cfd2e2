// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The software raster. Public functions clip once; the per-format row
// writers below them get in-bounds coordinates only.
#include "ui_draw.h"

#include <string.h>

// UI_FILL_WMEMSET: fill spans with wmemset, the C library's 32-bit fill.
// glibc's runs at memset's speed whatever the pattern (vector stores);
// newlib's is a plain loop, slower than ours. Off under AddressSanitizer,
// which does not check what wmemset writes. Needs a 32-bit wchar_t.
#ifndef UI_FILL_WMEMSET
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#define UI_FILL_WMEMSET 1
#else
#define UI_FILL_WMEMSET 0
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#undef UI_FILL_WMEMSET
#define UI_FILL_WMEMSET 0
#endif
#endif
#endif
#if UI_FILL_WMEMSET
#include <wchar.h>
#if WCHAR_MAX != 0x7fffffff && WCHAR_MAX != 0xffffffff
#error "UI_FILL_WMEMSET needs a 32-bit wchar_t"
#endif
#endif

extern const uint8_t ui_font_bitmaps[][16];
extern const uint16_t ui_font_codepoints[];
extern const uint16_t ui_font_index[];
extern const uint32_t ui_font_size;

// A hollow box: what a character the font lacks looks like.
const uint8_t ui_font_replacement[UI_GLYPH_H] = {
    0x00, 0x00, 0xfe, 0x82, 0x82, 0x82, 0x82, 0x82,
    0x82, 0x82, 0x82, 0x82, 0x82, 0xfe, 0x00, 0x00,
};

uint32_t ui_font_count(void) {
    return ui_font_size;
}

const uint8_t *ui_font_glyph(uint32_t cp) {
    if (cp > 0xffffu) {
        return NULL;
    }
    uint32_t lo = 0;
    uint32_t hi = ui_font_size;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2u;
        uint32_t v = ui_font_codepoints[mid];
        if (v == cp) {
            return ui_font_bitmaps[ui_font_index[mid]];
        }
        if (v < cp) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

uint32_t ui_format_bpp(ui_format_t f) {
    switch (f) {
        case UI_FMT_RGB565:
            return 2;
        case UI_FMT_ARGB8888:
            return 4;
    }
    return 0;
}

ui_status_t ui_fb_init(ui_fb_t *fb, void *pixels, size_t size, int32_t width, int32_t height,
    ui_format_t format) {
    uint32_t bpp = ui_format_bpp(format);
    if (bpp == 0 || pixels == NULL || ((uintptr_t)pixels & 3u) != 0 || width <= 0 ||
        height <= 0 || width > 4096 || height > 4096) {
        return UI_E_CONFIG;
    }
    if ((size_t)width * (size_t)height * bpp > size) {
        return UI_E_CONFIG;
    }
    fb->pixels = pixels;
    fb->width = width;
    fb->height = height;
    fb->stride = (uint32_t)width * bpp;
    fb->format = format;
    fb->fill_hook = NULL;
    fb->fill_ctx = NULL;
    return UI_OK;
}

uint32_t ui_fb_pixel(const ui_fb_t *fb, uint32_t rgb) {
    if (fb->format == UI_FMT_RGB565) {
        return ((rgb >> 8) & 0xf800u) | ((rgb >> 5) & 0x07e0u) | ((rgb >> 3) & 0x001fu);
    }
    return 0xff000000u | (rgb & 0xffffffu);
}

uint32_t ui_fb_get(const ui_fb_t *fb, int32_t x, int32_t y) {
    if (x < 0 || y < 0 || x >= fb->width || y >= fb->height) {
        return 0;
    }
    const uint8_t *row = fb->pixels + (size_t)y * fb->stride;
    if (fb->format == UI_FMT_RGB565) {
        uint16_t p;
        memcpy(&p, row + (size_t)x * 2u, 2);
        uint32_t r = (p >> 11) & 0x1fu;
        uint32_t g = (p >> 5) & 0x3fu;
        uint32_t b = p & 0x1fu;
        r = (r << 3) | (r >> 2);
        g = (g << 2) | (g >> 4);
        b = (b << 3) | (b >> 2);
        return (r << 16) | (g << 8) | b;
    }
    uint32_t p;
    memcpy(&p, row + (size_t)x * 4u, 4);
    return p & 0xffffffu;
}

static uint8_t *pixel_at(ui_fb_t *fb, int32_t x, int32_t y) {
    return fb->pixels + (size_t)y * fb->stride + (size_t)x * ui_format_bpp(fb->format);
}

// n pixels of a glyph row: bit set -> fg, clear -> bg; bits MSB first,
// starting at bit `first`.
static void row_glyph(ui_fb_t *fb, uint8_t *dst, uint32_t bits, uint32_t first, uint32_t n,
    uint32_t fg, uint32_t bg) {
    if (fb->format == UI_FMT_RGB565) {
        uint16_t *p = (uint16_t *)(void *)dst;
        for (uint32_t i = 0; i < n; i++) {
            p[i] = (uint16_t)(((bits << (first + i)) & 0x80u) ? fg : bg);
        }
    } else {
        uint32_t *p = (uint32_t *)(void *)dst;
        for (uint32_t i = 0; i < n; i++) {
            p[i] = ((bits << (first + i)) & 0x80u) ? fg : bg;
        }
    }
}

// Fill `bytes` bytes at dst with a 32-bit pattern: one ARGB8888 pixel, or
// an RGB565 pixel twice. dst is pixel-aligned (2 or 4); an RGB565 span may
// start and end half way through a pattern.
static void span_fill(uint8_t *dst, size_t bytes, uint32_t pattern) {
    uint16_t half = (uint16_t)pattern;
    if (((uintptr_t)dst & 2u) != 0 && bytes >= 2u) {
        memcpy(dst, &half, 2);
        dst += 2;
        bytes -= 2u;
    }
    size_t words = bytes / 4u;
#if UI_FILL_WMEMSET
    wchar_t w;
    memcpy(&w, &pattern, sizeof(w));
    wmemset((wchar_t *)(void *)dst, w, words);
    dst += words * 4u;
#else
    // Stores through memcpy: no alignment or aliasing assumptions, one
    // store instruction each on the targets we build for.
    for (; words >= 8u; words -= 8u, dst += 32) {
        memcpy(dst, &pattern, 4);
        memcpy(dst + 4, &pattern, 4);
        memcpy(dst + 8, &pattern, 4);
        memcpy(dst + 12, &pattern, 4);
        memcpy(dst + 16, &pattern, 4);
        memcpy(dst + 20, &pattern, 4);
        memcpy(dst + 24, &pattern, 4);
        memcpy(dst + 28, &pattern, 4);
    }
    for (; words > 0u; words--, dst += 4) {
        memcpy(dst, &pattern, 4);
    }
#endif
    if ((bytes & 2u) != 0) {
        memcpy(dst, &half, 2);
    }
}

static bool clip_to_fb(const ui_fb_t *fb, const ui_area_t *clip, const ui_area_t *area,
    ui_area_t *out) {
    ui_area_t screen = {0, 0, fb->width, fb->height};
    ui_area_t c;
    if (!ui_area_intersect(&c, &screen, clip)) {
        return false;
    }
    return ui_area_intersect(out, &c, area);
}

uint32_t ui_draw_fill(ui_fb_t *fb, const ui_area_t *clip, const ui_area_t *area, uint32_t rgb) {
    ui_area_t a;
    if (!clip_to_fb(fb, clip, area, &a)) {
        return 0;
    }
    uint32_t w = (uint32_t)ui_area_w(&a);
    uint32_t h = (uint32_t)ui_area_h(&a);
    uint32_t px = ui_fb_pixel(fb, rgb);
    if (fb->fill_hook != NULL && fb->fill_hook(fb->fill_ctx, fb, &a, px)) {
        return w * h;
    }
    uint32_t pattern = fb->format == UI_FMT_RGB565 ? px | (px << 16) : px;
    size_t bytes = (size_t)w * ui_format_bpp(fb->format);
    uint8_t *dst = pixel_at(fb, a.x0, a.y0);
    // Whole rows are one span.
    size_t rows = h;
    if (bytes == fb->stride) {
        bytes *= rows;
        rows = 1;
    }
    for (size_t y = 0; y < rows; y++, dst += fb->stride) {
        span_fill(dst, bytes, pattern);
    }
    return w * h;
}

uint32_t ui_draw_text(ui_fb_t *fb, const ui_area_t *clip, int32_t x, int32_t y, const char *text,
    size_t len, uint32_t fg, uint32_t bg) {
    ui_area_t screen = {0, 0, fb->width, fb->height};
    ui_area_t c;
    if (!ui_area_intersect(&c, &screen, clip)) {
        return 0;
    }
    uint32_t fgp = ui_fb_pixel(fb, fg);
    uint32_t bgp = ui_fb_pixel(fb, bg);
    uint32_t drawn = 0;
    int32_t cx = x;
    int32_t cy = y;
    size_t i = 0;
    while (i < len) {
        uint32_t cp = ui_utf8_next(text, len, &i);
        if (cp == '\n') {
            cx = x;
            cy += UI_GLYPH_H;
            continue;
        }
        ui_area_t cell = {cx, cy, cx + UI_GLYPH_W, cy + UI_GLYPH_H};
        cx += UI_GLYPH_W;
        ui_area_t a;
        if (!ui_area_intersect(&a, &c, &cell)) {
            continue;
        }
        const uint8_t *g = ui_font_glyph(cp);
        if (g == NULL) {
            g = ui_font_replacement;
        }
        uint32_t first = (uint32_t)(a.x0 - cell.x0);
        uint32_t n = (uint32_t)ui_area_w(&a);
        uint8_t *dst = pixel_at(fb, a.x0, a.y0);
        for (int32_t row = a.y0; row < a.y1; row++) {
            row_glyph(fb, dst, g[row - cell.y0], first, n, fgp, bgp);
            dst += fb->stride;
        }
        drawn += n * (uint32_t)ui_area_h(&a);
    }
    return drawn;
}
