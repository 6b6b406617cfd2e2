// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Display stack benchmarks, each next to a peer measured in the same run.
// Host: fill vs memset, glyphs/s, stack ops/s through the ring with the
// renderer on another thread, redraw cost of small changes.
// Cortex-M (QEMU -icount shift=0): instructions per glyph and per 100x40
// fill, counted with SysTick (one tick per 40 instructions there).
#if !defined(__arm__)
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <time.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_link.h"

#define W 800
#define H 480

static _Alignas(32) uint32_t pixels[W * H];

#if defined(__arm__)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static uint32_t ticks(void) {
    return SYST_CVR;  // counts down
}

int main(void) {
    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 5;  // processor clock, no interrupt, enabled
    static const ui_format_t fmts[] = {UI_FMT_RGB565, UI_FMT_ARGB8888};
    static const char *names[] = {"RGB565", "ARGB8888"};
    for (int f = 0; f < 2; f++) {
        ui_fb_t fb;
        ui_fb_init(&fb, pixels, sizeof(pixels), 320, 240, fmts[f]);
        ui_area_t all = {0, 0, 320, 240}, r = {10, 10, 110, 50};
        const char *line = "The quick brown fox jumps over the lazy dog 0123456789!";
        size_t n = strlen(line);
        uint32_t t0 = ticks();
        for (int i = 0; i < 10; i++) {
            ui_draw_fill(&fb, &all, &r, 0x123456u + (uint32_t)i);
        }
        uint32_t t1 = ticks();
        for (int i = 0; i < 4; i++) {
            ui_draw_text(&fb, &all, 0, 16 * i, line, n, 0xffffff, 0);
        }
        uint32_t t2 = ticks();
        // memset of the same bytes as a 100x40 fill, row by row: the peer.
        uint32_t bpp = ui_format_bpp(fmts[f]);
        for (int i = 0; i < 10; i++) {
            for (int y = 0; y < 40; y++) {
                memset((uint8_t *)pixels + (size_t)y * fb.stride, i, 100u * bpp);
            }
        }
        uint32_t t3 = ticks();
        printf("%-8s instructions per 100x40 fill: %lu (memset of the same rows: %lu, ratio %.2f)\n",
            names[f], (unsigned long)((t0 - t1) * 40u / 10u), (unsigned long)((t2 - t3) * 40u / 10u),
            (double)(t0 - t1) / (double)(t2 - t3));
        printf("%-8s instructions per 8x16 glyph: %lu\n", names[f],
            (unsigned long)((t1 - t2) * 40u / (4u * n)));
    }
    return 0;
}
#else

static _Alignas(32) uint8_t scene_mem[UI_SCENE_MEM(256)];

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench_fill(void) {
    static const ui_format_t fmts[] = {UI_FMT_RGB565, UI_FMT_ARGB8888};
    static const char *names[] = {"RGB565", "ARGB8888"};
    for (int f = 0; f < 2; f++) {
        ui_fb_t fb;
        ui_fb_init(&fb, pixels, sizeof(pixels), W, H, fmts[f]);
        ui_area_t all = {0, 0, W, H};
        size_t bytes = (size_t)W * H * ui_format_bpp(fmts[f]);
        const int reps = 400;
        double best_fill = 1e9, best_memset = 1e9;
        for (int round = 0; round < 5; round++) {
            double t0 = now();
            for (int i = 0; i < reps; i++) {
                ui_draw_fill(&fb, &all, &all, (uint32_t)i * 0x010101u);
            }
            double t1 = now();
            for (int i = 0; i < reps; i++) {
                memset(pixels, i, bytes);
                __asm volatile ("" ::: "memory");
            }
            double t2 = now();
            if (t1 - t0 < best_fill) {
                best_fill = t1 - t0;
            }
            if (t2 - t1 < best_memset) {
                best_memset = t2 - t1;
            }
        }
        printf("full-screen %dx%d %-8s fill: %.0f fills/s; memset of the same %zu bytes: %.0f/s; "
               "ratio %.2f (target >= 0.80)\n", W, H, names[f], reps / best_fill, bytes,
            reps / best_memset, best_memset / best_fill);
    }
}

static void bench_glyphs(void) {
    ui_fb_t fb;
    ui_fb_init(&fb, pixels, sizeof(pixels), W, H, UI_FMT_RGB565);
    ui_area_t all = {0, 0, W, H};
    const char *line = "The quick brown fox jumps over the lazy dog. 0123456789 (mpx)!!";
    size_t n = strlen(line);  // 64 glyphs, 512 px wide
    double t0 = now();
    long glyphs = 0;
    for (int rep = 0; rep < 200; rep++) {
        for (int row = 0; row < H / 16; row++) {
            ui_draw_text(&fb, &all, 0, row * 16, line, n, 0xffffff, (uint32_t)rep);
            glyphs += (long)n;
        }
    }
    double t = now() - t0;
    // Peer: filling the same cells with a solid colour.
    double t1 = now();
    for (int rep = 0; rep < 200; rep++) {
        for (int row = 0; row < H / 16; row++) {
            ui_area_t cell = {0, row * 16, (int32_t)n * 8, row * 16 + 16};
            ui_draw_fill(&fb, &all, &cell, (uint32_t)rep);
        }
    }
    double tf = now() - t1;
    printf("8x16 glyphs (RGB565): %.1f M glyphs/s; solid fill of the same cells %.1f M cells/s; "
           "ratio %.2f\n", glyphs / t / 1e6, glyphs / tf / 1e6, tf / t);
}

// ---- ops through the ring, renderer on another thread ----

static _Alignas(32) uint8_t region[1u << 20];
static _Atomic int stop;
static ui_renderer_t rend;

