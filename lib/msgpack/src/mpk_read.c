// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Tokens and the resumable decoder.

#include "mpk.h"

static inline uint16_t ld16(const uint8_t *p) {
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t ld32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t ld64(const uint8_t *p) {
    return ((uint64_t)ld32(p) << 32) | ld32(p + 4);
}

// Header sizes of the markers 0xc0..0xdf (ext headers include the type
// byte); 0 marks 0xc1, which is never used.
static const uint8_t header_size_c0[32] = {
    1, 0, 1, 1,     // nil, (never used), false, true
    2, 3, 5,        // bin 8/16/32
    3, 4, 6,        // ext 8/16/32
    5, 9,           // float 32/64
    2, 3, 5, 9,     // uint 8/16/32/64
    2, 3, 5, 9,     // int 8/16/32/64
    2, 2, 2, 2, 2,  // fixext 1/2/4/8/16
    2, 3, 5,        // str 8/16/32
    3, 5,           // array 16/32
    3, 5,           // map 16/32
};

size_t mpk_header_size(uint8_t b) {
    if (b < 0xc0 || b >= 0xe0) {
        return 1;
    }
    size_t n = header_size_c0[b - 0xc0];
    return n ? n : 1;
}

// Total size of a token with a header of hl bytes and a payload of n bytes,
// saturated: on a 32-bit target hl + n can exceed SIZE_MAX.
static inline size_t total_size(size_t hl, uint32_t n) {
    size_t room = (size_t)SIZE_MAX - hl;
    return n > room ? (size_t)SIZE_MAX : hl + (size_t)n;
}

static mpk_status_t payload_token(const uint8_t *p, size_t avail, size_t hl, mpk_token_t *t, size_t *size) {
    t->data = p + hl;
    *size = total_size(hl, t->v.n);
    return avail - hl >= t->v.n ? MPK_OK : MPK_NEED_MORE;
}

#if defined(__GNUC__)
#define MPK_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MPK_ALWAYS_INLINE inline
#endif

// The token reader, inlined into the decoder's loop; mpk_read_token() is
// the public entry.
static MPK_ALWAYS_INLINE mpk_status_t read_token(const uint8_t *p, size_t avail, mpk_token_t *t, size_t *size) {
    t->type = MPK_T_NONE;
    t->ext_type = 0;
    t->map_key = false;
    t->data = NULL;
    if (avail == 0) {
        *size = 1;
        return MPK_NEED_MORE;
    }
    uint8_t b = p[0];
    if (b <= 0x7f) {
        t->type = MPK_T_UINT;
        t->v.u = b;
        *size = 1;
        return MPK_OK;
    }
    if (b >= 0xe0) {
        t->type = MPK_T_INT;
        t->v.i = (int8_t)b;
        *size = 1;
        return MPK_OK;
    }
    if (b <= 0x8f) {
        t->type = MPK_T_MAP;
        t->v.n = b & 0x0fu;
        *size = 1;
        return MPK_OK;
    }
    if (b <= 0x9f) {
        t->type = MPK_T_ARRAY;
        t->v.n = b & 0x0fu;
        *size = 1;
        return MPK_OK;
    }
    if (b <= 0xbf) {
        t->type = MPK_T_STR;
        t->v.n = b & 0x1fu;
        return payload_token(p, avail, 1, t, size);
    }
    size_t hl = header_size_c0[b - 0xc0];
    if (hl == 0) {
        *size = 1;
        return MPK_ERR_INVALID;
    }
    if (avail < hl) {
        *size = hl;
        return MPK_NEED_MORE;
    }
    *size = hl;
    const uint8_t *q = p + 1;
    switch (b) {
        case 0xc0:
            t->type = MPK_T_NIL;
            return MPK_OK;
        case 0xc2:
        case 0xc3:
            t->type = MPK_T_BOOL;
            t->v.b = b == 0xc3;
            return MPK_OK;
        case 0xc4:
        case 0xc5:
        case 0xc6:
            t->type = MPK_T_BIN;
            t->v.n = b == 0xc4 ? q[0] : b == 0xc5 ? ld16(q) : ld32(q);
            return payload_token(p, avail, hl, t, size);
        case 0xc7:
        case 0xc8:
        case 0xc9:
            t->type = MPK_T_EXT;
            t->v.n = b == 0xc7 ? q[0] : b == 0xc8 ? ld16(q) : ld32(q);
            t->ext_type = (int8_t)p[hl - 1];
            return payload_token(p, avail, hl, t, size);
        case 0xca: {
            uint32_t bits = ld32(q);
            t->type = MPK_T_FLOAT32;
            memcpy(&t->v.f32, &bits, sizeof bits);
            return MPK_OK;
        }
        case 0xcb: {
            uint64_t bits = ld64(q);
            t->type = MPK_T_FLOAT64;
            memcpy(&t->v.f64, &bits, sizeof bits);
            return MPK_OK;
        }
        case 0xcc:
            t->type = MPK_T_UINT;
            t->v.u = q[0];
            return MPK_OK;
        case 0xcd:
            t->type = MPK_T_UINT;
            t->v.u = ld16(q);
            return MPK_OK;
        case 0xce:
            t->type = MPK_T_UINT;
            t->v.u = ld32(q);
            return MPK_OK;
        case 0xcf:
            t->type = MPK_T_UINT;
            t->v.u = ld64(q);
            return MPK_OK;
        case 0xd0:
        case 0xd1:
        case 0xd2:
        case 0xd3: {
            int64_t v = b == 0xd0 ? (int8_t)q[0]
                : b == 0xd1 ? (int16_t)ld16(q)
                : b == 0xd2 ? (int32_t)ld32(q)
                : (int64_t)ld64(q);
            if (v < 0) {
                t->type = MPK_T_INT;
                t->v.i = v;
            } else {
                t->type = MPK_T_UINT;
                t->v.u = (uint64_t)v;
            }
            return MPK_OK;
        }
        case 0xd4:
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8:
            t->type = MPK_T_EXT;
            t->v.n = 1u << (b - 0xd4);
            t->ext_type = (int8_t)q[0];
            return payload_token(p, avail, hl, t, size);
        case 0xd9:
        case 0xda:
        case 0xdb:
            t->type = MPK_T_STR;
            t->v.n = b == 0xd9 ? q[0] : b == 0xda ? ld16(q) : ld32(q);
            return payload_token(p, avail, hl, t, size);
        case 0xdc:
        case 0xdd:
            t->type = MPK_T_ARRAY;
            t->v.n = b == 0xdc ? ld16(q) : ld32(q);
            return MPK_OK;
        default: // 0xde, 0xdf
            t->type = MPK_T_MAP;
            t->v.n = b == 0xde ? ld16(q) : ld32(q);
            return MPK_OK;
    }
}

mpk_status_t mpk_read_token(const uint8_t *p, size_t avail, mpk_token_t *t, size_t *size) {
    return read_token(p, avail, t, size);
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

static mpk_status_t fail(mpk_decoder_t *d, mpk_status_t st) {
    d->status = st;
    return st;
}


static mpk_status_t over_limit(mpk_decoder_t *d, mpk_limit_kind_t kind, uint32_t value, uint32_t max) {
    d->err_limit = kind;
    d->err_value = value;
    d->err_max = max;
    return fail(d, MPK_ERR_LIMIT);
}

// Check a parsed header against the configured limits (only str, bin, ext,
// array and map carry a length).
static MPK_ALWAYS_INLINE mpk_status_t check_limits(mpk_decoder_t *d, const mpk_token_t *t) {
    const mpk_limits_t *l = &d->limits;
    switch (t->type) {
        case MPK_T_STR:
            return t->v.n > l->max_str ? over_limit(d, MPK_LIMIT_STR, t->v.n, l->max_str) : MPK_OK;
        case MPK_T_BIN:
            return t->v.n > l->max_bin ? over_limit(d, MPK_LIMIT_BIN, t->v.n, l->max_bin) : MPK_OK;
        case MPK_T_EXT:
            return t->v.n > l->max_ext ? over_limit(d, MPK_LIMIT_EXT, t->v.n, l->max_ext) : MPK_OK;
        case MPK_T_ARRAY:
            return t->v.n > l->max_array ? over_limit(d, MPK_LIMIT_ARRAY, t->v.n, l->max_array) : MPK_OK;
        case MPK_T_MAP:
            return t->v.n > l->max_map ? over_limit(d, MPK_LIMIT_MAP, t->v.n, l->max_map) : MPK_OK;
        default:
            return MPK_OK;
    }
}

static mpk_status_t push_frame(mpk_decoder_t *d) {
    if (d->depth < d->frames_cap) {
        return MPK_OK;
    }
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

mpk_status_t mpk_decoder_feed(mpk_decoder_t *d, const uint8_t *data, size_t len,
    bool final, size_t *used, mpk_obj_t *out) {
    const mpk_visitor_t *v = d->vis;
    void *ctx = d->ctx;
    size_t pos = 0;
    mpk_status_t st;
    *used = 0;
    d->need = 0;
    if (d->status != MPK_OK) {
        return d->status;
    }
    for (;;) {
        mpk_token_t t;
        size_t size;
        size_t avail = len - pos;
        st = read_token(data + pos, avail, &t, &size);
        if (st != MPK_OK) {
            // size may pass the input here (a payload not given yet).
            d->at = size > SIZE_MAX - pos ? SIZE_MAX : pos + size;
            if (st == MPK_NEED_MORE) {
                if (t.type != MPK_T_NONE && check_limits(d, &t) != MPK_OK) {
                    break;
                }
                if (final) {
                    st = MPK_ERR_TRUNCATED;
                } else {
                    d->need = size - avail;
                    *used = pos;
                    return MPK_NEED_MORE;
                }
            }
            fail(d, st);
            break;
        }
        d->at = pos + size;  // where an unpacker goes on if this token fails
        if (check_limits(d, &t) != MPK_OK) {
            break;
        }
        pos += size;
        mpk_obj_t obj;
        if (t.type == MPK_T_ARRAY || t.type == MPK_T_MAP) {
            if (d->depth >= d->limits.max_depth) {
                fail(d, MPK_ERR_DEPTH);
                break;
            }
            // Each element takes at least one byte, each pair two, so a count
            // larger than what remains of a final input is a lie.
            uint32_t n = t.v.n;
            size_t per = t.type == MPK_T_MAP ? 2 : 1;
            size_t fits = (len - pos) / per;
            uint32_t prealloc = (uint64_t)n <= (uint64_t)fits ? n : (uint32_t)fits;
            if (final && prealloc < n) {
                fail(d, MPK_ERR_TRUNCATED);
                break;
            }
            if (v->begin(ctx, &t, prealloc, &obj) != MPK_OK) {
                fail(d, MPK_ERR_CALLBACK);
                break;
            }
            if (n > 0) {
                st = push_frame(d);
                if (st != MPK_OK) {
                    if (v->discard) {
                        v->discard(ctx, obj);
                    }
                    fail(d, st);
                    break;
                }
                mpk_frame_t *f = &d->frames[d->depth++];
                f->obj = obj;
                f->key = (mpk_obj_t)0;
                f->count = n;
                f->index = 0;
                f->kind = t.type == MPK_T_MAP ? MPK_FRAME_MAP_KEY : MPK_FRAME_ARRAY;
                continue;
            }
            mpk_frame_t empty = { obj, (mpk_obj_t)0, 0, 0, MPK_FRAME_ARRAY };
            empty.kind = t.type == MPK_T_MAP ? MPK_FRAME_MAP_KEY : MPK_FRAME_ARRAY;
            if (v->end(ctx, &empty, &obj) != MPK_OK) {
                fail(d, MPK_ERR_CALLBACK);
                break;
            }
        } else {
            t.map_key = d->depth > 0 && d->frames[d->depth - 1].kind == MPK_FRAME_MAP_KEY;
            if (v->scalar(ctx, &t, &obj) != MPK_OK) {
                fail(d, MPK_ERR_CALLBACK);
                break;
            }
        }
        // Hand the finished value to its container, closing every container
        // it completes.
        for (;;) {
            if (d->depth == 0) {
                *out = obj;
                *used = pos;
                return MPK_OK;
            }
            mpk_frame_t *f = &d->frames[d->depth - 1];
            if (f->kind == MPK_FRAME_MAP_KEY) {
                f->key = obj;
                f->kind = MPK_FRAME_MAP_VALUE;
                break;
            }
            if (f->kind == MPK_FRAME_ARRAY) {
                st = v->item(ctx, f, obj);
            } else {
                mpk_obj_t key = f->key;
                f->key = (mpk_obj_t)0;
                f->kind = MPK_FRAME_MAP_KEY;
                st = v->pair(ctx, f, key, obj);
            }
            if (st != MPK_OK) {
                fail(d, MPK_ERR_CALLBACK);
                break;
            }
            if (++f->index < f->count) {
                break;
            }
            // Pop first: end() owns the container from here on, also if it fails.
            d->depth--;
            obj = f->obj;
            f->obj = (mpk_obj_t)0;
            if (v->end(ctx, f, &obj) != MPK_OK) {
                fail(d, MPK_ERR_CALLBACK);
                break;
            }
        }
        if (d->status != MPK_OK) {
            break;
        }
    }
    *used = pos;
    return d->status;
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
