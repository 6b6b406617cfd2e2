// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The DISCO's capacitive touch controller (FocalTech FT5336 class, FT6x06
// register compatible), as plain functions: decode the report block read
// from TD_STATUS on, map raw coordinates to the panel, and turn successive
// reports into mp_rlvgl events. No register access: the host compiles this
// for tests; h747/touch_h747.c does the I2C.
#ifndef MPX_CM4_FT5336_H
#define MPX_CM4_FT5336_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui.h"

#define FT5336_ADDR_A 0x2Au          // 7-bit addresses the DISCO's panels use, in the
#define FT5336_ADDR_B 0x38u          // order ST's BSP tries them (8-bit 54h, then 70h)
#define FT5336_REG_TD_STATUS 0x02u   // touch count, then 6 bytes per point
// G_MODE: how the INT line behaves. Trigger mode pulses it for every new
// report (so a falling-edge interrupt sees each one); in polling mode it
// stays low while a finger is down (one edge per touch). ST's driver sets
// trigger mode when its interrupt is enabled; the power-on value is not
// one we rely on.
#define FT5336_REG_G_MODE 0xA4u
#define FT5336_G_MODE_TRIGGER 0x01u
#define FT5336_MAX_POINTS 5
#define FT5336_REPORT_LEN (1u + 6u * FT5336_MAX_POINTS)

// A point's event flag (bits 7:6 of its XH byte).
enum { FT5336_DOWN = 0, FT5336_UP = 1, FT5336_CONTACT = 2, FT5336_NONE = 3 };

typedef struct {
    uint8_t id;       // touch id (0-15)
    uint8_t event;    // FT5336_DOWN ...
    uint16_t x, y;    // raw, 12 bits
} ft5336_point_t;

// Decode len bytes read from TD_STATUS on (up to FT5336_REPORT_LEN) into at
// most max points. Returns the number of points, or -1 when the report is
// not one (a count above FT5336_MAX_POINTS, or more points than bytes).
int ft5336_parse(const uint8_t *buf, size_t len, ft5336_point_t *pts, int max);

// Raw controller axes to panel pixels: optional swap, then mirrors, then
// scale raw_w x raw_h (the controller's range after the swap) to width x
// height. Points outside are clamped to the panel.
typedef struct {
    bool swap_xy, mirror_x, mirror_y;
    int32_t raw_w, raw_h;
    int32_t width, height;
} ft5336_map_t;

void ft5336_map(const ft5336_map_t *m, const ft5336_point_t *p, int16_t *x, int16_t *y);

// The first finger's state between reports.
typedef struct {
    bool down;
    int16_t x, y;
} ft5336_tracker_t;

// Turn one report into events: a finger landing gives UI_EV_TAP where it
// landed, a finger that moved while down UI_EV_MOVE, lifting nothing.
// Writes at most max events to out; returns how many.
uint32_t ft5336_track(ft5336_tracker_t *t, const ft5336_map_t *m, const ft5336_point_t *pts,
    int n, ui_event_t *out, uint32_t max);

#endif
