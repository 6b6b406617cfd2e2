// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Unit tests of lib/msgpack: the language-independent vectors both ways,
// streaming, every truncation, hostile headers, limits, depth, injected
// failures, and random round trips.

#include <setjmp.h>
#include <stdlib.h>

#include "mpk_vectors.h"
#include "mpx_test.h"

MPX_TEST_MAIN_DEFS

static uint8_t arena[1 << 20];

// ---------------------------------------------------------------------------
// Sinks

// A growable sink over a static buffer (grows by moving its end).
static uint8_t out_store[1 << 18];

static mpk_status_t grow_sink(mpk_writer_t *w, size_t need) {
    if (need == 0) {
        return MPK_OK;  // the final flush: nothing to drain
    }
    if (w->cap >= sizeof out_store) {
        return MPK_ERR_MEMORY;
    }
    w->cap = sizeof out_store;  // the "realloc": same pointer, more room
    return MPK_OK;
}

// A streaming sink: a small buffer drained into out_store.
typedef struct stream_sink {
    size_t drained;
    long flushes;
    long fail_at;          // fail the n-th flush (1-based); 0: never
} stream_sink_t;

static mpk_status_t stream_flush(mpk_writer_t *w, size_t need) {
    stream_sink_t *s = w->ctx;
    (void)need;
    if (s->fail_at != 0 && ++s->flushes == s->fail_at) {
        return MPK_ERR_IO;
    }
    if (s->drained + w->pos > sizeof out_store) {
        return MPK_ERR_IO;
    }
    memcpy(out_store + s->drained, w->buf, w->pos);
    s->drained += w->pos;
    w->pos = 0;
    return MPK_OK;
}

// Encode a tree into out_store with a growable sink; returns the length.
static size_t encode_tree(const tv_t *t) {
    mpk_writer_t w;
    mpk_writer_init(&w, out_store, 64, grow_sink, NULL);
    tv_write(&w, t);
    return mpk_writer_finish(&w) == MPK_OK ? w.pos : (size_t)-1;
}

static bool bytes_in(const uint8_t *p, size_t n, const mpk_vector_bytes_t *list, size_t count) {
    for (size_t i = 0; i < count; i++) {
        if (list[i].len == n && memcmp(list[i].data, p, n) == 0) {
            return true;
        }
    }
    return false;
}

// Decode data in pieces of `step` bytes (0: pseudo-random pieces), keeping
// the unconsumed tail as a binding does.
static mpk_status_t decode_chunked(tv_ctx_t *c, const uint8_t *data, size_t len, size_t step,
    uint32_t seed, tv_t **out) {
    static uint8_t pending[1 << 16];
    size_t have = 0, fed = 0;
    mpk_limits_t limits;
    mpk_decoder_t d;
    mpk_obj_t obj = NULL;
    mpk_limits_default(&limits);
    mpk_decoder_init(&d, &tv_visitor, c, &limits, c->frames, sizeof c->frames / sizeof c->frames[0]);
    *out = NULL;
    for (;;) {
        size_t n = step ? step : 1 + mpx_test_rand(&seed) % 7;
        if (n > len - fed) {
            n = len - fed;
        }
        if (have + n > sizeof pending) {
            return MPK_ERR_MEMORY;
        }
        memcpy(pending + have, data + fed, n);
        have += n;
        fed += n;
        size_t used;
        mpk_status_t st = mpk_decoder_feed(&d, pending, have, fed == len, &used, &obj);
        // Payload pointers must stay valid until the visitor copied them.
        memmove(pending, pending + used, have - used);
        have -= used;
        if (st == MPK_OK) {
            *out = obj;
            return have == 0 && fed == len ? MPK_OK : MPK_ERR_ARG;
        }
        if (st != MPK_NEED_MORE) {
            mpk_decoder_reset(&d);
            return st;
        }
        if (d.need == 0) {
            return MPK_ERR_ARG;  // NEED_MORE must say what it needs
        }
    }
}

// ---------------------------------------------------------------------------
// Vectors

static void test_vectors_decode(void) {
    size_t encodings = 0;
    for (size_t i = 0; i < mpk_vectors_count; i++) {
        const mpk_vector_t *v = &mpk_vectors[i];
        for (size_t k = 0; k < v->count; k++) {
            tv_ctx_t c;
            tv_t *got;
            size_t used = 0;
            tv_ctx_init(&c, arena, sizeof arena);
            mpk_status_t st = tv_decode(&c, v->encodings[k].data, v->encodings[k].len, &got, &used);
            CHECKF(st == MPK_OK, "%s encoding %u: %s", v->name, (unsigned)k, mpk_status_str(st));
            if (st == MPK_OK) {
                CHECKF(used == v->encodings[k].len, "%s: used %u", v->name, (unsigned)used);
                CHECKF(tv_equal(v->value, got, true), "%s encoding %u decodes to another value",
                    v->name, (unsigned)k);
                tv_release(&c, got);
            }
            CHECK_EQ(c.live, 0);
            encodings++;
        }
    }
    CHECK_EQ(mpk_vectors_count, 85);
    CHECK_EQ(encodings, 233);
}

static void test_vectors_decode_streaming(void) {
    for (size_t i = 0; i < mpk_vectors_count; i++) {
        const mpk_vector_t *v = &mpk_vectors[i];
        for (size_t k = 0; k < v->count; k++) {
            for (size_t step = 0; step <= 2; step++) {
                tv_ctx_t c;
                tv_t *got;
                tv_ctx_init(&c, arena, sizeof arena);
                mpk_status_t st = decode_chunked(&c, v->encodings[k].data, v->encodings[k].len,
                    step, (uint32_t)(i * 7919 + k + 1), &got);
                CHECKF(st == MPK_OK && tv_equal(v->value, got, true), "%s encoding %u step %u: %s",
                    v->name, (unsigned)k, (unsigned)step, mpk_status_str(st));
                tv_release(&c, got);
                CHECK_EQ(c.live, 0);
            }
        }
    }
}

static void test_vectors_encode(void) {
    for (size_t i = 0; i < mpk_vectors_count; i++) {
        const mpk_vector_t *v = &mpk_vectors[i];
        size_t n = encode_tree(v->value);
        CHECKF(n != (size_t)-1 && bytes_in(out_store, n, v->encodings, v->count),
            "%s: encoder output is not among the listed encodings", v->name);
        // The shortest form: no listed encoding is shorter than ours.
        for (size_t k = 0; k < v->count; k++) {
            CHECKF(v->encodings[k].len >= n || v->encodings[k].data[0] == 0xca,
                "%s: encoding %u is shorter than ours", v->name, (unsigned)k);
        }
    }
}

// The same bytes through a 16-byte streaming buffer as through a growable one.
static void test_vectors_encode_streaming(void) {
    static uint8_t expect[4096];
    for (size_t i = 0; i < mpk_vectors_count; i++) {
        size_t n = encode_tree(mpk_vectors[i].value);
        memcpy(expect, out_store, n);
        uint8_t small[MPK_WRITER_MIN_BUFFER];
        stream_sink_t sink = { 0, 0, 0 };
        mpk_writer_t w;
        mpk_writer_init(&w, small, sizeof small, stream_flush, &sink);
        tv_write(&w, mpk_vectors[i].value);
        CHECK(mpk_writer_finish(&w) == MPK_OK);
        CHECKF(sink.drained == n && memcmp(out_store, expect, n) == 0, "%s", mpk_vectors[i].name);
    }
}

// ---------------------------------------------------------------------------
// Bad input

