/*
 * The decoder's loop, for mpk_read.c and for bindings that want their
 * visitor inlined into it.
 *
 * SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the mpx developers
 *
 * mpk_decoder_feed calls its visitor through the function pointers of
 * mpk_visitor_t. A binding that decodes much (CPython's unpackb) can
 * instead define its own copy of the same loop with its callbacks inlined:
 * define these macros, then include this file (once per copy):
 *
 *     MPK_DL_FN                           the name of the function to define
 *     MPK_DL_SCALAR(d, t, out)            vis->scalar(ctx, t, out)
 *     MPK_DL_BEGIN(d, t, prealloc, out)   vis->begin(ctx, t, prealloc, out)
 *     MPK_DL_ITEM(d, f, item)             vis->item(ctx, f, item)
 *     MPK_DL_PAIR(d, f, key, value)       vis->pair(ctx, f, key, value)
 *     MPK_DL_END(d, f, out)               vis->end(ctx, f, out)
 *     MPK_DL_DISCARD(d, obj)              vis->discard(ctx, obj), if any
 *     MPK_DL_LINKAGE                      optional: `static` for a local copy
 *
 * The function has mpk_decoder_feed's signature and contract, and must only
 * be given a decoder whose d->vis holds the same callbacks (mpk_decoder_reset
 * and the frame growth still use d->vis). The macros are undefined at the
 * end, so the file can be included again.
 *
 * Not part of the stable API: the names with two underscores may change.
 */
#include "mpk.h"

#ifndef MPK_DECODE_LOOP_HELPERS
#define MPK_DECODE_LOOP_HELPERS

