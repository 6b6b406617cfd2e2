// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The input buffer of streaming unpackers and the streaming unpacker (see
// mpk.h, mpk_inbuf and mpk_unpacker).

#include "mpk.h"

void mpk_inbuf_init(mpk_inbuf_t *b, size_t max) {
    memset(b, 0, sizeof *b);
    b->max = max;
}

mpk_status_t mpk_inbuf_reserve(mpk_inbuf_t *b, size_t n, mpk_realloc_fn realloc_fn, void *ctx) {
    if (b->cap - b->tail >= n) {
        return MPK_OK;
    }
    size_t keep = b->tail - b->head;
    if (n > b->max || keep > b->max - n) {
        return MPK_ERR_FULL;
    }
    if (b->head > 0) {
        memmove(b->data, b->data + b->head, keep);
        b->head = 0;
        b->tail = keep;
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

// ---------------------------------------------------------------------------
// The streaming unpacker

void mpk_unpacker_init(mpk_unpacker_t *u, const mpk_visitor_t *vis, const mpk_visitor_t *skip_vis,
    void *ctx, const mpk_limits_t *limits, mpk_frame_t *frames, size_t frames_cap,
    size_t max_buffer, mpk_realloc_fn realloc_fn, void *io_ctx) {
    memset(u, 0, sizeof *u);
    mpk_decoder_init(&u->dec, vis, ctx, limits, frames, frames_cap);
    mpk_inbuf_init(&u->buf, max_buffer);
    u->vis = vis;
    u->skip_vis = skip_vis;
    u->realloc_fn = realloc_fn;
    u->io_ctx = io_ctx;
}

void mpk_unpacker_set_stream(mpk_unpacker_t *u, mpk_fill_fn fill, size_t read_size,
    size_t default_read_size, bool exact) {
    if (read_size == 0) {
        read_size = u->buf.max < default_read_size ? u->buf.max : default_read_size;
    }
    u->fill = fill;
    u->read_size = read_size;
    u->exact = exact;
}

mpk_status_t mpk_unpacker_feed(mpk_unpacker_t *u, const void *data, size_t n) {
    if (u->busy != MPK_IDLE) {
        return MPK_ERR_BUSY;
    }
    return mpk_inbuf_append(&u->buf, data, n, u->realloc_fn, u->io_ctx);
}

void mpk_unpacker_drop(mpk_unpacker_t *u) {
    mpk_limit_kind_t kind = u->dec.err_limit;
    uint32_t value = u->dec.err_value, max = u->dec.err_max;
    mpk_decoder_reset(&u->dec);
    u->dec.vis = u->vis;
    u->dec.err_limit = kind;  // for the message of the error that got here
    u->dec.err_value = value;
    u->dec.err_max = max;
    u->skipping = false;
    u->busy = MPK_IDLE;
}

// Move past n bytes of input (they are consumed: tell() counts them).
static void consume(mpk_unpacker_t *u, size_t n) {
    u->buf.head += n;
    u->offset += n;
}

// After the decoder failed (returned an error or a callback jumped out):
// drop the object in progress and go on from the last byte of the token it
// was handling (dec.at counts from buf.head, which a decoding call leaves
// where it was), as msgpack-python 1.2.1's C extension does.
static void drop_failed(mpk_unpacker_t *u) {
    size_t last = u->dec.at > 0 ? u->dec.at - 1 : 0;
    size_t have = mpk_inbuf_pending(&u->buf);
    size_t n = last < have ? last : have;
    consume(u, n);
    u->discard = last - n;
    mpk_unpacker_drop(u);
}

void mpk_unpacker_unwind(mpk_unpacker_t *u) {
    if (u->busy == MPK_BUSY_DECODE) {
        drop_failed(u);
    }
    u->busy = MPK_IDLE;
}

// Drop what has arrived of a refused payload; true if some is still to come.
static bool discarding(mpk_unpacker_t *u) {
    size_t have = mpk_inbuf_pending(&u->buf);
    size_t n = u->discard < have ? u->discard : have;
    consume(u, n);
    u->discard -= n;
    return u->discard > 0;
}

static const uint8_t *head_of(const mpk_inbuf_t *b) {
    return b->data != NULL ? b->data + b->head : (const uint8_t *)"";
}

// Read more from the stream. MPK_OK if bytes came; MPK_NEED_MORE if none
// (no stream, it ended, or it has nothing now), in exact mode MPK_ERR_EOF,
// MPK_ERR_EOF_INSIDE or MPK_ERR_AGAIN instead; or an error.
static mpk_status_t read_more(mpk_unpacker_t *u) {
    if (u->fill == NULL) {
        return MPK_NEED_MORE;
    }
    size_t n;
    if (u->exact && u->dec.need > 0) {
        // What the object needs, but grow the buffer only with what
        // arrives: a header that announces 50 MB allocates nothing up
        // front, and a piece doubles with what has arrived.
        size_t have = mpk_inbuf_pending(&u->buf);
        size_t chunk = have > u->read_size ? have : u->read_size;
        n = u->dec.need < chunk ? u->dec.need : chunk;
    } else {
        size_t room = u->buf.max - mpk_inbuf_pending(&u->buf);
        n = u->read_size < room ? u->read_size : room;
    }
    if (n == 0 || n > u->buf.max - mpk_inbuf_pending(&u->buf)) {
        return MPK_ERR_FULL;
    }
    size_t got = 0;
    u->busy = MPK_BUSY_FILL;
    mpk_status_t st = u->fill(u, n, &got);
    u->busy = MPK_IDLE;
    if (st == MPK_NEED_MORE) {
        return u->exact ? MPK_ERR_AGAIN : MPK_NEED_MORE;
    }
    if (st != MPK_OK) {
        return st;
    }
    if (got == 0) {
        if (u->exact) {
            bool inside = !mpk_decoder_idle(&u->dec) || mpk_inbuf_pending(&u->buf) > 0;
            return inside ? MPK_ERR_EOF_INSIDE : MPK_ERR_EOF;
        }
        u->fill = NULL;  // the end: forget the stream
        return MPK_NEED_MORE;
    }
    return MPK_OK;
}

// Drop the rest of a refused payload first (see discarding()).
static mpk_status_t skip_discarded(mpk_unpacker_t *u) {
    while (discarding(u)) {
        mpk_status_t st = read_more(u);
        if (st != MPK_OK) {
            return st;
        }
    }
    return MPK_OK;
}

mpk_status_t mpk_unpacker_next(mpk_unpacker_t *u, bool skip, mpk_obj_t *out) {
    *out = (mpk_obj_t)0;
    if (u->busy != MPK_IDLE) {
        return MPK_ERR_BUSY;
    }
    mpk_status_t st = skip_discarded(u);
    if (st != MPK_OK) {
        return st;
    }
    for (;;) {
        // (In exact mode the decoder says first how much to read.)
        if (mpk_inbuf_pending(&u->buf) == 0 && !u->exact && (st = read_more(u)) != MPK_OK) {
            return st;
        }
        if (skip && u->dec.depth == 0 && !u->skipping) {
            u->dec.vis = u->skip_vis;
            u->skipping = true;
        }
        size_t used = 0;
        mpk_obj_t obj = (mpk_obj_t)0;
        u->busy = MPK_BUSY_DECODE;
        st = mpk_decoder_feed(&u->dec, head_of(&u->buf), mpk_inbuf_pending(&u->buf), false, &used, &obj);
        u->busy = MPK_IDLE;
        if (st != MPK_OK && st != MPK_NEED_MORE) {
            drop_failed(u);
            return st;
        }
        consume(u, used);
        if (st == MPK_NEED_MORE) {
            if ((st = read_more(u)) != MPK_OK) {
                return st;
            }
            continue;
        }
        if (u->skipping) {
            u->skipping = false;
            u->dec.vis = u->vis;
            if (!skip) {
                continue;  // a skip left half done: finish it, then unpack
            }
            return MPK_OK;
        }
        if (skip) {
            // An unpack left half done, finished by skip: drop it.
            if (u->vis->discard != NULL) {
                u->vis->discard(u->dec.ctx, obj);
            }
            return MPK_OK;
        }
        *out = obj;
        return MPK_OK;
    }
}

mpk_status_t mpk_unpacker_read_header(mpk_unpacker_t *u, mpk_type_t want, uint32_t *count) {
    *count = 0;
    if (u->busy != MPK_IDLE) {
        return MPK_ERR_BUSY;
    }
    if (u->dec.depth != 0 || u->skipping) {
        return MPK_ERR_PARTIAL;
    }
    mpk_status_t st = skip_discarded(u);
    if (st != MPK_OK) {
        return st;
    }
    for (;;) {
        mpk_token_t t;
        size_t size;
        st = mpk_read_token(head_of(&u->buf), mpk_inbuf_pending(&u->buf), &t, &size);
        if (st == MPK_OK || (st == MPK_NEED_MORE && t.type != MPK_T_NONE)) {
            if (t.type != want) {
                return MPK_ERR_WRONG_TYPE;
            }
            consume(u, size);  // array and map headers carry no payload
            *count = t.v.n;
            return MPK_OK;
        }
        if (st != MPK_NEED_MORE || (st = read_more(u)) != MPK_OK) {
            return st;
        }
    }
}

mpk_status_t mpk_unpacker_read_bytes(mpk_unpacker_t *u, uint8_t *out, size_t n, size_t *got) {
    *got = 0;
    if (u->busy != MPK_IDLE) {
        return MPK_ERR_BUSY;
    }
    if (u->dec.depth != 0 || u->skipping) {
        return MPK_ERR_PARTIAL;
    }
    mpk_status_t st = skip_discarded(u);
    if (st != MPK_OK) {
        return st == MPK_NEED_MORE ? MPK_OK : st;
    }
    size_t done = 0;
    while (done < n) {
        if (mpk_inbuf_pending(&u->buf) == 0) {
            st = read_more(u);
            if (st == MPK_NEED_MORE) {
                break;
            }
            if (st != MPK_OK) {
                *got = done;
                return st;
            }
        }
        size_t have = mpk_inbuf_pending(&u->buf);
        size_t take = n - done < have ? n - done : have;
        memcpy(out + done, u->buf.data + u->buf.head, take);
        consume(u, take);
        done += take;
    }
    *got = done;
    return MPK_OK;
}
