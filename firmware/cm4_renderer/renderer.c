// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "renderer.h"

#include <stdatomic.h>
#include <string.h>

#include "ui_draw.h"

#define STEP_COMMANDS 64u  // commands applied between looks at the input

static uint32_t port_now_us(void *ctx) {
    const renderer_hal_t *hal = ctx;
    return hal->now_us(hal->ctx);
}

static void port_notify(void *ctx) {
    const renderer_hal_t *hal = ctx;
    hal->ring_producer(hal->ctx);
}

void renderer_init(renderer_t *rd, const renderer_hal_t *hal) {
    memset(rd, 0, sizeof(*rd));
    rd->hal = hal;
}

// The producer lays a region out (magic last, state NONE) and rings; a
// region already READY is ours. Any other state is left alone.
static bool fresh_region(ui_link_header_t *h) {
    return atomic_load_explicit(&h->state, memory_order_acquire) == UI_STATE_NONE;
}

// A region without the magic: the producer takes it back (ui_link_take_back)
// or has not laid it out. Let go of it, and answer a take-back request (from
// now on nothing here reads the region until the magic is back).
static bool let_go(renderer_t *rd, ui_link_header_t *h) {
    const renderer_hal_t *hal = rd->hal;
    uint32_t asked = atomic_load_explicit(&h->take_back, memory_order_acquire);
    bool did = rd->attached;
    if (rd->attached) {
        rd->attached = false;
        atomic_store_explicit(&h->state, UI_STATE_NONE, memory_order_relaxed);
    }
    if (atomic_load_explicit(&h->let_go, memory_order_relaxed) != asked) {
        atomic_store_explicit(&h->let_go, asked, memory_order_release);
        did = true;
    }
    if (did) {
        hal->ring_producer(hal->ctx);
    }
    return did;
}

static void attach(renderer_t *rd) {
    const renderer_hal_t *hal = rd->hal;
    ui_link_header_t *h = hal->region;
    rd->attached = false;
    int32_t w = hal->panel_width, hgt = hal->panel_height;
    ui_format_t fmt = hal->panel_format;
    uint32_t max_nodes = h->want_max_nodes ? h->want_max_nodes : UI_DEFAULT_MAX_NODES;
    uint32_t background = h->want_background;
    if (w == 0) {
        w = h->want_width ? (int32_t)h->want_width : UI_DEFAULT_WIDTH;
        hgt = h->want_height ? (int32_t)h->want_height : UI_DEFAULT_HEIGHT;
        fmt = h->want_format ? (ui_format_t)h->want_format : UI_FMT_RGB565;
    }
    ui_renderer_port_t port = {port_now_us, port_notify, (void *)hal};
    ui_status_t st = UI_E_CONFIG;
    if (max_nodes <= 65535u && UI_SCENE_MEM(max_nodes) <= hal->scene_mem_size) {
        st = ui_fb_init(&rd->fb, hal->fb_mem, hal->fb_mem_size, w, hgt, fmt);
        rd->fb.fill_hook = hal->fill;
        rd->fb.fill_ctx = hal->ctx;
    }
    if (hal->attaching) {
        hal->attaching(hal->ctx);
    }
    if (st == UI_OK) {
        st = ui_renderer_attach(&rd->r, hal->region, hal->region_size, &rd->fb, hal->scene_mem,
            hal->scene_mem_size, max_nodes, background, &port);
    }
    if (st != UI_OK && atomic_load_explicit(&h->magic, memory_order_acquire) != UI_LINK_MAGIC) {
        return;  // taken back part-way through: the next step lets go
    }
    if (st != UI_OK) {
        // The producer waits for READY or FAILED: tell it, and ring.
        rd->refused++;
        atomic_store_explicit(&h->state, UI_STATE_FAILED, memory_order_release);
        hal->ring_producer(hal->ctx);
        return;
    }
    rd->attached = true;
    rd->attaches++;
    rd->last_frame = atomic_load_explicit(&h->frame_done, memory_order_relaxed);
    if (hal->attached) {
        hal->attached(hal->ctx, &rd->fb);
    }
    // The first frame: the background, whole screen.
    ui_scene_render(&rd->r.scene);
    if (hal->frame_done) {
        hal->frame_done(hal->ctx, &rd->fb, rd->last_frame);
    }
}

bool renderer_step(renderer_t *rd) {
    const renderer_hal_t *hal = rd->hal;
    ui_link_header_t *h = hal->region;
    bool magic = atomic_load_explicit(&h->magic, memory_order_acquire) == UI_LINK_MAGIC;
    if (!magic && let_go(rd, h)) {
        return true;
    }
    if (magic && fresh_region(h)) {
        attach(rd);
        return true;
    }
    if (!magic || !rd->attached ||
        atomic_load_explicit(&rd->r.hdr->state, memory_order_acquire) != UI_STATE_READY) {
        // Nothing to render into: input is dropped, not queued for later.
        ui_event_t e;
        bool any = false;
        while (hal->next_input(hal->ctx, &e)) {
            any = true;
        }
        return any;
    }
    if (hal->paused && hal->paused(hal->ctx)) {
        return false;
    }
    bool busy = false;
    ui_event_t e;
    while (hal->next_input(hal->ctx, &e)) {
        ui_renderer_input(&rd->r, &e);  // counted in input_dropped when full
        busy = true;
    }
    uint32_t taken = ui_renderer_poll(&rd->r, STEP_COMMANDS);
    uint32_t frame = atomic_load_explicit(&rd->r.hdr->frame_done, memory_order_relaxed);
    if (frame != rd->last_frame) {
        rd->last_frame = frame;
        if (hal->frame_done) {
            hal->frame_done(hal->ctx, &rd->fb, frame);
        }
    }
    return busy || taken == STEP_COMMANDS;
}

void renderer_turn(renderer_t *rd) {
    const renderer_hal_t *hal = rd->hal;
    do {
        if (hal->poll) {
            hal->poll(hal->ctx);
        }
    } while (renderer_step(rd));
    hal->sleep(hal->ctx);
}
