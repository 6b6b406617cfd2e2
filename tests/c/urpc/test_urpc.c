// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Unit tests of lib/urpc's frames: CRC vectors, round trips, and a damaged
// stream (garbage, lost bytes, flipped bits, hostile headers) from which the
// deframer recovers every undamaged frame and never returns a wrong one.

#include <stdlib.h>

#include "mpx_test.h"
#include "urpc.h"

MPX_TEST_MAIN_DEFS

#define MAX_BODY 2048

static uint8_t dbuf[MAX_BODY + URPC_OVERHEAD];

// Build a frame into out; returns its length.
static size_t make_frame(uint8_t *out, unsigned kind, uint16_t id, const uint8_t *body, size_t len) {
    urpc_frame_write(out, kind, id, body, len);
    return len + URPC_OVERHEAD;
}

static void test_crc_vectors(void) {
    const uint8_t *s = (const uint8_t *)"123456789";
    CHECK(urpc_crc32(0, s, 9) == 0xCBF43926u);
    CHECK(urpc_crc16(0xFFFFu, s, 9) == 0x29B1u);
    // Piecewise equals whole, at every split and for lengths around the
    // 8-byte slices.
    static uint8_t data[64];
    for (int i = 0; i < 64; i++) {
        data[i] = (uint8_t)(i * 37 + 11);
    }
    uint32_t whole = urpc_crc32(0, data, 64);
    for (size_t cut = 0; cut <= 64; cut++) {
        CHECK(urpc_crc32(urpc_crc32(0, data, cut), data + cut, 64 - cut) == whole);
    }
    CHECK(urpc_crc32(0, data, 0) == 0);
}

// CRC-32 a bit at a time, as the table's entries must give it.
static uint32_t crc32_bitwise(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) {
            c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
    }
    return ~c;
}

// Every entry of the constant tables: a byte of each value at each place of
// an 8-byte block indexes every entry of the slice for that place (slicing
// by eight; 32-bit targets go a byte at a time through slice 0), the other
// places fixed entries.
static void test_crc32_table_is_the_bitwise_crc(void) {
    for (size_t place = 0; place < 8; place++) {
        for (unsigned v = 0; v < 256; v++) {
            uint8_t data[8] = {0};
            data[place] = (uint8_t)v;
            CHECK(urpc_crc32(0, data, 8) == crc32_bitwise(data, 8));
            CHECK(urpc_crc32(0, data, place + 1) == crc32_bitwise(data, place + 1));
        }
    }
}

static void test_header_layout_and_limits(void) {
    uint8_t h[URPC_HEADER_SIZE];
    CHECK(urpc_header(h, URPC_REPLY, 0x1234, 0x0A0B0C) == URPC_OK);
    CHECK(h[0] == 0xB7 && h[1] == 0x5E && h[2] == 0x12);
    CHECK(h[3] == 0x34 && h[4] == 0x12);
    CHECK(h[5] == 0x0C && h[6] == 0x0B && h[7] == 0x0A);
    uint16_t crc = urpc_crc16(0xFFFF, h, 8);
    CHECK(h[8] == (crc & 0xff) && h[9] == (crc >> 8));
    CHECK(urpc_header(h, URPC_REQUEST, 1, URPC_MAX_BODY + 1) == URPC_ERR_ARG);
    CHECK(urpc_header(h, 0, 1, 0) == URPC_ERR_ARG);
    urpc_deframer_t d;
    CHECK(urpc_deframer_init(&d, dbuf, 100, 100) == URPC_ERR_ARG);  // no room for the overhead
    urpc_frame_t f;
    CHECK(urpc_deframer_next(&d, &f) == URPC_ERR_ARG);
    CHECK_EQ(URPC_OVERHEAD, 14);
    // A whole frame: the header, the body, the body's CRC; nothing on bad arguments.
    uint8_t fr[32];
    memset(fr, 0xAA, sizeof fr);
    CHECK(urpc_frame_write(fr, URPC_REQUEST, 7, (const uint8_t *)"abc", 3) == URPC_OK);
    CHECK(urpc_header(h, URPC_REQUEST, 7, 3) == URPC_OK && memcmp(fr, h, URPC_HEADER_SIZE) == 0);
    CHECK(memcmp(fr + URPC_HEADER_SIZE, "abc", 3) == 0);
    uint32_t c = urpc_crc32(0, (const uint8_t *)"abc", 3);
    CHECK(fr[13] == (c & 0xff) && fr[16] == (c >> 24) && fr[17] == 0xAA);
    memset(fr, 0xAA, sizeof fr);
    CHECK(urpc_frame_write(fr, 16, 7, (const uint8_t *)"abc", 3) == URPC_ERR_ARG && fr[0] == 0xAA);
    CHECK(urpc_frame_write(fr, URPC_REPLY, 0, NULL, 0) == URPC_OK);
}

