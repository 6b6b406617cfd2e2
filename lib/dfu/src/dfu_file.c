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
    // A prefix that promises more than the file has: the file was cut short
    // (a download that stopped), whatever its last bytes now look like.
    if (len >= PREFIX_SIZE && memcmp(buf, "DfuSe", 5) == 0 &&
        (uint64_t)dfu_get32(buf + 6) + DFU_SUFFIX_SIZE > len) {
        return dfu_error_set(err, DFU_E_TRUNCATED,
            "cut short: its DfuSe prefix says %u bytes and a 16-byte suffix, the file has %zu",
            (unsigned)dfu_get32(buf + 6), len);
    }
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

// ---------------------------------------------------------------------------
// What a file is: what its name claims, what its content looks like, and
// what the user said (dfu_source). The rules are in dfu.h.

#define UTF8_BOM "\xEF\xBB\xBF"
#define TEXT_SAMPLE 4096u

static bool ends_with(const char *name, const char *ext) {
    size_t n = strlen(name), e = strlen(ext);
    if (n <= e) {
        return false;
    }
    for (size_t i = 0; i < e; i++) {
        char c = name[n - e + i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != ext[i]) {
            return false;
        }
    }
    return name[n - e - 1] != '/';  // "dir/.dfu" is a name without an extension
}

// The format a file's name claims (AUTO: none; .bin claims only "raw").
static dfu_format claimed_format(const char *name) {
    if (name == NULL) {
        return DFU_FORMAT_AUTO;
    }
    if (ends_with(name, ".dfu")) {
        return DFU_FORMAT_DFUSE;
    }
    if (ends_with(name, ".hex") || ends_with(name, ".ihex") || ends_with(name, ".ihx")) {
        return DFU_FORMAT_HEX;
    }
    if (ends_with(name, ".elf") || ends_with(name, ".axf")) {
        return DFU_FORMAT_ELF;
    }
    return DFU_FORMAT_AUTO;
}

// Past a UTF-8 byte-order mark and whitespace (where HEX records may start).
static size_t text_start(const uint8_t *buf, size_t len) {
    size_t i = len >= 3 && memcmp(buf, UTF8_BOM, 3) == 0 ? 3 : 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) {
        i++;
    }
    return i;
}

// The "DfuSe" prefix, or a DFU suffix that says DfuSe (a damaged file whose
// CRC then tells what is wrong).
static bool looks_dfuse(const uint8_t *buf, size_t len) {
    if (len >= 5 && memcmp(buf, "DfuSe", 5) == 0) {
        return true;
    }
    const uint8_t *suffix = len >= DFU_SUFFIX_SIZE ? buf + len - DFU_SUFFIX_SIZE : NULL;
    return suffix != NULL && memcmp(suffix + 8, "UFD", 3) == 0 && suffix[11] == DFU_SUFFIX_SIZE &&
           dfu_get16(suffix + 6) == DFU_BCD_DFUSE;
}

static bool looks_elf(const uint8_t *buf, size_t len) {
    return len >= 4 && memcmp(buf, "\x7f" "ELF", 4) == 0;
}

static bool looks_hex(const uint8_t *buf, size_t len) {
    size_t i = text_start(buf, len);
    return i < len && buf[i] == ':';
}

// The structured format the content has (AUTO: none of them).
static dfu_format content_format(const uint8_t *buf, size_t len) {
    return looks_dfuse(buf, len) ? DFU_FORMAT_DFUSE
           : looks_elf(buf, len) ? DFU_FORMAT_ELF
           : looks_hex(buf, len) ? DFU_FORMAT_HEX
                                 : DFU_FORMAT_AUTO;
}

// A plain DFU 1.x file: data and a valid suffix, no DfuSe prefix.
static bool plain_dfu(const uint8_t *buf, size_t len) {
    dfu_suffix suffix;
    return !looks_dfuse(buf, len) && dfu_suffix_read(buf, len, &suffix, NULL) == DFU_OK &&
           suffix.bcd_dfu != DFU_BCD_DFUSE;
}

static bool starts_with_ci(const uint8_t *buf, size_t len, const char *word) {
    size_t n = strlen(word);
    if (len < n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        if (c >= 'A' && c <= 'Z') {
            c = (uint8_t)(c - 'A' + 'a');
        }
        if (c != (uint8_t)word[i]) {
            return false;
        }
    }
    return true;
}

