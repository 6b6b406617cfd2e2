// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The STM32H747's Cortex-M7 backend: the link region in SRAM4 (shared with
// the Cortex-M4, which runs the renderer) and HSEM doorbells both ways.
//
// Board requirements (the STM32H747I_DISCO display variant):
//   - MICROPY_PY_OPENAMP=0: OpenAMP would own SRAM4 and HSEM 0/1;
//   - option byte BCM4=0 (the CM4 is gated) and BOOT_CM4_ADD0 at the CM4
//     image (0x0810: flash bank 2, where the board's firmware.dfu puts it;
//     init checks that a program is there, rlvgl_cm4_image.h);
//   - nothing else uses HSEM 28/29 or the HSEM1 interrupt.
// Start-up follows ST's BootCM7_CM4Gated: the CM7 makes SRAM4 uncached in
// its MPU, lays the region out, then releases the CM4, which attaches as
// renderer and sets READY; ui_client_attach waits for that with a timeout,
// so a missing renderer is an error, not a hang.
//
// No MicroPython header is needed here, so this file also compiles in the
// project's Cortex-M7 build (CMakeLists.txt), which checks it warning-free.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "rlvgl_backend.h"
#include "rlvgl_cm4_image.h"

#define SRAM4_BASE 0x38000000u
#define SRAM4_SIZE 0x10000u
#define RLVGL_CMD_RING 32768u
#define RLVGL_EVT_RING 4096u

#define HSEM_BASE 0x58026400u
#define HSEM_R(n) (*(volatile uint32_t *)(HSEM_BASE + 4u * (n)))
#define HSEM_RLR(n) (*(volatile uint32_t *)(HSEM_BASE + 0x80u + 4u * (n)))
#define HSEM_C1IER (*(volatile uint32_t *)(HSEM_BASE + 0x100u))
#define HSEM_C1ICR (*(volatile uint32_t *)(HSEM_BASE + 0x104u))
#define HSEM_C1MISR (*(volatile uint32_t *)(HSEM_BASE + 0x10cu))
#define HSEM_COREID_CM7 3u
#define HSEM_TO_CM4 28u      // the CM7 rings the renderer
#define HSEM_TO_CM7 29u      // the renderer rings the CM7

#define RCC_GCR (*(volatile uint32_t *)0x580244a0u)
#define RCC_GCR_BOOT_C2 (1u << 3)
#define RCC_AHB4ENR (*(volatile uint32_t *)0x580244e0u)
#define RCC_AHB4ENR_HSEMEN (1u << 25)

#define NVIC_ISER(n) (*(volatile uint32_t *)(0xe000e100u + 4u * (n)))
#define HSEM1_IRQN 125u

#define MPU_CTRL (*(volatile uint32_t *)0xe000ed94u)
#define MPU_RNR (*(volatile uint32_t *)0xe000ed98u)
#define MPU_RBAR (*(volatile uint32_t *)0xe000ed9cu)
#define MPU_RASR (*(volatile uint32_t *)0xe000eda0u)
#ifndef RLVGL_MPU_REGION
#define RLVGL_MPU_REGION 11u
#endif

// MicroPython's HAL clock.
extern uint32_t mp_hal_ticks_ms(void);

static volatile uint32_t bell_rung;
static void (*bell_hook)(void *);
static void *bell_ctx;

static void barrier(void) {
    __asm volatile ("dsb\n\tisb" ::: "memory");
}

// SRAM4 as normal, shareable, non-cacheable memory (TEX=1 C=0 B=0), no
// execution: the rings' acquire/release then need no cache maintenance.
static void mpu_uncache_sram4(void) {
    uint32_t ctrl = MPU_CTRL;
    MPU_CTRL = 0;
    barrier();
    MPU_RNR = RLVGL_MPU_REGION;
    MPU_RBAR = SRAM4_BASE;
    MPU_RASR = (1u << 28) | (3u << 24) | (1u << 19) | (1u << 18) | (15u << 1) | 1u;
    MPU_CTRL = ctrl | 1u | (1u << 2);  // enable, default map for privileged code
    barrier();
}