static uint32_t us(void *c) {
    (void)c;
    return (uint32_t)(now() * 1e6);
}
static uint32_t ms(void *c) {
    (void)c;
    return (uint32_t)(now() * 1e3);
}
static void nobell(void *c) {
    (void)c;
}
static void yield(void *c, uint32_t m) {
    (void)c;
    (void)m;
    sched_yield();
}

static void *renderer(void *arg) {
    (void)arg;
    while (!atomic_load(&stop)) {
        if (ui_renderer_poll(&rend, 512) == 0) {
            sched_yield();
        }
    }
    return NULL;
}

static void bench_ops(void) {
    uint32_t size = ui_link_region_size(65536, 4096);
    ui_link_init(region, size, 65536, 4096);
    ui_fb_t fb;
    ui_fb_init(&fb, pixels, sizeof(pixels), W, H, UI_FMT_RGB565);
    ui_renderer_port_t rp = {us, nobell, NULL};
    ui_renderer_attach(&rend, region, size, &fb, scene_mem, sizeof(scene_mem), 256, 0, &rp);
    static ui_client_t c;
    ui_client_port_t cp = {ms, nobell, yield, NULL, NULL};
    ui_client_attach(&c, region, size, &cp, 5000);
    pthread_t th;
    atomic_store(&stop, 0);
    pthread_create(&th, NULL, renderer, NULL);
    for (int z = 0; z < 64; z++) {
        ui_node_t n = {.kind = UI_KIND_RECT, .x = (int16_t)z, .y = 0, .w = 1, .h = 1};
        ui_client_add(&c, z, &n);
    }
    const uint32_t ops = 4000000;
    double t0 = now();
    for (uint32_t i = 0; i < ops; i++) {
        ui_node_t n = {.kind = UI_KIND_RECT, .x = (int16_t)(i & 63u), .y = 1, .w = 1, .h = 1,
            .color = i & 0xffffffu};
        ui_client_replace(&c, (int32_t)(i & 63u), &n);
    }
    ui_client_present(&c, NULL);
    ui_client_sync(&c);
    double t = now() - t0;
    atomic_store(&stop, 1);
    pthread_join(th, NULL);
    // Peer: the same records encoded and copied into a local buffer (no ring,
    // no other thread): what the op costs before it crosses cores.
    static uint8_t sink[UI_REC_MAX * 64];
    double t1 = now();
    for (uint32_t i = 0; i < ops; i++) {
        ui_cmd_t cmd = {.op = UI_OP_REPLACE, .z = (int16_t)(i & 63u)};
        cmd.node.kind = UI_KIND_RECT;
        cmd.node.x = (int16_t)(i & 63u);
        cmd.node.color = i & 0xffffffu;
        cmd.node.w = cmd.node.h = 1;
        ui_cmd_encode(sink + (i & 63u) * UI_REC_MAX, &cmd);
        __asm volatile ("" ::: "memory");
    }
    double te = now() - t1;
    printf("stack ops through the ring (renderer on another thread, applied and rendered): "
           "%.2f M ops/s (target >= 1.00); encoding alone %.1f M ops/s; producer waited %u times\n",
        ops / t / 1e6, ops / te / 1e6, c.waits);
}

static void bench_damage(void) {
    ui_fb_t fb;
    ui_fb_init(&fb, pixels, sizeof(pixels), W, H, UI_FMT_RGB565);
    ui_scene_t s;
    ui_scene_init(&s, scene_mem, sizeof(scene_mem), 256, &fb, 0);
    ui_node_t bg = {.kind = UI_KIND_RECT, .w = W, .h = H, .color = 0x101820};
    ui_scene_add(&s, 0, &bg);
    for (int i = 0; i < 12; i++) {
        ui_node_t b = {.kind = UI_KIND_RECT, .x = (int16_t)(20 + (i % 4) * 190),
            .y = (int16_t)(20 + (i / 4) * 150), .w = 160, .h = 60, .color = 0x2060a0};
        ui_scene_add(&s, (int16_t)(10 + 2 * i), &b);
        ui_node_t t = {.kind = UI_KIND_TEXT, .x = (int16_t)(b.x + 8), .y = (int16_t)(b.y + 20),
            .color = 0xffffff, .bg = 0x2060a0, .text_len = 9};
        memcpy(t.text, "button  0", 9);
        ui_scene_add(&s, (int16_t)(11 + 2 * i), &t);
    }
    ui_scene_render(&s);
    struct {
        const char *what;
        int16_t z;
        ui_node_t n;
        int64_t changed;
    } cases[] = {
        {"recolour a button", 10, {.kind = UI_KIND_RECT, .x = 20, .y = 20, .w = 160, .h = 60,
                                   .color = 0x60a0e0}, 160 * 60},
        {"new label text", 11, {.kind = UI_KIND_TEXT, .x = 28, .y = 40, .color = 0xffffff,
                                .bg = 0x60a0e0, .text_len = 9}, 9 * 8 * 16},
        {"move a button 30 px", 12, {.kind = UI_KIND_RECT, .x = 240, .y = 20, .w = 160, .h = 60,
                                     .color = 0x2060a0}, 2 * 160 * 60 - 130 * 60},
    };
    memcpy(cases[1].n.text, "button  1", 9);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ui_scene_replace(&s, cases[i].z, &cases[i].n);
        uint32_t px = ui_scene_render(&s);
        printf("present after '%s': %u pixels written for %lld changed (%.2fx; target <= 1.20)\n",
            cases[i].what, px, (long long)cases[i].changed, (double)px / (double)cases[i].changed);
    }
}

int main(void) {
    bench_fill();
    bench_glyphs();
    bench_ops();
    bench_damage();
    return 0;
}
#endif
