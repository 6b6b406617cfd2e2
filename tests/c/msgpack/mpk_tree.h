// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// A generic value tree built by an mpk visitor, for tests and fuzzers.
//
// Nodes come from a fixed arena, so a hostile header cannot make the test
// allocate more than the arena holds. The visitor also keeps a count of the
// objects it owns in the decoder's sense (created and not yet attached or
// discarded), which lets tests check the decoder's ownership contract: after
// a reset, or after the result has been released, the count is zero.
#ifndef MPK_TREE_H
#define MPK_TREE_H

#include "mpk.h"

typedef enum tv_kind {
    TV_NIL = 1,
    TV_BOOL,
    TV_UINT,
    TV_INT,
    TV_FLOAT,      // float32 or float64, held as double
    TV_STR,
    TV_BIN,
    TV_EXT,
    TV_ARRAY,
    TV_MAP,
    TV_TIMESTAMP,  // expected values only; decoded trees keep ext -1
} tv_kind_t;

typedef struct tv {
    uint8_t kind;
    int8_t ext_type;
    bool is_f32;            // TV_FLOAT: read from a float32
    bool map_key;           // the decoder said it was a map key
    uint32_t n;             // payload bytes; array elements; map pairs
    uint32_t cap;           // slots in items
    union {
        bool b;
        uint64_t u;
        int64_t i;
        double f;
        struct { int64_t sec; uint32_t nsec; } ts;
    } v;
    const uint8_t *data;    // str/bin/ext payload
    struct tv **items;      // array: n; map: 2n (key, value, ...)
} tv_t;

typedef struct tv_ctx {
    uint8_t *arena;
    size_t arena_size;
    size_t arena_used;
    long live;              // objects the decoder owns right now
    long fail_at;           // fail the n-th callback (1-based); 0: never
    long calls;
    bool copy_payloads;     // copy str/bin/ext bytes into the arena
    mpk_frame_t frames[4];  // initial frames; grown in the arena
    size_t grows;
} tv_ctx_t;

extern const mpk_visitor_t tv_visitor;

void tv_ctx_init(tv_ctx_t *c, uint8_t *arena, size_t size);

// Release a finished tree (the arena is not reused; this only updates live).
void tv_release(tv_ctx_t *c, tv_t *t);

// Structural equality. With numeric, integers and floats compare by value
// and a TV_TIMESTAMP matches an ext -1 that decodes to the same instant.
bool tv_equal(const tv_t *a, const tv_t *b, bool numeric);

// Encode a tree with the writer (TV_FLOAT as float64 unless is_f32).
void tv_write(mpk_writer_t *w, const tv_t *t);

// Decode all of data[0..len) as one object (final).
mpk_status_t tv_decode(tv_ctx_t *c, const uint8_t *data, size_t len, tv_t **out, size_t *used);

#endif // MPK_TREE_H