// Text: the first TEXT_SAMPLE bytes are UTF-8 with no control characters
// but tab, line ends and form feed. Firmware has zero bytes within its first
// words (a vector table, addresses, instructions): it is never text.
static bool is_text(const uint8_t *buf, size_t len) {
    size_t n = len < TEXT_SAMPLE ? len : TEXT_SAMPLE;
    for (size_t i = 0; i < n;) {
        uint8_t c = buf[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
                return false;
            }
            if (c == 0x7f) {
                return false;
            }
            i++;
            continue;
        }
        unsigned more = (c & 0xE0) == 0xC0 ? 1u : (c & 0xF0) == 0xE0 ? 2u : (c & 0xF8) == 0xF0 ? 3u : 0u;
        if (more == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4) {
            return false;
        }
        for (unsigned k = 1; k <= more; k++) {
            if (i + k >= n) {
                return n < len;  // the sample ends inside a character: fine; the file: not text
            }
            if ((buf[i + k] & 0xC0) != 0x80) {
                return false;
            }
        }
        i += 1 + more;
    }
    return n > 0;
}

static bool all_bytes(const uint8_t *buf, size_t len, uint8_t value) {
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != value) {
            return false;
        }
    }
    return len > 0;
}

static const struct {
    const char *magic;
    size_t len;
    const char *what;
} kinds[] = {
    {"PK\x03\x04", 4, "a ZIP archive (unpack it first)"},
    {"PK\x05\x06", 4, "an empty ZIP archive"},
    {"\x1f\x8b", 2, "gzip-compressed (gunzip it first)"},
    {"\xfd" "7zXZ", 6, "xz-compressed (unxz it first)"},
    {"BZh", 3, "bzip2-compressed (bunzip2 it first)"},
    {"\x28\xb5\x2f\xfd", 4, "zstd-compressed (unzstd it first)"},
    {"7z\xbc\xaf\x27\x1c", 6, "a 7-Zip archive (unpack it first)"},
    {"Rar!\x1a\x07", 6, "a RAR archive (unpack it first)"},
    {"%PDF-", 5, "a PDF document"},
    {"\x89PNG\r\n\x1a\n", 8, "a PNG image"},
};

// "it starts with "<first line>"": printable ASCII, '?' for the rest.
static size_t quote_start(const uint8_t *buf, size_t len, char *out, size_t size) {
    size_t i = text_start(buf, len), n = 0;
    char line[44];
    while (i < len && buf[i] != '\n' && buf[i] != '\r' && n < 40) {
        line[n++] = buf[i] >= 0x20 && buf[i] < 0x7f ? (char)buf[i] : '?';
        i++;
    }
    line[n] = '\0';
    bool more = i < len && buf[i] != '\n' && buf[i] != '\r';
    return dfu_fmt(out, size, "\"%s%s\"", line, more ? "..." : "");
}

// What content that is not firmware is (NULL: it may be firmware). *what
// is a phrase for "%s is not firmware: <phrase>".
static bool not_firmware(const uint8_t *buf, size_t len, char *what, size_t size) {
    if (len == 0) {
        dfu_fmt(what, size, "it is empty");
        return true;
    }
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        if (len >= kinds[k].len && memcmp(buf, kinds[k].magic, kinds[k].len) == 0) {
            dfu_fmt(what, size, "it is %s", kinds[k].what);
            return true;
        }
    }
    if (all_bytes(buf, len, 0x00)) {
        dfu_fmt(what, size, "it is %zu zero bytes", len);
        return true;
    }
    if (is_text(buf, len)) {
        size_t i = text_start(buf, len);
        const uint8_t *t = buf + i;
        size_t n = len - i;
        if (n == 0) {
            dfu_fmt(what, size, "it is %zu bytes of white space", len);
            return true;
        }
        char quoted[64];
        quote_start(buf, len, quoted, sizeof(quoted));
        const char *kind = starts_with_ci(t, n, "<!doctype html") || starts_with_ci(t, n, "<html") ? ", a web page?"
                           : starts_with_ci(t, n, "<?xml") || starts_with_ci(t, n, "<") ? ", markup (HTML or XML)"
                           : t[0] == '{' || t[0] == '[' ? ", JSON (an error reply?)"
                           : starts_with_ci(t, n, "version https://git-lfs") ? ", a Git LFS pointer (git lfs pull)"
                                                                             : ": text";
        dfu_fmt(what, size, "it starts with %s%s", quoted, kind);
        return true;
    }
    return false;
}

