// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libFuzzer: the urpc deframer on arbitrary bytes fed in arbitrary pieces.
// Every frame it returns must pass both CRCs and lie inside the buffer, and
// the buffer must never fill up without a frame to show for it. In the other
// mode the input is cut into bodies that are framed and fed in pieces: every
// frame must come out, in order, unchanged (the body CRC is computed as
// bytes arrive, across compactions of the buffer).

#include <stdlib.h>
#include <string.h>

#include "urpc.h"

#define REQUIRE(cond) do { if (!(cond)) { abort(); } } while (0)

static uint8_t buf[512 + URPC_OVERHEAD];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t stream[8192];

static int well_formed(const uint8_t *data, size_t size, size_t step) {
    // Bodies: a length byte, then that many bytes (what is left, at the end).
    size_t n = 0, frames = 0;
    size_t lens[64];
    const uint8_t *bodies[64];
    while (size > 0 && frames < 64) {
        size_t len = data[0] * 2u;
        data++;
        size--;
        if (len > size) {
            len = size;
        }
        if (n + len + URPC_OVERHEAD > sizeof stream) {
            break;
        }
        urpc_frame_write(stream + n, URPC_REPLY, (uint16_t)frames, data, len);
        bodies[frames] = data;
        lens[frames++] = len;
        n += len + URPC_OVERHEAD;
        data += len;
        size -= len;
    }
    urpc_deframer_t d;
    REQUIRE(urpc_deframer_init(&d, buf, sizeof buf, 512) == URPC_OK);
    size_t got = 0;
    for (size_t pos = 0; pos < n;) {
        size_t take = step < n - pos ? step : n - pos;
        pos += urpc_deframer_feed(&d, stream + pos, take);
        urpc_frame_t f;
        while (urpc_deframer_next(&d, &f) == URPC_OK) {
            REQUIRE(got < frames && f.id == got && f.len == lens[got]);
            REQUIRE(memcmp(f.body, bodies[got], f.len) == 0);
            got++;
        }
    }
    REQUIRE(got == frames && d.dropped == 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    size_t step = (size_t)(data[0] % 64) + 1;
    bool frames_mode = data[0] & 0x80u;
    data++;
    size--;
    if (frames_mode) {
        return well_formed(data, size, step * 7);
    }
    urpc_deframer_t d;
    REQUIRE(urpc_deframer_init(&d, buf, sizeof buf, 512) == URPC_OK);
    size_t pos = 0;
    while (pos < size) {
        size_t n = step < size - pos ? step : size - pos;
        size_t took = urpc_deframer_feed(&d, data + pos, n);
        REQUIRE(took > 0);  // there is always room after next() said NEED_MORE
        pos += took;
        urpc_frame_t f;
        urpc_status_t st;
        while ((st = urpc_deframer_next(&d, &f)) == URPC_OK) {
            REQUIRE(f.body >= buf + URPC_HEADER_SIZE && f.body + f.len + URPC_TRAILER_SIZE <= buf + sizeof buf);
            REQUIRE(f.len <= 512 && f.kind >= 1 && f.kind <= 3);
            const uint8_t *h = f.body - URPC_HEADER_SIZE;
            REQUIRE(urpc_crc16(0xFFFF, h, 8) == (uint16_t)(h[8] | (h[9] << 8)));
            const uint8_t *t = f.body + f.len;
            REQUIRE(urpc_crc32(0, f.body, f.len)
                == ((uint32_t)t[0] | ((uint32_t)t[1] << 8) | ((uint32_t)t[2] << 16) | ((uint32_t)t[3] << 24)));
        }
        REQUIRE(st == URPC_NEED_MORE && d.need > 0);
    }
    return 0;
}
