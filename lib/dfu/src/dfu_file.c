// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Images, and the DfuSe file format (ST UM0391): prefix, targets with their
// alternate settings, elements, and the DFU suffix with its CRC.
#include "dfu_internal.h"

#include <stdlib.h>
#include <string.h>

#define PREFIX_SIZE 11u
#define TARGET_PREFIX_SIZE 274u
#define ELEMENT_HEADER_SIZE 8u

void dfu_image_free(dfu_image *img) {
    if (img == NULL) {
        return;
    }
    for (size_t i = 0; i < img->count; i++) {
        free(img->elements[i].data);
    }
    free(img->elements);
    free(img->targets);
    memset(img, 0, sizeof(*img));
}

static dfu_status find_or_add_target(dfu_image *img, uint8_t alt, uint16_t *index, dfu_error *err) {
    for (size_t i = 0; i < img->target_count; i++) {
        if (img->targets[i].alt == alt) {
            *index = (uint16_t)i;
            return DFU_OK;
        }
    }
    if (img->target_count >= DFU_IMAGE_MAX_TARGETS) {
        return dfu_error_set(err, DFU_E_FORMAT, "more than %u targets", DFU_IMAGE_MAX_TARGETS);
    }
    dfu_target *t = realloc(img->targets, (img->target_count + 1) * sizeof(*t));
    if (t == NULL) {
        return dfu_error_set(err, DFU_E_NOMEM, "out of memory for a target");
    }
    img->targets = t;
    memset(&t[img->target_count], 0, sizeof(*t));
    t[img->target_count].alt = alt;
    *index = (uint16_t)img->target_count++;
    return DFU_OK;
}

dfu_status dfu_image_add(dfu_image *img, uint8_t alt, uint32_t address, const uint8_t *data,
    uint32_t size, dfu_error *err) {
    if (img->count >= DFU_IMAGE_MAX_ELEMENTS) {
        return dfu_error_set(err, DFU_E_FORMAT, "more than %u elements", DFU_IMAGE_MAX_ELEMENTS);
    }
    if ((uint64_t)address + size > 0x100000000ull) {
        return dfu_error_set(err, DFU_E_FORMAT,
            "element at 0x%08x of %u bytes runs past the 4 GiB address space",
            (unsigned)address, (unsigned)size);
    }
    uint16_t target = 0;
    dfu_status st = find_or_add_target(img, alt, &target, err);
    if (st != DFU_OK) {
        return st;
    }
    dfu_element *e = realloc(img->elements, (img->count + 1) * sizeof(*e));
    if (e == NULL) {
        return dfu_error_set(err, DFU_E_NOMEM, "out of memory for an element");
    }
    img->elements = e;
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL) {
        return dfu_error_set(err, DFU_E_NOMEM, "out of memory for %u bytes of data", (unsigned)size);
    }
    if (size) {
        memcpy(copy, data, size);
    }
    e[img->count] = (dfu_element){.address = address, .size = size, .data = copy, .alt = alt, .target = target};
    img->count++;
    return DFU_OK;
}

static int element_order(const void *a, const void *b) {
    const dfu_element *x = a, *y = b;
    if (x->target != y->target) {
        return x->target < y->target ? -1 : 1;
    }
    if (x->address != y->address) {
        return x->address < y->address ? -1 : 1;
    }
    return 0;
}

dfu_status dfu_image_check(dfu_image *img, dfu_error *err) {
    if (img->count > 1) {
        qsort(img->elements, img->count, sizeof(img->elements[0]), element_order);
    }
    // Same alt means same target (find_or_add_target), so neighbours suffice.
    for (size_t i = 1; i < img->count; i++) {
        const dfu_element *p = &img->elements[i - 1], *e = &img->elements[i];
        if (p->alt == e->alt && (uint64_t)p->address + p->size > e->address) {
            return dfu_error_set(err, DFU_E_OVERLAP,
                "alt %u: data at 0x%08x..0x%08x overlaps data at 0x%08x..0x%08x", e->alt,
                (unsigned)p->address, (unsigned)(p->address + p->size - 1), (unsigned)e->address,
                (unsigned)(e->address + (e->size ? e->size - 1 : 0)));
        }
    }
    return DFU_OK;
}