static void test_every_truncation(void) {
    for (size_t i = 0; i < mpk_vectors_count; i++) {
        const mpk_vector_t *v = &mpk_vectors[i];
        for (size_t k = 0; k < v->count; k++) {
            const mpk_vector_bytes_t *e = &v->encodings[k];
            for (size_t cut = 0; cut < e->len; cut++) {
                tv_ctx_t c;
                tv_ctx_init(&c, arena, sizeof arena);
                mpk_limits_t limits;
                mpk_decoder_t d;
                mpk_obj_t obj = NULL;
                size_t used = 0;
                mpk_limits_default(&limits);
                mpk_decoder_init(&d, &tv_visitor, &c, &limits, c.frames, 4);
                mpk_status_t st = mpk_decoder_feed(&d, e->data, cut, true, &used, &obj);
                CHECKF(st == MPK_ERR_TRUNCATED, "%s cut at %u: %s", v->name, (unsigned)cut,
                    mpk_status_str(st));
                mpk_decoder_reset(&d);
                CHECK_EQ(c.live, 0);
                // Not final: it waits, says how much more it needs, and
                // never claims more than it was given.
                st = mpk_decoder_feed(&d, e->data, cut, false, &used, &obj);
                CHECKF(st == MPK_NEED_MORE && d.need > 0 && used <= cut && cut + d.need <= e->len,
                    "%s cut at %u: %s need %u", v->name, (unsigned)cut, mpk_status_str(st),
                    (unsigned)d.need);
                mpk_decoder_reset(&d);
                CHECK_EQ(c.live, 0);
            }
        }
    }
}

typedef struct bad_case {
    const char *bytes;
    size_t len;
    mpk_status_t final_status;
} bad_case_t;

#define BAD(s, st) { s, sizeof(s) - 1, st }

static const bad_case_t bad_cases[] = {
    BAD("\xc1", MPK_ERR_INVALID),
    BAD("\x91\xc1", MPK_ERR_INVALID),
    BAD("\x81\xc1\x01", MPK_ERR_INVALID),
    BAD("\x81\x01\xc1", MPK_ERR_INVALID),
    BAD("\x92\x01", MPK_ERR_TRUNCATED),
    // Hostile lengths: claims far beyond the input, no allocation follows.
    BAD("\xdd\xff\xff\xff\xff", MPK_ERR_TRUNCATED),
    BAD("\xdd\xff\xff\xff\xff\x01\x02", MPK_ERR_TRUNCATED),
    BAD("\xdf\xff\xff\xff\xff", MPK_ERR_TRUNCATED),
    BAD("\xdf\x00\x00\x00\x02\x01\x01\x02", MPK_ERR_TRUNCATED),
    BAD("\xdb\xff\xff\xff\xff", MPK_ERR_TRUNCATED),
    BAD("\xc6\xff\xff\xff\xff" "abc", MPK_ERR_TRUNCATED),
    BAD("\xc9\xff\xff\xff\xff\x01", MPK_ERR_TRUNCATED),
    BAD("\xdc\xff\xff", MPK_ERR_TRUNCATED),
    BAD("\xde\xff\xff", MPK_ERR_TRUNCATED),
};

static void test_bad_input_table(void) {
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case_t *b = &bad_cases[i];
        tv_ctx_t c;
        tv_t *got;
        size_t used;
        tv_ctx_init(&c, arena, sizeof arena);
        mpk_status_t st = tv_decode(&c, (const uint8_t *)b->bytes, b->len, &got, &used);
        CHECKF(st == b->final_status, "case %u: %s", (unsigned)i, mpk_status_str(st));
        CHECKF(c.arena_used < 1024, "case %u allocated %u bytes", (unsigned)i, (unsigned)c.arena_used);
        CHECK_EQ(c.live, 0);
    }
}

// Headers checked against limits before anything waits or allocates, also
// when the payload has not arrived yet.
static void test_limits(void) {
    struct {
        const char *bytes;
        size_t len;
        mpk_limit_kind_t kind;
        uint32_t value;
    } cases[] = {
        { "\xdb\x00\x00\x01\x00", 5, MPK_LIMIT_STR, 256 },
        { "\xc6\x00\x00\x01\x00", 5, MPK_LIMIT_BIN, 256 },
        { "\xc9\x00\x00\x01\x00\x05", 6, MPK_LIMIT_EXT, 256 },
        { "\xdd\x00\x00\x01\x00", 5, MPK_LIMIT_ARRAY, 256 },
        { "\xdf\x00\x00\x01\x00", 5, MPK_LIMIT_MAP, 256 },
        { "\xdf\xff\xff\xff\xff", 5, MPK_LIMIT_MAP, 0xffffffffu },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int final = 0; final <= 1; final++) {
            tv_ctx_t c;
            mpk_limits_t limits;
            mpk_decoder_t d;
            mpk_obj_t obj = NULL;
            size_t used;
            tv_ctx_init(&c, arena, sizeof arena);
            mpk_limits_default(&limits);
            limits.max_str = limits.max_bin = limits.max_ext = 255;
            limits.max_array = limits.max_map = 255;
            mpk_decoder_init(&d, &tv_visitor, &c, &limits, c.frames, 4);
            mpk_status_t st = mpk_decoder_feed(&d, (const uint8_t *)cases[i].bytes, cases[i].len,
                final != 0, &used, &obj);
            CHECKF(st == MPK_ERR_LIMIT, "case %u final %d: %s", (unsigned)i, final, mpk_status_str(st));
            CHECK_EQ(d.err_limit, cases[i].kind);
            CHECK_EQ(d.err_value, cases[i].value);
            CHECK_EQ(d.err_max, 255);
            mpk_decoder_reset(&d);
            CHECK_EQ(c.live, 0);
        }
    }
    // Exactly at the limit is fine.
    static uint8_t s255[3 + 255];
    s255[0] = 0xd9;
    s255[1] = 0xff;
    memset(s255 + 2, 'a', 255);
    tv_ctx_t c;
    mpk_limits_t limits;
    mpk_decoder_t d;
    mpk_obj_t obj = NULL;
    size_t used;
    tv_ctx_init(&c, arena, sizeof arena);
    mpk_limits_default(&limits);
    limits.max_str = 255;
    mpk_decoder_init(&d, &tv_visitor, &c, &limits, c.frames, 4);
    CHECK(mpk_decoder_feed(&d, s255, 2 + 255, true, &used, &obj) == MPK_OK);
    CHECK_EQ(used, 257);
}

static void test_depth(void) {
    static uint8_t deep[100001];
    memset(deep, 0x91, sizeof deep);
    deep[sizeof deep - 1] = 0x90;
    struct {
        size_t nesting;
        mpk_status_t expect;
    } cases[] = {
        { 1, MPK_OK }, { 1023, MPK_OK }, { 1024, MPK_OK }, { 1025, MPK_ERR_DEPTH },
        { 100000, MPK_ERR_DEPTH },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        // `nesting` containers: the last one is the empty 0x90.
        const uint8_t *start = deep + sizeof deep - cases[i].nesting;
        tv_ctx_t c;
        tv_t *got;
        size_t used;
        tv_ctx_init(&c, arena, sizeof arena);
        mpk_status_t st = tv_decode(&c, start, cases[i].nesting, &got, &used);
        CHECKF(st == cases[i].expect, "nesting %u: %s", (unsigned)cases[i].nesting, mpk_status_str(st));
        if (st == MPK_OK) {
            tv_release(&c, got);
        }
        CHECK_EQ(c.live, 0);
        CHECK(c.grows <= 9);  // 4 -> 8 -> ... -> 1024 frames at most
    }
    // Without a grow callback the initial frames are the limit.
    mpk_visitor_t fixed = tv_visitor;
    fixed.grow = NULL;
    tv_ctx_t c;
    mpk_limits_t limits;
    mpk_decoder_t d;
    mpk_obj_t obj = NULL;
    size_t used;
    tv_ctx_init(&c, arena, sizeof arena);
    mpk_limits_default(&limits);
    mpk_decoder_init(&d, &fixed, &c, &limits, c.frames, 4);
    CHECK(mpk_decoder_feed(&d, deep + sizeof deep - 10, 10, true, &used, &obj) == MPK_ERR_DEPTH);
    mpk_decoder_reset(&d);
    CHECK_EQ(c.live, 0);
}