// What the content looks like, for a refusal: "it starts with "<!DOCTYPE
// html>", a web page?", "it is a ZIP archive ...", "it is an ELF file", or
// its first bytes.
static void describe(const uint8_t *buf, size_t len, char *out, size_t size) {
    dfu_format f = content_format(buf, len);
    if (f == DFU_FORMAT_DFUSE) {
        dfu_fmt(out, size, "it is a DfuSe file");
    } else if (f == DFU_FORMAT_ELF) {
        dfu_fmt(out, size, "it is an ELF file");
    } else if (f == DFU_FORMAT_HEX) {
        dfu_fmt(out, size, "it is an Intel HEX file");
    } else if (plain_dfu(buf, len)) {
        dfu_fmt(out, size, "it is a plain DFU file (data and a DFU suffix, no addresses)");
    } else if (!not_firmware(buf, len, out, size)) {
        if (all_bytes(buf, len, 0xFF)) {
            dfu_fmt(out, size, "it is %zu bytes of 0xFF (erased flash)", len);
            return;
        }
        char hex[3 * 8 + 1];
        size_t used = 0, n = len < 8 ? len : 8;
        for (size_t i = 0; i < n; i++) {
            used += dfu_fmt(hex + used, sizeof(hex) - used, "%s%02x", i ? " " : "", buf[i]);
        }
        dfu_fmt(out, size, "it starts with the bytes %s%s (binary data)", hex, len > 8 ? " ..." : "");
    }
}

static const char *format_title(dfu_format f) {
    return f == DFU_FORMAT_DFUSE ? "a DfuSe" : f == DFU_FORMAT_HEX ? "an Intel HEX" : "an ELF";
}

static dfu_status parse_raw(const uint8_t *buf, size_t len, const dfu_source *src, const char *name,
    dfu_image *out, dfu_error *err) {
    dfu_format f = content_format(buf, len);
    if (f != DFU_FORMAT_AUTO) {
        return dfu_error_set(err, DFU_E_ARG, "%s is %s file, not raw binary: it says where its data goes", name,
            format_title(f));
    }
    // A plain DFU file: raw image plus the suffix, which is not sent.
    dfu_suffix suffix;
    if (dfu_suffix_read(buf, len, &suffix, NULL) == DFU_OK) {
        out->has_suffix = true;
        out->suffix = suffix;
        len -= DFU_SUFFIX_SIZE;
    }
    char what[96];
    if (not_firmware(buf, len, what, sizeof(what))) {
        return dfu_error_set(err, DFU_E_FORMAT, "%s is not firmware: %s", name, what);
    }
    if (len > 0xFFFFFFFFu) {
        return dfu_error_set(err, DFU_E_FORMAT, "%s: %zu bytes is more than 4 GiB", name, len);
    }
    out->needs_address = !src->has_address;
    return dfu_image_add(out, 0, src->has_address ? src->address : 0, buf, (uint32_t)len, err);
}

