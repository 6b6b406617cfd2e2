// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// A small PNG writer: 8-bit RGB, each row filtered "up" when it equals the
// row above (all zeros) and "sub" otherwise, then deflate with the fixed
// Huffman code and distance-1 matches only. Screens are mostly flat colour,
// which this turns into long runs; no zlib needed.
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ui_sim.h"

typedef struct {
    uint8_t *buf;
    size_t len, cap;
    uint32_t bits;
    unsigned nbits;
    uint32_t adler_a, adler_b;
    int failed;
} out_t;

static void put_byte(out_t *o, uint8_t b) {
    if (o->len == o->cap) {
        size_t cap = o->cap ? o->cap * 2u : 65536u;
        uint8_t *nb = realloc(o->buf, cap);
        if (nb == NULL) {
            o->failed = 1;
            return;
        }
        o->buf = nb;
        o->cap = cap;
    }
    o->buf[o->len++] = b;
}

static void put_bits(out_t *o, uint32_t v, unsigned n) {  // LSB first
    o->bits |= v << o->nbits;
    o->nbits += n;
    while (o->nbits >= 8) {
        put_byte(o, (uint8_t)o->bits);
        o->bits >>= 8;
        o->nbits -= 8;
    }
}

static void put_code(out_t *o, uint32_t code, unsigned n) {  // Huffman codes go MSB first
    uint32_t r = 0;
    for (unsigned i = 0; i < n; i++) {
        r |= ((code >> i) & 1u) << (n - 1u - i);
    }
    put_bits(o, r, n);
}

static void put_litlen(out_t *o, unsigned v) {
    if (v < 144) {
        put_code(o, 0x30u + v, 8);
    } else if (v < 256) {
        put_code(o, 0x190u + (v - 144u), 9);
    } else if (v < 280) {
        put_code(o, v - 256u, 7);
    } else {
        put_code(o, 0xc0u + (v - 280u), 8);
    }
}

static const uint16_t len_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
    4, 4, 4, 4, 5, 5, 5, 5, 0};

static void put_match(out_t *o, unsigned len) {  // distance 1
    unsigned i = 28;
    while (len_base[i] > len) {
        i--;
    }
    put_litlen(o, 257u + i);
    put_bits(o, len - len_base[i], len_extra[i]);
    put_code(o, 0, 5);  // distance code 0: distance 1
}

// Deflate state across rows: the previous byte and how many repeats of it
// are pending.
typedef struct {
    int prev;
    unsigned run;
} lz_t;

static void flush_run(out_t *o, lz_t *z) {
    while (z->run >= 3) {
        unsigned n = z->run > 258u ? 258u : z->run;
        if (z->run - n > 0 && z->run - n < 3) {
            n = z->run - 3u;  // leave a tail of at least 3
        }
        put_match(o, n);
        z->run -= n;
    }
    while (z->run > 0) {
        put_litlen(o, (unsigned)z->prev);
        z->run--;
    }
}

static void deflate_bytes(out_t *o, lz_t *z, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        o->adler_a = (o->adler_a + p[i]) % 65521u;
        o->adler_b = (o->adler_b + o->adler_a) % 65521u;
        if (p[i] == z->prev) {
            z->run++;
            continue;
        }
        flush_run(o, z);
        put_litlen(o, p[i]);
        z->prev = p[i];
    }
}

// CRC-32 (PNG chunks) bit by bit: a snapshot is not on any hot path.
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n) {
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static void be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int write_chunk(FILE *f, const char *type, const uint8_t *data, size_t len) {
    uint8_t hdr[8];
    be32(hdr, (uint32_t)len);
    memcpy(hdr + 4, type, 4);
    uint32_t crc = crc32_update(0, hdr + 4, 4);
    crc = crc32_update(crc, data, len);
    uint8_t tail[4];
    be32(tail, crc);
    if (fwrite(hdr, 1, 8, f) != 8 || (len && fwrite(data, 1, len, f) != len) ||
        fwrite(tail, 1, 4, f) != 4) {
        return EIO;
    }
    return 0;
}

int ui_png_write(FILE *f, const ui_fb_t *fb) {
    size_t w = (size_t)fb->width;
    size_t h = (size_t)fb->height;
    uint8_t *rows = malloc(2u * (w * 3u + 1u));
    if (rows == NULL) {
        return ENOMEM;
    }
    uint8_t *cur = rows;
    uint8_t *prev = rows + w * 3u + 1u;
    out_t o = {.adler_a = 1};
    lz_t z = {.prev = -1};
    put_byte(&o, 0x78);
    put_byte(&o, 0x01);
    put_bits(&o, 1, 1);  // final block
    put_bits(&o, 1, 2);  // fixed Huffman
    for (size_t y = 0; y < h; y++) {
        uint8_t *px = cur + 1;
        for (size_t x = 0; x < w; x++) {
            uint32_t c = ui_fb_get(fb, (int32_t)x, (int32_t)y);
            px[3 * x] = (uint8_t)(c >> 16);
            px[3 * x + 1] = (uint8_t)(c >> 8);
            px[3 * x + 2] = (uint8_t)c;
        }
        if (y > 0 && memcmp(cur + 1, prev + 1, w * 3u) == 0) {
            // Up: a row of zeros.
            static const uint8_t up = 2, zero = 0;
            deflate_bytes(&o, &z, &up, 1);
            for (size_t i = 0; i < w * 3u; i++) {
                deflate_bytes(&o, &z, &zero, 1);
            }
        } else {
            static const uint8_t sub = 1;
            deflate_bytes(&o, &z, &sub, 1);
            for (size_t i = 0; i < w * 3u; i++) {
                uint8_t d = (uint8_t)(px[i] - (i >= 3 ? px[i - 3] : 0));
                deflate_bytes(&o, &z, &d, 1);
            }
        }
        uint8_t *t = cur;
        cur = prev;
        prev = t;
    }
    flush_run(&o, &z);
    put_litlen(&o, 256);
    put_bits(&o, 0, 7);  // to a byte boundary
    uint8_t adler[4];
    be32(adler, (o.adler_b << 16) | o.adler_a);
    for (int i = 0; i < 4; i++) {
        put_byte(&o, adler[i]);
    }
    free(rows);
    if (o.failed) {
        free(o.buf);
        return ENOMEM;
    }
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13];
    be32(ihdr, (uint32_t)w);
    be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;   // bit depth
    ihdr[9] = 2;   // RGB
    ihdr[10] = 0;
    ihdr[11] = 0;
    ihdr[12] = 0;
    int err = fwrite(sig, 1, 8, f) == 8 ? 0 : EIO;
    if (!err) {
        err = write_chunk(f, "IHDR", ihdr, sizeof(ihdr));
    }
    if (!err) {
        err = write_chunk(f, "IDAT", o.buf, o.len);
    }
    if (!err) {
        err = write_chunk(f, "IEND", NULL, 0);
    }
    free(o.buf);
    return err;
}

int ui_png_save(const char *path, const ui_fb_t *fb) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return errno ? errno : EIO;
    }
    int err = ui_png_write(f, fb);
    if (fclose(f) != 0 && err == 0) {
        err = errno ? errno : EIO;
    }
    if (err) {
        remove(path);
    }
    return err;
}
