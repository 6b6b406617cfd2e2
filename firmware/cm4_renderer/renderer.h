// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The Cortex-M4 renderer of mp_rlvgl: the consumer end of the link region
// (lib/ui's ui_renderer) over a small hardware layer. It sleeps until a
// doorbell, (re)attaches when the producer has laid the region out afresh,
// applies commands (rendering damage at each PRESENT), and sends the
// device's input events. Everything here is plain C on lib/ring and lib/ui;
// what touches registers is in the target's hal (qemu/, h747/).
#ifndef MPX_CM4_RENDERER_H
#define MPX_CM4_RENDERER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui_link.h"

typedef struct {
    void *region;                  // the link region, as the producer lays it out
    uint32_t region_size;
    uint8_t *fb_mem;               // framebuffer memory
    size_t fb_mem_size;
    void *scene_mem;               // for the scene: UI_SCENE_MEM(max nodes)
    size_t scene_mem_size;
    int32_t panel_width;           // 0: the producer's want_width (or the default)
    int32_t panel_height;
    ui_format_t panel_format;      // with panel_width 0: want_format decides
    uint32_t (*now_us)(void *ctx);
    void (*ring_producer)(void *ctx);
    // The device's next input event, if any (touch, injected taps).
    bool (*next_input)(void *ctx, ui_event_t *e);
    // A frame was rendered (publish it: the QEMU target counts frames for
    // the host; a board may swap or flush). May be NULL.
    void (*frame_done)(void *ctx, const ui_fb_t *fb, uint32_t frame);
    // While true, no commands are taken (a stalled renderer, for tests). May be NULL.
    bool (*paused)(void *ctx);
    // Attached to a new region (fb describes the display). May be NULL.
    void (*attached)(void *ctx, const ui_fb_t *fb);
    // A hardware fill for the framebuffer (its ui_fb_t fill_hook, called with
    // ctx). NULL: the software raster does every fill.
    ui_fill_hook_t fill;
    // Called part-way through an attach: the region's want_* fields read,
    // READY not yet set. May be NULL (the host tests hold the renderer here
    // to re-open the link under it).
    void (*attaching)(void *ctx);
    // Look at the device's input sources before each step (a touch
    // controller read). May be NULL.
    void (*poll)(void *ctx);
    // Sleep until a doorbell or input is pending; return at once when one
    // already is (an interrupt that came while the renderer was busy).
    void (*sleep)(void *ctx);
    void *ctx;
} renderer_hal_t;

typedef struct {
    const renderer_hal_t *hal;
    ui_renderer_t r;
    ui_fb_t fb;
    bool attached;
    uint32_t last_frame;
    uint32_t attaches;             // regions attached (one per producer init)
    uint32_t refused;              // regions refused (bad header or display)
} renderer_t;

void renderer_init(renderer_t *rd, const renderer_hal_t *hal);

// Do what is pending: let go of a region the producer takes back, attach
// to a freshly laid out region, apply the commands waiting in the ring, send
// waiting input. Returns true when it did something (call again before
// sleeping).
bool renderer_step(renderer_t *rd);

// One turn of the renderer's main loop, the same on every target: step
// until nothing is pending (polling input before each step), then sleep
// until the next doorbell or input (hal->sleep). The renderer never sleeps
// before looking at the region, so a doorbell rung while it was busy, or
// before it started, is not lost. Targets run `for (;;) renderer_turn(&rd);`.
void renderer_turn(renderer_t *rd);

#endif
