// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The writer's slow paths: making room, headers, payloads, timestamps.

#include "mpk.h"

// True if n fits a 32-bit length field; always so where size_t has 32 bits.
static inline bool fits_u32(size_t n) {
    #if SIZE_MAX > 0xffffffffu
    return n <= 0xffffffffu;
    #else
    (void)n;
    return true;
    #endif
}

void mpk_writer_init(mpk_writer_t *w, uint8_t *buf, size_t cap, mpk_flush_fn flush, void *ctx) {
    w->buf = buf;
    w->pos = 0;
    w->cap = cap;
    w->flush = flush;
    w->ctx = ctx;
    w->status = MPK_OK;
    w->compat = false;
    if (buf == NULL || (flush != NULL && cap < MPK_WRITER_MIN_BUFFER)) {
        mpk_writer_fail(w, MPK_ERR_ARG);
    }
}

void mpk_writer_fail(mpk_writer_t *w, mpk_status_t status) {
    if (w->status == MPK_OK) {
        w->status = status;
    }
    // Make every inline fast path fall through to mpk_writer_reserve, which
    // refuses once an error is recorded.
    w->cap = w->pos;
}

bool mpk_writer_reserve(mpk_writer_t *w, size_t n) {
    if (w->status != MPK_OK) {
        return false;
    }
    if (w->flush == NULL) {
        mpk_writer_fail(w, MPK_ERR_MEMORY);
        return false;
    }
    mpk_status_t st = w->flush(w, n);
    if (st != MPK_OK) {
        mpk_writer_fail(w, st);
        return false;
    }
    size_t want = n < MPK_WRITER_MIN_BUFFER ? n : MPK_WRITER_MIN_BUFFER;
    if (w->buf == NULL || w->pos > w->cap || w->cap - w->pos < want) {
        // A sink that claims success without making room would loop forever.
        mpk_writer_fail(w, MPK_ERR_IO);
        return false;
    }
    return true;
}

mpk_status_t mpk_writer_finish(mpk_writer_t *w) {
    if (w->status == MPK_OK && w->flush != NULL) {
        mpk_status_t st = w->flush(w, 0);
        if (st != MPK_OK) {
            mpk_writer_fail(w, st);
        }
    }
    return w->status;
}

void mpk_write_raw(mpk_writer_t *w, const void *data, size_t n) {
    const uint8_t *src = data;
    while (n > 0) {
        size_t room = w->cap - w->pos;
        if (room == 0) {
            if (!mpk_writer_reserve(w, n)) {
                return;
            }
            room = w->cap - w->pos;
        }
        size_t chunk = n < room ? n : room;
        memcpy(w->buf + w->pos, src, chunk);
        w->pos += chunk;
        src += chunk;
        n -= chunk;
    }
}

// Write a one-byte marker followed by a 0-, 1-, 2- or 4-byte big-endian
// length, picking the smallest of the allowed widths that holds n. A
// fix_base or m8 of 0 means the family has no such form (no family's fix
// form starts at 0x00, and no 8-bit marker is 0x00).
static void write_sized(mpk_writer_t *w, uint8_t fix_base, size_t fix_max,
    uint8_t m8, uint8_t m16, uint8_t m32, size_t n) {
    uint8_t *p = mpk__room(w, 5);
    if (p == NULL) {
        return;
    }
    if (fix_base != 0 && n <= fix_max) {
        p[0] = (uint8_t)(fix_base | n);
        w->pos += 1;
    } else if (m8 != 0 && n <= 0xff) {
        p[0] = m8;
        p[1] = (uint8_t)n;
        w->pos += 2;
    } else if (n <= 0xffff) {
        p[0] = m16;
        mpk__be16(p + 1, (uint16_t)n);
        w->pos += 3;
    } else if (fits_u32(n)) {
        p[0] = m32;
        mpk__be32(p + 1, (uint32_t)n);
        w->pos += 5;
    } else {
        mpk_writer_fail(w, MPK_ERR_RANGE);
    }
}

void mpk_write_str_header(mpk_writer_t *w, size_t n) {
    write_sized(w, 0xa0, 31, w->compat ? 0 : 0xd9, 0xda, 0xdb, n);
}

void mpk_write_bin_header(mpk_writer_t *w, size_t n) {
    if (w->compat) {
        write_sized(w, 0xa0, 31, 0, 0xda, 0xdb, n);
    } else {
        write_sized(w, 0, 0, 0xc4, 0xc5, 0xc6, n);
    }
}

void mpk__write_array_header(mpk_writer_t *w, size_t n) {
    write_sized(w, 0x90, 15, 0, 0xdc, 0xdd, n);
}

void mpk__write_map_header(mpk_writer_t *w, size_t n) {
    write_sized(w, 0x80, 15, 0, 0xde, 0xdf, n);
}

void mpk_write_ext_header(mpk_writer_t *w, int8_t type, size_t n) {
    uint8_t *p = mpk__room(w, 6);
    if (p == NULL) {
        return;
    }
    size_t hl;
    switch (n) {
        case 1: p[0] = 0xd4; hl = 1; break;
        case 2: p[0] = 0xd5; hl = 1; break;
        case 4: p[0] = 0xd6; hl = 1; break;
        case 8: p[0] = 0xd7; hl = 1; break;
        case 16: p[0] = 0xd8; hl = 1; break;
        default:
            if (n <= 0xff) {
                p[0] = 0xc7;
                p[1] = (uint8_t)n;
                hl = 2;
            } else if (n <= 0xffff) {
                p[0] = 0xc8;
                mpk__be16(p + 1, (uint16_t)n);
                hl = 3;
            } else if (fits_u32(n)) {
                p[0] = 0xc9;
                mpk__be32(p + 1, (uint32_t)n);
                hl = 5;
            } else {
                mpk_writer_fail(w, MPK_ERR_RANGE);
                return;
            }
            break;
    }
    p[hl] = (uint8_t)type;
    w->pos += hl + 1;
}

size_t mpk_timestamp_encode(int64_t sec, uint32_t nsec, uint8_t out[12]) {
    if (nsec > MPK_NSEC_MAX) {
        return 0;
    }
    // The spec's rule, with the parentheses its pseudo-code lacks:
    // seconds in [0, 2^34) fit the 64-bit form, and the 32-bit one if the
    // nanoseconds are zero and the seconds fit 32 bits.
    if (((uint64_t)sec >> 34) == 0) {
        uint64_t data64 = ((uint64_t)nsec << 34) | (uint64_t)sec;
        if ((data64 & 0xffffffff00000000u) == 0) {
            mpk__be32(out, (uint32_t)data64);
            return 4;
        }
        mpk__be64(out, data64);
        return 8;
    }
    mpk__be32(out, nsec);
    mpk__be64(out + 4, (uint64_t)sec);
    return 12;
}

void mpk_write_timestamp(mpk_writer_t *w, int64_t sec, uint32_t nsec) {
    uint8_t data[12];
    size_t n = mpk_timestamp_encode(sec, nsec, data);
    if (n == 0) {
        mpk_writer_fail(w, MPK_ERR_RANGE);
        return;
    }
    mpk_write_ext(w, -1, data, n);
}
