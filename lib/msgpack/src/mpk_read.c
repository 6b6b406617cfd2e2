// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Tokens and the resumable decoder.

#include "mpk.h"

// The token reader and the decoder's loop live in mpk_decode_loop.h, which
// bindings may instantiate with their own visitor; this is the copy that
// calls the visitor through its function pointers.
#define MPK_DL_FN mpk_decoder_feed
#define MPK_DL_SCALAR(d, t, out) (d)->vis->scalar((d)->ctx, t, out)
#define MPK_DL_BEGIN(d, t, prealloc, out) (d)->vis->begin((d)->ctx, t, prealloc, out)
#define MPK_DL_ITEM(d, f, x) (d)->vis->item((d)->ctx, f, x)
#define MPK_DL_PAIR(d, f, key, value) (d)->vis->pair((d)->ctx, f, key, value)
#define MPK_DL_END(d, f, out) (d)->vis->end((d)->ctx, f, out)
#define MPK_DL_DISCARD(d, obj) \
    do { \
        if ((d)->vis->discard != NULL) { \
            (d)->vis->discard((d)->ctx, obj); \
        } \
    } while (0)
#include "mpk_decode_loop.h"

size_t mpk_header_size(uint8_t b) {
    if (b < 0xc0 || b >= 0xe0) {
        return 1;
    }
    size_t n = mpk__header_size_c0[b - 0xc0];
    return n ? n : 1;
}

mpk_status_t mpk_read_token(const uint8_t *p, size_t avail, mpk_token_t *t, size_t *size) {
    return mpk__read_token(p, avail, t, size);
}

void mpk_limits_default(mpk_limits_t *limits) {
    limits->max_str = UINT32_MAX;
    limits->max_bin = UINT32_MAX;
    limits->max_ext = UINT32_MAX;
    limits->max_array = UINT32_MAX;
    limits->max_map = UINT32_MAX;
    limits->max_depth = MPK_DEFAULT_MAX_DEPTH;
}

static uint32_t cap_u32(uint64_t v) {
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

void mpk_limits_for_size(mpk_limits_t *limits, size_t size) {
    uint32_t n = cap_u32((uint64_t)size);
    limits->max_str = n;
    limits->max_bin = n;
    limits->max_ext = n;
    limits->max_array = n;
    limits->max_map = cap_u32((uint64_t)(size / 2));
    limits->max_depth = MPK_DEFAULT_MAX_DEPTH;
}

void mpk_limits_set(mpk_limits_t *limits, mpk_limit_kind_t which, int64_t value) {
    if (value < 0) {
        return;
    }
    uint32_t v = cap_u32((uint64_t)value);
    switch (which) {
        case MPK_LIMIT_STR: limits->max_str = v; break;
        case MPK_LIMIT_BIN: limits->max_bin = v; break;
        case MPK_LIMIT_EXT: limits->max_ext = v; break;
        case MPK_LIMIT_ARRAY: limits->max_array = v; break;
        case MPK_LIMIT_MAP: limits->max_map = v; break;
        case MPK_LIMIT_NONE: break;
    }
}

void mpk_decoder_init(mpk_decoder_t *d, const mpk_visitor_t *vis, void *ctx,
    const mpk_limits_t *limits, mpk_frame_t *frames, size_t frames_cap) {
    memset(d, 0, sizeof *d);
    d->vis = vis;
    d->ctx = ctx;
    d->limits = *limits;
    d->frames = frames;
    d->frames_cap = frames_cap;
    if (vis == NULL || vis->scalar == NULL || vis->begin == NULL || vis->item == NULL
        || vis->pair == NULL || vis->end == NULL || frames == NULL || frames_cap == 0
        || limits->max_depth == 0) {
        d->status = MPK_ERR_ARG;
    }
}

mpk_status_t mpk__over_limit(mpk_decoder_t *d, mpk_limit_kind_t kind, uint32_t value, uint32_t max) {
    d->err_limit = kind;
    d->err_value = value;
    d->err_max = max;
    d->status = MPK_ERR_LIMIT;
    return MPK_ERR_LIMIT;
}

mpk_status_t mpk__decoder_grow(mpk_decoder_t *d) {
    if (d->vis->grow == NULL) {
        return MPK_ERR_DEPTH;
    }
    size_t new_cap = d->frames_cap * 2;
    if (new_cap > d->limits.max_depth) {
        new_cap = d->limits.max_depth;
    }
    mpk_frame_t *frames = d->vis->grow(d->ctx, d->frames, d->frames_cap, new_cap);
    if (frames == NULL) {
        return MPK_ERR_MEMORY;
    }
    d->frames = frames;
    d->frames_cap = new_cap;
    return MPK_OK;
}

void mpk_decoder_reset(mpk_decoder_t *d) {
    const mpk_visitor_t *v = d->vis;
    while (d->depth > 0) {
        mpk_frame_t *f = &d->frames[--d->depth];
        if (v != NULL && v->discard != NULL) {
            if (f->kind == MPK_FRAME_MAP_VALUE) {
                v->discard(d->ctx, f->key);
            }
            v->discard(d->ctx, f->obj);
        }
        f->obj = (mpk_obj_t)0;
        f->key = (mpk_obj_t)0;
    }
    if (d->status != MPK_ERR_ARG) {
        d->status = MPK_OK;
    }
    d->need = 0;
    d->at = 0;
    d->err_limit = MPK_LIMIT_NONE;
    d->err_value = 0;
    d->err_max = 0;
}

mpk_status_t mpk_skip_scalar(void *ctx, const mpk_token_t *t, mpk_obj_t *out) {
    (void)ctx;
    (void)t;
    *out = (mpk_obj_t)0;
    return MPK_OK;
}

mpk_status_t mpk_skip_begin(void *ctx, const mpk_token_t *t, uint32_t prealloc, mpk_obj_t *out) {
    (void)prealloc;
    return mpk_skip_scalar(ctx, t, out);
}

mpk_status_t mpk_skip_item(void *ctx, mpk_frame_t *f, mpk_obj_t item) {
    (void)ctx;
    (void)f;
    (void)item;
    return MPK_OK;
}

mpk_status_t mpk_skip_pair(void *ctx, mpk_frame_t *f, mpk_obj_t key, mpk_obj_t value) {
    (void)key;
    return mpk_skip_item(ctx, f, value);
}

mpk_status_t mpk_skip_end(void *ctx, mpk_frame_t *f, mpk_obj_t *out) {
    (void)out;
    return mpk_skip_item(ctx, f, (mpk_obj_t)0);
}
