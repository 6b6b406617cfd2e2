// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// MicroPython's qemu port on mps2-an500 (the Cortex-M7), with the renderer
// firmware (firmware/cm4_renderer, TARGET=qemu) on a second QEMU, mps2-an386,
// sharing one RAM file (firmware/cm4_renderer/qemu/qemu_shm.h: the link
// region and the framebuffer). Doorbells go over UART1, joined to the M4's by
// a socket; the M4's doorbell arrives as the UART1 RX interrupt, whose
// handler sits in a vector table of our own (the port's has no IRQs).
// tools/dualcore.sh starts both machines.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "py/mphal.h"
#include "qemu_shm.h"
#include "rlvgl_backend.h"

#define SHM ((uint8_t *)QSHM_BASE_M7)
#define FB_INFO ((volatile qshm_fb_t *)(QSHM_BASE_M7 + QSHM_FB))
#define EVT_RING 4096u

static volatile uint32_t bell_rung;
static void (*volatile bell_hook)(void *);
static void *bell_ctx;
static bool open_;
static ui_fb_t fb;

// The port's table, then IRQ 0-15; 16 + 16 words, aligned for VTOR.
static uint32_t vectors[32] __attribute__((aligned(128)));

static void uart1_rx_handler(void) {
    UART_INT(QEMU_UART1) = UART_INT_RX;  // clear first, then drain
    while (UART_STATE(QEMU_UART1) & UART_STATE_RXFULL) {
        (void)UART_DATA(QEMU_UART1);
    }
    bell_rung = 1;
    void (*hook)(void *) = bell_hook;
    if (hook) {
        hook(bell_ctx);  // the module schedules its dispatch
    }
}

static void install_vectors(void) {
    if (SCB_VTOR == (uint32_t)(uintptr_t)vectors) {
        return;
    }
    const uint32_t *old = (const uint32_t *)(uintptr_t)SCB_VTOR;
    for (int i = 0; i < 16; i++) {
        vectors[i] = old[i];
    }
    for (int i = 16; i < 32; i++) {
        vectors[i] = old[3];  // HardFault: an IRQ nobody enabled
    }
    vectors[16 + QEMU_UART1_RX_IRQ] = (uint32_t)(uintptr_t)uart1_rx_handler;
    __asm volatile ("dsb" ::: "memory");
    SCB_VTOR = (uint32_t)(uintptr_t)vectors;
    __asm volatile ("dsb\n\tisb" ::: "memory");
}

static uint32_t now_ms(void *ctx) {
    (void)ctx;
    return (uint32_t)mp_hal_ticks_ms();
}

static void notify(void *ctx) {
    (void)ctx;
    __asm volatile ("dmb" ::: "memory");  // the region's writes before the doorbell
    if (!(UART_STATE(QEMU_UART1) & UART_STATE_TXFULL)) {
        UART_DATA(QEMU_UART1) = 'b';  // full: a ring is already on its way
    }
}

static void wait(void *ctx, uint32_t ms) {
    (void)ctx;
    uint32_t start = (uint32_t)mp_hal_ticks_ms();
    while (!bell_rung && (uint32_t)mp_hal_ticks_ms() - start < ms) {
        // The port's clock raises no interrupt: poll.
    }
    bell_rung = 0;
}

ui_status_t rlvgl_backend_open(const rlvgl_config_t *cfg, void **region, uint32_t *size,
    ui_client_port_t *port, char *err, size_t err_len) {
    rlvgl_backend_close();
    uint32_t need = ui_link_region_size(cfg->ring_size, EVT_RING);
    if (need == 0 || need > QSHM_REGION_MAX) {
        snprintf(err, err_len, "ring_size %u does not fit the shared RAM's %u-byte link region",
            (unsigned)cfg->ring_size, (unsigned)QSHM_REGION_MAX);
        return UI_E_CONFIG;
    }
    uint64_t pixels = (uint64_t)cfg->width * (uint64_t)cfg->height * ui_format_bpp(cfg->format);
    if (pixels > QSHM_FB_MAX) {
        snprintf(err, err_len, "a %dx%d display does not fit the shared framebuffer (%u bytes)",
            (int)cfg->width, (int)cfg->height, (unsigned)QSHM_FB_MAX);
        return UI_E_CONFIG;
    }
    install_vectors();
    UART_BAUDDIV(QEMU_UART1) = 16u;
    UART_CTRL(QEMU_UART1) = UART_CTRL_TXEN | UART_CTRL_RXEN | UART_CTRL_RXINT;
    UART_INT(QEMU_UART1) = UART_INT_RX;
    bell_rung = 0;
    NVIC_ISER0 = 1u << QEMU_UART1_RX_IRQ;
    FB_INFO->paused = 0;  // a new display starts running
    // The M4 runs from its own start: nothing to start, and any region may
    // be read by it.
    ui_link_want_t want = {(uint32_t)cfg->width, (uint32_t)cfg->height, (uint32_t)cfg->format,
        cfg->max_nodes, cfg->background};
    ui_link_opener_t op = {{now_ms, notify, wait, NULL, NULL}, NULL, NULL};
    ui_status_t st = ui_link_open(SHM + QSHM_REGION, need, cfg->ring_size, EVT_RING, &want, &op,
        cfg->timeout_ms);
    if (st != UI_OK) {
        NVIC_ICER0 = 1u << QEMU_UART1_RX_IRQ;
        rlvgl_backend_open_error(st, cfg->timeout_ms, "the M4", err, err_len);
        return st;
    }
    open_ = true;
    *region = SHM + QSHM_REGION;
    *size = need;
    *port = op.port;
    return UI_OK;
}

void rlvgl_backend_close(void) {
    // The M4 keeps running; the next open lays the region out afresh and the
    // renderer attaches again.
    NVIC_ICER0 = 1u << QEMU_UART1_RX_IRQ;
    bell_hook = NULL;
    open_ = false;
}

void rlvgl_backend_set_bell_hook(void (*hook)(void *ctx), void *ctx) {
    bell_ctx = ctx;
    bell_hook = hook;
}

const ui_fb_t *rlvgl_backend_fb(void) {
    volatile qshm_fb_t *info = FB_INFO;
    if (!open_ || info->magic != QSHM_FB_MAGIC) {
        return NULL;
    }
    __asm volatile ("dmb" ::: "memory");
    if (ui_fb_init(&fb, SHM + QSHM_FB_PIXELS, QSHM_FB_MAX, (int32_t)info->width, (int32_t)info->height,
        (ui_format_t)info->format) != UI_OK) {
        return NULL;
    }
    return &fb;
}

bool rlvgl_backend_pause(bool paused) {
    // The renderer honours a flag in the shared RAM (tests stall it so).
    FB_INFO->paused = paused;
    __asm volatile ("dmb" ::: "memory");
    if (!paused) {
        notify(NULL);
    }
    return true;
}

int rlvgl_backend_window_event(const ui_event_t *e) {
    (void)e;
    return ENODEV;
}

bool rlvgl_backend_has_window(void) {
    return false;
}