static inline uint16_t mpk__ld16(const uint8_t *p) {
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t mpk__ld32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t mpk__ld64(const uint8_t *p) {
    return ((uint64_t)mpk__ld32(p) << 32) | mpk__ld32(p + 4);
}

// Header sizes of the markers 0xc0..0xdf (ext headers include the type
// byte); 0 marks 0xc1, which is never used.
static const uint8_t mpk__header_size_c0[32] = {
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

// Total size of a token with a header of hl bytes and a payload of n bytes,
// saturated: on a 32-bit target hl + n can exceed SIZE_MAX.
static inline size_t mpk__total_size(size_t hl, uint32_t n) {
    size_t room = (size_t)SIZE_MAX - hl;
    return n > room ? (size_t)SIZE_MAX : hl + (size_t)n;
}

static inline mpk_status_t mpk__payload_token(const uint8_t *p, size_t avail, size_t hl, mpk_token_t *t, size_t *size) {
    t->data = p + hl;
    *size = mpk__total_size(hl, t->v.n);
    return avail - hl >= t->v.n ? MPK_OK : MPK_NEED_MORE;
}

#if defined(__GNUC__)
#define MPK_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MPK_ALWAYS_INLINE inline
#endif

// The token reader, inlined into the decoder's loop; mpk_mpk__read_token() is
// the public entry.
static MPK_ALWAYS_INLINE mpk_status_t mpk__read_token(const uint8_t *p, size_t avail, mpk_token_t *t, size_t *size) {
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
        return mpk__payload_token(p, avail, 1, t, size);
    }
    size_t hl = mpk__header_size_c0[b - 0xc0];
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
            t->v.n = b == 0xc4 ? q[0] : b == 0xc5 ? mpk__ld16(q) : mpk__ld32(q);
            return mpk__payload_token(p, avail, hl, t, size);
        case 0xc7:
        case 0xc8:
        case 0xc9:
            t->type = MPK_T_EXT;
            t->v.n = b == 0xc7 ? q[0] : b == 0xc8 ? mpk__ld16(q) : mpk__ld32(q);
            t->ext_type = (int8_t)p[hl - 1];
            return mpk__payload_token(p, avail, hl, t, size);
        case 0xca: {
            uint32_t bits = mpk__ld32(q);
            t->type = MPK_T_FLOAT32;
            memcpy(&t->v.f32, &bits, sizeof bits);
            return MPK_OK;
        }
        case 0xcb: {
            uint64_t bits = mpk__ld64(q);
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
            t->v.u = mpk__ld16(q);
            return MPK_OK;
        case 0xce:
            t->type = MPK_T_UINT;
            t->v.u = mpk__ld32(q);
            return MPK_OK;
        case 0xcf:
            t->type = MPK_T_UINT;
            t->v.u = mpk__ld64(q);
            return MPK_OK;
        case 0xd0:
        case 0xd1:
        case 0xd2:
        case 0xd3: {
            int64_t v = b == 0xd0 ? (int8_t)q[0]
                : b == 0xd1 ? (int16_t)mpk__ld16(q)
                : b == 0xd2 ? (int32_t)mpk__ld32(q)
                : (int64_t)mpk__ld64(q);
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
            return mpk__payload_token(p, avail, hl, t, size);
        case 0xd9:
        case 0xda:
        case 0xdb:
            t->type = MPK_T_STR;
            t->v.n = b == 0xd9 ? q[0] : b == 0xda ? mpk__ld16(q) : mpk__ld32(q);
            return mpk__payload_token(p, avail, hl, t, size);
        case 0xdc:
        case 0xdd:
            t->type = MPK_T_ARRAY;
            t->v.n = b == 0xdc ? mpk__ld16(q) : mpk__ld32(q);
            return MPK_OK;
        default: // 0xde, 0xdf
            t->type = MPK_T_MAP;
            t->v.n = b == 0xde ? mpk__ld16(q) : mpk__ld32(q);
            return MPK_OK;
    }
}

// Check a parsed header against the configured limits (only str, bin, ext,
// array and map carry a length).
static MPK_ALWAYS_INLINE mpk_status_t mpk__check_limits(mpk_decoder_t *d, const mpk_token_t *t) {
    const mpk_limits_t *l = &d->limits;
    switch (t->type) {
        case MPK_T_STR:
            return t->v.n > l->max_str ? mpk__over_limit(d, MPK_LIMIT_STR, t->v.n, l->max_str) : MPK_OK;
        case MPK_T_BIN:
            return t->v.n > l->max_bin ? mpk__over_limit(d, MPK_LIMIT_BIN, t->v.n, l->max_bin) : MPK_OK;
        case MPK_T_EXT:
            return t->v.n > l->max_ext ? mpk__over_limit(d, MPK_LIMIT_EXT, t->v.n, l->max_ext) : MPK_OK;
        case MPK_T_ARRAY:
            return t->v.n > l->max_array ? mpk__over_limit(d, MPK_LIMIT_ARRAY, t->v.n, l->max_array) : MPK_OK;
        case MPK_T_MAP:
            return t->v.n > l->max_map ? mpk__over_limit(d, MPK_LIMIT_MAP, t->v.n, l->max_map) : MPK_OK;
        default:
            return MPK_OK;
    }
}

#endif // MPK_DECODE_LOOP_HELPERS

#if !defined(MPK_DL_FN) || !defined(MPK_DL_SCALAR) || !defined(MPK_DL_BEGIN) || !defined(MPK_DL_ITEM) \
    || !defined(MPK_DL_PAIR) || !defined(MPK_DL_END) || !defined(MPK_DL_DISCARD)
#error "mpk_decode_loop.h: define MPK_DL_FN and the MPK_DL_ visitor macros first"
#endif
#ifndef MPK_DL_LINKAGE
#define MPK_DL_LINKAGE
#endif

MPK_DL_LINKAGE mpk_status_t MPK_DL_FN(mpk_decoder_t *d, const uint8_t *data, size_t len,
    bool final, size_t *used, mpk_obj_t *out) {
    size_t pos = 0;
    mpk_status_t st;
    *used = 0;
    d->need = 0;
    if (d->status != MPK_OK) {
        return d->status;
    }
    // Whether the next value is a map key (the scalar callback is told).
    bool key_next = d->depth > 0 && d->frames[d->depth - 1].kind == MPK_FRAME_MAP_KEY;
    for (;;) {
        mpk_token_t t;
        size_t size;
        size_t avail = len - pos;
        st = mpk__read_token(data + pos, avail, &t, &size);
        if (st != MPK_OK) {
            // size may pass the input here (a payload not given yet).
            d->at = size > SIZE_MAX - pos ? SIZE_MAX : pos + size;
            if (st == MPK_NEED_MORE) {
                if (t.type != MPK_T_NONE && mpk__check_limits(d, &t) != MPK_OK) {
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
            d->status = st;
            break;
        }
        d->at = pos + size;  // where an unpacker goes on if this token fails
        if (mpk__check_limits(d, &t) != MPK_OK) {
            break;
        }
        pos += size;
        mpk_obj_t obj;
        if (t.type == MPK_T_ARRAY || t.type == MPK_T_MAP) {
            if (d->depth >= d->limits.max_depth) {
                d->status = MPK_ERR_DEPTH;
                break;
            }
            // Each element takes at least one byte, each pair two, so a count
            // larger than what remains of a final input is a lie.
            uint32_t n = t.v.n;
            size_t per = t.type == MPK_T_MAP ? 2 : 1;
            size_t fits = (len - pos) / per;
            uint32_t prealloc = (uint64_t)n <= (uint64_t)fits ? n : (uint32_t)fits;
            if (final && prealloc < n) {
                d->status = MPK_ERR_TRUNCATED;
                break;
            }
            if (MPK_DL_BEGIN(d, &t, prealloc, &obj) != MPK_OK) {
                d->status = MPK_ERR_CALLBACK;
                break;
            }
            if (n > 0) {
                st = d->depth < d->frames_cap ? MPK_OK : mpk__decoder_grow(d);
                if (st != MPK_OK) {
                    MPK_DL_DISCARD(d, obj);
                    d->status = st;
                    break;
                }
                mpk_frame_t *f = &d->frames[d->depth++];
                f->obj = obj;
                f->key = (mpk_obj_t)0;
                f->count = n;
                f->index = 0;
                f->kind = t.type == MPK_T_MAP ? MPK_FRAME_MAP_KEY : MPK_FRAME_ARRAY;
                key_next = t.type == MPK_T_MAP;
                continue;
            }
            mpk_frame_t empty = { obj, (mpk_obj_t)0, 0, 0, MPK_FRAME_ARRAY };
            empty.kind = t.type == MPK_T_MAP ? MPK_FRAME_MAP_KEY : MPK_FRAME_ARRAY;
            if (MPK_DL_END(d, &empty, &obj) != MPK_OK) {
                d->status = MPK_ERR_CALLBACK;
                break;
            }
        } else {
            t.map_key = key_next;
            if (MPK_DL_SCALAR(d, &t, &obj) != MPK_OK) {
                d->status = MPK_ERR_CALLBACK;
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
                key_next = false;
                break;
            }
            if (f->kind == MPK_FRAME_ARRAY) {
                st = MPK_DL_ITEM(d, f, obj);
            } else {
                mpk_obj_t key = f->key;
                f->key = (mpk_obj_t)0;
                f->kind = MPK_FRAME_MAP_KEY;
                st = MPK_DL_PAIR(d, f, key, obj);
            }
            if (st != MPK_OK) {
                d->status = MPK_ERR_CALLBACK;
                break;
            }
            if (++f->index < f->count) {
                key_next = f->kind == MPK_FRAME_MAP_KEY;
                break;
            }
            // Pop first: end() owns the container from here on, also if it fails.
            d->depth--;
            obj = f->obj;
            f->obj = (mpk_obj_t)0;
            if (MPK_DL_END(d, f, &obj) != MPK_OK) {
                d->status = MPK_ERR_CALLBACK;
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

#undef MPK_DL_FN
#undef MPK_DL_SCALAR
#undef MPK_DL_BEGIN
#undef MPK_DL_ITEM
#undef MPK_DL_PAIR
#undef MPK_DL_END
#undef MPK_DL_DISCARD
#undef MPK_DL_LINKAGE
