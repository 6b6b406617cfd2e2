// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The renderer on QEMU's mps2-an386 (a Cortex-M4), beside MicroPython on
// mps2-an500 (the Cortex-M7) with one shared RAM file (qemu_shm.h). The
// framebuffer lives in the shared RAM, so the host reads every frame; taps
// come from the host over UART2. It sleeps in WFI between doorbells.
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "qemu_shm.h"
#include "renderer.h"

#define SHM ((uint8_t *)QSHM_BASE_M4)
#define FB_INFO ((volatile qshm_fb_t *)(QSHM_BASE_M4 + QSHM_FB))

// CMSDK dual timer 1 at 25 MHz, free running down from 0xFFFFFFFF.
#define TIMER1_LOAD (*(volatile uint32_t *)0x40002000u)
#define TIMER1_VALUE (*(volatile uint32_t *)0x40002004u)
#define TIMER1_CTRL (*(volatile uint32_t *)0x40002008u)

static volatile uint32_t bell_pending;

// ---- input lines from the host (UART2) ----

#define INPUT_QUEUE 64u
static ui_event_t input_queue[INPUT_QUEUE];
static volatile uint32_t input_head, input_tail;  // written by the IRQ / by main
static char line[48];
static uint32_t line_len;

static bool parse_int(const char **p, int32_t *out) {
    const char *s = *p;
    while (*s == ' ') {
        s++;
    }
    bool neg = *s == '-';
    if (neg) {
        s++;
    }
    if (*s < '0' || *s > '9') {
        return false;
    }
    int64_t v = 0;
    while (*s >= '0' && *s <= '9' && v < 0x80000000) {
        v = v * 10 + (*s++ - '0');
    }
    *out = (int32_t)(neg ? -v : v);
    *p = s;
    return true;
}

static void take_line(void) {
    static const char *const kinds[] = {NULL, "tap", "move", "key", "scroll"};
    ui_event_t e = {0};
    const char *p = line;
    for (int k = 1; k <= 4; k++) {
        size_t n = strlen(kinds[k]);
        if (strncmp(p, kinds[k], n) == 0 && p[n] == ' ') {
            e.kind = (uint8_t)k;
            p += n;
            break;
        }
    }
    int32_t x, y;
    if (e.kind == 0 || !parse_int(&p, &x) || !parse_int(&p, &y) || x < INT16_MIN || x > INT16_MAX ||
        y < INT16_MIN || y > INT16_MAX) {
        return;  // not an event: ignored
    }
    e.x = (int16_t)x;
    e.y = (int16_t)y;
    parse_int(&p, &e.key);
    FB_INFO->inputs++;
    uint32_t head = input_head;
    if (head - input_tail < INPUT_QUEUE) {
        input_queue[head % INPUT_QUEUE] = e;
        input_head = head + 1;
    }
}

void UART2_RX_Handler(void);
void UART2_RX_Handler(void) {
    UART_INT(QEMU_UART2) = UART_INT_RX;  // clear first, then drain
    while (UART_STATE(QEMU_UART2) & UART_STATE_RXFULL) {
        char c = (char)UART_DATA(QEMU_UART2);
        if (c == '\n' || c == '\r') {
            line[line_len] = 0;
            if (line_len) {
                take_line();
            }
            line_len = 0;
        } else if (line_len < sizeof(line) - 1) {
            line[line_len++] = c;
        }
    }
}

void UART1_RX_Handler(void);
void UART1_RX_Handler(void) {
    UART_INT(QEMU_UART1) = UART_INT_RX;
    while (UART_STATE(QEMU_UART1) & UART_STATE_RXFULL) {
        (void)UART_DATA(QEMU_UART1);
    }
    bell_pending = 1;
}

// ---- the hal ----

static uint32_t now_us(void *ctx) {
    (void)ctx;
    static uint32_t last;
    static uint64_t ticks;
    uint32_t v = TIMER1_VALUE;
    ticks += (uint32_t)(last - v);
    last = v;
    return (uint32_t)(ticks / 25u);
}

