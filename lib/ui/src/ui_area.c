// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Area maths, node geometry and checks, UTF-8, status messages.
#include <string.h>

#include "ui_link.h"

static int32_t max32(int32_t a, int32_t b) {
    return a > b ? a : b;
}
static int32_t min32(int32_t a, int32_t b) {
    return a < b ? a : b;
}

bool ui_area_intersect(ui_area_t *out, const ui_area_t *a, const ui_area_t *b) {
    out->x0 = max32(a->x0, b->x0);
    out->y0 = max32(a->y0, b->y0);
    out->x1 = min32(a->x1, b->x1);
    out->y1 = min32(a->y1, b->y1);
    return !ui_area_empty(out);
}

void ui_area_union(ui_area_t *out, const ui_area_t *a, const ui_area_t *b) {
    if (ui_area_empty(a)) {
        *out = *b;
    } else if (ui_area_empty(b)) {
        *out = *a;
    } else {
        out->x0 = min32(a->x0, b->x0);
        out->y0 = min32(a->y0, b->y0);
        out->x1 = max32(a->x1, b->x1);
        out->y1 = max32(a->y1, b->y1);
    }
}

bool ui_area_contains(const ui_area_t *outer, const ui_area_t *inner) {
    if (ui_area_empty(inner)) {
        return true;
    }
    return inner->x0 >= outer->x0 && inner->y0 >= outer->y0 && inner->x1 <= outer->x1 &&
           inner->y1 <= outer->y1;
}

bool ui_area_has_point(const ui_area_t *a, int32_t x, int32_t y) {
    return x >= a->x0 && x < a->x1 && y >= a->y0 && y < a->y1;
}

uint32_t ui_utf8_next(const char *s, size_t n, size_t *i) {
    const uint8_t *p = (const uint8_t *)s + *i;
    size_t left = n - *i;
    uint8_t c = p[0];
    uint32_t cp;
    size_t len;
    uint32_t min;
    if (c < 0x80u) {
        *i += 1;
        return c;
    } else if ((c & 0xe0u) == 0xc0u) {
        cp = c & 0x1fu;
        len = 2;
        min = 0x80u;
    } else if ((c & 0xf0u) == 0xe0u) {
        cp = c & 0x0fu;
        len = 3;
        min = 0x800u;
    } else if ((c & 0xf8u) == 0xf0u) {
        cp = c & 0x07u;
        len = 4;
        min = 0x10000u;
    } else {
        *i += 1;
        return UI_CHAR_INVALID;
    }
    if (left < len) {
        *i += 1;
        return UI_CHAR_INVALID;
    }
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xc0u) != 0x80u) {
            *i += 1;
            return UI_CHAR_INVALID;
        }
        cp = (cp << 6) | (p[k] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffffu || (cp >= 0xd800u && cp <= 0xdfffu)) {
        *i += 1;
        return UI_CHAR_INVALID;
    }
    *i += len;
    return cp;
}

ui_area_t ui_node_area(const ui_node_t *n) {
    ui_area_t a = {n->x, n->y, n->x, n->y};
    if (n->kind == UI_KIND_RECT) {
        a.x1 = n->x + (int32_t)n->w;
        a.y1 = n->y + (int32_t)n->h;
    } else if (n->kind == UI_KIND_TEXT) {
        int32_t cols = 0;
        int32_t widest = 0;
        int32_t lines = n->text_len ? 1 : 0;
        size_t i = 0;
        while (i < n->text_len) {
            uint32_t cp = ui_utf8_next(n->text, n->text_len, &i);
            if (cp == '\n') {
                lines++;
                cols = 0;
            } else if (++cols > widest) {
                widest = cols;
            }
        }
        a.x1 = n->x + widest * UI_GLYPH_W;
        a.y1 = n->y + lines * UI_GLYPH_H;
    }
    return a;
}

ui_status_t ui_node_check(const ui_node_t *n) {
    if (n->kind == UI_KIND_RECT) {
        if (n->w > UI_SIZE_MAX || n->h > UI_SIZE_MAX || n->color > UI_COLOR_MAX) {
            return UI_E_RANGE;
        }
        return UI_OK;
    }
    if (n->kind == UI_KIND_TEXT) {
        if (n->text_len > UI_TEXT_MAX) {
            return UI_E_TEXT_TOO_LONG;
        }
        if (n->color > UI_COLOR_MAX || n->bg > UI_COLOR_MAX) {
            return UI_E_RANGE;
        }
        return UI_OK;
    }
    return UI_E_KIND;
}

ui_status_t ui_event_check(const ui_event_t *e) {
    if (e->kind < UI_EV_TAP || e->kind > UI_EV_SCROLL) {
        return UI_E_KIND;
    }
    return UI_OK;
}

const char *ui_status_message(ui_status_t st) {
    switch (st) {
        case UI_OK:
            return "ok";
        case UI_E_Z_TAKEN:
            return "a node already has this z";
        case UI_E_Z_MISSING:
            return "no node has this z";
        case UI_E_FULL:
            return "the scene is full";
        case UI_E_RANGE:
            return "value out of range";
        case UI_E_TEXT_TOO_LONG:
            return "text longer than 255 bytes";
        case UI_E_KIND:
            return "unknown kind";
        case UI_E_TIMEOUT:
            return "the renderer did not respond in time";
        case UI_E_NO_RENDERER:
            return "the renderer is not running";
        case UI_E_PROTOCOL:
            return "the shared region or a record is corrupt";
        case UI_E_CONFIG:
            return "unusable display configuration";
        case UI_E_CALLBACK:
            return "an input callback failed";
        case UI_E_LINK_HELD:
            return "the renderer still holds the last link (it did not let go in time)";
    }
    return "unknown status";
}

ui_exc_t ui_status_exception(ui_status_t st) {
    switch (st) {
        case UI_E_Z_MISSING:
            return UI_EXC_KEY;
        case UI_E_TIMEOUT:
            return UI_EXC_TIMEOUT;
        case UI_E_FULL:
        case UI_E_NO_RENDERER:
        case UI_E_PROTOCOL:
        case UI_E_CONFIG:
        case UI_E_CALLBACK:
        case UI_E_LINK_HELD:
            return UI_EXC_RUNTIME;
        default:
            return UI_EXC_VALUE;
    }
}

const char *const ui_kind_names[3] = {NULL, "rect", "text"};
const char *const ui_event_names[5] = {NULL, "tap", "move", "key", "scroll"};

const char *const ui_node_keys[3][UI_NODE_KEYS] = {
    {NULL},
    {"kind", "x", "y", "w", "h", "color"},
    {"kind", "x", "y", "text", "fg", "bg"},
};
// "target" is allowed so that an event received can be injected again.
const char *const ui_event_keys[UI_EVENT_KEYS] = {"kind", "x", "y", "key", "target"};

bool ui_key_known(const char *const *keys, size_t n, const char *name, size_t len) {
    for (size_t i = 0; i < n; i++) {
        if (keys[i] != NULL && strlen(keys[i]) == len && memcmp(keys[i], name, len) == 0) {
            return true;
        }
    }
    return false;
}