// Every callback of a nested decode fails once in turn: each run ends in a
// clean error, and after reset the decoder owns nothing.
static void test_visitor_fail_at_n(void) {
    static const uint8_t sample[] =
        "\x83\xa3str\xa4\x62lah\xa5\x62ytes\xc4\x06\x30\x31\x32\x33\x34\x35"
        "\xa4list\x95\xc3\xc2\xc0\x01\x92\xa3\x61\x62\x63\x80";
    size_t len = sizeof sample - 1;
    long n;
    for (n = 1;; n++) {
        tv_ctx_t c;
        tv_t *got;
        size_t used;
        tv_ctx_init(&c, arena, sizeof arena);
        c.fail_at = n;
        mpk_status_t st = tv_decode(&c, sample, len, &got, &used);
        CHECK_EQ(c.live, st == MPK_OK ? 1 : 0);
        if (st == MPK_OK) {
            tv_release(&c, got);
            CHECK_EQ(c.live, 0);
            break;
        }
        CHECKF(st == MPK_ERR_CALLBACK, "fail at %ld: %s", n, mpk_status_str(st));
        if (n > 1000) {
            CHECK(0);
            break;
        }
    }
    CHECK(n > 20);  // every callback of the sample got its turn
}

// ---------------------------------------------------------------------------
// Writer

static size_t write_one(void (*fn)(mpk_writer_t *, const void *), const void *arg) {
    mpk_writer_t w;
    mpk_writer_init(&w, out_store, sizeof out_store, NULL, NULL);
    fn(&w, arg);
    return w.status == MPK_OK ? w.pos : 0;
}

static void w_int(mpk_writer_t *w, const void *arg) {
    mpk_write_int(w, *(const int64_t *)arg);
}

static void w_uint(mpk_writer_t *w, const void *arg) {
    mpk_write_uint(w, *(const uint64_t *)arg);
}