// Take and release at once: the release raises the other core's interrupt.
static void hsem_ring(uint32_t n) {
    (void)HSEM_RLR(n);  // 1-step lock (read)
    HSEM_R(n) = HSEM_COREID_CM7 << 8;
}

void HSEM1_IRQHandler(void);
void HSEM1_IRQHandler(void) {
    uint32_t pending = HSEM_C1MISR;
    HSEM_C1ICR = pending;
    if (pending & (1u << HSEM_TO_CM7)) {
        bell_rung = 1;
        if (bell_hook) {
            bell_hook(bell_ctx);  // the module schedules its dispatch
        }
    }
}

static uint32_t now_ms(void *ctx) {
    (void)ctx;
    return mp_hal_ticks_ms();
}

static void notify(void *ctx) {
    (void)ctx;
    hsem_ring(HSEM_TO_CM4);
}

static void wait(void *ctx, uint32_t ms) {
    (void)ctx;
    uint32_t start = mp_hal_ticks_ms();
    while (!bell_rung && mp_hal_ticks_ms() - start < ms) {
        __asm volatile ("wfi");  // the HSEM interrupt or SysTick wakes us
    }
    bell_rung = 0;
}

ui_status_t rlvgl_backend_open(const rlvgl_config_t *cfg, void **region, uint32_t *size,
    ui_client_port_t *port, char *err, size_t err_len) {
    // The panel and the CM4 firmware decide the size and format.
    uint32_t need = ui_link_region_size(RLVGL_CMD_RING, RLVGL_EVT_RING);
    if (need > SRAM4_SIZE) {
        snprintf(err, err_len, "link region larger than SRAM4");
        return UI_E_CONFIG;
    }
    // A firmware flashed without its CM4 element: say so, rather than wait
    // for a renderer that cannot start.
    const volatile uint32_t *cm4 = (const volatile uint32_t *)RLVGL_CM4_IMAGE;
    uint32_t sp = cm4[0], reset = cm4[1];
    rlvgl_cm4_image_t image = rlvgl_cm4_image_check(RLVGL_CM4_IMAGE, sp, reset);
    if (image != RLVGL_CM4_IMAGE_OK) {
        rlvgl_cm4_image_error(image, RLVGL_CM4_IMAGE, sp, reset, err, err_len);
        return UI_E_NO_RENDERER;
    }
    RCC_AHB4ENR |= RCC_AHB4ENR_HSEMEN;
    mpu_uncache_sram4();
    // A renderer still reading the last link lets go first (after a deinit,
    // or a soft reset: the CM4 keeps running).
    ui_client_port_t take = {now_ms, notify, wait, NULL, NULL};
    ui_link_take_back((void *)SRAM4_BASE, &take, 1000);
    ui_link_header_t *h = (ui_link_header_t *)SRAM4_BASE;  // SRAM4 holds anything at power-on
    h->want_width = h->want_height = h->want_format = 0;
    h->want_max_nodes = cfg->max_nodes;
    h->want_background = cfg->background;
    if (ui_link_init((void *)SRAM4_BASE, need, RLVGL_CMD_RING, RLVGL_EVT_RING) != UI_OK) {
        snprintf(err, err_len, "cannot lay out the link in SRAM4");
        return UI_E_CONFIG;
    }
    HSEM_C1ICR = 1u << HSEM_TO_CM7;
    HSEM_C1IER |= 1u << HSEM_TO_CM7;
    NVIC_ISER(HSEM1_IRQN / 32u) = 1u << (HSEM1_IRQN % 32u);
    barrier();
    RCC_GCR |= RCC_GCR_BOOT_C2;  // release the CM4: it attaches and sets READY
    *region = (void *)SRAM4_BASE;
    *size = need;
    port->now_ms = now_ms;
    port->notify = notify;
    port->wait = wait;
    port->ctx = NULL;
    return UI_OK;
}

void rlvgl_backend_close(void) {
    // The CM4 keeps running (it can only be stopped by a system reset); the
    // next open lays the region out afresh and the renderer re-attaches.
    HSEM_C1IER &= ~(1u << HSEM_TO_CM7);
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
