// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers

#include "mpk_tree.h"

static void *arena_alloc(tv_ctx_t *c, size_t n) {
    // Align the address, not the offset: the arena itself may be unaligned,
    // and Cortex-M faults on an unaligned 64-bit store.
    uintptr_t base = (uintptr_t)c->arena;
    size_t at = (size_t)(((base + c->arena_used + 7u) & ~(uintptr_t)7u) - base);
    if (at > c->arena_size || c->arena_size - at < n) {
        return NULL;
    }
    c->arena_used = at + n;
    return c->arena + at;
}

void tv_ctx_init(tv_ctx_t *c, uint8_t *arena, size_t size) {
    memset(c, 0, sizeof *c);
    c->arena = arena;
    c->arena_size = size;
    c->copy_payloads = true;
}

// Count a callback; true if this one is to fail.
static bool injected(tv_ctx_t *c) {
    return c->fail_at != 0 && ++c->calls == c->fail_at;
}

static mpk_status_t tv_scalar(void *ctx, const mpk_token_t *t, mpk_obj_t *out) {
    tv_ctx_t *c = ctx;
    if (injected(c)) {
        return MPK_ERR_CALLBACK;
    }
    tv_t *n = arena_alloc(c, sizeof *n);
    if (n == NULL) {
        return MPK_ERR_MEMORY;
    }
    memset(n, 0, sizeof *n);
    n->map_key = t->map_key;
    switch (t->type) {
        case MPK_T_NIL: n->kind = TV_NIL; break;
        case MPK_T_BOOL: n->kind = TV_BOOL; n->v.b = t->v.b; break;
        case MPK_T_UINT: n->kind = TV_UINT; n->v.u = t->v.u; break;
        case MPK_T_INT: n->kind = TV_INT; n->v.i = t->v.i; break;
        case MPK_T_FLOAT32: n->kind = TV_FLOAT; n->v.f = (double)t->v.f32; n->is_f32 = true; break;
        case MPK_T_FLOAT64: n->kind = TV_FLOAT; n->v.f = t->v.f64; break;
        case MPK_T_STR:
        case MPK_T_BIN:
        case MPK_T_EXT:
            n->kind = t->type == MPK_T_STR ? TV_STR : t->type == MPK_T_BIN ? TV_BIN : TV_EXT;
            n->ext_type = t->ext_type;
            n->n = t->v.n;
            if (c->copy_payloads) {
                uint8_t *copy = arena_alloc(c, t->v.n ? t->v.n : 1);
                if (copy == NULL) {
                    return MPK_ERR_MEMORY;
                }
                memcpy(copy, t->data, t->v.n);
                n->data = copy;
            } else {
                n->data = t->data;
            }
            break;
        default:
            return MPK_ERR_ARG;
    }
    c->live++;
    *out = n;
    return MPK_OK;
}

static mpk_status_t tv_begin(void *ctx, const mpk_token_t *t, uint32_t prealloc, mpk_obj_t *out) {
    tv_ctx_t *c = ctx;
    if (injected(c)) {
        return MPK_ERR_CALLBACK;
    }
    tv_t *n = arena_alloc(c, sizeof *n);
    if (n == NULL) {
        return MPK_ERR_MEMORY;
    }
    memset(n, 0, sizeof *n);
    n->kind = t->type == MPK_T_MAP ? TV_MAP : TV_ARRAY;
    n->n = t->v.n;
    if (prealloc > 0) {
        size_t slots = (size_t)prealloc * (n->kind == TV_MAP ? 2u : 1u);
        n->items = arena_alloc(c, slots * sizeof(tv_t *));
        if (n->items == NULL) {
            return MPK_ERR_MEMORY;
        }
        n->cap = prealloc;
    }
    c->live++;
    *out = n;
    return MPK_OK;
}