static void test_shortest_ints(void) {
    static const struct {
        int64_t v;
        const char *bytes;
        size_t len;
    } ints[] = {
        { 0, "\x00", 1 }, { 127, "\x7f", 1 }, { 128, "\xcc\x80", 2 }, { 255, "\xcc\xff", 2 },
        { 256, "\xcd\x01\x00", 3 }, { 65535, "\xcd\xff\xff", 3 }, { 65536, "\xce\x00\x01\x00\x00", 5 },
        { 4294967295LL, "\xce\xff\xff\xff\xff", 5 },
        { 4294967296LL, "\xcf\x00\x00\x00\x01\x00\x00\x00\x00", 9 },
        { -1, "\xff", 1 }, { -32, "\xe0", 1 }, { -33, "\xd0\xdf", 2 }, { -128, "\xd0\x80", 2 },
        { -129, "\xd1\xff\x7f", 3 }, { -32768, "\xd1\x80\x00", 3 },
        { -32769, "\xd2\xff\xff\x7f\xff", 5 }, { INT32_MIN, "\xd2\x80\x00\x00\x00", 5 },
        { (int64_t)INT32_MIN - 1, "\xd3\xff\xff\xff\xff\x7f\xff\xff\xff", 9 },
        { INT64_MIN, "\xd3\x80\x00\x00\x00\x00\x00\x00\x00", 9 },
        { INT64_MAX, "\xcf\x7f\xff\xff\xff\xff\xff\xff\xff", 9 },
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        size_t n = write_one(w_int, &ints[i].v);
        CHECKF(n == ints[i].len && memcmp(out_store, ints[i].bytes, n) == 0, "%lld",
            (long long)ints[i].v);
    }
    uint64_t umax = UINT64_MAX;
    size_t n = write_one(w_uint, &umax);
    CHECK(n == 9 && memcmp(out_store, "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9) == 0);
}

static void test_sizes_and_compat(void) {
    static const struct {
        char kind;   // s: str, b: bin, a: array, m: map, e: ext
        bool compat;
        size_t n;
        const char *head;
        size_t head_len;
    } cases[] = {
        { 's', false, 0, "\xa0", 1 }, { 's', false, 31, "\xbf", 1 }, { 's', false, 32, "\xd9\x20", 2 },
        { 's', false, 255, "\xd9\xff", 2 }, { 's', false, 256, "\xda\x01\x00", 3 },
        { 's', false, 65536, "\xdb\x00\x01\x00\x00", 5 },
        { 's', true, 31, "\xbf", 1 }, { 's', true, 32, "\xda\x00\x20", 3 },  // no str8 in compat
        { 'b', false, 0, "\xc4\x00", 2 }, { 'b', false, 255, "\xc4\xff", 2 },
        { 'b', false, 256, "\xc5\x01\x00", 3 }, { 'b', false, 65536, "\xc6\x00\x01\x00\x00", 5 },
        { 'b', true, 3, "\xa3", 1 }, { 'b', true, 40, "\xda\x00\x28", 3 },  // bytes as raw
        { 'a', false, 15, "\x9f", 1 }, { 'a', false, 16, "\xdc\x00\x10", 3 },
        { 'a', false, 65536, "\xdd\x00\x01\x00\x00", 5 },
        { 'm', false, 15, "\x8f", 1 }, { 'm', false, 16, "\xde\x00\x10", 3 },
        { 'e', false, 1, "\xd4\x05", 2 }, { 'e', false, 2, "\xd5\x05", 2 }, { 'e', false, 3, "\xc7\x03\x05", 3 },
        { 'e', false, 4, "\xd6\x05", 2 }, { 'e', false, 8, "\xd7\x05", 2 }, { 'e', false, 16, "\xd8\x05", 2 },
        { 'e', false, 0, "\xc7\x00\x05", 3 }, { 'e', false, 17, "\xc7\x11\x05", 3 },
        { 'e', false, 256, "\xc8\x01\x00\x05", 4 }, { 'e', false, 65536, "\xc9\x00\x01\x00\x00\x05", 6 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mpk_writer_t w;
        mpk_writer_init(&w, out_store, sizeof out_store, NULL, NULL);
        mpk_writer_set_compat(&w, cases[i].compat);
        switch (cases[i].kind) {
            case 's': mpk_write_str_header(&w, cases[i].n); break;
            case 'b': mpk_write_bin_header(&w, cases[i].n); break;
            case 'a': mpk_write_array_header(&w, cases[i].n); break;
            case 'm': mpk_write_map_header(&w, cases[i].n); break;
            default: mpk_write_ext_header(&w, 5, cases[i].n); break;
        }
        CHECKF(w.status == MPK_OK && w.pos == cases[i].head_len
            && memcmp(out_store, cases[i].head, w.pos) == 0, "case %u", (unsigned)i);
    }
    #if SIZE_MAX > 0xffffffffu
    mpk_writer_t w;
    mpk_writer_init(&w, out_store, sizeof out_store, NULL, NULL);
    mpk_write_array_header(&w, (size_t)1 << 32);
    CHECK(w.status == MPK_ERR_RANGE);
    mpk_write_nil(&w);  // sticky: nothing more is written
    CHECK_EQ(w.pos, 0);
    #else
    printf("  (sizes over 4 GiB cannot be expressed with a 32-bit size_t: not tested here)\n");
    #endif
}

static void test_writer_failures(void) {
    // A fixed buffer without a flush callback runs out cleanly.
    uint8_t small[8];
    mpk_writer_t w;
    mpk_writer_init(&w, small, sizeof small, NULL, NULL);
    mpk_write_str(&w, "0123456789", 10);
    CHECK(w.status == MPK_ERR_MEMORY);
    mpk_write_nil(&w);
    CHECK(w.pos <= sizeof small);
    // A streaming buffer below the minimum is refused up front.
    mpk_writer_init(&w, small, sizeof small, stream_flush, NULL);
    CHECK(w.status == MPK_ERR_ARG);
    // A sink that fails at the n-th flush, for every n: the first error
    // sticks, nothing is written after it, nothing is written twice.
    static const uint8_t blob[200] = { 1, 2, 3 };
    for (long n = 1; n <= 40; n++) {
        uint8_t buf[MPK_WRITER_MIN_BUFFER];
        stream_sink_t sink = { 0, 0, n };
        mpk_writer_init(&w, buf, sizeof buf, stream_flush, &sink);
        for (int k = 0; k < 10; k++) {
            mpk_write_array_header(&w, 3);
            mpk_write_int(&w, -1000000 * k);
            mpk_write_bin(&w, blob, sizeof blob / (size_t)(k + 1));
            mpk_write_str(&w, "hello", 5);
        }
        mpk_status_t st = mpk_writer_finish(&w);
        if (n <= sink.flushes) {
            CHECKF(st == MPK_ERR_IO && sink.flushes == n, "fail at %ld: %s", n, mpk_status_str(st));
        } else {
            CHECK(st == MPK_OK);
        }
    }
}

static void test_timestamps(void) {
    static const struct {
        int64_t sec;
        uint32_t nsec;
        size_t len;
    } ts[] = {
        { 0, 0, 4 }, { 0xffffffffLL, 0, 4 }, { 0x100000000LL, 0, 8 }, { 1, 1, 8 },
        { 0x3ffffffffLL, MPK_NSEC_MAX, 8 }, { 0x400000000LL, 0, 12 }, { -1, 0, 12 },
        { INT64_MIN, MPK_NSEC_MAX, 12 }, { INT64_MAX, 0, 12 },
    };
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        uint8_t data[12];
        int64_t sec;
        uint32_t nsec;
        size_t n = mpk_timestamp_encode(ts[i].sec, ts[i].nsec, data);
        CHECKF(n == ts[i].len, "case %u: %u bytes", (unsigned)i, (unsigned)n);
        CHECK(mpk_timestamp_decode(data, n, &sec, &nsec) == MPK_OK);
        CHECK(sec == ts[i].sec && nsec == ts[i].nsec);
    }
    uint8_t data[12];
    int64_t sec;
    uint32_t nsec;
    CHECK_EQ(mpk_timestamp_encode(0, MPK_NSEC_MAX + 1, data), 0);
    CHECK(mpk_timestamp_decode(data, 5, &sec, &nsec) == MPK_ERR_TIMESTAMP);
    CHECK(mpk_timestamp_decode(data, 0, &sec, &nsec) == MPK_ERR_TIMESTAMP);
    memset(data, 0xff, sizeof data);  // nanoseconds 0xffffffff / 2^30-1
    CHECK(mpk_timestamp_decode(data, 12, &sec, &nsec) == MPK_ERR_RANGE);
    CHECK(mpk_timestamp_decode(data, 8, &sec, &nsec) == MPK_ERR_RANGE);
    mpk_writer_t w;
    mpk_writer_init(&w, out_store, sizeof out_store, NULL, NULL);
    mpk_write_timestamp(&w, 1, 1000000000u);
    CHECK(w.status == MPK_ERR_RANGE);
}

static void test_utf8(void) {
    static const struct {
        const char *s;
        size_t n;
        bool ok;
    } cases[] = {
        { "", 0, true }, { "plain ascii, long enough for the fast path", 42, true },
        { "\xc3\xa9", 2, true }, { "\xe2\x82\xac", 3, true }, { "\xf0\x9f\x8d\xba", 4, true },
        { "\xf4\x8f\xbf\xbf", 4, true }, { "\xed\x9f\xbf", 3, true }, { "\xee\x80\x80", 3, true },
        { "\x80", 1, false }, { "\xbf", 1, false }, { "\xc0\x80", 2, false }, { "\xc1\xbf", 2, false },
        { "\xe0\x80\x80", 3, false }, { "\xe0\x9f\xbf", 3, false }, { "\xed\xa0\x80", 3, false },
        { "\xed\xbf\xbf", 3, false }, { "\xf0\x80\x80\x80", 4, false }, { "\xf0\x8f\xbf\xbf", 4, false },
        { "\xf4\x90\x80\x80", 4, false }, { "\xf5\x80\x80\x80", 4, false }, { "\xff", 1, false },
        { "\xc3", 1, false }, { "\xe2\x82", 2, false }, { "\xf0\x9f\x8d", 3, false },
        { "\xe2\x28\xa1", 3, false }, { "abcdefg\xc3", 8, false }, { "abcdefgh\x80", 9, false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECKF(mpk_utf8_valid((const uint8_t *)cases[i].s, cases[i].n) == cases[i].ok, "case %u",
            (unsigned)i);
    }
}

// ---------------------------------------------------------------------------
// Random round trips: trees written and read back bit for bit, whole and in
// random pieces.

static tv_t *random_tree(tv_ctx_t *c, uint32_t *seed, int depth) {
    tv_t *t = calloc(1, sizeof *t);
    uint32_t r = mpx_test_rand(seed);
    int kind = depth >= 3 ? (int)(r % 8) : (int)(r % 11);
    static const uint8_t payload[300] = "0123456789abcdef payload \xc3\xa9";
    (void)c;
    switch (kind) {
        case 0: t->kind = TV_NIL; break;
        case 1: t->kind = TV_BOOL; t->v.b = (r >> 8) & 1; break;
        case 2:
            t->kind = TV_UINT;
            t->v.u = ((uint64_t)mpx_test_rand(seed) << 32 | mpx_test_rand(seed)) >> (r % 64);
            break;
        case 3:
            t->kind = TV_INT;
            t->v.i = -1 - (int64_t)(((uint64_t)mpx_test_rand(seed) << 31) >> (r % 63));
            break;
        case 4: {
            t->kind = TV_FLOAT;
            t->is_f32 = (r >> 9) & 1;
            uint64_t bits = (uint64_t)mpx_test_rand(seed) << 32 | mpx_test_rand(seed);
            if (t->is_f32) {
                float f;
                uint32_t b32 = (uint32_t)bits;
                memcpy(&f, &b32, 4);
                t->v.f = (double)f;
                if (t->v.f != t->v.f) {
                    t->v.f = 1.5;  // a float NaN widened to double loses its payload
                }
            } else {
                memcpy(&t->v.f, &bits, 8);
            }
            break;
        }
        case 5:
        case 6:
        case 7:
            t->kind = kind == 5 ? TV_STR : kind == 6 ? TV_BIN : TV_EXT;
            t->n = mpx_test_rand(seed) % ((r >> 12) % 2 ? 300 : 20);
            t->data = payload;
            t->ext_type = (int8_t)(r >> 16);
            break;
        default: {
            bool map = kind == 10;
            t->kind = map ? TV_MAP : TV_ARRAY;
            t->n = mpx_test_rand(seed) % (depth == 0 && (r >> 12) % 4 == 0 ? 20 : 6);
            uint32_t slots = t->n * (map ? 2u : 1u);
            t->items = calloc(slots ? slots : 1, sizeof(tv_t *));
            for (uint32_t i = 0; i < slots; i++) {
                t->items[i] = random_tree(c, seed, depth + 1);
            }
            break;
        }
    }
    return t;
}

static void free_tree(tv_t *t) {
    if (t->kind == TV_ARRAY || t->kind == TV_MAP) {
        uint32_t slots = t->n * (t->kind == TV_MAP ? 2u : 1u);
        for (uint32_t i = 0; i < slots; i++) {
            free_tree(t->items[i]);
        }
        free(t->items);
    }
    free(t);
}

static void test_random_roundtrip(void) {
    uint32_t seed = 12345;
    static uint8_t encoded[1 << 17];
    for (int i = 0; i < 300; i++) {
        tv_ctx_t c;
        tv_ctx_init(&c, arena, sizeof arena);
        tv_t *t = random_tree(&c, &seed, 0);
        size_t n = encode_tree(t);
        CHECK(n != (size_t)-1 && n <= sizeof encoded);
        if (n == (size_t)-1 || n > sizeof encoded) {
            free_tree(t);
            continue;
        }
        memcpy(encoded, out_store, n);
        tv_t *got;
        size_t used;
        mpk_status_t st = tv_decode(&c, encoded, n, &got, &used);
        CHECKF(st == MPK_OK && used == n && tv_equal(t, got, false), "tree %d: %s", i, mpk_status_str(st));
        tv_release(&c, got);
        tv_ctx_init(&c, arena, sizeof arena);
        st = decode_chunked(&c, encoded, n, 0, seed, &got);
        CHECKF(st == MPK_OK && tv_equal(t, got, false), "tree %d chunked: %s", i, mpk_status_str(st));
        tv_release(&c, got);
        CHECK_EQ(c.live, 0);
        free_tree(t);
    }
}

// Two objects back to back: the decoder stops after the first.
static void test_one_object_per_feed(void) {
    static const uint8_t two[] = { 0x92, 0x01, 0x02, 0xa1, 'x' };
    tv_ctx_t c;
    mpk_limits_t limits;
    mpk_decoder_t d;
    mpk_obj_t obj = NULL;
    size_t used;
    tv_ctx_init(&c, arena, sizeof arena);
    mpk_limits_default(&limits);
    mpk_decoder_init(&d, &tv_visitor, &c, &limits, c.frames, 4);
    CHECK(mpk_decoder_feed(&d, two, sizeof two, false, &used, &obj) == MPK_OK);
    CHECK_EQ(used, 3);
    CHECK(((tv_t *)obj)->kind == TV_ARRAY);
    tv_release(&c, obj);
    CHECK(mpk_decoder_feed(&d, two + used, sizeof two - used, true, &used, &obj) == MPK_OK);
    CHECK_EQ(used, 2);
    CHECK(((tv_t *)obj)->kind == TV_STR);
    tv_release(&c, obj);
    CHECK_EQ(c.live, 0);
    // A decoder with an error stays failed until reset.
    CHECK(mpk_decoder_feed(&d, (const uint8_t *)"\xc1", 1, true, &used, &obj) == MPK_ERR_INVALID);
    CHECK(mpk_decoder_feed(&d, two, sizeof two, true, &used, &obj) == MPK_ERR_INVALID);
    mpk_decoder_reset(&d);
    CHECK(mpk_decoder_feed(&d, two, 3, true, &used, &obj) == MPK_OK);
    tv_release(&c, obj);
    CHECK(mpk_status_exc(MPK_ERR_INVALID) == MPK_EXC_FORMAT);
    CHECK(mpk_status_exc(MPK_ERR_DEPTH) == MPK_EXC_STACK);
    CHECK(mpk_status_exc(MPK_NEED_MORE) == MPK_EXC_OUT_OF_DATA);  // the data ended
    CHECK(strcmp(mpk_status_str(MPK_ERR_DEPTH), "nesting too deep") == 0);
}

// The decoder tells the visitor which scalars are map keys (bindings cache
// and intern keys): keys at any depth, never values or array elements.
static void test_map_key_flag(void) {
    // {"a": "b", "c": {"d": [1, "e"]}, 7: nil}
    static const uint8_t data[] = "\x83\xa1" "a" "\xa1" "b" "\xa1" "c" "\x81\xa1" "d" "\x92\x01\xa1" "e" "\x07\xc0";
    tv_ctx_t c;
    tv_t *t;
    size_t used;
    tv_ctx_init(&c, arena, sizeof arena);
    CHECK(tv_decode(&c, data, sizeof data - 1, &t, &used) == MPK_OK);
    CHECK(t->items[0]->map_key && !t->items[1]->map_key);   // "a": "b"
    CHECK(t->items[2]->map_key);                            // "c"
    tv_t *inner = t->items[3];
    CHECK(!inner->map_key && inner->items[0]->map_key);     // {"d": ...}
    tv_t *arr = inner->items[1];
    CHECK(!arr->items[0]->map_key && !arr->items[1]->map_key);
    CHECK(t->items[4]->map_key && !t->items[5]->map_key);   // 7: nil
    tv_release(&c, t);
}

// The skip callbacks check a whole object and build nothing.
static void test_skip_visitor(void) {
    static const mpk_visitor_t skip = {
        mpk_skip_scalar, mpk_skip_begin, mpk_skip_item, mpk_skip_pair, mpk_skip_end, NULL, NULL,
    };
    static const uint8_t two[] = "\x82\xa1" "a" "\x92\x01\xc0\xa1" "b" "\xc4\x02xy" "\x07";
    mpk_frame_t frames[4];
    mpk_limits_t limits;
    mpk_decoder_t d;
    mpk_obj_t obj = (mpk_obj_t)1;
    size_t used;
    mpk_limits_default(&limits);
    mpk_decoder_init(&d, &skip, NULL, &limits, frames, 4);
    CHECK(mpk_decoder_feed(&d, two, sizeof two - 1, false, &used, &obj) == MPK_OK);
    CHECK_EQ(used, sizeof two - 2);  // the map, not the 0x07 after it
    CHECK(obj == NULL);
    CHECK(mpk_decoder_feed(&d, (const uint8_t *)"\x92\x01\xc1", 3, true, &used, &obj) == MPK_ERR_INVALID);
    mpk_decoder_reset(&d);
    limits.max_bin = 1;
    mpk_decoder_init(&d, &skip, NULL, &limits, frames, 4);
    CHECK(mpk_decoder_feed(&d, two, sizeof two - 1, true, &used, &obj) == MPK_ERR_LIMIT);
}

// ---------------------------------------------------------------------------
// Input buffer

static uint8_t inbuf_store[4096];
static long inbuf_reallocs;

static uint8_t *inbuf_realloc(void *ctx, uint8_t *old, size_t old_cap, size_t new_cap) {
    (void)old_cap;
    if (ctx != NULL || new_cap > sizeof inbuf_store) {
        return NULL;  // ctx set: simulate an allocation failure
    }
    // One static block stands for every allocation; keep the contents.
    if (old != NULL && old != inbuf_store) {
        return NULL;
    }
    inbuf_reallocs++;
    return inbuf_store;
}

static void test_inbuf(void) {
    mpk_inbuf_t b;
    mpk_inbuf_init(&b, 1000);
    CHECK(mpk_inbuf_append(&b, "abc", 3, inbuf_realloc, NULL) == MPK_OK);
    CHECK_EQ(b.cap, 64);  // the smallest block
    CHECK_EQ(mpk_inbuf_pending(&b), 3);
    b.head = 3;                      // the decoder took them
    // Growing past the block drops consumed bytes first and keeps the rest.
    static uint8_t big[900];
    memset(big, 'x', sizeof big);
    CHECK(mpk_inbuf_append(&b, "de", 2, inbuf_realloc, NULL) == MPK_OK);
    b.head = 4;                      // "d" taken, "e" not yet
    CHECK(mpk_inbuf_append(&b, big, sizeof big, inbuf_realloc, NULL) == MPK_OK);
    CHECK_EQ(b.head, 0);
    CHECK_EQ(b.tail, 1 + sizeof big);
    CHECK(b.data[0] == 'e' && b.data[1] == 'x');
    CHECK(b.cap >= b.tail && b.cap <= b.max);
    // max_buffer_size: the bytes not yet decoded plus the new ones may not pass it.
    CHECK(mpk_inbuf_append(&b, big, 100, inbuf_realloc, NULL) == MPK_ERR_FULL);
    CHECK_EQ(b.tail, 1 + sizeof big);  // nothing lost, nothing added
    b.head = 101;                      // 100 decoded: room for 100 again
    CHECK(mpk_inbuf_append(&b, big, 100, inbuf_realloc, NULL) == MPK_OK);
    CHECK_EQ(mpk_inbuf_pending(&b), 900);
    // A failed allocation is reported, not hidden.
    mpk_inbuf_t c;
    mpk_inbuf_init(&c, 1000);
    CHECK(mpk_inbuf_append(&c, "a", 1, inbuf_realloc, &c) == MPK_ERR_MEMORY);
    CHECK(c.data == NULL && c.tail == 0);
}

// ---------------------------------------------------------------------------
// Streaming unpacker

// The stream: a byte string handed out at most `piece` bytes per fill, with
// failures on cue. One unpacker at a time owns un_store.
typedef struct source {
    const uint8_t *data;
    size_t len, pos;
    size_t piece;          // most bytes per fill (0: as many as asked)
    long fills;
    long fail_at;          // this fill (1-based) returns MPK_ERR_IO; 0: never
    long again_at;         // this fill reports "nothing now"
    long jump_at;          // this fill leaves by longjmp
    jmp_buf *jump;
    mpk_unpacker_t *reenter;  // call the unpacker from inside the fill
    mpk_status_t reenter_status[3];
} source_t;

static uint8_t un_store[8192];

static uint8_t *un_realloc(void *ctx, uint8_t *old, size_t old_cap, size_t new_cap) {
    (void)ctx;
    (void)old_cap;
    if (new_cap > sizeof un_store || (old != NULL && old != un_store)) {
        return NULL;
    }
    return un_store;
}

static mpk_status_t source_fill(mpk_unpacker_t *u, size_t n, size_t *got) {
    source_t *src = u->io_ctx;
    src->fills++;
    if (src->fills == src->fail_at) {
        return MPK_ERR_IO;
    }
    if (src->fills == src->again_at) {
        return MPK_NEED_MORE;
    }
    if (src->fills == src->jump_at) {
        longjmp(*src->jump, 1);
    }
    if (src->reenter != NULL) {
        mpk_obj_t obj;
        uint32_t count;
        src->reenter_status[0] = mpk_unpacker_next(src->reenter, false, &obj);
        src->reenter_status[1] = mpk_unpacker_feed(src->reenter, "\x01", 1);
        src->reenter_status[2] = mpk_unpacker_read_header(src->reenter, MPK_T_ARRAY, &count);
    }
    size_t k = src->len - src->pos;
    k = k < n ? k : n;
    if (src->piece != 0 && k > src->piece) {
        k = src->piece;
    }
    mpk_status_t st = mpk_unpacker_append(u, src->data + src->pos, k);
    if (st == MPK_OK) {
        src->pos += k;
        *got = k;
    }
    return st;
}

static const mpk_visitor_t tv_skip_visitor = {
    mpk_skip_scalar, mpk_skip_begin, mpk_skip_item, mpk_skip_pair, mpk_skip_end, NULL, NULL,
};

static void un_start(mpk_unpacker_t *u, tv_ctx_t *c, const mpk_limits_t *limits, source_t *src) {
    tv_ctx_init(c, arena, sizeof arena);
    mpk_unpacker_init(u, &tv_visitor, &tv_skip_visitor, c, limits, c->frames,
        sizeof c->frames / sizeof c->frames[0], sizeof un_store, un_realloc, src);
}

// [1, "ab"], {"k": nil}, 7
static const uint8_t three[] = "\x92\x01\xa2" "ab" "\x81\xa1" "k" "\xc0" "\x07";
#define THREE_LEN (sizeof three - 1)

// Every piece size and read size: the same three objects, tell() after each
// one, then the end (and the stream forgotten).
static void test_unpacker_stream(void) {
    static const size_t ends[] = { 5, 9, 10 };
    mpk_limits_t limits;
    mpk_limits_default(&limits);
    for (size_t piece = 0; piece <= THREE_LEN; piece++) {
        for (size_t read_size = 1; read_size <= 4; read_size++) {
            mpk_unpacker_t u;
            tv_ctx_t c;
            source_t src = { three, THREE_LEN, 0, piece, 0, 0, 0, 0, NULL, NULL, { MPK_OK, MPK_OK, MPK_OK } };
            un_start(&u, &c, &limits, &src);
            mpk_unpacker_set_stream(&u, source_fill, read_size, 4096, false);
            for (size_t i = 0; i < 3; i++) {
                mpk_obj_t obj;
                mpk_status_t st = mpk_unpacker_next(&u, false, &obj);
                CHECKF(st == MPK_OK, "piece %u read %u object %u: %s", (unsigned)piece,
                    (unsigned)read_size, (unsigned)i, mpk_status_str(st));
                if (st != MPK_OK) {
                    break;
                }
                CHECK_EQ(mpk_unpacker_tell(&u), ends[i]);
                tv_release(&c, obj);
            }
            mpk_obj_t obj;
            CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_NEED_MORE);
            CHECK(u.fill == NULL);
            CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_NEED_MORE);
            CHECK_EQ(c.live, 0);
        }
    }
}

// Exact mode reads only what the object needs; the end of the stream and a
// stream with nothing now are errors of their own.
static void test_unpacker_exact(void) {
    mpk_limits_t limits;
    mpk_limits_default(&limits);
    mpk_unpacker_t u;
    tv_ctx_t c;
    source_t src = { three, THREE_LEN, 0, 0, 0, 0, 0, 0, NULL, NULL, { MPK_OK, MPK_OK, MPK_OK } };
    un_start(&u, &c, &limits, &src);
    mpk_unpacker_set_stream(&u, source_fill, 4096, 4096, true);
    mpk_obj_t obj;
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_OK);
    CHECK_EQ(src.pos, 5);  // nothing of the next object was taken
    tv_release(&c, obj);
    static const mpk_status_t cut_status[] = { MPK_ERR_EOF, MPK_ERR_EOF_INSIDE, MPK_ERR_EOF_INSIDE };
    for (size_t cut = 0; cut < 3; cut++) {
        source_t s2 = { three, cut, 0, 0, 0, 0, 0, 0, NULL, NULL, { MPK_OK, MPK_OK, MPK_OK } };
        un_start(&u, &c, &limits, &s2);
        mpk_unpacker_set_stream(&u, source_fill, 4096, 4096, true);
        CHECK(mpk_unpacker_next(&u, false, &obj) == cut_status[cut]);
        mpk_unpacker_drop(&u);
        CHECK_EQ(c.live, 0);
    }
    source_t s3 = { three, THREE_LEN, 0, 0, 0, 0, 2, 0, NULL, NULL, { MPK_OK, MPK_OK, MPK_OK } };
    un_start(&u, &c, &limits, &s3);
    mpk_unpacker_set_stream(&u, source_fill, 4096, 4096, true);
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_ERR_AGAIN);
    mpk_unpacker_drop(&u);
    CHECK_EQ(c.live, 0);
}