bool dfu_image_start(const dfu_image *img, uint32_t *address) {
    bool found = false;
    for (int pass = 0; pass < 2 && !found; pass++) {
        for (size_t i = 0; i < img->count; i++) {
            const dfu_element *e = &img->elements[i];
            if (pass == 0 && e->alt != 0) {
                continue;
            }
            if (!found || e->address < *address) {
                *address = e->address;
                found = true;
            }
        }
    }
    return found;
}

size_t dfu_image_total(const dfu_image *img) {
    size_t total = 0;
    for (size_t i = 0; i < img->count; i++) {
        total += img->elements[i].size;
    }
    return total;
}

dfu_status dfu_parse_dfuse(const uint8_t *buf, size_t len, dfu_image *out, dfu_error *err) {
    dfu_suffix suffix;
    dfu_status st = dfu_suffix_read(buf, len, &suffix, err);
    if (st != DFU_OK) {
        return st;
    }
    out->has_suffix = true;
    out->suffix = suffix;
    size_t body = len - DFU_SUFFIX_SIZE;
    if (body < PREFIX_SIZE || memcmp(buf, "DfuSe", 5) != 0) {
        return dfu_error_set(err, DFU_E_FORMAT, "no DfuSe prefix");
    }
    if (buf[5] != 1) {
        return dfu_error_set(err, DFU_E_FORMAT, "DfuSe version %u is not supported (1 expected)", buf[5]);
    }
    uint32_t image_size = dfu_get32(buf + 6);
    if (image_size != body) {
        return dfu_error_set(err, image_size > body ? DFU_E_TRUNCATED : DFU_E_FORMAT,
            "DfuSe prefix says %u bytes before the suffix, the file has %zu", (unsigned)image_size, body);
    }
    unsigned targets = buf[10];
    size_t off = PREFIX_SIZE;
    for (unsigned t = 0; t < targets; t++) {
        if (body - off < TARGET_PREFIX_SIZE) {
            return dfu_error_set(err, DFU_E_TRUNCATED, "target %u: prefix at offset %zu is cut short", t, off);
        }
        const uint8_t *tp = buf + off;
        if (memcmp(tp, "Target", 6) != 0) {
            return dfu_error_set(err, DFU_E_FORMAT, "target %u: no \"Target\" signature at offset %zu", t, off);
        }
        uint8_t alt = tp[6];
        uint32_t named = dfu_get32(tp + 7);
        uint32_t target_size = dfu_get32(tp + 266);
        uint32_t elements = dfu_get32(tp + 270);
        off += TARGET_PREFIX_SIZE;
        if (target_size > body - off) {
            return dfu_error_set(err, DFU_E_TRUNCATED,
                "target %u: %u bytes of elements declared, %zu left in the file", t,
                (unsigned)target_size, body - off);
        }
        for (size_t i = 0; i < out->target_count; i++) {
            if (out->targets[i].alt == alt) {
                return dfu_error_set(err, DFU_E_FORMAT, "target %u: alt setting %u appears twice", t, alt);
            }
        }
        uint16_t ti = 0;
        if ((st = find_or_add_target(out, alt, &ti, err)) != DFU_OK) {
            return st;
        }
        out->targets[ti].named = named != 0;
        if (named) {
            memcpy(out->targets[ti].name, tp + 11, 255);
            out->targets[ti].name[255] = '\0';
        }
        size_t end = off + target_size, used = 0;
        for (uint32_t e = 0; e < elements; e++) {
            if (end - off < ELEMENT_HEADER_SIZE) {
                return dfu_error_set(err, DFU_E_TRUNCATED,
                    "target %u element %u: header at offset %zu is outside the target", t, (unsigned)e, off);
            }
            uint32_t address = dfu_get32(buf + off), size = dfu_get32(buf + off + 4);
            off += ELEMENT_HEADER_SIZE;
            if (size > end - off) {
                return dfu_error_set(err, DFU_E_TRUNCATED,
                    "target %u element %u at 0x%08x: %u bytes declared, %zu left in the target", t,
                    (unsigned)e, (unsigned)address, (unsigned)size, end - off);
            }
            if ((st = dfu_image_add(out, alt, address, buf + off, size, err)) != DFU_OK) {
                return st;
            }
            off += size;
            used += ELEMENT_HEADER_SIZE + size;
        }
        if (used != target_size) {
            return dfu_error_set(err, DFU_E_FORMAT,
                "target %u: size field says %u bytes, its %u elements use %zu", t,
                (unsigned)target_size, (unsigned)elements, used);
        }
    }
    if (off != body) {
        return dfu_error_set(err, DFU_E_FORMAT, "%zu unexplained bytes after the last target", body - off);
    }
    return dfu_image_check(out, err);
}