// Make room for entry number `index` (growing geometrically, as a binding
// that could not preallocate would).
static bool ensure_slot(tv_ctx_t *c, tv_t *n, uint32_t index) {
    if (index < n->cap) {
        return true;
    }
    uint32_t cap = n->cap ? n->cap * 2 : 4;
    if (cap > n->n) {
        cap = n->n;
    }
    size_t per = n->kind == TV_MAP ? 2u : 1u;
    tv_t **items = arena_alloc(c, (size_t)cap * per * sizeof(tv_t *));
    if (items == NULL) {
        return false;
    }
    if (n->cap) {
        memcpy(items, n->items, (size_t)n->cap * per * sizeof(tv_t *));
    }
    n->items = items;
    n->cap = cap;
    return true;
}

static mpk_status_t tv_item(void *ctx, mpk_frame_t *f, mpk_obj_t item) {
    tv_ctx_t *c = ctx;
    tv_t *n = f->obj;
    c->live--;  // owned by the container now, or dropped on failure
    if (injected(c) || !ensure_slot(c, n, f->index)) {
        return MPK_ERR_CALLBACK;
    }
    n->items[f->index] = item;
    return MPK_OK;
}

static mpk_status_t tv_pair(void *ctx, mpk_frame_t *f, mpk_obj_t key, mpk_obj_t value) {
    tv_ctx_t *c = ctx;
    tv_t *n = f->obj;
    c->live -= 2;
    if (injected(c) || !ensure_slot(c, n, f->index)) {
        return MPK_ERR_CALLBACK;
    }
    n->items[2 * f->index] = key;
    n->items[2 * f->index + 1] = value;
    return MPK_OK;
}

static mpk_status_t tv_end(void *ctx, mpk_frame_t *f, mpk_obj_t *out) {
    tv_ctx_t *c = ctx;
    (void)f;
    (void)out;
    if (injected(c)) {
        c->live--;  // end() owns the container even when it fails
        return MPK_ERR_CALLBACK;
    }
    return MPK_OK;
}

static void tv_discard(void *ctx, mpk_obj_t obj) {
    tv_ctx_t *c = ctx;
    if (obj != NULL) {
        c->live--;
    }
}

static mpk_frame_t *tv_grow(void *ctx, mpk_frame_t *frames, size_t old_cap, size_t new_cap) {
    tv_ctx_t *c = ctx;
    mpk_frame_t *f = arena_alloc(c, new_cap * sizeof *f);
    if (f == NULL) {
        return NULL;
    }
    memcpy(f, frames, old_cap * sizeof *f);
    c->grows++;
    return f;
}

const mpk_visitor_t tv_visitor = {
    tv_scalar, tv_begin, tv_item, tv_pair, tv_end, tv_discard, tv_grow,
};

void tv_release(tv_ctx_t *c, tv_t *t) {
    if (t != NULL) {
        c->live--;
    }
}

static bool is_number(const tv_t *t) {
    return t->kind == TV_UINT || t->kind == TV_INT || t->kind == TV_FLOAT;
}

static bool numbers_equal(const tv_t *a, const tv_t *b) {
    if (a->kind == TV_FLOAT || b->kind == TV_FLOAT) {
        const tv_t *f = a->kind == TV_FLOAT ? a : b;
        const tv_t *o = a->kind == TV_FLOAT ? b : a;
        double x = o->kind == TV_FLOAT ? o->v.f : o->kind == TV_UINT ? (double)o->v.u : (double)o->v.i;
        return f->v.f == x;
    }
    return a->kind == b->kind && (a->kind == TV_UINT ? a->v.u == b->v.u : a->v.i == b->v.i);
}

static bool timestamp_matches(const tv_t *ts, const tv_t *ext) {
    int64_t sec;
    uint32_t nsec;
    return ext->kind == TV_EXT && ext->ext_type == -1
           && mpk_timestamp_decode(ext->data, ext->n, &sec, &nsec) == MPK_OK
           && sec == ts->v.ts.sec && nsec == ts->v.ts.nsec;
}

