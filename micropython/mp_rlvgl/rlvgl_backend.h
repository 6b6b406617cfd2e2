// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Where the renderer runs, for the MicroPython module: the desktop
// simulator's thread on the unix port (rlvgl_backend_sim.c), the Cortex-M4
// on the STM32H747 (rlvgl_backend_cm7.c). The module only talks to the
// region's rings through ui_client; a backend supplies the region, the
// doorbells and the clock.
#ifndef MP_RLVGL_BACKEND_H
#define MP_RLVGL_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ui_link.h"

typedef struct {
    int32_t width, height;        // desktop only: the board's panel decides
    ui_format_t format;
    uint32_t max_nodes;
    uint32_t ring_size;
    uint32_t background;
    bool window;
    uint32_t timeout_ms;          // how long a renderer may take to let go of the last link
} rlvgl_config_t;

// Start the renderer and hand back the region and the producer's port.
// The backends whose renderer keeps running (cm7, qemu) open with
// ui_link_open; the error message goes into err.
ui_status_t rlvgl_backend_open(const rlvgl_config_t *cfg, void **region, uint32_t *size,
    ui_client_port_t *port, char *err, size_t err_len);

// The message for a ui_link_open failure, the same from every backend.
static inline void rlvgl_backend_open_error(ui_status_t st, uint32_t timeout_ms, const char *renderer,
    char *err, size_t err_len) {
    if (st == UI_E_LINK_HELD) {
        snprintf(err, err_len, "%s renderer did not let go of the last link within %lu ms "
            "(stopped, or stuck attaching): not laying out a region it may still read",
            renderer, (unsigned long)timeout_ms);
    } else {
        snprintf(err, err_len, "cannot lay out the link: %s", ui_status_message(st));
    }
}
void rlvgl_backend_close(void);

// Called when the renderer rings the producer's doorbell: from the renderer
// thread (unix) or the HSEM interrupt (board). Must not block or allocate.
void rlvgl_backend_set_bell_hook(void (*hook)(void *ctx), void *ctx);

// The framebuffer, when the producer can read it (NULL otherwise).
const ui_fb_t *rlvgl_backend_fb(void);

// Test hooks (desktop): stall the renderer; an event through the window's queue.
bool rlvgl_backend_pause(bool paused);
int rlvgl_backend_window_event(const ui_event_t *e);
bool rlvgl_backend_has_window(void);

#endif