static void ring_producer(void *ctx) {
    (void)ctx;
    if (!(UART_STATE(QEMU_UART1) & UART_STATE_TXFULL)) {
        UART_DATA(QEMU_UART1) = 'b';  // a full TX means a ring is on its way
    }
}

static bool next_input(void *ctx, ui_event_t *e) {
    (void)ctx;
    uint32_t tail = input_tail;
    if (tail == input_head) {
        return false;
    }
    *e = input_queue[tail % INPUT_QUEUE];
    input_tail = tail + 1;
    return true;
}

static void uart_on(uint32_t base, bool rx_irq) {
    UART_BAUDDIV(base) = 16u;
    UART_CTRL(base) = UART_CTRL_TXEN | UART_CTRL_RXEN | (rx_irq ? UART_CTRL_RXINT : 0u);
}

static void say(const char *s) {
    while (*s) {
        while (UART_STATE(QEMU_UART0) & UART_STATE_TXFULL) {
        }
        UART_DATA(QEMU_UART0) = (uint32_t)*s++;
    }
}

static void attached(void *ctx, const ui_fb_t *fb) {
    (void)ctx;
    volatile qshm_fb_t *info = FB_INFO;
    info->width = (uint32_t)fb->width;
    info->height = (uint32_t)fb->height;
    info->format = (uint32_t)fb->format;
    info->stride = fb->stride;
    info->attaches++;
    atomic_thread_fence(memory_order_release);
    info->magic = QSHM_FB_MAGIC;
    say("mp_rlvgl renderer: attached\n");
}

static void frame_done(void *ctx, const ui_fb_t *fb, uint32_t frame) {
    (void)ctx;
    (void)fb;
    atomic_thread_fence(memory_order_release);
    FB_INFO->frame = frame;
}

static bool paused(void *ctx) {
    (void)ctx;
    return FB_INFO->paused != 0;
}

static void sleep_until_bell(void *ctx) {
    (void)ctx;
    __asm volatile ("cpsid i" ::: "memory");
    if (!bell_pending && input_head == input_tail) {
        __asm volatile ("wfi" ::: "memory");  // a pending interrupt wakes it
    }
    bell_pending = 0;
    __asm volatile ("cpsie i" ::: "memory");
}

static uint8_t scene_mem[UI_SCENE_MEM(UI_DEFAULT_MAX_NODES * 4u)] __attribute__((aligned(32)));

static const renderer_hal_t hal = {
    .region = SHM + QSHM_REGION,
    .region_size = QSHM_REGION_MAX,
    .fb_mem = SHM + QSHM_FB_PIXELS,
    .fb_mem_size = QSHM_FB_MAX,
    .scene_mem = scene_mem,
    .scene_mem_size = sizeof(scene_mem),
    .panel_width = 0,  // the simulated panel takes the size init() asks for
    .now_us = now_us,
    .ring_producer = ring_producer,
    .next_input = next_input,
    .frame_done = frame_done,
    .paused = paused,
    .attached = attached,
    .sleep = sleep_until_bell,
    .ctx = NULL,
};

int main(void);
int main(void) {
    static renderer_t rd;
    TIMER1_LOAD = 0xFFFFFFFFu;
    TIMER1_CTRL = 0x82u;  // enable, 32-bit, free running, no interrupt
    memset((void *)(QSHM_BASE_M4 + QSHM_FB), 0, sizeof(qshm_fb_t));
    uart_on(QEMU_UART0, false);
    uart_on(QEMU_UART1, true);
    uart_on(QEMU_UART2, true);
    NVIC_ISER0 = (1u << QEMU_UART1_RX_IRQ) | (1u << QEMU_UART2_RX_IRQ);
    renderer_init(&rd, &hal);
    say("mp_rlvgl renderer (Cortex-M4, mps2-an386): waiting for the link\n");
    for (;;) {
        renderer_turn(&rd);  // until nothing is pending, then WFI until a doorbell or tap
    }
}