bool tv_equal(const tv_t *a, const tv_t *b, bool numeric) {
    if (numeric && is_number(a) && is_number(b)) {
        return numbers_equal(a, b);
    }
    if (numeric && a->kind == TV_TIMESTAMP) {
        return timestamp_matches(a, b);
    }
    if (numeric && b->kind == TV_TIMESTAMP) {
        return timestamp_matches(b, a);
    }
    if (a->kind != b->kind) {
        return false;
    }
    switch (a->kind) {
        case TV_NIL: return true;
        case TV_BOOL: return a->v.b == b->v.b;
        case TV_UINT: return a->v.u == b->v.u;
        case TV_INT: return a->v.i == b->v.i;
        case TV_FLOAT:
            // Bitwise, so that NaN payloads and -0.0 round-trip exactly.
            return a->is_f32 == b->is_f32 && memcmp(&a->v.f, &b->v.f, sizeof(double)) == 0;
        case TV_TIMESTAMP: return a->v.ts.sec == b->v.ts.sec && a->v.ts.nsec == b->v.ts.nsec;
        case TV_EXT:
            if (a->ext_type != b->ext_type) {
                return false;
            }
        // fall through
        case TV_STR:
        case TV_BIN:
            return a->n == b->n && (a->n == 0 || memcmp(a->data, b->data, a->n) == 0);
        case TV_ARRAY:
        case TV_MAP: {
            if (a->n != b->n) {
                return false;
            }
            uint32_t slots = a->n * (a->kind == TV_MAP ? 2u : 1u);
            for (uint32_t i = 0; i < slots; i++) {
                if (!tv_equal(a->items[i], b->items[i], numeric)) {
                    return false;
                }
            }
            return true;
        }
        default:
            return false;
    }
}

void tv_write(mpk_writer_t *w, const tv_t *t) {
    switch (t->kind) {
        case TV_NIL: mpk_write_nil(w); break;
        case TV_BOOL: mpk_write_bool(w, t->v.b); break;
        case TV_UINT: mpk_write_uint(w, t->v.u); break;
        case TV_INT: mpk_write_int(w, t->v.i); break;
        case TV_FLOAT:
            if (t->is_f32) {
                mpk_write_float32(w, (float)t->v.f);
            } else {
                mpk_write_float64(w, t->v.f);
            }
            break;
        case TV_STR: mpk_write_str(w, (const char *)t->data, t->n); break;
        case TV_BIN: mpk_write_bin(w, t->data, t->n); break;
        case TV_EXT: mpk_write_ext(w, t->ext_type, t->data, t->n); break;
        case TV_TIMESTAMP: mpk_write_timestamp(w, t->v.ts.sec, t->v.ts.nsec); break;
        case TV_ARRAY:
            mpk_write_array_header(w, t->n);
            for (uint32_t i = 0; i < t->n; i++) {
                tv_write(w, t->items[i]);
            }
            break;
        case TV_MAP:
            mpk_write_map_header(w, t->n);
            for (uint32_t i = 0; i < 2 * t->n; i++) {
                tv_write(w, t->items[i]);
            }
            break;
        default:
            mpk_writer_fail(w, MPK_ERR_ARG);
            break;
    }
}

mpk_status_t tv_decode(tv_ctx_t *c, const uint8_t *data, size_t len, tv_t **out, size_t *used) {
    mpk_limits_t limits;
    mpk_decoder_t d;
    mpk_obj_t obj = NULL;
    mpk_limits_default(&limits);
    mpk_decoder_init(&d, &tv_visitor, c, &limits, c->frames, sizeof c->frames / sizeof c->frames[0]);
    mpk_status_t st = mpk_decoder_feed(&d, data, len, true, used, &obj);
    if (st != MPK_OK) {
        mpk_decoder_reset(&d);
        obj = NULL;
    }
    *out = obj;
    return st;
}