// After bad data, a limit or a failed callback the object in progress is
// dropped and decoding goes on from the last byte of the token that failed,
// as msgpack-python 1.2.1's C extension does; tell() counts what was taken.
static void test_unpacker_after_errors(void) {
    mpk_limits_t limits;
    mpk_limits_default(&limits);
    limits.max_str = 1;
    mpk_unpacker_t u;
    tv_ctx_t c;
    mpk_obj_t obj;
    un_start(&u, &c, &limits, NULL);
    CHECK(mpk_unpacker_feed(&u, three, THREE_LEN) == MPK_OK);
    // [1, "ab"]: "ab" is over the limit; its last byte ('b') is next.
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_ERR_LIMIT);
    CHECK_EQ(mpk_unpacker_tell(&u), 4);
    CHECK_EQ(c.live, 0);
    mpk_error_t e;
    mpk_error_get(&e, MPK_ERR_LIMIT, &u.dec);  // the details survive the drop
    CHECK(e.kind == MPK_EXC_VALUE && e.a == 2 && e.b == 1 && strcmp(e.name, "str") == 0);
    CHECK(strcmp(e.fmt, "%u exceeds max_%s_len(%u)") == 0);
    CHECK(mpk_unpacker_next(&u, true, &obj) == MPK_OK && obj == NULL);  // skips 'b'
    CHECK_EQ(mpk_unpacker_tell(&u), 5);
    // {"k": nil}: the visitor fails on "k" (its second callback).
    c.fail_at = 2;
    c.calls = 0;
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_ERR_CALLBACK);
    CHECK_EQ(mpk_unpacker_tell(&u), 7);
    CHECK_EQ(c.live, 0);
    c.fail_at = 0;
    static const uint64_t rest[] = { 'k', 7 };
    for (size_t i = 0; i < 3; i++) {
        CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_OK);
        if (i == 1) {
            CHECK(((tv_t *)obj)->kind == TV_NIL);
        } else {
            CHECK(((tv_t *)obj)->kind == TV_UINT && ((tv_t *)obj)->v.u == rest[i / 2]);
        }
        tv_release(&c, obj);
    }
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_NEED_MORE);
    // 0xc1 in the middle of an array: it stays, the same error each time.
    CHECK(mpk_unpacker_feed(&u, "\x92\x01\xc1\x05", 4) == MPK_OK);
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_ERR_INVALID);
    CHECK_EQ(mpk_unpacker_tell(&u), 12);
    CHECK(mpk_unpacker_next(&u, true, &obj) == MPK_ERR_INVALID);
    CHECK_EQ(c.live, 0);
    size_t got;
    uint8_t raw[1];
    CHECK(mpk_unpacker_read_bytes(&u, raw, 1, &got) == MPK_OK && got == 1 && raw[0] == 0xc1);
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_OK && ((tv_t *)obj)->v.u == 5);
    tv_release(&c, obj);
    // A str over the limit whose payload is still on its way: what has come
    // is dropped now, the rest as it comes, all but its last byte ('d').
    CHECK(mpk_unpacker_feed(&u, "\xa4" "ab", 3) == MPK_OK);
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_ERR_LIMIT);
    CHECK_EQ(mpk_unpacker_tell(&u), 17);
    CHECK_EQ(u.discard, 1);
    uint32_t count;
    CHECK(mpk_unpacker_read_header(&u, MPK_T_ARRAY, &count) == MPK_NEED_MORE);
    CHECK(mpk_unpacker_feed(&u, "cd\x90", 3) == MPK_OK);
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_OK && ((tv_t *)obj)->v.u == 'd');
    tv_release(&c, obj);
    CHECK(mpk_unpacker_read_header(&u, MPK_T_ARRAY, &count) == MPK_OK && count == 0);
    CHECK_EQ(mpk_unpacker_tell(&u), 20);
    // Too deep: the header one level too many is next.
    limits.max_depth = 2;
    un_start(&u, &c, &limits, NULL);
    CHECK(mpk_unpacker_feed(&u, "\x91\x91\xdc\x00\x01\x07", 6) == MPK_OK);
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_ERR_DEPTH);
    CHECK_EQ(mpk_unpacker_tell(&u), 4);
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_OK && ((tv_t *)obj)->v.u == 1);
    tv_release(&c, obj);
    CHECK_EQ(c.live, 0);
}

