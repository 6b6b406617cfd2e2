// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The renderer on the STM32H747I-DISCO's Cortex-M4, beside MicroPython on
// the Cortex-M7 (micropython/boards/STM32H747I_DISCO_RLVGL):
//   - the link region is SRAM4, laid out by the CM7 (rlvgl_backend_cm7.c);
//   - doorbells are HSEM releases: the CM7 rings HSEM 28, which raises this
//     core's HSEM2 interrupt; we ring HSEM 29 for the CM7's HSEM1;
//   - framebuffer and scene are in the SDRAM, which the CM7 initialised
//     before releasing this core (and before laying out the region, so
//     nothing here touches the SDRAM before the first attach);
//   - the display (DSI host, LTDC layer, panel: display_h747.c), the
//     DMA2D (dma2d_h747.c, the framebuffer's fill hook) and the touch
//     controller (touch_h747.c) are set up on the first attach.
// It sleeps in WFI between doorbells and touch interrupts.
#include <stdatomic.h>
#include <stdbool.h>

#include "h747.h"
#include "h747_regs.h"
#include "renderer.h"

static volatile uint32_t bell_pending;

void HSEM2_IRQHandler(void);
void HSEM2_IRQHandler(void) {
    uint32_t pending = HSEM_C2MISR;
    HSEM_C2ICR = pending;
    if (pending & (1u << HSEM_TO_CM4)) {
        bell_pending = 1;
    }
}

// ---- the hal ----

static uint32_t now_us(void *ctx) {
    (void)ctx;
    static uint32_t last;
    static uint64_t cycles;
    uint32_t c = DWT_CYCCNT;
    cycles += (uint32_t)(c - last);
    last = c;
    return (uint32_t)(cycles / (CM4_HZ / 1000000u));
}

uint32_t h747_cycles(void) {
    return DWT_CYCCNT;
}

bool h747_since(uint32_t start, uint32_t us) {
    return (uint32_t)(DWT_CYCCNT - start) >= us * (CM4_HZ / 1000000u);
}

void h747_delay_us(uint32_t us) {
    uint32_t start = DWT_CYCCNT;
    while (!h747_since(start, us)) {
    }
}

bool h747_wait(volatile uint32_t *reg, uint32_t mask, uint32_t want, uint32_t timeout_us) {
    uint32_t start = DWT_CYCCNT;
    for (;;) {
        if ((*reg & mask) == want) {
            return true;
        }
        if (h747_since(start, timeout_us)) {
            return (*reg & mask) == want;  // one last look: the wait may have been preempted
        }
    }
}

// Take and release at once: the release raises the CM7's HSEM1 interrupt.
// The barrier first: what the renderer wrote to SRAM4 (READY, let_go) is
// there before the CM7 looks.
static void ring_producer(void *ctx) {
    (void)ctx;
    __asm volatile ("dsb" ::: "memory");
    (void)HSEM_RLR(HSEM_TO_CM7);
    HSEM_R(HSEM_TO_CM7) = HSEM_COREID_CM4 << 8;
}

static bool next_input(void *ctx, ui_event_t *e) {
    (void)ctx;
    return touch_next(e);
}

static bool display_up;

static void attached(void *ctx, const ui_fb_t *fb) {
    (void)ctx;
    if (!display_up) {
#if RENDERER_DMA2D
        dma2d_init();
#endif
        display_up = display_init(fb) == DISPLAY_OK;
        touch_init(fb->width, fb->height);
    }
}

static void poll_touch(void *ctx) {
    (void)ctx;
    touch_poll();
}

// WFI with interrupts masked: a doorbell or touch interrupt that comes after
// the look at bell_pending still ends the WFI (it is pending), and is taken
// once they are unmasked.
static void sleep_until_bell(void *ctx) {
    (void)ctx;
    __asm volatile ("cpsid i" ::: "memory");
    if (!bell_pending && !touch_pending()) {
        __asm volatile ("wfi" ::: "memory");
    }
    bell_pending = 0;
    __asm volatile ("cpsie i" ::: "memory");
}

static uint8_t *const fb_mem = (uint8_t *)SDRAM_FB_BASE;
static void *const scene_mem = (void *)SDRAM_SCENE_BASE;

static const renderer_hal_t hal = {
    .region = (void *)SRAM4_BASE,
    .region_size = SRAM4_SIZE,
    .fb_mem = fb_mem,
    .fb_mem_size = SDRAM_FB_SIZE,
    .scene_mem = scene_mem,
    .scene_mem_size = SDRAM_SCENE_SIZE,
    .panel_width = 800,          // the DISCO's panel, landscape
    .panel_height = 480,
    .panel_format = UI_FMT_RGB565,
    .now_us = now_us,
    .ring_producer = ring_producer,
    .next_input = next_input,
    .frame_done = NULL,          // the LTDC scans the one framebuffer continuously
    .paused = NULL,
    .attached = attached,
#if RENDERER_DMA2D
    .fill = dma2d_fill,
#endif
    .poll = poll_touch,
    .sleep = sleep_until_bell,
    .ctx = NULL,
};

int main(void);
int main(void) {
    static renderer_t rd;
    DEMCR |= 1u << 24;           // TRCENA: the DWT cycle counter is our clock
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;
    RCC_AHB4ENR |= RCC_AHB4ENR_HSEMEN;
    HSEM_C2ICR = 1u << HSEM_TO_CM4;
    HSEM_C2IER |= 1u << HSEM_TO_CM4;
    NVIC_ISER(HSEM2_IRQN / 32u) = 1u << (HSEM2_IRQN % 32u);
    renderer_init(&rd, &hal);
    for (;;) {
        renderer_turn(&rd);  // until nothing is pending, then WFI until a doorbell or touch
    }
}