static void test_round_trip_in_any_pieces(void) {
    static uint8_t stream[20000];
    static uint8_t bodies[20][300];
    size_t lens[20], n = 0;
    uint32_t seed = 7;
    for (int k = 0; k < 20; k++) {
        lens[k] = (size_t)(mpx_test_rand(&seed) % 300);
        for (size_t i = 0; i < lens[k]; i++) {
            bodies[k][i] = (uint8_t)mpx_test_rand(&seed);
        }
        n += make_frame(stream + n, 1 + (unsigned)k % 3, (uint16_t)(k * 1000), bodies[k], lens[k]);
    }
    for (size_t step = 1; step <= 64; step *= 4) {
        urpc_deframer_t d;
        urpc_frame_t f;
        CHECK(urpc_deframer_init(&d, dbuf, sizeof dbuf, MAX_BODY) == URPC_OK);
        int got = 0;
        for (size_t pos = 0; pos < n;) {
            size_t take = step < n - pos ? step : n - pos;
            pos += urpc_deframer_feed(&d, stream + pos, take);
            while (urpc_deframer_next(&d, &f) == URPC_OK) {
                CHECKF(f.id == got * 1000 && f.kind == 1 + got % 3 && f.len == lens[got]
                    && memcmp(f.body, bodies[got], f.len) == 0, "frame %d step %u", got, (unsigned)step);
                got++;
            }
            CHECK(d.need > 0 || pos == n);
        }
        CHECK_EQ(got, 20);
        CHECK_EQ(d.dropped, 0);
        CHECK_EQ(d.skipped, 0);
    }
}

// A stream of numbered frames, damaged at random; everything that comes out
// must be a frame that was sent, in order, and every frame that was not
// touched must come out.
static void test_damaged_stream(void) {
    enum { FRAMES = 2000 };
    static uint8_t clean[FRAMES * 80];
    static uint8_t noisy[FRAMES * 120];
    static size_t frame_at[FRAMES + 1];
    static bool damaged[FRAMES];
    uint32_t seed = 12345;
    size_t n = 0;
    for (int k = 0; k < FRAMES; k++) {
        uint8_t body[64];
        size_t len = 4 + mpx_test_rand(&seed) % 60;
        memcpy(body, &k, sizeof k);
        for (size_t i = 4; i < len; i++) {
            body[i] = (uint8_t)(k + i);
        }
        frame_at[k] = n;
        n += make_frame(clean + n, URPC_REQUEST, (uint16_t)k, body, len);
    }
    frame_at[FRAMES] = n;
    // Copy with about 1% of bytes damaged: flipped, dropped, or followed by
    // garbage (including fake sync pairs).
    size_t m = 0;
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        while (i >= frame_at[k + 1]) {
            k++;
        }
        uint32_t r = mpx_test_rand(&seed) % 300;
        if (r == 0) {
            noisy[m++] = clean[i] ^ (uint8_t)(1u << (mpx_test_rand(&seed) % 8));
            damaged[k] = true;
        } else if (r == 1) {
            damaged[k] = true;          // lost
        } else if (r == 2) {
            noisy[m++] = clean[i];
            noisy[m++] = URPC_SYNC0;    // garbage between or inside frames
            noisy[m++] = URPC_SYNC1;
            noisy[m++] = (uint8_t)mpx_test_rand(&seed);
            if (i + 1 < frame_at[k + 1]) {
                damaged[k] = true;      // inside the frame (after its last byte it is between frames)
            }
        } else {
            noisy[m++] = clean[i];
        }
    }
    urpc_deframer_t d;
    urpc_frame_t f;
    urpc_deframer_init(&d, dbuf, sizeof dbuf, MAX_BODY);
    int expected = 0, got = 0, last = -1, untouched = 0;
    for (int j = 0; j < FRAMES; j++) {
        untouched += !damaged[j];
    }
    for (size_t pos = 0; pos < m;) {
        pos += urpc_deframer_feed(&d, noisy + pos, 1 + mpx_test_rand(&seed) % 97 < m - pos
            ? 1 + mpx_test_rand(&seed) % 97 : m - pos);
        while (urpc_deframer_next(&d, &f) == URPC_OK) {
            int id;
            memcpy(&id, f.body, sizeof id);
            CHECKF(id > last && id < FRAMES && f.id == (uint16_t)id, "frame %d after %d", id, last);
            CHECKF(!damaged[id], "damaged frame %d came out", id);
            last = id;
            got++;
            (void)expected;
        }
    }
    printf("  %d of %d frames were damaged; %d recovered, %u dropped, %u bytes skipped\n",
        FRAMES - untouched, FRAMES, got, (unsigned)d.dropped, (unsigned)d.skipped);
    CHECK_EQ(got, untouched);
    CHECK(FRAMES - untouched > 100);  // the test did damage plenty
}