// Half-done objects: read_header and read_bytes refuse; a skip left half
// done is finished by the next unpack, and an unpack by the next skip.
static void test_unpacker_partial(void) {
    mpk_limits_t limits;
    mpk_limits_default(&limits);
    mpk_unpacker_t u;
    tv_ctx_t c;
    mpk_obj_t obj;
    uint32_t count;
    size_t got;
    uint8_t raw[4];
    un_start(&u, &c, &limits, NULL);
    CHECK(mpk_unpacker_feed(&u, "\x92\x01", 2) == MPK_OK);
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_NEED_MORE);
    CHECK(mpk_unpacker_read_header(&u, MPK_T_ARRAY, &count) == MPK_ERR_PARTIAL);
    CHECK(mpk_unpacker_read_bytes(&u, raw, 1, &got) == MPK_ERR_PARTIAL);
    CHECK(mpk_unpacker_next(&u, true, &obj) == MPK_NEED_MORE);
    CHECK(mpk_unpacker_feed(&u, "\x02\x92\x03", 3) == MPK_OK);
    CHECK(mpk_unpacker_next(&u, true, &obj) == MPK_OK && obj == NULL);  // the unpack, dropped
    CHECK_EQ(c.live, 0);
    CHECK(mpk_unpacker_next(&u, true, &obj) == MPK_NEED_MORE);         // a skip, half done
    CHECK(mpk_unpacker_feed(&u, "\x04\x05", 2) == MPK_OK);
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_OK);                // finishes it, then 5
    CHECK(((tv_t *)obj)->kind == TV_UINT && ((tv_t *)obj)->v.u == 5);
    tv_release(&c, obj);
    // Headers: the count, a wrong type consumes nothing, raw bytes.
    CHECK(mpk_unpacker_feed(&u, "\xdc\x01\x00\xa1" "x", 5) == MPK_OK);
    CHECK(mpk_unpacker_read_header(&u, MPK_T_MAP, &count) == MPK_ERR_WRONG_TYPE);
    CHECK(mpk_unpacker_read_header(&u, MPK_T_ARRAY, &count) == MPK_OK && count == 256);
    CHECK(mpk_unpacker_read_header(&u, MPK_T_ARRAY, &count) == MPK_ERR_WRONG_TYPE);
    CHECK(mpk_unpacker_read_bytes(&u, raw, 4, &got) == MPK_OK && got == 2);
    CHECK(memcmp(raw, "\xa1x", 2) == 0);
    CHECK(mpk_unpacker_read_header(&u, MPK_T_ARRAY, &count) == MPK_NEED_MORE);
    CHECK_EQ(mpk_unpacker_tell(&u), 12);
    CHECK(mpk_unpacker_feed(&u, "\xc1", 1) == MPK_OK);
    CHECK(mpk_unpacker_read_header(&u, MPK_T_ARRAY, &count) == MPK_ERR_INVALID);
    CHECK_EQ(c.live, 0);
}

