// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The DMA2D's register side: write what dma2d_plan.c computed, start, and
// wait for the end with a timeout. Every refusal or failure goes back to
// the software raster, so a DMA2D that misbehaves costs time, not pixels.
// The CM4 has no data cache: nothing to clean or invalidate around a
// transfer, only the CPU's buffered writes to drain before one starts.
#include <stddef.h>

#include "dma2d_plan.h"
#include "h747.h"
#include "h747_regs.h"

// Below this many pixels the CPU is done before the DMA2D is set up.
#ifndef RENDERER_DMA2D_MIN_PIXELS
#define RENDERER_DMA2D_MIN_PIXELS 64u
#endif
// A full 800x480 ARGB8888 fill is 1.5 MB through the FMC: a few ms. A
// transfer still running after this is aborted.
#define DMA2D_TIMEOUT_US 50000u
#define DMA2D_ERRORS (DMA2D_ISR_TEIF | DMA2D_ISR_CAEIF | DMA2D_ISR_CEIF)

static bool ready;
static uint32_t failures;    // transfers that failed or timed out (for a debugger)

void dma2d_init(void) {
    RCC_AHB3ENR |= RCC_AHB3ENR_DMA2DEN;
    (void)RCC_AHB3ENR;
    RCC_AHB3RSTR |= RCC_AHB3ENR_DMA2DEN;
    RCC_AHB3RSTR &= ~RCC_AHB3ENR_DMA2DEN;
    ready = true;
}

static dma2d_surface_t surface_of(const ui_fb_t *fb) {
    return (dma2d_surface_t){(uint32_t)(uintptr_t)fb->pixels, fb->stride, fb->width, fb->height,
        fb->format};
}

static bool run(const dma2d_regs_t *r) {
    if (DMA2D_CR & DMA2D_CR_START) {
        return false;  // still busy with something we gave up on
    }
    DMA2D_IFCR = DMA2D_IFCR_ALL;
    DMA2D_FGMAR = r->fgmar;
    DMA2D_FGOR = r->fgor;
    DMA2D_FGPFCCR = r->fgpfccr;
    DMA2D_OPFCCR = r->opfccr;
    DMA2D_OCOLR = r->ocolr;
    DMA2D_OMAR = r->omar;
    DMA2D_OOR = r->oor;
    DMA2D_NLR = r->nlr;
    // The CPU's earlier framebuffer writes must land before the DMA2D's.
    H747_DSB();
    DMA2D_CR = r->cr | DMA2D_CR_START;
    uint32_t start = h747_cycles();
    while (DMA2D_CR & DMA2D_CR_START) {
        if (DMA2D_ISR & DMA2D_ERRORS) {
            break;
        }
        if (h747_since(start, DMA2D_TIMEOUT_US)) {
            DMA2D_CR |= DMA2D_CR_ABORT;
            (void)h747_wait(&DMA2D_CR, DMA2D_CR_START, 0, 1000u);
            break;
        }
    }
    uint32_t isr = DMA2D_ISR;
    DMA2D_IFCR = DMA2D_IFCR_ALL;
    if ((isr & DMA2D_ERRORS) || !(isr & DMA2D_ISR_TCIF)) {
        failures++;
        return false;
    }
    return true;
}

bool dma2d_fill(void *ctx, ui_fb_t *fb, const ui_area_t *area, uint32_t px) {
    (void)ctx;
    if (!ready || ui_area_size(area) < RENDERER_DMA2D_MIN_PIXELS) {
        return false;
    }
    dma2d_surface_t s = surface_of(fb);
    dma2d_regs_t r;
    return dma2d_plan_fill(&s, area, px, &r) && run(&r);
}

uint32_t dma2d_blit(ui_fb_t *dst, const ui_area_t *clip, int32_t x, int32_t y,
    const ui_fb_t *src, const ui_area_t *src_area) {
    dma2d_blit_t b;
    if (!dma2d_clip_blit(dst, clip, x, y, src, src_area, &b)) {
        return 0;
    }
#if RENDERER_DMA2D
    uint32_t n = (uint32_t)b.w * (uint32_t)b.h;
    if (ready && n >= RENDERER_DMA2D_MIN_PIXELS) {
        dma2d_surface_t d = surface_of(dst), s = surface_of(src);
        dma2d_regs_t r;
        if (dma2d_plan_copy(&d, &s, &b, &r) && run(&r)) {
            return n;
        }
    }
#endif
    return dma2d_soft_blit(dst, src, &b);
}