static void test_hostile_headers(void) {
    urpc_deframer_t d;
    urpc_frame_t f;
    uint8_t buf[200];
    uint8_t good[64];
    size_t n;
    urpc_deframer_init(&d, dbuf, sizeof dbuf, 100);
    // A valid header that announces more than max_body: refused at once
    // (no waiting for 16 MB), and the frame after it comes through.
    urpc_header(buf, URPC_REQUEST, 1, URPC_MAX_BODY);
    n = URPC_HEADER_SIZE;
    n += make_frame(buf + n, URPC_REPLY, 2, (const uint8_t *)"ok", 2);
    urpc_deframer_feed(&d, buf, n);
    CHECK(urpc_deframer_next(&d, &f) == URPC_OK && f.id == 2 && f.len == 2);
    CHECK_EQ(d.dropped, 1);
    // Unknown kind and unknown format version: refused.
    urpc_deframer_clear(&d);
    size_t g = make_frame(good, 7, 3, (const uint8_t *)"x", 1);
    urpc_deframer_feed(&d, good, g);
    CHECK(urpc_deframer_next(&d, &f) == URPC_NEED_MORE);
    CHECK_EQ(d.dropped, 2);
    g = make_frame(good, URPC_REQUEST, 4, (const uint8_t *)"x", 1);
    good[2] = 0x21;  // format 2
    uint16_t crc = urpc_crc16(0xFFFF, good, 8);
    good[8] = (uint8_t)crc;
    good[9] = (uint8_t)(crc >> 8);
    urpc_deframer_feed(&d, good, g);
    CHECK(urpc_deframer_next(&d, &f) == URPC_NEED_MORE);
    // A bad body CRC: dropped, counted.
    g = make_frame(good, URPC_REQUEST, 5, (const uint8_t *)"abc", 3);
    good[URPC_HEADER_SIZE] ^= 1;
    urpc_deframer_feed(&d, good, g);
    CHECK(urpc_deframer_next(&d, &f) == URPC_NEED_MORE);
    CHECK_EQ(d.dropped, 4);
    // A sync pair split across feeds is still found.
    urpc_deframer_clear(&d);
    g = make_frame(good, URPC_REQUEST, 6, (const uint8_t *)"split", 5);
    urpc_deframer_feed(&d, (const uint8_t *)"zz", 2);
    urpc_deframer_feed(&d, good, 1);
    CHECK(urpc_deframer_next(&d, &f) == URPC_NEED_MORE && d.need == URPC_HEADER_SIZE - 1);
    urpc_deframer_feed(&d, good + 1, g - 1);
    CHECK(urpc_deframer_next(&d, &f) == URPC_OK && f.id == 6);
    // Garbage only: everything skipped, the buffer never fills up.
    urpc_deframer_clear(&d);
    static uint8_t junk[10000];
    memset(junk, 0x42, sizeof junk);
    size_t fed = 0;
    while (fed < sizeof junk) {
        size_t took = urpc_deframer_feed(&d, junk + fed, sizeof junk - fed);
        CHECK(took > 0);
        fed += took;
        CHECK(urpc_deframer_next(&d, &f) == URPC_NEED_MORE);
    }
}

