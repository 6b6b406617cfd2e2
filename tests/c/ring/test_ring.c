// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// lib/ring: layout checks, FIFO order and contents across many wraparounds,
// full and too-big records, hostile shared state. On Cortex-M (QEMU) also a
// consumer in the SysTick interrupt against a producer in thread mode, as
// the two cores will be.
#include "mpx_test.h"
#include "ring.h"

MPX_TEST_MAIN_DEFS

static _Alignas(32) uint8_t region[RING_HEADER_SIZE + 4096];

static uint32_t rng_state = 12345u;
static uint32_t rng(void) {
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static void fill_payload(uint8_t *p, uint32_t len, uint32_t seq) {
    for (uint32_t i = 0; i < len; i++) {
        p[i] = (uint8_t)(seq * 31u + i * 7u);
    }
}

static int payload_ok(const uint8_t *p, uint32_t len, uint32_t seq) {
    for (uint32_t i = 0; i < len; i++) {
        if (p[i] != (uint8_t)(seq * 31u + i * 7u)) {
            return 0;
        }
    }
    return 1;
}

static void test_config(void) {
    ring_t r;
    CHECK_EQ(ring_init(&r, region, sizeof(region), 1000, 16), RING_BAD_CONFIG);   // not a power of 2
    CHECK_EQ(ring_init(&r, region, sizeof(region), 32, 8), RING_BAD_CONFIG);      // too small
    CHECK_EQ(ring_init(&r, region, sizeof(region), 8192, 16), RING_BAD_CONFIG);   // region too small
    CHECK_EQ(ring_init(&r, region, sizeof(region), 4096, 2045), RING_BAD_CONFIG); // record > half
    CHECK_EQ(ring_init(&r, region, sizeof(region), 4096, 0), RING_BAD_CONFIG);
    CHECK_EQ(ring_init(&r, region + 1, sizeof(region) - 1, 1024, 16), RING_BAD_CONFIG);
    CHECK_EQ(ring_init(&r, region, sizeof(region), 4096, 2044), RING_OK);
    CHECK_EQ(sizeof(ring_header_t), 96);

    ring_t c;
    CHECK_EQ(ring_attach(&c, region, sizeof(region), RING_CONSUMER), RING_OK);
    CHECK_EQ(ring_attach(&c, region, sizeof(region) - 1, RING_CONSUMER), RING_BAD_CONFIG);
    ring_header_t *h = (ring_header_t *)(void *)region;
    h->magic ^= 1u;
    CHECK_EQ(ring_attach(&c, region, sizeof(region), RING_CONSUMER), RING_BAD_CONFIG);
    h->magic ^= 1u;
    h->version = 2;
    CHECK_EQ(ring_attach(&c, region, sizeof(region), RING_CONSUMER), RING_BAD_CONFIG);
    h->version = RING_VERSION;
    h->data_size = 3000;
    CHECK_EQ(ring_attach(&c, region, sizeof(region), RING_CONSUMER), RING_BAD_CONFIG);
    h->data_size = 4096;
    h->max_payload = 4000;
    CHECK_EQ(ring_attach(&c, region, sizeof(region), RING_CONSUMER), RING_BAD_CONFIG);
}

static void test_fifo_wrap(void) {
    ring_t p, c;
    CHECK_EQ(ring_init(&p, region, sizeof(region), 256, 100), RING_OK);
    CHECK_EQ(ring_attach(&c, region, sizeof(region), RING_CONSUMER), RING_OK);
    const uint8_t *got;
    uint32_t len;
    CHECK_EQ(ring_peek(&c, &got, &len), RING_EMPTY);
    uint8_t buf[128];
    CHECK_EQ(ring_write(&p, buf, 101), RING_TOO_BIG);

    uint32_t written = 0, read = 0, fulls = 0, bad = 0;
    uint32_t lens[64];
    for (int step = 0; step < 200000 && read < 50000; step++) {
        if (rng() % 3u != 0) {
            uint32_t n = rng() % 101u;
            fill_payload(buf, n, written);
            uint32_t used_before = ring_used(&p);
            ring_status_t st = ring_write(&p, buf, n);
            if (st == RING_FULL) {
                fulls++;
                if (ring_used(&p) != used_before) {
                    bad++;
                }
            } else if (st == RING_OK) {
                lens[written % 64u] = n;
                written++;
            } else {
                bad++;
            }
        } else {
            ring_status_t st = ring_peek(&c, &got, &len);
            if (st == RING_OK) {
                if (len != lens[read % 64u] || !payload_ok(got, len, read)) {
                    bad++;
                }
                ring_pop(&c);
                read++;
            } else if (st != RING_EMPTY) {
                bad++;
            }
        }
        if (written - read > 64u) {
            bad++;
            break;
        }
    }
    CHECK_EQ(bad, 0);
    CHECK(read > 40000);
    CHECK(fulls > 100);
    CHECK(p.full_count == fulls);
    CHECK(p.high_water <= 256u && p.high_water > 200u);
    // After the last read nothing is lost: drain and count.
    while (ring_peek(&c, &got, &len) == RING_OK) {
        CHECK(len == lens[read % 64u] && payload_ok(got, len, read));
        ring_pop(&c);
        read++;
    }
    CHECK_EQ(read, written);
    CHECK_EQ(ring_used(&p), 0);
}

static void test_fill_exactly(void) {
    // 64-byte data: 4 records of 12 bytes (16 each) fill it exactly.
    ring_t p, c;
    CHECK_EQ(ring_init(&p, region, sizeof(region), 64, 28), RING_OK);
    CHECK_EQ(ring_attach(&c, region, sizeof(region), RING_CONSUMER), RING_OK);
    uint8_t buf[12] = {0};
    for (int i = 0; i < 4; i++) {
        buf[0] = (uint8_t)i;
        CHECK_EQ(ring_write(&p, buf, 12), RING_OK);
    }
    CHECK_EQ(ring_write(&p, buf, 0), RING_FULL);
    const uint8_t *got;
    uint32_t len;
    CHECK_EQ(ring_peek(&c, &got, &len), RING_OK);
    CHECK(len == 12 && got[0] == 0);
    ring_pop(&c);
    // 16 bytes free at the start only: a 28-byte payload needs a pad + 32.
    CHECK_EQ(ring_write(&p, buf, 28), RING_FULL);
    CHECK_EQ(ring_write(&p, buf, 12), RING_OK);
    for (int i = 1; i < 4; i++) {
        CHECK_EQ(ring_peek(&c, &got, &len), RING_OK);
        CHECK(len == 12 && got[0] == i);
        ring_pop(&c);
    }
    CHECK_EQ(ring_peek(&c, &got, &len), RING_OK);
    ring_pop(&c);
    CHECK_EQ(ring_peek(&c, &got, &len), RING_EMPTY);
    // Empty payloads are records too.
    CHECK_EQ(ring_write(&p, buf, 0), RING_OK);
    CHECK_EQ(ring_peek(&c, &got, &len), RING_OK);
    CHECK_EQ(len, 0);
    ring_pop(&c);
}

static void test_hostile(void) {
    ring_header_t *h = (ring_header_t *)(void *)region;
    uint8_t *data = region + RING_HEADER_SIZE;
    const uint8_t *got;
    uint32_t len;
    struct {
        const char *what;
        uint32_t head;
        uint32_t word0;
    } cases[] = {
        {"head beyond the data", 1000, 4},
        {"length over max_payload", 8, 200},
        {"length beyond head", 8, 40},
        {"unaligned head", 3, 0},
        {"pad before the end", 8, RING_PAD},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ring_t p, c;
        CHECK_EQ(ring_init(&p, region, sizeof(region), 256, 100), RING_OK);
        CHECK_EQ(ring_attach(&c, region, sizeof(region), RING_CONSUMER), RING_OK);
        ring_put_u32(data, cases[i].word0);
        atomic_store(&h->head, cases[i].head);
        CHECKF(ring_peek(&c, &got, &len) == RING_CORRUPT, "%s", cases[i].what);
        // Sticky: a later good-looking state does not revive it.
        atomic_store(&h->head, 0);
        CHECKF(ring_peek(&c, &got, &len) == RING_CORRUPT, "%s (sticky)", cases[i].what);
    }
    // A record that would run past the end of the data area.
    ring_t p, c;
    CHECK_EQ(ring_init(&p, region, sizeof(region), 256, 100), RING_OK);
    CHECK_EQ(ring_attach(&c, region, sizeof(region), RING_CONSUMER), RING_OK);
    atomic_store(&h->tail, 240);
    c.pos = 240;
    ring_put_u32(data + 240, 60);
    atomic_store(&h->head, 240 + 64);
    CHECK_EQ(ring_peek(&c, &got, &len), RING_CORRUPT);
}

#if defined(__arm__)
// The SysTick interrupt plays the renderer: it takes whatever is in the
// ring, checking order and contents, while thread mode keeps writing.
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static ring_t isr_ring;
static volatile uint32_t isr_read, isr_bad, isr_runs;

void SysTick_Handler(void);
void SysTick_Handler(void) {
    const uint8_t *got;
    uint32_t len;
    isr_runs++;
    ring_status_t st;
    while ((st = ring_peek(&isr_ring, &got, &len)) == RING_OK) {
        uint32_t seq = isr_read;
        if (len < 4 || ring_get_u32(got) != seq || !payload_ok(got + 4, len - 4, seq)) {
            isr_bad++;
        }
        ring_pop(&isr_ring);
        isr_read = seq + 1u;
    }
    if (st != RING_EMPTY) {
        isr_bad++;
    }
}

static void test_interrupt_consumer(void) {
    ring_t p;
    CHECK_EQ(ring_init(&p, region, sizeof(region), 512, 120), RING_OK);
    CHECK_EQ(ring_attach(&isr_ring, region, sizeof(region), RING_CONSUMER), RING_OK);
    SYST_RVR = 3000;
    SYST_CVR = 0;
    SYST_CSR = 7;  // processor clock, interrupt, enable
    uint8_t buf[120];
    const uint32_t total = 20000;
    uint32_t spins = 0;
    for (uint32_t seq = 0; seq < total; seq++) {
        uint32_t n = 4u + rng() % 117u;
        ring_put_u32(buf, seq);
        fill_payload(buf + 4, n - 4u, seq);
        while (ring_write(&p, buf, n) == RING_FULL) {
            spins++;
        }
    }
    while (isr_read != total && spins < 100000000u) {
        spins++;
    }
    SYST_CSR = 0;
    CHECK_EQ(isr_read, total);
    CHECK_EQ(isr_bad, 0);
    CHECK(isr_runs > 10);
    CHECK(p.full_count > 0);
    printf("interrupt consumer: %u records, %u interrupts, ring full %u times\n",
        (unsigned)total, (unsigned)isr_runs, (unsigned)p.full_count);
}
#endif

int main(void) {
    RUN_TEST(test_config);
    RUN_TEST(test_fifo_wrap);
    RUN_TEST(test_fill_exactly);
    RUN_TEST(test_hostile);
#if defined(__arm__)
    RUN_TEST(test_interrupt_consumer);
#endif
    printf("%u checks, %u failed\n", mpx_test_checks, mpx_test_failures);
    return mpx_test_failures != 0;
}
