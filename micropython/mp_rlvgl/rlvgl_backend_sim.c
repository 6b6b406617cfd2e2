// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The unix port's backend: the desktop simulator (sim/ui_sim.c), whose
// renderer thread stands in for the Cortex-M4.
#include "py/mpconfig.h"
#include "py/mpthread.h"

#include <errno.h>

#include "rlvgl_backend.h"
#include "ui_sim.h"

static ui_sim_t *sim;

static void wait_released(void *ctx, uint32_t ms) {
    MP_THREAD_GIL_EXIT();
    ui_sim_wait(ctx, ms);
    MP_THREAD_GIL_ENTER();
}

ui_status_t rlvgl_backend_open(const rlvgl_config_t *cfg, void **region, uint32_t *size,
    ui_client_port_t *port, char *err, size_t err_len) {
    rlvgl_backend_close();
    ui_sim_config_t sc;
    ui_sim_config_default(&sc);
    sc.width = cfg->width;
    sc.height = cfg->height;
    sc.format = cfg->format;
    sc.max_nodes = cfg->max_nodes;
    sc.cmd_ring = cfg->ring_size;
    sc.background = cfg->background;
    sc.window = cfg->window;
    sc.title = "mp_rlvgl simulator (MicroPython)";
    ui_status_t st = ui_sim_open(&sim, &sc, err, err_len);
    if (st != UI_OK) {
        return st;
    }
    *region = ui_sim_region(sim, size);
    port->now_ms = ui_sim_now_ms;
    port->notify = ui_sim_notify;
    port->wait = wait_released;
    port->ctx = sim;
    return UI_OK;
}

void rlvgl_backend_close(void) {
    if (sim) {
        ui_sim_set_bell_hook(sim, NULL, NULL);
        ui_sim_close(sim);
        sim = NULL;
    }
}

void rlvgl_backend_set_bell_hook(void (*hook)(void *ctx), void *ctx) {
    if (sim) {
        ui_sim_set_bell_hook(sim, hook, ctx);
    }
}

const ui_fb_t *rlvgl_backend_fb(void) {
    return sim ? ui_sim_fb(sim) : NULL;
}

bool rlvgl_backend_pause(bool paused) {
    if (sim) {
        ui_sim_pause(sim, paused);
    }
    return sim != NULL;
}

int rlvgl_backend_window_event(const ui_event_t *e) {
    return sim ? ui_sim_window_inject(sim, (ui_event_kind_t)e->kind, e->x, e->y, e->key) : ENODEV;
}

bool rlvgl_backend_has_window(void) {
    return sim && ui_sim_has_window(sim);
}
