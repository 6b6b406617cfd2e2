// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "ft5336.h"

#include <string.h>

int ft5336_parse(const uint8_t *buf, size_t len, ft5336_point_t *pts, int max) {
    if (len < 1u) {
        return -1;
    }
    int n = buf[0] & 0x0f;
    if (n > FT5336_MAX_POINTS || len < 1u + 6u * (size_t)n) {
        return -1;
    }
    if (n > max) {
        n = max;
    }
    for (int i = 0; i < n; i++) {
        const uint8_t *p = buf + 1 + 6 * i;
        pts[i].event = (uint8_t)(p[0] >> 6);
        pts[i].x = (uint16_t)(((p[0] & 0x0fu) << 8) | p[1]);
        pts[i].id = (uint8_t)(p[2] >> 4);
        pts[i].y = (uint16_t)(((p[2] & 0x0fu) << 8) | p[3]);
    }
    return n;
}

static int32_t scale(int32_t v, int32_t raw, int32_t out) {
    if (raw <= 0 || out <= 0) {
        return 0;
    }
    int32_t s = (int32_t)(((int64_t)v * out) / raw);
    return s < 0 ? 0 : s >= out ? out - 1 : s;
}

void ft5336_map(const ft5336_map_t *m, const ft5336_point_t *p, int16_t *x, int16_t *y) {
    int32_t rx = m->swap_xy ? p->y : p->x;
    int32_t ry = m->swap_xy ? p->x : p->y;
    if (rx >= m->raw_w) {
        rx = m->raw_w - 1;
    }
    if (ry >= m->raw_h) {
        ry = m->raw_h - 1;
    }
    if (m->mirror_x) {
        rx = m->raw_w - 1 - rx;
    }
    if (m->mirror_y) {
        ry = m->raw_h - 1 - ry;
    }
    *x = (int16_t)scale(rx, m->raw_w, m->width);
    *y = (int16_t)scale(ry, m->raw_h, m->height);
}

uint32_t ft5336_track(ft5336_tracker_t *t, const ft5336_map_t *m, const ft5336_point_t *pts,
    int n, ui_event_t *out, uint32_t max) {
    bool down = n > 0 && (pts[0].event == FT5336_DOWN || pts[0].event == FT5336_CONTACT);
    if (!down) {
        t->down = false;
        return 0;
    }
    int16_t x, y;
    ft5336_map(m, &pts[0], &x, &y);
    uint32_t count = 0;
    if (max > 0 && (!t->down || x != t->x || y != t->y)) {
        memset(&out[0], 0, sizeof(out[0]));
        out[0].kind = t->down ? UI_EV_MOVE : UI_EV_TAP;
        out[0].x = x;
        out[0].y = y;
        out[0].target = UI_TARGET_NONE;  // the renderer knows the scene
        count = 1;
    }
    t->down = true;
    t->x = x;
    t->y = y;
    return count;
}
