// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "disco_panel.h"

#include <stddef.h>

panel_kind_t panel_choose(int nt35510_rdid2, int otm8009a_rdid1) {
    if (nt35510_rdid2 == (int)PANEL_NT35510_ID2) {
        return PANEL_NT35510;
    }
    if (otm8009a_rdid1 == (int)PANEL_OTM8009A_ID1) {
        return PANEL_OTM8009A;
    }
    return PANEL_UNKNOWN;
}

const char *panel_name(panel_kind_t k) {
    switch (k) {
        case PANEL_NT35510:
            return "NT35510";
        case PANEL_OTM8009A:
            return "OTM8009A";
        case PANEL_UNKNOWN:
            break;
    }
    return "unknown";
}

// Sync 2, back porch 34, front porch 34 pixels; sync 120, back porch 150,
// front porch 150 lines: ST's NT35510 timings, which ST's BSP programs on
// every board at its first init (it configures the DSI host and the LTDC
// with them before it probes which controller the panel has, so OTM8009A
// boards run with them too) and Zephyr's shield for the NT35510 board uses.
// The OTM8009A's own 1/15/16 lines (60 Hz) are what ST's BSP uses on an
// OTM8009A board only when initialised a second time; the panel is not
// known before the link runs, and the NT35510's are the ones both take
// (tests/st-oracle compares the registers with ST's). 870 x 900 per frame:
// 34 Hz at 26.7 MHz.
const panel_timing_t panel_timing_800x480 = {
    .width = 800, .height = 480,
    .hsync = 2, .hbp = 34, .hfp = 34,
    .vsync = 120, .vbp = 150, .vfp = 150,
};

static uint32_t pack(uint32_t h, uint32_t v) {
    return ((h - 1u) << 16) | (v - 1u);
}

int panel_ltdc_timing(const panel_timing_t *t, ltdc_timing_regs_t *out) {
    if (!t->width || !t->height || !t->hsync || !t->vsync) {
        return -1;
    }
    uint32_t h = t->hsync, v = t->vsync;
    out->sscr = pack(h, v);
    h += t->hbp;
    v += t->vbp;
    out->bpcr = pack(h, v);
    h += t->width;
    v += t->height;
    out->awcr = pack(h, v);
    h += t->hfp;
    v += t->vfp;
    out->twcr = pack(h, v);
    return h > 4096u || v > 2048u ? -1 : 0;
}

uint32_t panel_frame_pixels(const panel_timing_t *t) {
    return (t->hsync + t->hbp + t->width + t->hfp) * (t->vsync + t->vbp + t->height + t->vfp);
}

uint32_t panel_refresh_mhz(const panel_timing_t *t, uint32_t pixel_hz) {
    uint32_t px = panel_frame_pixels(t);
    return px ? (uint32_t)(((uint64_t)pixel_hz * 1000u) / px) : 0;
}