static dfu_status parse(const uint8_t *buf, size_t len, const dfu_source *src, const char *name, dfu_image *out,
    dfu_error *err) {
    dfu_format looks = content_format(buf, len), format = src->format;
    if (format == DFU_FORMAT_AUTO) {
        format = claimed_format(src->name);
    }
    if (format == DFU_FORMAT_AUTO) {
        format = looks;
    }
    char what[96];
    if (format == DFU_FORMAT_AUTO) {
        out->format = DFU_FORMAT_BIN;
        if (!src->has_address) {
            if (not_firmware(buf, len, what, sizeof(what))) {
                return dfu_error_set(err, DFU_E_FORMAT, "%s is not firmware: %s", name, what);
            }
            return dfu_error_set(err, DFU_E_ARG,
                "%s is not a DfuSe, Intel HEX or ELF file; raw binary is written only at an address you give",
                name);
        }
        format = DFU_FORMAT_BIN;
    }
    if (src->has_address && format != DFU_FORMAT_BIN) {
        if (format == DFU_FORMAT_DFUSE && plain_dfu(buf, len)) {
            format = DFU_FORMAT_BIN;  // a plain DFU file, at the address the user gives
        } else if (looks == format) {
            return dfu_error_set(err, DFU_E_ARG,
                "%s is %s file, which says where its data goes; an address is only for raw binary", name,
                format_title(format));
        }
    }
    out->format = format;
    switch (format) {
        case DFU_FORMAT_DFUSE:
            if (!looks_dfuse(buf, len)) {
                if (plain_dfu(buf, len)) {
                    out->format = DFU_FORMAT_BIN;
                    return dfu_error_set(err, DFU_E_ARG,
                        "%s is a plain DFU file (data and a DFU suffix, no addresses); raw binary is written only "
                        "at an address you give", name);
                }
                describe(buf, len, what, sizeof(what));
                return dfu_error_set(err, DFU_E_FORMAT, "%s is not a DfuSe file: %s", name, what);
            }
            return dfu_parse_dfuse(buf, len, out, err);
        case DFU_FORMAT_HEX:
            if (!looks_hex(buf, len)) {
                describe(buf, len, what, sizeof(what));
                return dfu_error_set(err, DFU_E_FORMAT, "%s is not an Intel HEX file: %s", name, what);
            }
            return dfu_parse_hex(buf, len, out, err);
        case DFU_FORMAT_ELF:
            if (!looks_elf(buf, len)) {
                describe(buf, len, what, sizeof(what));
                return dfu_error_set(err, DFU_E_FORMAT, "%s is not an ELF file: %s", name, what);
            }
            return dfu_parse_elf(buf, len, out, err);
        case DFU_FORMAT_BIN: return parse_raw(buf, len, src, name, out, err);
        default: return dfu_error_set(err, DFU_E_ARG, "unknown format %d", (int)format);
    }
}

dfu_status dfu_image_parse(const uint8_t *buf, size_t len, const dfu_source *src, dfu_image *out,
    dfu_error *err) {
    memset(out, 0, sizeof(*out));
    static const dfu_source automatic = {0};
    if (src == NULL) {
        src = &automatic;
    }
    if (buf == NULL && len != 0) {
        return dfu_error_set(err, DFU_E_ARG, "no buffer");
    }
    const char *name = src->name ? src->name : "the file";
    // The format parsers' messages ("line 3: ...") get the name in front;
    // the refusals above already start with it.
    dfu_error local;
    dfu_error_clear(&local);
    dfu_status st = parse(buf, len, src, name, out, &local);
    if (st == DFU_OK && out->count == 0) {
        st = dfu_error_set(&local, DFU_E_FORMAT, "%s holds no data (%s)", name,
            out->format == DFU_FORMAT_ELF ? "no loadable segment with file bytes" : "no elements");
    }
    if (st != DFU_OK) {
        dfu_format tried = out->format;
        dfu_image_free(out);
        out->format = tried;
        if (err != NULL && err->code == DFU_OK) {
            size_t n = strlen(name);
            bool named = strncmp(local.message, name, n) == 0 && (local.message[n] == ' ' || local.message[n] == ':');
            err->code = st;
            dfu_fmt(err->message, sizeof(err->message), "%s%s%s", named ? "" : name, named ? "" : ": ",
                local.message);
        }
    }
    return st;
}

void dfu_target_set_name(dfu_target *target, const char *name, size_t len) {
    size_t full = len;
    if (len > 255) {
        len = 255;
        // Valid UTF-8 up to the cut: do not end inside a character.
        for (size_t i = 0; i < len;) {
            uint8_t c = (uint8_t)name[i];
            unsigned more = c < 0x80 ? 0u : (c & 0xE0) == 0xC0 ? 1u : (c & 0xF0) == 0xE0 ? 2u : (c & 0xF8) == 0xF0 ? 3u : 9u;
            bool utf8 = more != 9u;
            for (unsigned k = 1; utf8 && k <= more; k++) {
                utf8 = i + k < full && ((uint8_t)name[i + k] & 0xC0) == 0x80;
            }
            if (!utf8) {
                break;  // not UTF-8 (Windows-1252, say): bytes are characters
            }
            if (i + 1 + more > len) {
                len = i;  // this character would cross the limit
                break;
            }
            i += 1 + more;
        }
    }
    memcpy(target->name, name, len);
    target->name[len] = '\0';
    target->named = true;
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