// Fills that fail on cue (every n), callbacks that re-enter, a full
// buffer: each a clean status, and the data continues afterwards.
static void test_unpacker_fill_failures(void) {
    mpk_limits_t limits;
    mpk_limits_default(&limits);
    for (long n = 1; n <= 12; n++) {
        mpk_unpacker_t u;
        tv_ctx_t c;
        source_t src = { three, THREE_LEN, 0, 1, 0, n, 0, 0, NULL, NULL, { MPK_OK, MPK_OK, MPK_OK } };
        un_start(&u, &c, &limits, &src);
        mpk_unpacker_set_stream(&u, source_fill, 4096, 4096, false);
        int done = 0, failures = 0;
        for (int guard = 0; guard < 20 && done < 3; guard++) {
            mpk_obj_t obj;
            mpk_status_t st = mpk_unpacker_next(&u, false, &obj);
            if (st == MPK_OK) {
                tv_release(&c, obj);
                done++;
            } else {
                CHECKF(st == MPK_ERR_IO, "fill %ld: %s", n, mpk_status_str(st));
                failures++;
            }
        }
        CHECK(done == 3 && failures == (n <= (long)THREE_LEN ? 1 : 0));
        CHECK_EQ(mpk_unpacker_tell(&u), THREE_LEN);
        CHECK_EQ(c.live, 0);
    }
    // Re-entry from the fill: refused, nothing changed.
    mpk_unpacker_t u;
    tv_ctx_t c;
    mpk_obj_t obj;
    source_t src = { three, THREE_LEN, 0, 0, 0, 0, 0, 0, NULL, &u, { MPK_OK, MPK_OK, MPK_OK } };
    un_start(&u, &c, &limits, &src);
    mpk_unpacker_set_stream(&u, source_fill, 4096, 4096, false);
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_OK);
    tv_release(&c, obj);
    for (int i = 0; i < 3; i++) {
        CHECK(src.reenter_status[i] == MPK_ERR_BUSY);
    }
    CHECK(!mpk_unpacker_busy(&u));
    // max_buffer bounds the bytes not yet decoded: a feed, and a token
    // longer than max_buffer that a read cannot complete.
    static const uint8_t long_str[] = "\x92\x01\xa4" "abcd";
    un_start(&u, &c, &limits, NULL);
    u.buf.max = 4;
    CHECK(mpk_unpacker_feed(&u, long_str, 5) == MPK_ERR_FULL);
    CHECK(mpk_unpacker_feed(&u, long_str, 4) == MPK_OK);
    source_t s2 = { long_str + 4, 3, 0, 0, 0, 0, 0, 0, NULL, NULL, { MPK_OK, MPK_OK, MPK_OK } };
    u.io_ctx = &s2;
    mpk_unpacker_set_stream(&u, source_fill, 0, 4096, false);
    CHECK_EQ(u.read_size, 4);  // the default is bounded by max_buffer
    CHECK(mpk_unpacker_next(&u, false, &obj) == MPK_ERR_FULL);
    CHECK_EQ(mpk_inbuf_pending(&u.buf), 4);  // a4 a b c: 5 needed, 4 allowed
    CHECK_EQ(c.live, 1);  // the array begun is kept (a fill error is not bad data)
    mpk_unpacker_drop(&u);
    CHECK_EQ(c.live, 0);
}