static dfu_format sniff(const uint8_t *buf, size_t len) {
    if (len >= 5 && memcmp(buf, "DfuSe", 5) == 0) {
        return DFU_FORMAT_DFUSE;
    }
    if (len >= 4 && memcmp(buf, "\x7f" "ELF", 4) == 0) {
        return DFU_FORMAT_ELF;
    }
    if (len >= 1 && buf[0] == ':') {
        return DFU_FORMAT_HEX;
    }
    return DFU_FORMAT_BIN;
}

dfu_status dfu_image_parse(const uint8_t *buf, size_t len, dfu_format format, uint32_t bin_address,
    dfu_image *out, dfu_error *err) {
    memset(out, 0, sizeof(*out));
    if (buf == NULL && len != 0) {
        return dfu_error_set(err, DFU_E_ARG, "no buffer");
    }
    if (format == DFU_FORMAT_AUTO) {
        format = sniff(buf, len);
    }
    out->format = format;
    dfu_status st;
    switch (format) {
        case DFU_FORMAT_DFUSE: st = dfu_parse_dfuse(buf, len, out, err); break;
        case DFU_FORMAT_HEX: st = dfu_parse_hex(buf, len, out, err); break;
        case DFU_FORMAT_ELF: st = dfu_parse_elf(buf, len, out, err); break;
        case DFU_FORMAT_BIN: {
            // A plain DFU file: raw image plus the suffix, which is not sent.
            dfu_suffix suffix;
            if (dfu_suffix_read(buf, len, &suffix, NULL) == DFU_OK) {
                out->has_suffix = true;
                out->suffix = suffix;
                len -= DFU_SUFFIX_SIZE;
            }
            if (len == 0) {
                st = dfu_error_set(err, DFU_E_FORMAT, "the file is empty");
            } else if (len > 0xFFFFFFFFu) {
                st = dfu_error_set(err, DFU_E_FORMAT, "file of %zu bytes is larger than 4 GiB", len);
            } else {
                st = dfu_image_add(out, 0, bin_address, buf, (uint32_t)len, err);
            }
            break;
        }
        default: st = dfu_error_set(err, DFU_E_ARG, "unknown format %d", (int)format); break;
    }
    if (st == DFU_OK && out->count == 0) {
        st = dfu_error_set(err, DFU_E_FORMAT, "the %s file holds no data", dfu_format_name(format));
    }
    if (st != DFU_OK) {
        dfu_image_free(out);
        out->format = format;
    }
    return st;
}

// An element's size rounded up to `pad`, but never into the next element of
// its alt (the ELF .data right after .text, say).
static uint32_t padded_size(const dfu_image *img, size_t i, unsigned pad) {
    const dfu_element *e = &img->elements[i];
    uint64_t padded = ((uint64_t)e->size + pad - 1) / pad * pad;
    if ((uint64_t)e->address + padded > 0x100000000ull) {
        padded = 0x100000000ull - e->address;
    }
    for (size_t k = 0; k < img->count; k++) {
        const dfu_element *n = &img->elements[k];
        if (k != i && n->alt == e->alt && n->address >= (uint64_t)e->address + e->size &&
            n->address < (uint64_t)e->address + padded) {
            padded = n->address - e->address;
        }
    }
    return (uint32_t)padded;
}

