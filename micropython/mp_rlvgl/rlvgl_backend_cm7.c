// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The STM32H747's Cortex-M7 backend: the link region in SRAM4 (shared with
// the Cortex-M4, which runs the renderer) and HSEM doorbells both ways.
//
// Board requirements (the STM32H747I_DISCO display variant):
//   - MICROPY_PY_OPENAMP=0: OpenAMP would own SRAM4 and HSEM 0/1;
//   - option byte BOOT_CM4_ADD0 at the CM4 image (0x0810: flash bank 2,
//     where the board's firmware.dfu puts it; open checks both, with
//     rlvgl_cm4_image.h); BCM4 either way (0: the CM4 waits until the CM7
//     releases it, as ST's BootCM7_CM4Gated; 1: it starts at reset and
//     sleeps until the first doorbell);
//   - nothing else uses HSEM 28/29 or the HSEM1 interrupt.
// Every open is ui_link_open: take the region back from a renderer that
// may still read it, lay it out, release the CM4 (the first time) and ring
// it (every time: a running CM4 sleeps until its doorbell). The hardware
// touches are the calls of rlvgl_cm7_hw.h, so this file is plain C: the
// host tests run it against a model of the CM4.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "rlvgl_backend.h"
#include "rlvgl_cm4_image.h"
#include "rlvgl_cm7_hw.h"

#define RLVGL_CMD_RING 32768u
#define RLVGL_EVT_RING 4096u

// Set by the module, called from the doorbell's interrupt.
static void (*volatile bell_hook)(void *);
static void *volatile bell_ctx;

void rlvgl_cm7_bell(void) {
    void (*hook)(void *) = bell_hook;
    if (hook) {
        hook(bell_ctx);  // the module schedules its dispatch
    }
}

static uint32_t now_ms(void *ctx) {
    (void)ctx;
    return rlvgl_cm7_now_ms();
}

static void notify(void *ctx) {
    (void)ctx;
    rlvgl_cm7_ring_cm4();
}

static void wait(void *ctx, uint32_t ms) {
    (void)ctx;
    rlvgl_cm7_wait(ms);
}

static bool cm4_running(void *ctx) {
    (void)ctx;
    return rlvgl_cm7_cm4_running();
}

static void cm4_start(void *ctx) {
    (void)ctx;
    rlvgl_cm7_cm4_start();
}

ui_status_t rlvgl_backend_open(const rlvgl_config_t *cfg, void **region, uint32_t *size,
    ui_client_port_t *port, char *err, size_t err_len) {
    // The panel and the CM4 firmware decide the size and format.
    uint32_t max;
    void *mem = rlvgl_cm7_region(&max);
    uint32_t need = ui_link_region_size(RLVGL_CMD_RING, RLVGL_EVT_RING);
    if (need > max) {
        snprintf(err, err_len, "link region larger than SRAM4");
        return UI_E_CONFIG;
    }
    // A firmware flashed without its CM4 element, or a CM4 that boots
    // elsewhere: say so, rather than wait for a renderer that cannot start.
    uint32_t base, sp, reset, boot;
    rlvgl_cm7_cm4_image(&base, &sp, &reset, &boot);
    rlvgl_cm4_image_t image = rlvgl_cm4_image_check(base, sp, reset);
    if (image != RLVGL_CM4_IMAGE_OK) {
        rlvgl_cm4_image_error(image, base, sp, reset, err, err_len);
        return UI_E_NO_RENDERER;
    }
    if (boot != base) {
        snprintf(err, err_len, "the CM4 boots from 0x%08lx (option byte BOOT_CM4_ADD0), not from its "
            "renderer at 0x%08lx (make deploy-openocd sets it)", (unsigned long)boot, (unsigned long)base);
        return UI_E_NO_RENDERER;
    }
    rlvgl_cm7_setup();
    ui_link_want_t want = {0, 0, 0, cfg->max_nodes, cfg->background};
    ui_link_opener_t op = {{now_ms, notify, wait, NULL, NULL}, cm4_running, cm4_start};
    ui_status_t st = ui_link_open(mem, need, RLVGL_CMD_RING, RLVGL_EVT_RING, &want, &op,
        cfg->timeout_ms);
    if (st != UI_OK) {
        rlvgl_cm7_quiet();
        rlvgl_backend_open_error(st, cfg->timeout_ms, "the CM4", err, err_len);
        return st;
    }
    *region = mem;
    *size = need;
    *port = op.port;
    return UI_OK;
}

void rlvgl_backend_close(void) {
    // The CM4 keeps running (it can only be stopped by a system reset); the
    // next open takes the region back and lays it out afresh.
    rlvgl_cm7_quiet();
    bell_hook = NULL;
}

void rlvgl_backend_set_bell_hook(void (*hook)(void *ctx), void *ctx) {
    bell_ctx = ctx;
    bell_hook = hook;
}

const ui_fb_t *rlvgl_backend_fb(void) {
    return NULL;  // the framebuffer belongs to the CM4 (SDRAM, LTDC layer)
}

bool rlvgl_backend_pause(bool paused) {
    (void)paused;
    return false;
}

int rlvgl_backend_window_event(const ui_event_t *e) {
    (void)e;
    return ENODEV;  // the board has a touch panel, no window
}

bool rlvgl_backend_has_window(void) {
    return false;
}
