// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Our side: the renderer's h747 layer (display_h747.c, dma2d_h747.c,
// touch_h747.c and the plain-C parts they use) as the firmware builds it,
// with the four timing functions main_h747.c gives it on the board
// replaced: delays advance the virtual clock, waits and timeouts count
// polls. Everything else goes to the trapped register blocks at the
// addresses h747_regs.h names.
#include <stddef.h>

#include "h747.h"
#include "model.h"
#include "sides.h"
#include "ui_draw.h"

// ---- what main_h747.c provides on the board ----

static uint32_t polls;

void h747_delay_us(uint32_t us) {
    vclock_advance_us(us);
}

// A status the models never give is a timeout after this many looks.
#define POLL_LIMIT 10000u

bool h747_wait(volatile uint32_t *r, uint32_t mask, uint32_t want, uint32_t timeout_us) {
    (void)timeout_us;
    for (uint32_t i = 0; i < POLL_LIMIT; i++) {
        if ((*r & mask) == want) {
            return true;
        }
    }
    return false;
}

uint32_t h747_cycles(void) {
    return polls;
}

bool h747_since(uint32_t start, uint32_t us) {
    (void)us;
    return ++polls - start > POLL_LIMIT;
}

// ---- the runs ----

#define FB ((uint8_t *)(uintptr_t)M_SDRAM)
#define FB_BYTES 0x00200000u   // display_h747's framebuffer window (SDRAM_FB_SIZE)

static ui_format_t fmt(int format) {
    return format == SIDE_RGB565 ? UI_FMT_RGB565 : UI_FMT_ARGB8888;
}

static ui_fb_t framebuffer(int format, uint32_t pitch_pixels) {
    ui_fb_t fb;
    if (ui_fb_init(&fb, FB, FB_BYTES, 800, 480, fmt(format)) != UI_OK) {
        M->res.status = -100;
    }
    fb.stride = pitch_pixels * ui_format_bpp(fb.format);
    return fb;
}

void our_display_init_pitch(int format, uint32_t pitch_pixels) {
    ui_fb_t fb = framebuffer(format, pitch_pixels);
    if (M->res.status == 0) {
        M->res.status = display_init(&fb);
    }
}

void our_display_init(int format) {
    our_display_init_pitch(format, 800);
}

void our_fill(int format, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t colour) {
    ui_fb_t fb = framebuffer(format, 800);
    ui_area_t a = {(int32_t)x, (int32_t)y, (int32_t)(x + w), (int32_t)(y + h)};
    dma2d_init();
    if (dma2d_fill(NULL, &fb, &a, colour)) {
        M->res.dma2d_calls++;
    } else {
        M->res.status = -1;
    }
}

void our_blit(int format, uint32_t x, uint32_t y, uint32_t src, int src_format, uint32_t w,
    uint32_t h, uint32_t src_stride) {
    ui_fb_t fb = framebuffer(format, 800);
    ui_fb_t s;
    if (ui_fb_init(&s, (uint8_t *)(uintptr_t)src, src_stride * h, (int32_t)w, (int32_t)h,
        fmt(src_format)) != UI_OK) {
        M->res.status = -100;
        return;
    }
    s.stride = src_stride;
    ui_area_t all = {0, 0, 800, 480}, sa = {0, 0, (int32_t)w, (int32_t)h};
    dma2d_init();
    if (dma2d_blit(&fb, &all, (int32_t)x, (int32_t)y, &s, &sa) == w * h) {
        M->res.dma2d_calls++;
    } else {
        M->res.status = -1;
    }
}

void our_touch_init(void) {
    touch_init(800, 480);
}
