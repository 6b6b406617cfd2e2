// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// DfuSe memory layouts, from the alt setting's interface string (UM0424
// 4.3.2): "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg".
// After the name come one or more "/0xADDRESS/" blocks, each a comma list of
// COUNT*SIZE followed by a multiplier (B, K, M or, as real F4 option-byte
// strings have it, a space) and a type letter a..g: the letter minus 'a' + 1
// is a bitmask of readable (1), erasable (2) and writeable (4).
#include "dfu_internal.h"

#include <string.h>

uint64_t dfu_segment_end(const dfu_mem_segment *seg) {
    return (uint64_t)seg->start + (uint64_t)seg->page_size * seg->pages;
}

static bool parse_number(const char **p, int base, uint64_t limit, uint64_t *out) {
    const char *s = *p;
    uint64_t v = 0;
    int digits = 0;
    for (;; s++, digits++) {
        int d;
        if (*s >= '0' && *s <= '9') {
            d = *s - '0';
        } else if (base == 16 && ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')) {
            d = (*s | 0x20) - 'a' + 10;
        } else {
            break;
        }
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > limit) {
            return false;
        }
    }
    if (digits == 0) {
        return false;
    }
    *p = s;
    *out = v;
    return true;
}

dfu_status dfu_layout_parse(const char *text, dfu_layout *out, dfu_error *err) {
    memset(out, 0, sizeof(*out));
    if (text == NULL || text[0] != '@') {
        return dfu_error_set(err, DFU_E_LAYOUT, "layout does not start with '@'");
    }
    const char *p = text + 1;
    const char *slash = strchr(p, '/');
    if (slash == NULL) {
        return dfu_error_set(err, DFU_E_LAYOUT, "layout has no '/' after its name");
    }
    size_t name_len = (size_t)(slash - p);
    while (name_len && p[name_len - 1] == ' ') {
        name_len--;
    }
    if (name_len >= sizeof(out->name)) {
        return dfu_error_set(err, DFU_E_LAYOUT, "layout name longer than %zu bytes", sizeof(out->name) - 1);
    }
    memcpy(out->name, p, name_len);
    p = slash;
    while (*p == '/') {
        p++;
        if (p[0] != '0' || (p[1] | 0x20) != 'x') {
            return dfu_error_set(err, DFU_E_LAYOUT, "offset %zu: expected a 0x address", (size_t)(p - text));
        }
        p += 2;
        uint64_t address;
        if (!parse_number(&p, 16, 0xFFFFFFFFu, &address)) {
            return dfu_error_set(err, DFU_E_LAYOUT, "offset %zu: bad hex address", (size_t)(p - text));
        }
        if (*p++ != '/') {
            return dfu_error_set(err, DFU_E_LAYOUT, "offset %zu: expected '/' after the address",
                (size_t)(p - 1 - text));
        }
        for (;;) {
            uint64_t count, size;
            if (!parse_number(&p, 10, 0xFFFFFFFFu, &count) || *p != '*') {
                return dfu_error_set(err, DFU_E_LAYOUT, "offset %zu: expected COUNT*SIZE", (size_t)(p - text));
            }
            p++;
            if (!parse_number(&p, 10, 0xFFFFFFFFu, &size)) {
                return dfu_error_set(err, DFU_E_LAYOUT, "offset %zu: expected a page size", (size_t)(p - text));
            }
            switch (*p) {
                case 'K': size *= 1024u; break;
                case 'M': size *= 1024u * 1024u; break;
                case 'B': break;
                case ' ': out->warnings++; break;
                default:
                    return dfu_error_set(err, DFU_E_LAYOUT, "offset %zu: multiplier '%c' is not B, K or M",
                        (size_t)(p - text), *p ? *p : '?');
            }
            p++;
            if (*p < 'a' || *p > 'g') {
                return dfu_error_set(err, DFU_E_LAYOUT, "offset %zu: type '%c' is not a..g",
                    (size_t)(p - text), *p ? *p : '?');
            }
            uint8_t flags = (uint8_t)(*p - 'a' + 1);
            p++;
            if (count == 0 || size == 0 || size > 0xFFFFFFFFu) {
                return dfu_error_set(err, DFU_E_LAYOUT, "segment %zu: %llu pages of %llu bytes", out->count,
                    (unsigned long long)count, (unsigned long long)size);
            }
            if (address + count * size > 0x100000000ull) {
                return dfu_error_set(err, DFU_E_LAYOUT, "segment %zu at 0x%08llx runs past 4 GiB", out->count,
                    (unsigned long long)address);
            }
            if (out->count >= DFU_LAYOUT_MAX_SEGMENTS) {
                return dfu_error_set(err, DFU_E_LAYOUT, "more than %u segments", DFU_LAYOUT_MAX_SEGMENTS);
            }
            out->segments[out->count++] = (dfu_mem_segment){
                .start = (uint32_t)address, .page_size = (uint32_t)size, .pages = (uint32_t)count, .flags = flags};
            address += count * size;
            while (*p == ' ') {
                p++;  // some devices pad the string
            }
            if (*p != ',') {
                break;
            }
            p++;
        }
    }
    if (*p != '\0') {
        return dfu_error_set(err, DFU_E_LAYOUT, "offset %zu: unexpected '%c'", (size_t)(p - text), *p);
    }
    if (out->count == 0) {
        return dfu_error_set(err, DFU_E_LAYOUT, "layout names no memory");
    }
    return DFU_OK;
}

