// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The DISCO's 800x480 DSI panel as plain functions: which controller it has
// (told apart by the ID each answers to) and the LTDC timing registers for
// its porches. No register access: the host compiles this for tests;
// h747/display_h747.c programs the DSI host and the LTDC with the results.
#ifndef MPX_CM4_DISCO_PANEL_H
#define MPX_CM4_DISCO_PANEL_H

#include <stdint.h>

typedef enum {
    PANEL_UNKNOWN = 0,
    PANEL_NT35510 = 1,   // newer boards (MB1166 rev. B and later)
    PANEL_OTM8009A = 2,  // older boards
} panel_kind_t;

// DCS reads the DSI host does while probing.
#define PANEL_NT35510_RDID2 0xDBu   // NT35510 answers 0x80
#define PANEL_NT35510_ID2 0x80u
#define PANEL_OTM8009A_RDID1 0xDAu  // OTM8009A answers 0x40
#define PANEL_OTM8009A_ID1 0x40u

// What the probe read: an ID byte per read, or -1 where the read failed.
// NT35510 is asked first (like ST's BSP); an OTM8009A answers only to its ID1.
panel_kind_t panel_choose(int nt35510_rdid2, int otm8009a_rdid1);
const char *panel_name(panel_kind_t k);

// Porches and sync widths in pixels (h) and lines (v).
typedef struct {
    uint32_t width, height;
    uint32_t hsync, hbp, hfp;
    uint32_t vsync, vbp, vfp;
} panel_timing_t;

// The timings both controllers accept at 800x480 landscape.
extern const panel_timing_t panel_timing_800x480;

// The LTDC's four timing registers (sync, back porch, active width, total
// width), each (accumulated horizontal << 16) | accumulated vertical, the
// hardware's value being the accumulated count minus one.
typedef struct {
    uint32_t sscr, bpcr, awcr, twcr;
} ltdc_timing_regs_t;

// 0 on success, -1 when a field is zero or a sum passes 12 bits (4096).
int panel_ltdc_timing(const panel_timing_t *t, ltdc_timing_regs_t *out);

// Pixels per frame including blanking; with the pixel clock in Hz gives the
// refresh rate (mHz to stay in integers).
uint32_t panel_frame_pixels(const panel_timing_t *t);
uint32_t panel_refresh_mhz(const panel_timing_t *t, uint32_t pixel_hz);

#endif
