// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The desktop simulator of the display's renderer core: the same lib/ui
// renderer in its own thread, talking to the producer only through the
// shared region's rings, with condition-variable doorbells in place of the
// board's HSEM interrupts. Optional SDL2 window (loaded at run time, so the
// simulator builds and runs headless without it) and PNG snapshots.
// Used by the CPython extension and by the MicroPython unix port.
#ifndef MPX_UI_SIM_H
#define MPX_UI_SIM_H

#include <stdio.h>

#include "ui_link.h"

typedef struct {
    int32_t width, height;
    ui_format_t format;
    uint32_t max_nodes;
    uint32_t cmd_ring;        // command ring data bytes (power of two)
    uint32_t evt_ring;        // event ring data bytes (power of two)
    uint32_t background;      // 0xRRGGBB
    bool window;              // open an SDL2 window
    const char *title;
} ui_sim_config_t;

void ui_sim_config_default(ui_sim_config_t *cfg);

typedef struct ui_sim ui_sim_t;

// Start the renderer thread on a fresh region. On failure *out is NULL and
// err holds the reason.
ui_status_t ui_sim_open(ui_sim_t **out, const ui_sim_config_t *cfg, char *err, size_t err_len);
void ui_sim_close(ui_sim_t *s);

// The region, for ui_client_attach.
void *ui_sim_region(ui_sim_t *s, uint32_t *size);

// Doorbells and clock for the producer's ui_client_port_t.
void ui_sim_notify(void *sim);               // ring the renderer's bell
void ui_sim_wait(void *sim, uint32_t ms);    // wait for the producer's bell or ms
uint32_t ui_sim_now_ms(void *sim);

// Called on the renderer thread whenever it rings the producer's bell
// (the board's HSEM interrupt on the CM7 side): a binding schedules its
// event dispatch here. Must not block.
void ui_sim_set_bell_hook(ui_sim_t *s, void (*hook)(void *ctx), void *ctx);

// Test hook: a paused renderer takes no commands (a stalled core).
void ui_sim_pause(ui_sim_t *s, bool paused);

// The framebuffer as the renderer last left it. Only meaningful after
// ui_client_sync (the renderer is then idle).
const ui_fb_t *ui_sim_fb(ui_sim_t *s);

// Whether an SDL2 window is open; and a synthetic window event for tests
// (SDL's own event queue: mouse button/motion/wheel, key), 0 on success.
bool ui_sim_has_window(ui_sim_t *s);
int ui_sim_window_inject(ui_sim_t *s, ui_event_kind_t kind, int32_t x, int32_t y, int32_t key);

// PNG (8-bit RGB) of a framebuffer: 0, or an errno value.
int ui_png_write(FILE *f, const ui_fb_t *fb);
int ui_png_save(const char *path, const ui_fb_t *fb);

#endif
