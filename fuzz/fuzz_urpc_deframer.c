// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libFuzzer: the urpc deframer on arbitrary bytes fed in arbitrary pieces.
// Every frame it returns must pass both CRCs and lie inside the buffer, and
// the buffer must never fill up without a frame to show for it.

#include <stdlib.h>
#include <string.h>

#include "urpc.h"

#define REQUIRE(cond) do { if (!(cond)) { abort(); } } while (0)

static uint8_t buf[512 + URPC_OVERHEAD];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    size_t step = (size_t)(data[0] % 64) + 1;
    data++;
    size--;
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
