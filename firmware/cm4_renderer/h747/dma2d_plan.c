// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "dma2d_plan.h"

#include <string.h>

// The DMA2D colour mode of a framebuffer format; false for one it is not given.
static bool colour_mode(ui_format_t f, uint32_t *cm) {
    switch (f) {
        case UI_FMT_RGB565:
            *cm = DMA2D_CM_RGB565;
            return true;
        case UI_FMT_ARGB8888:
            *cm = DMA2D_CM_ARGB8888;
            return true;
    }
    return false;
}

// A w x h rectangle at (x, y) of s as the DMA2D addresses it: the first
// pixel's address, the line offset in pixels, the byte range it spans.
typedef struct {
    uint32_t addr, offset;
    uint64_t first, end;
} span_t;

static bool locate(const dma2d_surface_t *s, int32_t x, int32_t y, int32_t w, int32_t h,
    span_t *out) {
    uint32_t bpp = ui_format_bpp(s->format);
    if (bpp == 0 || w <= 0 || h <= 0 || x < 0 || y < 0 || x > s->width - w ||
        y > s->height - h || (uint32_t)w > DMA2D_PL_MAX || (uint32_t)h > DMA2D_NL_MAX) {
        return false;
    }
    // Pixel-aligned memory, and rows a whole number of pixels apart: the
    // offset registers count pixels.
    if (s->addr % bpp != 0 || s->stride % bpp != 0 || s->stride / bpp < (uint32_t)s->width) {
        return false;
    }
    uint32_t offset = s->stride / bpp - (uint32_t)w;
    if (offset > DMA2D_OFFSET_MAX) {
        return false;
    }
    uint64_t first = (uint64_t)s->addr + (uint64_t)y * s->stride + (uint64_t)x * bpp;
    uint64_t end = first + (uint64_t)(h - 1) * s->stride + (uint64_t)w * bpp;
    if (end > 0x100000000u) {
        return false;  // past the end of the 32-bit bus
    }
    *out = (span_t){(uint32_t)first, offset, first, end};
    return true;
}

static uint32_t nlr(int32_t w, int32_t h) {
    return ((uint32_t)w << 16) | (uint32_t)h;
}

bool dma2d_plan_fill(const dma2d_surface_t *s, const ui_area_t *area, uint32_t px,
    dma2d_regs_t *r) {
    uint32_t cm;
    span_t d;
    if (!colour_mode(s->format, &cm) ||
        !locate(s, area->x0, area->y0, ui_area_w(area), ui_area_h(area), &d)) {
        return false;
    }
    memset(r, 0, sizeof(*r));
    r->cr = DMA2D_MODE_R2M << DMA2D_MODE_SHIFT;
    r->opfccr = cm;
    r->ocolr = s->format == UI_FMT_RGB565 ? (px & 0xFFFFu) : px;
    r->omar = d.addr;
    r->oor = d.offset;
    r->nlr = nlr(ui_area_w(area), ui_area_h(area));
    return true;
}

bool dma2d_plan_copy(const dma2d_surface_t *dst, const dma2d_surface_t *src, const dma2d_blit_t *b,
    dma2d_regs_t *r) {
    uint32_t dcm, scm;
    span_t d, s;
    if (!colour_mode(dst->format, &dcm) || !colour_mode(src->format, &scm) ||
        !locate(dst, b->dx, b->dy, b->w, b->h, &d) || !locate(src, b->sx, b->sy, b->w, b->h, &s)) {
        return false;
    }
    if (d.first < s.end && s.first < d.end) {
        return false;
    }
    memset(r, 0, sizeof(*r));
    // Without conversion the DMA2D takes the pixel size from the source's
    // mode; the output's is set to the same so that the two never disagree.
    r->cr = (dcm == scm ? DMA2D_MODE_M2M : DMA2D_MODE_M2M_PFC) << DMA2D_MODE_SHIFT;
    r->fgmar = s.addr;
    r->fgor = s.offset;
    r->fgpfccr = scm;  // alpha mode 00: the source's own (0xFF for RGB565)
    r->opfccr = dcm;
    r->omar = d.addr;
    r->oor = d.offset;
    r->nlr = nlr(b->w, b->h);
    return true;
}