dfu_status dfu_image_write_dfuse(const dfu_image *img, unsigned pad, uint8_t **out, size_t *out_len,
    dfu_error *err) {
    *out = NULL;
    *out_len = 0;
    if (pad == 0 || pad > 4096) {
        return dfu_error_set(err, DFU_E_ARG, "padding %u is not in 1..4096", pad);
    }
    if (img->target_count > DFU_IMAGE_MAX_TARGETS) {
        return dfu_error_set(err, DFU_E_ARG, "%zu targets; DfuSe holds at most 255", img->target_count);
    }
    size_t total = PREFIX_SIZE + DFU_SUFFIX_SIZE;
    for (size_t t = 0; t < img->target_count; t++) {
        total += TARGET_PREFIX_SIZE;
    }
    for (size_t i = 0; i < img->count; i++) {
        uint64_t padded = padded_size(img, i, pad);
        if (padded > 0xFFFFFFFFu || (uint64_t)img->elements[i].address + padded > 0x100000000ull) {
            return dfu_error_set(err, DFU_E_ARG, "element at 0x%08x too large once padded",
                (unsigned)img->elements[i].address);
        }
        total += ELEMENT_HEADER_SIZE + (size_t)padded;
    }
    if (total - DFU_SUFFIX_SIZE > 0xFFFFFFFFu) {
        return dfu_error_set(err, DFU_E_ARG, "image larger than 4 GiB");
    }
    uint8_t *buf = malloc(total);
    if (buf == NULL) {
        return dfu_error_set(err, DFU_E_NOMEM, "out of memory for a %zu-byte file", total);
    }
    memcpy(buf, "DfuSe", 5);
    buf[5] = 1;
    dfu_put32(buf + 6, (uint32_t)(total - DFU_SUFFIX_SIZE));
    buf[10] = (uint8_t)img->target_count;
    size_t off = PREFIX_SIZE;
    for (size_t t = 0; t < img->target_count; t++) {
        const dfu_target *tg = &img->targets[t];
        uint8_t *tp = buf + off;
        memset(tp, 0, TARGET_PREFIX_SIZE);
        memcpy(tp, "Target", 6);
        tp[6] = tg->alt;
        size_t name_len = 0;
        while (name_len < 255 && tg->name[name_len]) {
            name_len++;
        }
        dfu_put32(tp + 7, tg->named || name_len ? 1u : 0u);
        memcpy(tp + 11, tg->name, name_len);
        off += TARGET_PREFIX_SIZE;
        size_t start = off;
        uint32_t n = 0;
        for (size_t i = 0; i < img->count; i++) {
            const dfu_element *e = &img->elements[i];
            if (e->target != t) {
                continue;
            }
            uint32_t padded = padded_size(img, i, pad);
            dfu_put32(buf + off, e->address);
            dfu_put32(buf + off + 4, padded);
            off += ELEMENT_HEADER_SIZE;
            memcpy(buf + off, e->data, e->size);
            memset(buf + off + e->size, 0xFF, padded - e->size);
            off += padded;
            n++;
        }
        dfu_put32(tp + 266, (uint32_t)(off - start));
        dfu_put32(tp + 270, n);
    }
    dfu_suffix suffix = img->has_suffix ? img->suffix
                                        : (dfu_suffix){.bcd_device = 0, .pid = 0xDF11, .vid = 0x0483};
    suffix.bcd_dfu = DFU_BCD_DFUSE;
    dfu_suffix_write(buf, off, &suffix, buf + off);
    *out = buf;
    *out_len = total;
    return DFU_OK;
}
