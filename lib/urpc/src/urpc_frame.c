// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// CRCs, frame header and trailer, and the deframer.

#include <string.h>

#include "urpc.h"

// The CRC-32 tables, constants (in flash on a board): the byte-wise table
// (1 KiB) everywhere; 64-bit hosts also get seven more for slicing by eight
// (bulk transfers on the desktop).
#ifndef URPC_CRC32_SLICES
#if UINTPTR_MAX > 0xffffffffu
#define URPC_CRC32_SLICES 8
#else
#define URPC_CRC32_SLICES 1
#endif
#endif
#if URPC_CRC32_SLICES != 1 && URPC_CRC32_SLICES != 8
#error "URPC_CRC32_SLICES is 1 or 8"
#endif

#include "urpc_crc32_table.h"

static inline uint32_t load_le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint32_t urpc_crc32(uint32_t crc, const uint8_t *p, size_t n) {
    const uint32_t (*t)[256] = crc32_table;
    crc = ~crc;
    #if URPC_CRC32_SLICES >= 8
    while (n >= 8) {
        uint32_t a = crc ^ load_le32(p);
        uint32_t b = load_le32(p + 4);
        crc = t[7][a & 0xffu] ^ t[6][(a >> 8) & 0xffu] ^ t[5][(a >> 16) & 0xffu] ^ t[4][a >> 24]
            ^ t[3][b & 0xffu] ^ t[2][(b >> 8) & 0xffu] ^ t[1][(b >> 16) & 0xffu] ^ t[0][b >> 24];
        p += 8;
        n -= 8;
    }
    #endif
    while (n--) {
        crc = t[0][(crc ^ *p++) & 0xffu] ^ (crc >> 8);
    }
    return ~crc;
}

uint16_t urpc_crc16(uint16_t crc, const uint8_t *p, size_t n) {
    while (n--) {
        uint32_t c = (uint32_t)crc ^ ((uint32_t)*p++ << 8);
        for (int k = 0; k < 8; k++) {
            c = (c & 0x8000u) ? (c << 1) ^ 0x1021u : c << 1;
        }
        crc = (uint16_t)c;
    }
    return crc;
}

urpc_status_t urpc_header(uint8_t out[URPC_HEADER_SIZE], unsigned kind, uint16_t id, size_t body_len) {
    if (body_len > URPC_MAX_BODY || kind < 1 || kind > 15) {
        return URPC_ERR_ARG;
    }
    out[0] = URPC_SYNC0;
    out[1] = URPC_SYNC1;
    out[2] = (uint8_t)((URPC_FORMAT << 4) | kind);
    out[3] = (uint8_t)id;
    out[4] = (uint8_t)(id >> 8);
    out[5] = (uint8_t)body_len;
    out[6] = (uint8_t)(body_len >> 8);
    out[7] = (uint8_t)(body_len >> 16);
    uint16_t crc = urpc_crc16(0xFFFFu, out, 8);
    out[8] = (uint8_t)crc;
    out[9] = (uint8_t)(crc >> 8);
    return URPC_OK;
}

void urpc_trailer(uint8_t out[URPC_TRAILER_SIZE], const uint8_t *body, size_t body_len) {
    uint32_t crc = urpc_crc32(0, body, body_len);
    out[0] = (uint8_t)crc;
    out[1] = (uint8_t)(crc >> 8);
    out[2] = (uint8_t)(crc >> 16);
    out[3] = (uint8_t)(crc >> 24);
}

urpc_status_t urpc_frame_write(uint8_t *out, unsigned kind, uint16_t id, const uint8_t *body, size_t body_len) {
    urpc_status_t st = urpc_header(out, kind, id, body_len);
    if (st == URPC_OK) {
        if (body_len > 0) {
            memcpy(out + URPC_HEADER_SIZE, body, body_len);
        }
        urpc_trailer(out + URPC_HEADER_SIZE + body_len, body, body_len);
    }
    return st;
}

urpc_status_t urpc_deframer_init(urpc_deframer_t *d, uint8_t *buf, size_t cap, size_t max_body) {
    memset(d, 0, sizeof *d);
    if (max_body > URPC_MAX_BODY) {
        max_body = URPC_MAX_BODY;
    }
    d->buf = buf;
    d->cap = cap;
    d->max_body = max_body;
    if (buf == NULL || cap < max_body + URPC_OVERHEAD) {
        d->cap = 0;
        return URPC_ERR_ARG;
    }
    return URPC_OK;
}

