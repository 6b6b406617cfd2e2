// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libFuzzer: the msgpack decoder on arbitrary input, whole (final) and in
// pieces (resumable), with tight limits and a small frame array. Checks the
// decoder's contracts, not just the absence of crashes: it consumes no more
// than it was given, NEED_MORE says how much it needs, both ways of feeding
// agree, and after every outcome the decoder owns nothing.

#include <stdlib.h>

#include "mpk_tree.h"

static uint8_t arena_a[1 << 20];
static uint8_t arena_b[1 << 20];

#define REQUIRE(cond) do { if (!(cond)) { abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    // First byte: piece size for the streaming pass (1..16).
    size_t step = (size_t)(data[0] & 15) + 1;
    data++;
    size--;

    tv_ctx_t a;
    tv_t *whole = NULL;
    size_t used = 0;
    tv_ctx_init(&a, arena_a, sizeof arena_a);
    mpk_status_t st_whole = tv_decode(&a, data, size, &whole, &used);
    REQUIRE(used <= size);
    REQUIRE(a.live == (st_whole == MPK_OK ? 1 : 0));

    // The same bytes in pieces, as a streaming unpacker would feed them.
    tv_ctx_t b;
    mpk_limits_t limits;
    mpk_decoder_t d;
    tv_ctx_init(&b, arena_b, sizeof arena_b);
    mpk_limits_default(&limits);
    mpk_decoder_init(&d, &tv_visitor, &b, &limits, b.frames, 4);
    size_t have_from = 0, fed = 0;
    mpk_status_t st = MPK_NEED_MORE;
    mpk_obj_t obj = NULL;
    while (st == MPK_NEED_MORE) {
        size_t n = step < size - fed ? step : size - fed;
        fed += n;
        size_t got = 0;
        st = mpk_decoder_feed(&d, data + have_from, fed - have_from, fed == size, &got, &obj);
        REQUIRE(got <= fed - have_from);
        have_from += got;
        if (st == MPK_NEED_MORE) {
            REQUIRE(d.need > 0);
            REQUIRE(fed < size);  // a final feed never asks for more
        }
    }
    if (st_whole == MPK_OK) {
        REQUIRE(st == MPK_OK);
        REQUIRE(have_from == used);
        REQUIRE(tv_equal(whole, obj, false));
        tv_release(&a, whole);
        tv_release(&b, obj);
    } else {
        // Bad input fails however it is fed (which error comes first may
        // differ: a final input is checked against its length up front).
        REQUIRE(st != MPK_OK || st_whole == MPK_ERR_MEMORY);
        if (st == MPK_OK) {
            tv_release(&b, obj);
        }
        mpk_decoder_reset(&d);
    }
    REQUIRE(a.live == 0);
    REQUIRE(b.live == 0);

    // Tight limits and no frame growth: errors, never overruns.
    tv_ctx_t c;
    mpk_visitor_t fixed = tv_visitor;
    fixed.grow = NULL;
    tv_ctx_init(&c, arena_a, sizeof arena_a);
    mpk_limits_default(&limits);
    limits.max_str = limits.max_bin = limits.max_ext = 8;
    limits.max_array = limits.max_map = 4;
    mpk_decoder_init(&d, &fixed, &c, &limits, c.frames, 4);
    st = mpk_decoder_feed(&d, data, size, true, &used, &obj);
    if (st == MPK_OK) {
        tv_release(&c, obj);
    } else {
        mpk_decoder_reset(&d);
    }
    REQUIRE(c.live == 0);
    return 0;
}
