// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The scene: the renderer's z-ordered stack of nodes in a fixed pool, the
// dirty areas its changes leave, and the redraw of only those at present.
#ifndef MPX_UI_SCENE_H
#define MPX_UI_SCENE_H

#include "ui_draw.h"

// Dirty areas, clipped to the screen. Degrades instead of failing: an area
// inside a saved one is dropped, two areas whose bounding box is no bigger
// than their sum are joined, and when UI_DIRTY_MAX are saved the lot becomes
// one full-screen redraw.
typedef struct {
    ui_area_t areas[UI_DIRTY_MAX];
    uint32_t count;
    bool full;
} ui_dirty_t;

void ui_dirty_reset(ui_dirty_t *d);
void ui_dirty_add(ui_dirty_t *d, const ui_area_t *screen, const ui_area_t *a);

typedef struct {
    ui_node_t node;
    ui_area_t area;       // what it covers
    bool opaque;          // covers every pixel of area (rects; one-line text)
} ui_slot_t;

typedef struct {
    int16_t z;
    uint16_t slot;
} ui_order_t;

typedef struct {
    ui_slot_t *slots;     // pool of cap slots
    ui_order_t *order;    // count entries sorted by z
    uint16_t *free_list;  // cap - count free slot numbers
    uint32_t cap, count;
    ui_fb_t *fb;
    uint32_t background;  // 0xRRGGBB where no node is
    ui_dirty_t dirty;
    uint32_t pixels_last; // pixels written by the last render
} ui_scene_t;

// Memory for a scene of cap nodes (cap <= 65535).
#define UI_SCENE_MEM(cap) ((size_t)(cap) * (sizeof(ui_slot_t) + sizeof(ui_order_t) + sizeof(uint16_t)))

// Lay a scene out in mem (UI_SCENE_MEM(cap) bytes, aligned for a pointer);
// the first render draws the whole screen.
ui_status_t ui_scene_init(ui_scene_t *s, void *mem, size_t mem_size, uint32_t cap, ui_fb_t *fb,
    uint32_t background);

ui_status_t ui_scene_add(ui_scene_t *s, int16_t z, const ui_node_t *n);
ui_status_t ui_scene_remove(ui_scene_t *s, int16_t z);
ui_status_t ui_scene_replace(ui_scene_t *s, int16_t z, const ui_node_t *n);
void ui_scene_clear(ui_scene_t *s);
const ui_node_t *ui_scene_get(const ui_scene_t *s, int16_t z);

// The z of the topmost node covering (x, y); false if none.
bool ui_scene_hit(const ui_scene_t *s, int32_t x, int32_t y, int16_t *z);

// Redraw what changed since the last render; returns pixels written.
uint32_t ui_scene_render(ui_scene_t *s);

#endif
