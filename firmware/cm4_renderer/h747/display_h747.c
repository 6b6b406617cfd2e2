// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The display: LTDC layer 1 over the framebuffer with the panel's timings
// (disco_panel.c computes the registers). The LTDC's pixel clock is PLL3R,
// which the CM7's board set up (board_init.c); here only bus clocks.
//
// Not done yet: the DSI host (PLL, PHY timings, video burst mode), the
// panel probe (DCS reads of NT35510 RDID2 / OTM8009A ID1, chosen by
// panel_choose) and the panels' init sequences, the reset (PG3) and
// backlight (PJ12) lines. Until then display_init returns -1 after the
// LTDC part: frames are rendered into the SDRAM but not shown.
#include "disco_panel.h"
#include "h747.h"
#include "h747_regs.h"

static void ltdc_init(const ui_fb_t *fb, const panel_timing_t *t) {
    ltdc_timing_regs_t r;
    if (panel_ltdc_timing(t, &r) != 0) {
        return;
    }
    RCC_APB3ENR |= RCC_APB3ENR_LTDCEN;
    (void)RCC_APB3ENR;
    LTDC_GCR = 0;
    LTDC_SSCR = r.sscr;
    LTDC_BPCR = r.bpcr;
    LTDC_AWCR = r.awcr;
    LTDC_TWCR = r.twcr;
    LTDC_BCCR = 0;  // black behind the layer
    uint32_t h0 = (r.bpcr >> 16) + 1u, v0 = (r.bpcr & 0xFFFu) + 1u;
    LTDC_L1WHPCR = ((h0 + (uint32_t)fb->width - 1u) << 16) | h0;
    LTDC_L1WVPCR = ((v0 + (uint32_t)fb->height - 1u) << 16) | v0;
    LTDC_L1PFCR = fb->format == UI_FMT_RGB565 ? LTDC_PF_RGB565 : LTDC_PF_ARGB8888;
    LTDC_L1CACR = 255u;
    LTDC_L1DCCR = 0;
    LTDC_L1BFCR = (4u << 8) | 5u;  // constant alpha times pixel alpha
    LTDC_L1CFBAR = (uint32_t)(uintptr_t)fb->pixels;
    LTDC_L1CFBLR = (fb->stride << 16) | (fb->stride + 7u);
    LTDC_L1CFBLNR = (uint32_t)fb->height;
    LTDC_L1CR = 1u;  // layer on
    LTDC_SRCR = 1u;  // immediate reload
    LTDC_GCR = 1u;   // LTDC on
}

int display_init(const ui_fb_t *fb) {
    ltdc_init(fb, &panel_timing_800x480);
    return -1;  // no DSI host / panel bring-up yet (see the top of the file)
}
