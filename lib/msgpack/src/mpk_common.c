// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Status strings, the status-to-exception table, timestamps and UTF-8.

#include "mpk.h"

const char *mpk_status_str(mpk_status_t status) {
    #if MPK_STATUS_STRINGS
    switch (status) {
        case MPK_OK: return "ok";
        case MPK_NEED_MORE: return "incomplete input";
        case MPK_ERR_IO: return "stream error";
        case MPK_ERR_INVALID: return "invalid format byte 0xc1";
        case MPK_ERR_TRUNCATED: return "incomplete input";
        case MPK_ERR_DEPTH: return "nesting too deep";
        case MPK_ERR_LIMIT: return "length exceeds limit";
        case MPK_ERR_RANGE: return "value out of range";
        case MPK_ERR_TIMESTAMP: return "timestamp data must be 4, 8 or 12 bytes";
        case MPK_ERR_MEMORY: return "out of memory";
        case MPK_ERR_CALLBACK: return "callback failed";
        case MPK_ERR_ARG: return "invalid argument";
    }
    return "unknown status";
    #else
    (void)status;
    return "";
    #endif
}

mpk_exc_kind_t mpk_status_exc(mpk_status_t status) {
    switch (status) {
        case MPK_OK:
        case MPK_NEED_MORE:
            return MPK_EXC_NONE;
        case MPK_ERR_IO:
            return MPK_EXC_OS;
        case MPK_ERR_INVALID:
            return MPK_EXC_FORMAT;
        case MPK_ERR_DEPTH:
            return MPK_EXC_STACK;
        case MPK_ERR_TRUNCATED:
        case MPK_ERR_LIMIT:
        case MPK_ERR_RANGE:
        case MPK_ERR_TIMESTAMP:
            return MPK_EXC_VALUE;
        case MPK_ERR_MEMORY:
            return MPK_EXC_MEMORY;
        case MPK_ERR_CALLBACK:
            return MPK_EXC_PENDING;
        case MPK_ERR_ARG:
            return MPK_EXC_RUNTIME;
    }
    return MPK_EXC_RUNTIME;
}

mpk_status_t mpk_timestamp_decode(const uint8_t *p, size_t n, int64_t *sec, uint32_t *nsec) {
    uint64_t hi, lo;
    switch (n) {
        case 4:
            *sec = (int64_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]);
            *nsec = 0;
            return MPK_OK;
        case 8:
            hi = ((uint64_t)p[0] << 24) | ((uint64_t)p[1] << 16) | ((uint64_t)p[2] << 8) | p[3];
            lo = ((uint64_t)p[4] << 24) | ((uint64_t)p[5] << 16) | ((uint64_t)p[6] << 8) | p[7];
            hi = (hi << 32) | lo;
            *nsec = (uint32_t)(hi >> 34);
            *sec = (int64_t)(hi & 0x3ffffffffu);
            break;
        case 12:
            *nsec = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
            hi = ((uint64_t)p[4] << 24) | ((uint64_t)p[5] << 16) | ((uint64_t)p[6] << 8) | p[7];
            lo = ((uint64_t)p[8] << 24) | ((uint64_t)p[9] << 16) | ((uint64_t)p[10] << 8) | p[11];
            *sec = (int64_t)((hi << 32) | lo);
            break;
        default:
            return MPK_ERR_TIMESTAMP;
    }
    return *nsec > MPK_NSEC_MAX ? MPK_ERR_RANGE : MPK_OK;
}

bool mpk_utf8_valid(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        // Runs of ASCII, the common case, eight bytes at a time.
        if (n - i >= 8) {
            uint32_t a, b;
            memcpy(&a, p + i, 4);
            memcpy(&b, p + i + 4, 4);
            if (((a | b) & 0x80808080u) == 0) {
                i += 8;
                continue;
            }
        }
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0) {
                lo = 0xa0;  // overlong below U+0800
            } else if (c == 0xed) {
                hi = 0x9f;  // surrogates U+D800..U+DFFF
            }
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0) {
                lo = 0x90;  // overlong below U+10000
            } else if (c == 0xf4) {
                hi = 0x8f;  // above U+10FFFF
            }
        } else {
            return false;   // continuation byte, overlong lead, or > 0xf4
        }
        if (n - i < len || p[i + 1] < lo || p[i + 1] > hi) {
            return false;
        }
        for (size_t k = 2; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return false;
            }
        }
        i += len;
    }
    return true;
}
