// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "ui_scene.h"

#include <string.h>

void ui_dirty_reset(ui_dirty_t *d) {
    d->count = 0;
    d->full = false;
}

void ui_dirty_add(ui_dirty_t *d, const ui_area_t *screen, const ui_area_t *area) {
    ui_area_t a;
    if (d->full || !ui_area_intersect(&a, screen, area)) {
        return;
    }
    // Join with saved areas while that is cheaper than keeping both; a
    // joined area may now join another, so start over after each join.
    uint32_t i = 0;
    while (i < d->count) {
        ui_area_t *s = &d->areas[i];
        if (ui_area_contains(s, &a)) {
            return;
        }
        ui_area_t u;
        ui_area_union(&u, s, &a);
        if (ui_area_size(&u) <= ui_area_size(s) + ui_area_size(&a)) {
            a = u;
            d->areas[i] = d->areas[--d->count];
            i = 0;
            continue;
        }
        i++;
    }
    if (d->count == UI_DIRTY_MAX) {
        d->full = true;
        d->count = 0;
        return;
    }
    d->areas[d->count++] = a;
}

static ui_area_t screen_of(const ui_scene_t *s) {
    ui_area_t a = {0, 0, s->fb->width, s->fb->height};
    return a;
}

static void mark(ui_scene_t *s, const ui_area_t *a) {
    ui_area_t screen = screen_of(s);
    ui_dirty_add(&s->dirty, &screen, a);
}

ui_status_t ui_scene_init(ui_scene_t *s, void *mem, size_t mem_size, uint32_t cap, ui_fb_t *fb,
    uint32_t background) {
    if (cap == 0 || cap > 65535u || mem == NULL || mem_size < UI_SCENE_MEM(cap) ||
        ((uintptr_t)mem & (sizeof(void *) - 1u)) != 0 || background > UI_COLOR_MAX) {
        return UI_E_CONFIG;
    }
    memset(s, 0, sizeof(*s));
    s->slots = (ui_slot_t *)mem;
    s->order = (ui_order_t *)(void *)((uint8_t *)mem + (size_t)cap * sizeof(ui_slot_t));
    s->free_list = (uint16_t *)(void *)(s->order + cap);
    s->cap = cap;
    for (uint32_t i = 0; i < cap; i++) {
        s->free_list[i] = (uint16_t)(cap - 1u - i);
    }
    s->fb = fb;
    s->background = background;
    ui_dirty_reset(&s->dirty);
    s->dirty.full = true;
    return UI_OK;
}

// Index of z in order, or where it would go (*found says which).
static uint32_t find(const ui_scene_t *s, int16_t z, bool *found) {
    uint32_t lo = 0;
    uint32_t hi = s->count;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2u;
        if (s->order[mid].z == z) {
            *found = true;
            return mid;
        }
        if (s->order[mid].z < z) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    *found = false;
    return lo;
}

static bool text_is_one_line(const ui_node_t *n) {
    return memchr(n->text, '\n', n->text_len) == NULL;
}

static void store(ui_scene_t *s, uint16_t slot, const ui_node_t *n) {
    ui_slot_t *e = &s->slots[slot];
    e->node = *n;
    e->area = ui_node_area(n);
    e->opaque = n->kind == UI_KIND_RECT || text_is_one_line(n);
    mark(s, &e->area);
}

ui_status_t ui_scene_add(ui_scene_t *s, int16_t z, const ui_node_t *n) {
    ui_status_t st = ui_node_check(n);
    if (st != UI_OK) {
        return st;
    }
    bool found;
    uint32_t at = find(s, z, &found);
    if (found) {
        return UI_E_Z_TAKEN;
    }
    if (s->count == s->cap) {
        return UI_E_FULL;
    }
    uint16_t slot = s->free_list[s->cap - 1u - s->count];
    memmove(&s->order[at + 1u], &s->order[at], (s->count - at) * sizeof(ui_order_t));
    s->order[at].z = z;
    s->order[at].slot = slot;
    s->count++;
    store(s, slot, n);
    return UI_OK;
}

ui_status_t ui_scene_remove(ui_scene_t *s, int16_t z) {
    bool found;
    uint32_t at = find(s, z, &found);
    if (!found) {
        return UI_E_Z_MISSING;
    }
    uint16_t slot = s->order[at].slot;
    mark(s, &s->slots[slot].area);
    memmove(&s->order[at], &s->order[at + 1u], (s->count - at - 1u) * sizeof(ui_order_t));
    s->count--;
    s->free_list[s->cap - 1u - s->count] = slot;
    return UI_OK;
}

ui_status_t ui_scene_replace(ui_scene_t *s, int16_t z, const ui_node_t *n) {
    ui_status_t st = ui_node_check(n);
    if (st != UI_OK) {
        return st;
    }
    bool found;
    uint32_t at = find(s, z, &found);
    if (!found) {
        return UI_E_Z_MISSING;
    }
    uint16_t slot = s->order[at].slot;
    ui_slot_t *e = &s->slots[slot];
    // Unchanged: nothing to redraw.
    if (e->node.kind == n->kind && e->node.x == n->x && e->node.y == n->y &&
        e->node.w == n->w && e->node.h == n->h && e->node.color == n->color &&
        e->node.bg == n->bg && e->node.text_len == n->text_len &&
        memcmp(e->node.text, n->text, n->text_len) == 0) {
        return UI_OK;
    }
    mark(s, &e->area);
    store(s, slot, n);
    return UI_OK;
}