const dfu_mem_segment *dfu_layout_find(const dfu_layout *layout, uint32_t address) {
    for (size_t i = 0; i < layout->count; i++) {
        const dfu_mem_segment *s = &layout->segments[i];
        if (address >= s->start && address < dfu_segment_end(s)) {
            return s;
        }
    }
    return NULL;
}

dfu_status dfu_layout_check(const dfu_layout *layout, uint32_t address, uint32_t size, uint8_t flags,
    dfu_error *err) {
    uint64_t a = address, end = (uint64_t)address + size;
    while (a < end) {
        const dfu_mem_segment *s = dfu_layout_find(layout, (uint32_t)a);
        if (s == NULL) {
            return dfu_error_set(err, DFU_E_ADDRESS, "0x%08llx is outside \"%s\"", (unsigned long long)a,
                layout->name);
        }
        if ((s->flags & flags) != flags) {
            return dfu_error_set(err, DFU_E_ADDRESS, "0x%08llx in \"%s\" is not %s%s%s", (unsigned long long)a,
                layout->name, (flags & ~s->flags & DFU_MEM_READABLE) ? "readable " : "",
                (flags & ~s->flags & DFU_MEM_ERASABLE) ? "erasable " : "",
                (flags & ~s->flags & DFU_MEM_WRITEABLE) ? "writeable" : "");
        }
        a = dfu_segment_end(s);
    }
    return DFU_OK;
}

size_t dfu_layout_format(const dfu_layout *layout, char *out, size_t size) {
    size_t n = dfu_fmt(out, size, "@%s", layout->name);
    uint64_t next = 0;
    for (size_t i = 0; i < layout->count; i++) {
        const dfu_mem_segment *s = &layout->segments[i];
        char unit = 'B';
        uint32_t ps = s->page_size;
        if (ps % (1024u * 1024u) == 0) {
            unit = 'M';
            ps /= 1024u * 1024u;
        } else if (ps % 1024u == 0) {
            unit = 'K';
            ps /= 1024u;
        }
        const char *sep = (i == 0 || s->start != next) ? NULL : ",";
        char head[24] = "";
        if (sep == NULL) {
            dfu_fmt(head, sizeof(head), "/0x%08x/", (unsigned)s->start);
        }
        n += dfu_fmt(n < size ? out + n : NULL, n < size ? size - n : 0, "%s%s%u*%u%c%c",
            sep ? sep : "", head, (unsigned)s->pages, (unsigned)ps, unit, 'a' + s->flags - 1);
        next = dfu_segment_end(s);
    }
    return n;
}
