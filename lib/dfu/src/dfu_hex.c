// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Intel HEX: data (00), end of file (01), extended segment (02) and linear
// (04) addresses, start addresses (03, 05). Consecutive data records become
// one element; every record's checksum is checked. A UTF-8 byte-order mark,
// blank lines and CR/LF line ends are fine.
#include "dfu_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *data;
    uint32_t start;
    uint32_t size;
    uint32_t cap;
} run;

static int hexval(uint8_t c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (uint8_t)(c | 0x20);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

static dfu_status flush_run(run *r, dfu_image *out, dfu_error *err) {
    dfu_status st = DFU_OK;
    if (r->size) {
        st = dfu_image_add(out, 0, r->start, r->data, r->size, err);
    }
    r->size = 0;
    return st;
}

static dfu_status append(run *r, uint32_t address, const uint8_t *bytes, uint32_t n, dfu_image *out,
    dfu_error *err) {
    if (n == 0) {
        return DFU_OK;  // an empty data record is legal and adds nothing
    }
    if (r->size && (uint64_t)r->start + r->size != address) {
        dfu_status st = flush_run(r, out, err);
        if (st != DFU_OK) {
            return st;
        }
    }
    if (r->size == 0) {
        r->start = address;
    }
    if (r->size + n > r->cap) {
        uint32_t cap = r->cap ? r->cap : 4096;
        while (cap < r->size + n) {
            if (cap > 0x7FFFFFFFu) {
                return dfu_error_set(err, DFU_E_FORMAT, "HEX run larger than 2 GiB");
            }
            cap *= 2;
        }
        uint8_t *d = realloc(r->data, cap);
        if (d == NULL) {
            return dfu_error_set(err, DFU_E_NOMEM, "out of memory");
        }
        r->data = d;
        r->cap = cap;
    }
    memcpy(r->data + r->size, bytes, n);
    r->size += n;
    return DFU_OK;
}

static dfu_status parse(const uint8_t *buf, size_t len, dfu_image *out, run *r, dfu_error *err) {
    uint32_t base = 0;
    // A UTF-8 byte-order mark (editors on Windows add one) is not a record.
    size_t pos = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    unsigned line = 0;
    bool eof = false;
    while (pos < len) {
        // Blank lines and CR/LF between records are fine.
        if (buf[pos] == '\r' || buf[pos] == '\n' || buf[pos] == ' ' || buf[pos] == '\t') {
            if (buf[pos] == '\n') {
                line++;
            }
            pos++;
            continue;
        }
        unsigned lineno = line + 1;
        if (eof) {
            return dfu_error_set(err, DFU_E_FORMAT, "line %u: data after the end-of-file record", lineno);
        }
        if (buf[pos] != ':') {
            return dfu_error_set(err, DFU_E_FORMAT, "line %u: record does not start with ':'", lineno);
        }
        pos++;
        uint8_t rec[5 + 255];
        size_t nbytes = 0, want = 5;
        while (nbytes < want) {
            if (len - pos < 2 || buf[pos] == '\r' || buf[pos] == '\n' || buf[pos + 1] == '\r' ||
                buf[pos + 1] == '\n') {
                return dfu_error_set(err, DFU_E_TRUNCATED, "line %u: record cut short", lineno);
            }
            int hi = hexval(buf[pos]), lo = hexval(buf[pos + 1]);
            if (hi < 0 || lo < 0) {
                return dfu_error_set(err, DFU_E_FORMAT, "line %u: '%c%c' is not a hex byte", lineno,
                    buf[pos] >= 0x20 && buf[pos] < 0x7f ? buf[pos] : '?',
                    buf[pos + 1] >= 0x20 && buf[pos + 1] < 0x7f ? buf[pos + 1] : '?');
            }
            rec[nbytes++] = (uint8_t)(hi << 4 | lo);
            pos += 2;
            if (nbytes == 1) {
                want = 5u + rec[0];
            }
        }
        if (pos < len && buf[pos] != '\r' && buf[pos] != '\n') {
            return dfu_error_set(err, DFU_E_FORMAT, "line %u: record longer than its count of %u",
                lineno, rec[0]);
        }
        uint8_t sum = 0;
        for (size_t i = 0; i < nbytes; i++) {
            sum = (uint8_t)(sum + rec[i]);
        }
        if (sum != 0) {
            return dfu_error_set(err, DFU_E_CRC, "line %u: checksum 0x%02x should be 0x%02x", lineno,
                rec[nbytes - 1], (uint8_t)(rec[nbytes - 1] - sum));
        }
        uint8_t count = rec[0], type = rec[3];
        uint16_t offset = (uint16_t)(rec[1] << 8 | rec[2]);
        const uint8_t *data = rec + 4;
        dfu_status st;
        switch (type) {
            case 0: {
                uint64_t address = (uint64_t)base + offset;
                if (address + count > 0x100000000ull) {
                    return dfu_error_set(err, DFU_E_FORMAT, "line %u: data past the 4 GiB address space", lineno);
                }
                if ((st = append(r, (uint32_t)address, data, count, out, err)) != DFU_OK) {
                    return st;
                }
                break;
            }
            case 1:
                if (count != 0) {
                    return dfu_error_set(err, DFU_E_FORMAT, "line %u: end-of-file record with data", lineno);
                }
                eof = true;
                break;
            case 2:
            case 4:
                if (count != 2) {
                    return dfu_error_set(err, DFU_E_FORMAT, "line %u: address record with %u bytes (2 expected)",
                        lineno, count);
                }
                base = (uint32_t)(data[0] << 8 | data[1]) << (type == 2 ? 4 : 16);
                break;
            case 3:
            case 5:
                if (count != 4) {
                    return dfu_error_set(err, DFU_E_FORMAT, "line %u: start record with %u bytes (4 expected)",
                        lineno, count);
                }
                out->has_entry = true;
                out->entry = type == 5 ? ((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
                                          (uint32_t)data[2] << 8 | data[3])
                                       : ((uint32_t)(data[0] << 8 | data[1]) << 4) + (uint32_t)(data[2] << 8 | data[3]);
                break;
            default:
                return dfu_error_set(err, DFU_E_FORMAT, "line %u: unknown record type %u", lineno, type);
        }
    }
    if (!eof) {
        return dfu_error_set(err, DFU_E_TRUNCATED, "no end-of-file record (:00000001FF)");
    }
    dfu_status st = flush_run(r, out, err);
    return st != DFU_OK ? st : dfu_image_check(out, err);
}

dfu_status dfu_parse_hex(const uint8_t *buf, size_t len, dfu_image *out, dfu_error *err) {
    run r = {0};
    dfu_status st = parse(buf, len, out, &r, err);
    free(r.data);
    return st;
}