void ui_scene_clear(ui_scene_t *s) {
    for (uint32_t i = 0; i < s->count; i++) {
        mark(s, &s->slots[s->order[i].slot].area);
    }
    s->count = 0;
    for (uint32_t i = 0; i < s->cap; i++) {
        s->free_list[i] = (uint16_t)(s->cap - 1u - i);
    }
}

const ui_node_t *ui_scene_get(const ui_scene_t *s, int16_t z) {
    bool found;
    uint32_t at = find(s, z, &found);
    return found ? &s->slots[s->order[at].slot].node : NULL;
}

bool ui_scene_hit(const ui_scene_t *s, int32_t x, int32_t y, int16_t *z) {
    ui_area_t screen = screen_of(s);
    if (!ui_area_has_point(&screen, x, y)) {
        return false;
    }
    for (uint32_t i = s->count; i-- > 0;) {
        if (ui_area_has_point(&s->slots[s->order[i].slot].area, x, y)) {
            *z = s->order[i].z;
            return true;
        }
    }
    return false;
}

static uint32_t draw_node(ui_scene_t *s, const ui_area_t *clip, const ui_slot_t *e) {
    const ui_node_t *n = &e->node;
    if (n->kind == UI_KIND_RECT) {
        return ui_draw_fill(s->fb, clip, &e->area, n->color);
    }
    return ui_draw_text(s->fb, clip, n->x, n->y, n->text, n->text_len, n->color, n->bg);
}

// Redraw d from the nodes below `top` (in z order) over the background,
// each drawn whole where it meets d: what a node above covers is drawn more
// than once. The fallback of render_area.
static uint32_t render_overdraw(ui_scene_t *s, const ui_area_t *d, uint32_t top) {
    // Start at the topmost node that covers the whole area on its own:
    // nothing under it can show.
    uint32_t start = 0;
    bool covered = false;
    for (uint32_t i = top; i-- > 0;) {
        const ui_slot_t *e = &s->slots[s->order[i].slot];
        if (e->opaque && ui_area_contains(&e->area, d)) {
            start = i;
            covered = true;
            break;
        }
    }
    uint32_t px = 0;
    if (!covered) {
        px += ui_draw_fill(s->fb, d, d, s->background);
    }
    for (uint32_t i = start; i < top; i++) {
        const ui_slot_t *e = &s->slots[s->order[i].slot];
        ui_area_t tmp;
        if (ui_area_intersect(&tmp, &e->area, d)) {
            px += draw_node(s, d, e);
        }
    }
    return px;
}

// Pieces of a damaged area still to draw, each with the nodes that may show
// in it (those below `top`).
typedef struct {
    ui_area_t a;
    uint32_t top;
} ui_piece_t;

#define UI_RENDER_PIECES 64u

// Redraw d writing each pixel once where the nodes are opaque: the topmost
// node that meets a piece is drawn where it meets it, and the rest of the
// piece (up to four bands around it) goes on with the nodes below. A node
// that does not cover its area (multi-line text) has what is under it drawn
// first; when the pieces outgrow their stack, the piece is overdrawn.
static uint32_t render_area(ui_scene_t *s, const ui_area_t *d) {
    ui_piece_t stack[UI_RENDER_PIECES];
    uint32_t n = 0;
    stack[n++] = (ui_piece_t){*d, s->count};
    uint32_t px = 0;
    while (n > 0) {
        ui_piece_t p = stack[--n];
        uint32_t i = p.top;
        const ui_slot_t *e = NULL;
        ui_area_t hit;
        while (i-- > 0) {
            const ui_slot_t *c = &s->slots[s->order[i].slot];
            if (ui_area_intersect(&hit, &c->area, &p.a)) {
                e = c;
                break;
            }
        }
        if (e == NULL) {
            px += ui_draw_fill(s->fb, &p.a, &p.a, s->background);
            continue;
        }
        if (!e->opaque) {
            px += render_overdraw(s, &hit, i);
        }
        px += draw_node(s, &hit, e);
        ui_area_t bands[4] = {
            {p.a.x0, p.a.y0, p.a.x1, hit.y0},    // above
            {p.a.x0, hit.y1, p.a.x1, p.a.y1},    // below
            {p.a.x0, hit.y0, hit.x0, hit.y1},    // left
            {hit.x1, hit.y0, p.a.x1, hit.y1},    // right
        };
        for (int k = 0; k < 4; k++) {
            if (ui_area_empty(&bands[k])) {
                continue;
            }
            if (n < UI_RENDER_PIECES) {
                stack[n++] = (ui_piece_t){bands[k], i};
            } else {
                px += render_overdraw(s, &bands[k], i);
            }
        }
    }
    return px;
}

uint32_t ui_scene_render(ui_scene_t *s) {
    uint32_t px = 0;
    if (s->dirty.full) {
        ui_area_t screen = screen_of(s);
        px = render_area(s, &screen);
    } else {
        for (uint32_t i = 0; i < s->dirty.count; i++) {
            px += render_area(s, &s->dirty.areas[i]);
        }
    }
    ui_dirty_reset(&s->dirty);
    s->pixels_last = px;
    return px;
}
