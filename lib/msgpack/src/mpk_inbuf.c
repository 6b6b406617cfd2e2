// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The input buffer of streaming unpackers (see mpk.h, mpk_inbuf).

#include "mpk.h"

void mpk_inbuf_init(mpk_inbuf_t *b, size_t max) {
    memset(b, 0, sizeof *b);
    b->max = max;
}

mpk_status_t mpk_inbuf_reserve(mpk_inbuf_t *b, size_t n, mpk_realloc_fn realloc_fn, void *ctx) {
    if (b->cap - b->tail >= n) {
        return MPK_OK;
    }
    size_t keep = b->tail - b->start;
    if (n > b->max || keep > b->max - n) {
        return MPK_ERR_LIMIT;
    }
    if (b->start > 0) {
        memmove(b->data, b->data + b->start, keep);
        b->head -= b->start;
        b->tail = keep;
        b->start = 0;
        if (b->cap - b->tail >= n) {
            return MPK_OK;
        }
    }
    size_t want = keep + n;
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < want) {
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    }
    if (cap > b->max) {
        cap = b->max;
    }
    uint8_t *data = realloc_fn(ctx, b->data, b->cap, cap);
    if (data == NULL) {
        return MPK_ERR_MEMORY;
    }
    b->data = data;
    b->cap = cap;
    return MPK_OK;
}

mpk_status_t mpk_inbuf_append(mpk_inbuf_t *b, const void *p, size_t n, mpk_realloc_fn realloc_fn, void *ctx) {
    mpk_status_t st = mpk_inbuf_reserve(b, n, realloc_fn, ctx);
    if (st == MPK_OK && n > 0) {
        memcpy(b->data + b->tail, p, n);
        b->tail += n;
    }
    return st;
}
