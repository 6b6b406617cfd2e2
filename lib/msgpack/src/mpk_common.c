// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Status strings, the status-to-exception table, timestamps and UTF-8.

#include "mpk.h"

// The one table of statuses: the exception family and the message each
// binding raises. Indexed by mpk_status_t.
#if MPK_STATUS_STRINGS
#define MPK_MSG(s) s
#else
#define MPK_MSG(s) ""
#endif

typedef struct status_entry {
    uint8_t kind;          // mpk_exc_kind_t
    const char *msg;
} status_entry_t;

static const status_entry_t status_table[] = {
    [MPK_OK] = { MPK_EXC_NONE, MPK_MSG("ok") },
    [MPK_NEED_MORE] = { MPK_EXC_OUT_OF_DATA, MPK_MSG("No more data to unpack.") },
    [MPK_ERR_IO] = { MPK_EXC_OS, MPK_MSG("stream error") },
    [MPK_ERR_INVALID] = { MPK_EXC_FORMAT, MPK_MSG("invalid format byte 0xc1") },
    [MPK_ERR_TRUNCATED] = { MPK_EXC_VALUE, MPK_MSG("Unpack failed: incomplete input") },
    [MPK_ERR_DEPTH] = { MPK_EXC_STACK, MPK_MSG("nesting too deep") },
    [MPK_ERR_LIMIT] = { MPK_EXC_VALUE, MPK_MSG("length exceeds limit") },
    [MPK_ERR_RANGE] = { MPK_EXC_VALUE, MPK_MSG("value out of range") },
    [MPK_ERR_TIMESTAMP] = { MPK_EXC_VALUE, MPK_MSG("timestamp data must be 4, 8 or 12 bytes") },
    [MPK_ERR_MEMORY] = { MPK_EXC_MEMORY, MPK_MSG("out of memory") },
    [MPK_ERR_CALLBACK] = { MPK_EXC_PENDING, MPK_MSG("callback failed") },
    [MPK_ERR_ARG] = { MPK_EXC_RUNTIME, MPK_MSG("invalid argument") },
    [MPK_ERR_FULL] = { MPK_EXC_BUFFER_FULL, MPK_MSG("buffer is full: max_buffer_size reached") },
    [MPK_ERR_BUSY] = { MPK_EXC_RUNTIME, MPK_MSG("Unpacker is busy (re-entered from a hook or the stream)") },
    [MPK_ERR_EOF_INSIDE] = { MPK_EXC_OUT_OF_DATA, MPK_MSG("stream ended inside an object") },
    [MPK_ERR_EOF] = { MPK_EXC_OUT_OF_DATA, MPK_MSG("stream ended before an object") },
    [MPK_ERR_AGAIN] = { MPK_EXC_AGAIN, MPK_MSG("stream has no data now (non-blocking)") },
    [MPK_ERR_PARTIAL] = { MPK_EXC_VALUE, MPK_MSG("an object is partly unpacked") },
    [MPK_ERR_WRONG_TYPE] = { MPK_EXC_VALUE, MPK_MSG("Unexpected type header on stream") },
};

static const status_entry_t *status_entry(mpk_status_t status) {
    static const status_entry_t unknown = { MPK_EXC_RUNTIME, MPK_MSG("unknown status") };
    size_t i = (size_t)status;
    return i < sizeof status_table / sizeof status_table[0] ? &status_table[i] : &unknown;
}

const char *mpk_status_str(mpk_status_t status) {
    return status_entry(status)->msg;
}

mpk_exc_kind_t mpk_status_exc(mpk_status_t status) {
    return (mpk_exc_kind_t)status_entry(status)->kind;
}

void mpk_error_get(mpk_error_t *e, mpk_status_t status, const mpk_decoder_t *d) {
    static const char *const limit_names[] = { "", "str", "bin", "ext", "array", "map" };
    const status_entry_t *entry = status_entry(status);
    e->kind = (mpk_exc_kind_t)entry->kind;
    e->fmt = entry->msg;
    e->a = e->b = 0;
    e->name = "";
    #if MPK_STATUS_STRINGS
    if (status == MPK_ERR_LIMIT && d != NULL && d->err_limit != MPK_LIMIT_NONE
        && (size_t)d->err_limit < sizeof limit_names / sizeof limit_names[0]) {
        e->fmt = "%u exceeds max_%s_len(%u)";
        e->a = (unsigned)d->err_value;
        e->name = limit_names[d->err_limit];
        e->b = (unsigned)d->err_max;
    } else if (status == MPK_ERR_DEPTH) {
        e->fmt = "nesting deeper than %u levels";
        e->a = d != NULL ? (unsigned)d->limits.max_depth : (unsigned)MPK_DEFAULT_MAX_DEPTH;
    }
    #else
    (void)d;
    (void)limit_names;
    #endif
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
