// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The rings under two threads, as under two cores: a raw ring with a million
// records of random sizes, then the display link (ui_client in one thread,
// ui_renderer in another) through a small ring that fills again and again.
// Built with -fsanitize=thread by tools/test_all.sh as well.
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "mpx_test.h"
#include "ring.h"
#include "ui_link.h"

MPX_TEST_MAIN_DEFS

static _Alignas(32) uint8_t region[1u << 16];

#define RECORDS 1000000u

static void *raw_consumer(void *arg) {
    ring_t *c = arg;
    uint32_t seq = 0;
    uintptr_t bad = 0;
    while (seq < RECORDS) {
        const uint8_t *p;
        uint32_t len;
        ring_status_t st = ring_peek(c, &p, &len);
        if (st == RING_EMPTY) {
            sched_yield();
            continue;
        }
        if (st != RING_OK || len < 4 || ring_get_u32(p) != seq) {
            bad++;
            break;
        }
        for (uint32_t i = 4; i < len; i++) {
            if (p[i] != (uint8_t)(seq + i)) {
                bad++;
            }
        }
        ring_pop(c);
        seq++;
    }
    return (void *)bad;
}

static void test_raw_two_threads(void) {
    ring_t p, c;
    CHECK_EQ(ring_init(&p, region, 4096 + RING_HEADER_SIZE, 4096, 200), RING_OK);
    CHECK_EQ(ring_attach(&c, region, 4096 + RING_HEADER_SIZE, RING_CONSUMER), RING_OK);
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, raw_consumer, &c), 0);
    uint32_t x = 1;
    uint8_t buf[200];
    for (uint32_t seq = 0; seq < RECORDS; seq++) {
        x = x * 1103515245u + 12345u;
        uint32_t n = 4u + (x >> 16) % 197u;
        ring_put_u32(buf, seq);
        for (uint32_t i = 4; i < n; i++) {
            buf[i] = (uint8_t)(seq + i);
        }
        while (ring_write(&p, buf, n) == RING_FULL) {
            sched_yield();
        }
    }
    void *bad;
    pthread_join(th, &bad);
    CHECK_EQ((uintptr_t)bad, 0);
    CHECK(p.full_count > 0);
    printf("raw: %u records, ring full %u times\n", RECORDS, p.full_count);
}

// ---- the display link ----

static _Atomic int stop_renderer;

static uint32_t now_us(void *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}
static uint32_t now_ms(void *ctx) {
    return now_us(ctx) / 1000u;
}
static void no_bell(void *ctx) {
    (void)ctx;
}
static void nap(void *ctx, uint32_t ms) {
    (void)ctx;
    (void)ms;
    sched_yield();
}

typedef struct {
    ui_renderer_t r;
    ui_fb_t fb;
    uint32_t *pixels;
    void *scene_mem;
    uint32_t region_size;
} renderer_box_t;

static void *renderer_main(void *arg) {
    renderer_box_t *b = arg;
    ui_renderer_port_t port = {now_us, no_bell, NULL};
    if (ui_renderer_attach(&b->r, region, b->region_size, &b->fb, b->scene_mem,
            UI_SCENE_MEM(512), 512, 0, &port) != UI_OK) {
        return NULL;
    }
    while (!atomic_load(&stop_renderer)) {
        if (ui_renderer_poll(&b->r, 64) == 0) {
            sched_yield();
        }
    }
    return NULL;
}

static void test_link_flood(void) {
    // A 1 KiB command ring against 100,000 ops: it wraps and fills all the time.
    uint32_t size = ui_link_region_size(1024, 256);
    CHECK_EQ(ui_link_init(region, size, 1024, 256), UI_OK);
    renderer_box_t *b = calloc(1, sizeof(*b));
    b->pixels = calloc(128u * 48u, 4);
    b->scene_mem = calloc(1, UI_SCENE_MEM(512));
    b->region_size = size;
    CHECK_EQ(ui_fb_init(&b->fb, b->pixels, 128u * 48u * 4u, 128, 48, UI_FMT_ARGB8888), UI_OK);
    pthread_t th;
    atomic_store(&stop_renderer, 0);
    CHECK_EQ(pthread_create(&th, NULL, renderer_main, b), 0);

    static ui_client_t c;
    ui_client_port_t port = {now_ms, no_bell, nap, NULL, NULL};
    CHECK_EQ(ui_client_attach(&c, region, size, &port, 5000), UI_OK);
    CHECK_EQ(c.max_nodes, 512);
    // Each z in 0..99 ends up with the colour of its last write.
    uint32_t expect[100] = {0};
    bool present_z[100] = {0};
    uint32_t x = 7;
    uint32_t fails = 0;
    for (uint32_t i = 0; i < 100000u; i++) {
        x = x * 1103515245u + 12345u;
        int16_t z = (int16_t)((x >> 16) % 100u);
        ui_node_t n = {.kind = UI_KIND_RECT, .x = z, .y = 1, .w = 1, .h = 1, .color = i & 0xffffffu};
        ui_status_t st;
        if (!present_z[z]) {
            st = ui_client_add(&c, z, &n);
            present_z[z] = true;
            expect[z] = n.color;
        } else if ((x >> 8) % 4u == 0) {
            st = ui_client_remove(&c, z);
            present_z[z] = false;
        } else {
            st = ui_client_replace(&c, z, &n);
            expect[z] = n.color;
        }
        fails += st != UI_OK;
        if (i % 1000u == 999u) {
            fails += ui_client_present(&c, NULL) != UI_OK;
        }
    }
    CHECK_EQ(fails, 0);
    CHECK_EQ(ui_client_present(&c, NULL), UI_OK);
    CHECK_EQ(ui_client_sync(&c), UI_OK);
    CHECK(c.waits > 100);
    CHECK_EQ(atomic_load(&c.hdr->errors), 0);
    CHECK_EQ(atomic_load(&c.hdr->frame_done), c.frame);
    atomic_store(&stop_renderer, 1);
    pthread_join(th, NULL);
    uint32_t wrong = 0;
    for (int z = 0; z < 100; z++) {
        const ui_node_t *n = ui_scene_get(&b->r.scene, (int16_t)z);
        if (present_z[z] != (n != NULL) || (n && n->color != expect[z])) {
            wrong++;
        }
        uint32_t px = ui_fb_get(&b->fb, z, 1);
        if (px != (present_z[z] ? expect[z] : 0u)) {
            wrong++;
        }
    }
    CHECK_EQ(wrong, 0);
    printf("link: 100000 ops through a 1 KiB ring, producer waited %u times, %u frames\n",
        c.waits, c.frame);
    free(b->pixels);
    free(b->scene_mem);
    free(b);
}

int main(void) {
    RUN_TEST(test_raw_two_threads);
    RUN_TEST(test_link_flood);
    printf("%u checks, %u failed\n", mpx_test_checks, mpx_test_failures);
    return mpx_test_failures != 0;
}