static int64_t max64(int64_t a, int64_t b) {
    return a > b ? a : b;
}
static int64_t min64(int64_t a, int64_t b) {
    return a < b ? a : b;
}

bool dma2d_clip_blit(const ui_fb_t *dst, const ui_area_t *clip, int32_t x, int32_t y,
    const ui_fb_t *src, const ui_area_t *src_area, dma2d_blit_t *out) {
    ui_area_t src_bounds = {0, 0, src->width, src->height};
    ui_area_t s;
    if (!ui_area_intersect(&s, &src_bounds, src_area)) {
        return false;
    }
    // Where s lands, in 64 bits (x - src_area->x0 may not fit in 32), cut
    // by the destination and the clip area.
    int64_t ox = (int64_t)x - src_area->x0, oy = (int64_t)y - src_area->y0;
    int64_t x0 = max64(max64(s.x0 + ox, 0), clip->x0);
    int64_t y0 = max64(max64(s.y0 + oy, 0), clip->y0);
    int64_t x1 = min64(min64(s.x1 + ox, dst->width), clip->x1);
    int64_t y1 = min64(min64(s.y1 + oy, dst->height), clip->y1);
    if (x1 <= x0 || y1 <= y0) {
        return false;
    }
    *out = (dma2d_blit_t){(int32_t)x0, (int32_t)y0, (int32_t)(x0 - ox), (int32_t)(y0 - oy),
        (int32_t)(x1 - x0), (int32_t)(y1 - y0)};
    return true;
}

static void put_pixel(ui_fb_t *fb, int32_t x, int32_t y, uint32_t px) {
    uint8_t *p = fb->pixels + (size_t)y * fb->stride + (size_t)x * ui_format_bpp(fb->format);
    if (fb->format == UI_FMT_RGB565) {
        uint16_t v = (uint16_t)px;
        memcpy(p, &v, 2);
    } else {
        memcpy(p, &px, 4);
    }
}

uint32_t dma2d_soft_blit(ui_fb_t *dst, const ui_fb_t *src, const dma2d_blit_t *b) {
    uint32_t dbpp = ui_format_bpp(dst->format), sbpp = ui_format_bpp(src->format);
    if (dbpp == 0 || sbpp == 0 || b->w <= 0 || b->h <= 0) {
        return 0;
    }
    uint8_t *d0 = dst->pixels + (size_t)b->dy * dst->stride + (size_t)b->dx * dbpp;
    const uint8_t *s0 = src->pixels + (size_t)b->sy * src->stride + (size_t)b->sx * sbpp;
    uint32_t n = (uint32_t)b->w * (uint32_t)b->h;
    if (dst->format == src->format) {
        // Within one buffer, a destination below the source is copied from
        // the bottom row up so that no source row is overwritten unread.
        bool bottom_up = (uintptr_t)d0 > (uintptr_t)s0;
        size_t bytes = (size_t)b->w * dbpp;
        for (int32_t i = 0; i < b->h; i++) {
            int32_t row = bottom_up ? b->h - 1 - i : i;
            memmove(d0 + (size_t)row * dst->stride, s0 + (size_t)row * src->stride, bytes);
        }
        return n;
    }
    uintptr_t d_end = (uintptr_t)d0 + (size_t)(b->h - 1) * dst->stride + (size_t)b->w * dbpp;
    uintptr_t s_end = (uintptr_t)s0 + (size_t)(b->h - 1) * src->stride + (size_t)b->w * sbpp;
    if ((uintptr_t)d0 < s_end && (uintptr_t)s0 < d_end) {
        return 0;
    }
    for (int32_t j = 0; j < b->h; j++) {
        for (int32_t i = 0; i < b->w; i++) {
            uint32_t rgb = ui_fb_get(src, b->sx + i, b->sy + j);
            put_pixel(dst, b->dx + i, b->dy + j, ui_fb_pixel(dst, rgb));
        }
    }
    return n;
}