// Drop the frame returned last, and move what is left to the front when
// that makes room.
static void compact(urpc_deframer_t *d) {
    d->start += d->consumed;
    d->consumed = 0;
    if (d->start == d->end) {
        d->start = d->end = 0;
    } else if (d->start > 0) {
        memmove(d->buf, d->buf + d->start, d->end - d->start);
        d->end -= d->start;
        d->start = 0;
    }
}

uint8_t *urpc_deframer_space(urpc_deframer_t *d, size_t *room) {
    compact(d);
    *room = d->cap - d->end;
    return d->buf + d->end;
}

void urpc_deframer_commit(urpc_deframer_t *d, size_t n) {
    if (n > d->cap - d->end) {
        n = d->cap - d->end;
    }
    d->end += n;
}

size_t urpc_deframer_feed(urpc_deframer_t *d, const uint8_t *p, size_t n) {
    size_t room;
    uint8_t *dst = urpc_deframer_space(d, &room);
    if (n > room) {
        n = room;
    }
    memcpy(dst, p, n);
    d->end += n;
    return n;
}

void urpc_deframer_clear(urpc_deframer_t *d) {
    d->skipped += (uint32_t)(d->end - d->start - d->consumed);
    d->start = d->end = d->consumed = 0;
    d->need = 0;
    d->crc_len = 0;
    d->crc = 0;
}

size_t urpc_deframer_held(const urpc_deframer_t *d) {
    return d->end - d->start - d->consumed;
}

size_t urpc_deframer_need(const urpc_deframer_t *d) {
    return d->need ? d->need : URPC_HEADER_SIZE;
}

static void skip(urpc_deframer_t *d, size_t n) {
    d->start += n;
    d->skipped += (uint32_t)n;
    d->crc_len = 0;  // the body CRC so far was of the frame that started there
    d->crc = 0;
}

urpc_status_t urpc_deframer_next(urpc_deframer_t *d, urpc_frame_t *f) {
    d->start += d->consumed;
    d->consumed = 0;
    d->need = 0;
    if (d->cap == 0) {
        return URPC_ERR_ARG;
    }
    for (;;) {
        const uint8_t *p = d->buf + d->start;
        size_t avail = d->end - d->start;
        // Look for the sync pair; a lone first sync byte at the end may be
        // the start of one.
        size_t i = 0;
        while (i < avail && !(p[i] == URPC_SYNC0 && (i + 1 == avail || p[i + 1] == URPC_SYNC1))) {
            i++;
        }
        if (i > 0) {
            skip(d, i);
            p += i;
            avail -= i;
        }
        if (avail < URPC_HEADER_SIZE) {
            d->need = URPC_HEADER_SIZE - avail;
            return URPC_NEED_MORE;
        }
        uint16_t hcrc = (uint16_t)(p[8] | (p[9] << 8));
        unsigned kind = p[2] & 0x0fu;
        size_t len = (size_t)p[5] | ((size_t)p[6] << 8) | ((size_t)p[7] << 16);
        if (urpc_crc16(0xFFFFu, p, 8) != hcrc) {
            skip(d, 1);  // not a header: damage, or a sync pair inside data
            continue;
        }
        if ((p[2] >> 4) != URPC_FORMAT || kind < URPC_REQUEST || kind > URPC_ERROR || len > d->max_body) {
            d->dropped++;
            skip(d, 1);
            continue;
        }
        // The body's CRC runs over the bytes as they arrive (a long body is
        // checked while the rest of it is still on the way).
        size_t body_have = avail - URPC_HEADER_SIZE < len ? avail - URPC_HEADER_SIZE : len;
        if (body_have > d->crc_len) {
            d->crc = urpc_crc32(d->crc, p + URPC_HEADER_SIZE + d->crc_len, body_have - d->crc_len);
            d->crc_len = body_have;
        }
        size_t total = URPC_HEADER_SIZE + len + URPC_TRAILER_SIZE;
        if (avail < total) {
            d->need = total - avail;
            return URPC_NEED_MORE;
        }
        uint32_t bcrc = load_le32(p + URPC_HEADER_SIZE + len);
        if (d->crc != bcrc) {
            // The header may be right and the body damaged, or a byte was
            // lost and the next frame starts inside: look again from here.
            d->dropped++;
            skip(d, 1);
            continue;
        }
        f->kind = (uint8_t)kind;
        f->id = (uint16_t)(p[3] | (p[4] << 8));
        f->body = p + URPC_HEADER_SIZE;
        f->len = len;
        d->consumed = total;
        d->crc_len = 0;
        d->crc = 0;
        d->frames++;
        return URPC_OK;
    }
}