// Callbacks that leave by longjmp: mpk_unpacker_unwind makes the unpacker
// usable again; a fill's jump keeps the partial object, a visitor's drops it.
static jmp_buf jump;
static long scalar_jumps;

static mpk_status_t jumping_scalar(void *ctx, const mpk_token_t *t, mpk_obj_t *out) {
    if (t->type == MPK_T_STR && scalar_jumps-- > 0) {
        longjmp(jump, 1);
    }
    return tv_visitor.scalar(ctx, t, out);
}

static void test_unpacker_longjmp(void) {
    mpk_limits_t limits;
    mpk_limits_default(&limits);
    static mpk_unpacker_t u;  // static: kept across the jumps
    static tv_ctx_t c;
    static source_t src;
    static mpk_visitor_t vis;
    mpk_obj_t obj;
    vis = tv_visitor;
    vis.scalar = jumping_scalar;
    source_t init = { three, THREE_LEN, 0, 1, 0, 0, 0, 3, &jump, NULL, { MPK_OK, MPK_OK, MPK_OK } };
    src = init;
    un_start(&u, &c, &limits, &src);
    u.vis = u.dec.vis = &vis;
    mpk_unpacker_set_stream(&u, source_fill, 4096, 4096, false);
    scalar_jumps = 1;
    int jumps = 0;
    volatile int results = 0;
    while (results < 3 && jumps < 5) {
        if (setjmp(jump) == 0) {
            mpk_status_t st = mpk_unpacker_next(&u, false, &obj);
            CHECK(st == MPK_OK);
            if (results == 0) {  // where the failed [1, "ab"] left off: its 'b'
                CHECK(((tv_t *)obj)->kind == TV_UINT && ((tv_t *)obj)->v.u == 'b');
            }
            tv_release(&c, obj);
            results++;
        } else {
            jumps++;
            CHECK(mpk_unpacker_busy(&u));
            mpk_unpacker_unwind(&u);
            CHECK(!mpk_unpacker_busy(&u));
        }
    }
    CHECK_EQ(jumps, 2);  // the fill's, then the visitor's at "ab"
    CHECK_EQ(results, 3);  // 'b' (where the failed [1, "ab"] left off), the map, 7
    CHECK_EQ(mpk_unpacker_tell(&u), THREE_LEN);
    CHECK_EQ(c.live, 0);
}

// The one table: every status has a message and an exception family.
static void test_error_table(void) {
    for (int s = MPK_OK; s <= MPK_ERR_WRONG_TYPE; s++) {
        mpk_error_t e;
        mpk_error_get(&e, (mpk_status_t)s, NULL);
        CHECKF(e.fmt != NULL && e.fmt[0] != '\0', "status %d", s);
        CHECKF(s == MPK_ERR_DEPTH || strchr(e.fmt, '%') == NULL, "status %d without details: %s", s, e.fmt);
        CHECKF((e.kind == MPK_EXC_NONE) == (s == MPK_OK), "status %d", s);
        CHECK(e.kind == mpk_status_exc((mpk_status_t)s));
    }
    mpk_error_t e;
    mpk_error_get(&e, MPK_ERR_DEPTH, NULL);
    CHECK(e.kind == MPK_EXC_STACK && e.a == MPK_DEFAULT_MAX_DEPTH);
    CHECK(strcmp(e.fmt, "nesting deeper than %u levels") == 0);
    CHECK(mpk_status_exc(MPK_ERR_FULL) == MPK_EXC_BUFFER_FULL);
    CHECK(mpk_status_exc(MPK_ERR_AGAIN) == MPK_EXC_AGAIN);
    CHECK(mpk_status_exc(MPK_ERR_EOF_INSIDE) == MPK_EXC_OUT_OF_DATA);
    CHECK(mpk_status_exc((mpk_status_t)999) == MPK_EXC_RUNTIME);
    // The limit defaults of msgpack-python.
    mpk_limits_t l;
    mpk_limits_for_size(&l, 101);
    CHECK(l.max_str == 101 && l.max_bin == 101 && l.max_ext == 101 && l.max_array == 101);
    CHECK(l.max_map == 50 && l.max_depth == MPK_DEFAULT_MAX_DEPTH);
    mpk_limits_set(&l, MPK_LIMIT_MAP, -1);
    CHECK(l.max_map == 50);
    mpk_limits_set(&l, MPK_LIMIT_MAP, 0);
    CHECK(l.max_map == 0);
    mpk_limits_set(&l, MPK_LIMIT_STR, INT64_MAX);
    CHECK(l.max_str == UINT32_MAX);
    mpk_limits_for_size(&l, SIZE_MAX);
    CHECK(l.max_array == UINT32_MAX);
    CHECK((uint64_t)l.max_map == ((uint64_t)(SIZE_MAX / 2) > UINT32_MAX ? UINT32_MAX : (uint64_t)(SIZE_MAX / 2)));
}

int main(void) {
    RUN_TEST(test_vectors_decode);
    RUN_TEST(test_vectors_decode_streaming);
    RUN_TEST(test_vectors_encode);
    RUN_TEST(test_vectors_encode_streaming);
    RUN_TEST(test_every_truncation);
    RUN_TEST(test_bad_input_table);
    RUN_TEST(test_limits);
    RUN_TEST(test_depth);
    RUN_TEST(test_visitor_fail_at_n);
    RUN_TEST(test_shortest_ints);
    RUN_TEST(test_sizes_and_compat);
    RUN_TEST(test_writer_failures);
    RUN_TEST(test_timestamps);
    RUN_TEST(test_utf8);
    RUN_TEST(test_random_roundtrip);
    RUN_TEST(test_one_object_per_feed);
    RUN_TEST(test_map_key_flag);
    RUN_TEST(test_skip_visitor);
    RUN_TEST(test_inbuf);
    RUN_TEST(test_unpacker_stream);
    RUN_TEST(test_unpacker_exact);
    RUN_TEST(test_unpacker_after_errors);
    RUN_TEST(test_unpacker_partial);
    RUN_TEST(test_unpacker_fill_failures);
    RUN_TEST(test_unpacker_longjmp);
    RUN_TEST(test_error_table);
    return mpx_test_report("test_mpk");
}
