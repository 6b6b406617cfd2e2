// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// A small PNG writer: 8-bit RGB, each row filtered "up" when it equals the
// row above (all zeros) and "sub" otherwise, compressed by zlib (deflate,
// Adler-32) and chunked with zlib's CRC-32. The IDAT data goes out in
// chunks of a fixed buffer's size, so nothing grows with the image but the
// two rows.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ui_sim.h"

#define PNG_IDAT_BUFFER 65536u

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
    uLong crc = crc32(0L, hdr + 4, 4);
    if (len) {
        crc = crc32(crc, data, (uInt)len);
    }
    uint8_t tail[4];
    be32(tail, (uint32_t)crc);
    if (fwrite(hdr, 1, 8, f) != 8 || (len && fwrite(data, 1, len, f) != len) ||
        fwrite(tail, 1, 4, f) != 4) {
        return EIO;
    }
    return 0;
}

// Feed avail_in bytes to deflate (flush: Z_NO_FLUSH or Z_FINISH), writing an
// IDAT chunk each time the output buffer fills, and the rest at Z_FINISH.
static int deflate_into_idat(FILE *f, z_stream *zs, uint8_t *out, int flush) {
    for (;;) {
        int rc = deflate(zs, flush);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            return EIO;
        }
        if (zs->avail_out == 0 || (rc == Z_STREAM_END && zs->avail_out < PNG_IDAT_BUFFER)) {
            int err = write_chunk(f, "IDAT", out, PNG_IDAT_BUFFER - zs->avail_out);
            if (err) {
                return err;
            }
            zs->next_out = out;
            zs->avail_out = PNG_IDAT_BUFFER;
        }
        if (rc == Z_STREAM_END || (flush == Z_NO_FLUSH && zs->avail_in == 0)) {
            return 0;
        }
    }
}

int ui_png_write(FILE *f, const ui_fb_t *fb) {
    size_t w = (size_t)fb->width;
    size_t h = (size_t)fb->height;
    size_t stride = w * 3u + 1u;
    // Two rows of pixels, one filtered row, and the compressed output.
    uint8_t *mem = malloc(3u * stride + PNG_IDAT_BUFFER);
    if (mem == NULL) {
        return ENOMEM;
    }
    uint8_t *cur = mem;
    uint8_t *prev = mem + stride;
    uint8_t *filtered = mem + 2u * stride;
    uint8_t *out = mem + 3u * stride;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK) {
        free(mem);
        return ENOMEM;
    }
    zs.next_out = out;
    zs.avail_out = PNG_IDAT_BUFFER;

    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13];
    be32(ihdr, (uint32_t)w);
    be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;   // bit depth
    ihdr[9] = 2;   // RGB
    ihdr[10] = 0;  // deflate
    ihdr[11] = 0;  // adaptive filtering
    ihdr[12] = 0;  // not interlaced
    int err = fwrite(sig, 1, 8, f) == 8 ? 0 : EIO;
    if (!err) {
        err = write_chunk(f, "IHDR", ihdr, sizeof(ihdr));
    }
    for (size_t y = 0; y < h && !err; y++) {
        uint8_t *px = cur + 1;
        for (size_t x = 0; x < w; x++) {
            uint32_t c = ui_fb_get(fb, (int32_t)x, (int32_t)y);
            px[3 * x] = (uint8_t)(c >> 16);
            px[3 * x + 1] = (uint8_t)(c >> 8);
            px[3 * x + 2] = (uint8_t)c;
        }
        if (y > 0 && memcmp(cur + 1, prev + 1, w * 3u) == 0) {
            filtered[0] = 2;  // up: a row of zeros
            memset(filtered + 1, 0, w * 3u);
        } else {
            filtered[0] = 1;  // sub
            for (size_t i = 0; i < w * 3u; i++) {
                filtered[1 + i] = (uint8_t)(px[i] - (i >= 3 ? px[i - 3] : 0));
            }
        }
        zs.next_in = filtered;
        zs.avail_in = (uInt)stride;
        err = deflate_into_idat(f, &zs, out, Z_NO_FLUSH);
        uint8_t *t = cur;
        cur = prev;
        prev = t;
    }
    if (!err) {
        err = deflate_into_idat(f, &zs, out, Z_FINISH);
    }
    deflateEnd(&zs);
    free(mem);
    if (!err) {
        err = write_chunk(f, "IEND", NULL, 0);
    }
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