// The body CRC is computed as bytes arrive. A frame whose tail was lost is
// followed by a whole frame: the deframer first takes the new frame's bytes
// as the old body (its CRC fails), then finds the new frame with a fresh CRC.
static void test_frame_cut_short_then_a_whole_one(void) {
    uint8_t a[600], b[600], body[500];
    for (int i = 0; i < 500; i++) {
        body[i] = (uint8_t)(i * 7);
    }
    make_frame(a, URPC_REQUEST, 1, body, 500);
    size_t nb = make_frame(b, URPC_REQUEST, 2, body + 100, 300);
    urpc_deframer_t d;
    urpc_frame_t f;
    urpc_deframer_init(&d, dbuf, sizeof dbuf, MAX_BODY);
    // The head of frame 1 in pieces (its CRC runs over them)...
    for (size_t pos = 0; pos < 200; pos += 50) {
        urpc_deframer_feed(&d, a + pos, 50);
        CHECK(urpc_deframer_next(&d, &f) == URPC_NEED_MORE);
    }
    CHECK(d.crc_len == 200 - URPC_HEADER_SIZE);
    // ...then frame 2 whole, twice (the first copy completes frame 1's length).
    int got = 0;
    for (int k = 0; k < 3; k++) {
        urpc_deframer_feed(&d, b, nb);
        while (urpc_deframer_next(&d, &f) == URPC_OK) {
            CHECK(f.id == 2 && f.len == 300 && memcmp(f.body, body + 100, 300) == 0);
            got++;
        }
    }
    CHECK_EQ(got, 3);          // every copy: frame 1 only borrowed their bytes
    CHECK_EQ(d.dropped, 1);    // frame 1, refused by its CRC
}

static void test_space_and_commit(void) {
    urpc_deframer_t d;
    urpc_frame_t f;
    uint8_t frame[80];
    size_t g = make_frame(frame, URPC_REPLY, 9, (const uint8_t *)"zero copy", 9);
    urpc_deframer_init(&d, dbuf, sizeof dbuf, MAX_BODY);
    size_t room;
    uint8_t *p = urpc_deframer_space(&d, &room);
    CHECK(room == sizeof dbuf);
    memcpy(p, frame, g);
    urpc_deframer_commit(&d, g);
    CHECK(urpc_deframer_next(&d, &f) == URPC_OK && f.len == 9 && memcmp(f.body, "zero copy", 9) == 0);
    CHECK(urpc_deframer_next(&d, &f) == URPC_NEED_MORE && d.need == URPC_HEADER_SIZE);
    CHECK(urpc_deframer_held(&d) == 0 && urpc_deframer_need(&d) == URPC_HEADER_SIZE);
    urpc_deframer_feed(&d, frame, 4);
    CHECK(urpc_deframer_next(&d, &f) == URPC_NEED_MORE);
    CHECK(urpc_deframer_held(&d) == 4 && urpc_deframer_need(&d) == URPC_HEADER_SIZE - 4);
    urpc_deframer_clear(&d);
    p = urpc_deframer_space(&d, &room);
    CHECK(p == dbuf && room == sizeof dbuf);  // consumed bytes are given back
}

int main(void) {
    RUN_TEST(test_crc_vectors);
    RUN_TEST(test_crc32_table_is_the_bitwise_crc);
    RUN_TEST(test_header_layout_and_limits);
    RUN_TEST(test_round_trip_in_any_pieces);
    RUN_TEST(test_damaged_stream);
    RUN_TEST(test_hostile_headers);
    RUN_TEST(test_frame_cut_short_then_a_whole_one);
    RUN_TEST(test_space_and_commit);
    return mpx_test_report("test_urpc");
}
