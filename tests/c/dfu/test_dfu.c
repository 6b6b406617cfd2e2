// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libmpxdfu: file formats, layouts, and the protocol against the in-process
// virtual device, including the fault matrix and a failure at every request.
#ifndef MPX_DFU_TEST_NO_DISK
#define _POSIX_C_SOURCE 200809L  // mkdtemp, rmdir
#include <unistd.h>
#endif
#include <stdlib.h>

#include "dfu.h"
#include "dfu_sim.h"
#include "mpx_test.h"

MPX_TEST_MAIN_DEFS

#define FLASH 0x08000000u

static const dfu_source as_dfuse = {.format = DFU_FORMAT_DFUSE};
static const dfu_source as_hex = {.format = DFU_FORMAT_HEX};
static const dfu_source as_elf = {.format = DFU_FORMAT_ELF};

// ---------------------------------------------------------------------------
// CRC and suffix

static void test_crc(void) {
    // The CRC-32 check value of "123456789" is 0xCBF43926; the DFU suffix
    // stores it without the final inversion.
    CHECK_EQ(dfu_crc32(DFU_CRC_INIT, (const uint8_t *)"123456789", 9), 0x340BC6D9u);
    uint8_t buf[32] = "firmware";
    dfu_suffix s = {.bcd_device = 0x0200, .pid = 0xDF11, .vid = 0x0483, .bcd_dfu = 0x011A}, back;
    dfu_suffix_write(buf, 8, &s, buf + 8);
    CHECK_EQ(dfu_suffix_read(buf, 24, &back, NULL), DFU_OK);
    CHECK_EQ(back.vid, 0x0483);
    CHECK_EQ(back.pid, 0xDF11);
    CHECK_EQ(back.bcd_device, 0x0200);
    for (size_t i = 0; i < 24; i++) {  // any flipped byte is caught
        buf[i] ^= 0x01;
        CHECKF(dfu_suffix_read(buf, 24, &back, NULL) != DFU_OK, "byte %zu", i);
        buf[i] ^= 0x01;
    }
}

// ---------------------------------------------------------------------------
// Layouts: one line per case

static void test_layout_good(void) {
    static const struct {
        const char *text;
        const char *name;
        size_t count;
        uint32_t last_start, last_size, last_pages;
        uint8_t flags;
        unsigned warnings;
    } cases[] = {
        {"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg", "Internal Flash", 3, 0x08020000u, 131072, 7, 7, 0},
        {"@Option Bytes  /0x1FFFC000/01*016 e", "Option Bytes", 1, 0x1FFFC000u, 16, 1, 5, 1},
        {"@OTP Memory /0x1FFF7800/01*512 g,01*016 g", "OTP Memory", 2, 0x1FFF7A00u, 16, 1, 7, 2},
        {"@Flash/0x08000000/64*002Ka", "Flash", 1, 0x08000000u, 2048, 64, 1, 0},
        {"@SPI/0x90000000/1*1Mg/0x08000000/2*128Bb", "SPI", 2, 0x08000000u, 128, 2, 2, 0},
        {"@x/0x0/1*4Kg", "x", 1, 0, 4096, 1, 7, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dfu_layout l;
        dfu_error err;
        dfu_error_clear(&err);
        CHECKF(dfu_layout_parse(cases[i].text, &l, &err) == DFU_OK, "case %zu: %s", i, err.message);
        CHECKF(strcmp(l.name, cases[i].name) == 0, "case %zu: name '%s'", i, l.name);
        CHECKF(l.count == cases[i].count, "case %zu: %zu segments", i, l.count);
        const dfu_mem_segment *s = &l.segments[l.count - 1];
        CHECKF(s->start == cases[i].last_start && s->page_size == cases[i].last_size &&
                   s->pages == cases[i].last_pages && s->flags == cases[i].flags,
            "case %zu: last segment 0x%08x %u*%u flags %u", i, (unsigned)s->start, (unsigned)s->pages,
            (unsigned)s->page_size, s->flags);
        CHECKF(l.warnings == cases[i].warnings, "case %zu: %u warnings", i, l.warnings);
        // The canonical form parses to the same segments.
        char text[512];
        dfu_layout again;
        dfu_layout_format(&l, text, sizeof(text));
        CHECKF(dfu_layout_parse(text, &again, NULL) == DFU_OK && again.count == l.count &&
                   memcmp(again.segments, l.segments, l.count * sizeof(l.segments[0])) == 0,
            "case %zu: round trip through '%s'", i, text);
    }
    dfu_layout f4;
    dfu_layout_parse("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg", &f4, NULL);
    CHECK(dfu_layout_find(&f4, 0x08000000u) == &f4.segments[0]);
    CHECK(dfu_layout_find(&f4, 0x0800FFFFu) == &f4.segments[0]);
    CHECK(dfu_layout_find(&f4, 0x08010000u) == &f4.segments[1]);
    CHECK(dfu_layout_find(&f4, 0x080FFFFFu) == &f4.segments[2]);
    CHECK(dfu_layout_find(&f4, 0x08100000u) == NULL);
    CHECK(dfu_layout_find(&f4, 0x07FFFFFFu) == NULL);
    CHECK_EQ(dfu_layout_check(&f4, 0x080FFF00u, 0x100, DFU_MEM_WRITEABLE, NULL), DFU_OK);
    CHECK_EQ(dfu_layout_check(&f4, 0x080FFF00u, 0x101, DFU_MEM_WRITEABLE, NULL), DFU_E_ADDRESS);
    dfu_layout ro;
    dfu_layout_parse("@ROM/0x1FFF0000/01*030Ka", &ro, NULL);
    CHECK_EQ(dfu_layout_check(&ro, 0x1FFF0000u, 4, DFU_MEM_READABLE, NULL), DFU_OK);
    CHECK_EQ(dfu_layout_check(&ro, 0x1FFF0000u, 4, DFU_MEM_WRITEABLE, NULL), DFU_E_ADDRESS);
}

static void test_layout_bad(void) {
    static const char *const cases[] = {
        "", "Internal Flash /0x08000000/04*016Kg", "@Flash", "@Flash/", "@Flash/08000000/1*1Kg",
        "@Flash/0x/1*1Kg", "@Flash/0x08000000", "@Flash/0x08000000/", "@Flash/0x08000000/1*1K",
        "@Flash/0x08000000/1*1Kz", "@Flash/0x08000000/1*1Qg", "@Flash/0x08000000/*1Kg", "@Flash/0x08000000/1*Kg",
        "@Flash/0x08000000/0*1Kg", "@Flash/0x08000000/1*0Kg", "@Flash/0xFFFFFFFF/2*1Bg", "@Flash/0x100000000/1*1Kg",
        "@Flash/0x08000000/99999999999*1Kg", "@Flash/0x08000000/1*4096Mg", "@Flash/0x08000000/1*1Kg,",
        "@Flash/0x08000000/1*1Kg;", "@Flash/0x08000000/1*1Kg/", "@Flash/0x08000000/1*1Kg,x",
        "@Flash/0x80000000/2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,"
        "2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,2*1Mg,"
        "2*1Mg,2*1Mg",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dfu_layout l;
        dfu_error err;
        dfu_error_clear(&err);
        CHECKF(dfu_layout_parse(cases[i], &l, &err) == DFU_E_LAYOUT && err.message[0], "case %zu: '%s'", i, cases[i]);
    }
    char long_name[300] = "@";
    memset(long_name + 1, 'n', 200);
    strcat(long_name, "/0x08000000/1*1Kg");
    dfu_layout l;
    CHECK_EQ(dfu_layout_parse(long_name, &l, NULL), DFU_E_LAYOUT);
}

// ---------------------------------------------------------------------------
// Files

static uint8_t *pattern(size_t n, unsigned seed) {
    uint8_t *p = malloc(n);
    if (p == NULL) {  // the Cortex-M runs have 4 MB: say so rather than fault
        printf("pattern: no memory for %zu bytes\n", n);
        exit(1);
    }
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
    return p;
}

static void test_dfuse_roundtrip(void) {
    dfu_image img = {0};
    uint8_t *a = pattern(5000, 1), *b = pattern(13, 2), *c = pattern(16, 3);
    CHECK_EQ(dfu_image_add(&img, 0, 0x08020000u, b, 13, NULL), DFU_OK);
    CHECK_EQ(dfu_image_add(&img, 0, FLASH, a, 5000, NULL), DFU_OK);
    CHECK_EQ(dfu_image_add(&img, 1, 0x1FFFC000u, c, 16, NULL), DFU_OK);
    snprintf(img.targets[0].name, sizeof(img.targets[0].name), "Internal Flash");
    img.targets[0].named = true;
    CHECK_EQ(dfu_image_check(&img, NULL), DFU_OK);
    uint8_t *file;
    size_t len;
    CHECK_EQ(dfu_image_write_dfuse(&img, 8, &file, &len, NULL), DFU_OK);
    // prefix 11 + 2 targets 274 + 3 elements of 8 + 5000 + 16 (13 padded) + 16, suffix 16
    CHECK_EQ(len, 11u + 2 * 274u + 3 * 8u + 5000u + 16u + 16u + 16u);
    dfu_image back;
    dfu_error err;
    dfu_error_clear(&err);
    CHECKF(dfu_image_parse(file, len, NULL, &back, &err) == DFU_OK, "%s", err.message);
    CHECK_EQ(back.format, DFU_FORMAT_DFUSE);
    CHECK_EQ(back.count, 3);
    CHECK_EQ(back.target_count, 2);
    CHECK(strcmp(back.targets[0].name, "Internal Flash") == 0);
    CHECK_EQ(back.elements[0].address, FLASH);
    CHECK(back.elements[0].size == 5000 && memcmp(back.elements[0].data, a, 5000) == 0);
    CHECK(back.elements[1].size == 16 && memcmp(back.elements[1].data, b, 13) == 0);
    CHECK(back.elements[1].data[13] == 0xFF && back.elements[1].data[15] == 0xFF);
    CHECK(back.elements[2].alt == 1 && memcmp(back.elements[2].data, c, 16) == 0);
    CHECK(back.has_suffix && back.suffix.vid == 0x0483 && back.suffix.pid == 0xDF11 && back.suffix.bcd_dfu == 0x011A);
    uint32_t start = 0;
    CHECK(dfu_image_start(&back, &start) && start == FLASH);
    dfu_image_free(&back);

    // Every truncation is refused with an error, never read past.
    for (size_t cut = 0; cut < len; cut += (cut < 400 ? 1 : 97)) {
        uint8_t *t = malloc(cut ? cut : 1);
        memcpy(t, file, cut);
        CHECKF(dfu_image_parse(t, cut, &as_dfuse, &back, NULL) != DFU_OK, "cut at %zu", cut);
        free(t);
    }
    // A flipped bit anywhere: the CRC catches it.
    for (size_t i = 0; i < len; i += 61) {
        file[i] ^= 0x10;
        CHECKF(dfu_image_parse(file, len, &as_dfuse, &back, NULL) == DFU_E_CRC, "byte %zu", i);
        file[i] ^= 0x10;
    }
    free(file);

    // Overlapping elements are refused by the reader too.
    dfu_image bad = {0};
    dfu_image_add(&bad, 0, FLASH, a, 100, NULL);
    dfu_image_add(&bad, 0, FLASH + 99, a, 10, NULL);
    CHECK_EQ(dfu_image_write_dfuse(&bad, 1, &file, &len, NULL), DFU_OK);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_image_parse(file, len, NULL, &back, &err), DFU_E_OVERLAP);
    CHECK(strstr(err.message, "0x08000063") != NULL);
    free(file);
    dfu_image_free(&bad);
    // Padding stops at the next element (an ELF's .data right after .text).
    dfu_image_add(&bad, 0, FLASH, a, 13, NULL);
    dfu_image_add(&bad, 0, FLASH + 13, b, 5, NULL);
    CHECK_EQ(dfu_image_write_dfuse(&bad, 8, &file, &len, NULL), DFU_OK);
    dfu_error_clear(&err);
    CHECKF(dfu_image_parse(file, len, NULL, &back, &err) == DFU_OK, "%s", err.message);
    CHECK(back.count == 2 && back.elements[0].size == 13 && back.elements[1].size == 8);
    CHECK(memcmp(back.elements[1].data, b, 5) == 0 && back.elements[1].data[5] == 0xFF);
    dfu_image_free(&back);
    dfu_image_free(&bad);
    free(file);
    // Same addresses in different alts are fine.
    dfu_image_add(&bad, 0, FLASH, a, 100, NULL);
    dfu_image_add(&bad, 1, FLASH, a, 100, NULL);
    CHECK_EQ(dfu_image_check(&bad, NULL), DFU_OK);
    dfu_image_free(&bad);
    dfu_image_free(&img);
    free(a);
    free(b);
    free(c);
}

static dfu_status parse_text(const char *text, dfu_image *img, dfu_error *err) {
    dfu_error_clear(err);
    return dfu_image_parse((const uint8_t *)text, strlen(text), &as_hex, img, err);
}

static void test_hex(void) {
    dfu_image img;
    dfu_error err;
    // Extended linear address 0x0800, two adjacent records (one element), a
    // gap (second element), a start address, EOF.
    const char *good =
        ":020000040800F2\r\n"
        ":0400000001020304F2\r\n"
        ":0400040005060708DE\r\n"
        ":02001000AABB89\r\n"
        ":040000050800019955 55\r\n";
    // (the last record above has a stray " 55": refused as too long)
    CHECK_EQ(parse_text(good, &img, &err), DFU_E_FORMAT);
    const char *good2 =
        ":020000040800F2\n"
        ":0400000001020304F2\n"
        ":0400040005060708DE\n"
        ":02001000AABB89\n"
        ":040000050800019955\n"
        ":00000001FF\n";
    CHECKF(parse_text(good2, &img, &err) == DFU_OK, "%s", err.message);
    CHECK_EQ(img.format, DFU_FORMAT_HEX);
    CHECK_EQ(img.count, 2);
    CHECK(img.elements[0].address == FLASH && img.elements[0].size == 8 && img.elements[0].data[7] == 8);
    CHECK(img.elements[1].address == FLASH + 0x10 && img.elements[1].size == 2 && img.elements[1].data[1] == 0xBB);
    CHECK(img.has_entry && img.entry == 0x08000199u);
    dfu_image_free(&img);
    // Segment addressing (type 02): 0x1000 << 4.
    CHECK_EQ(parse_text(":020000021000EC\n:01000000AA55\n:00000001FF\n", &img, &err), DFU_OK);
    CHECK(img.count == 1 && img.elements[0].address == 0x10000u);
    dfu_image_free(&img);

    static const struct {
        const char *text;
        dfu_status want;
    } bad[] = {
        {":0400000001020304F3\n:00000001FF\n", DFU_E_CRC},              // checksum
        {":0400000001020304F2\n", DFU_E_TRUNCATED},                     // no EOF
        {":04000000010203\n:00000001FF\n", DFU_E_TRUNCATED},            // short record
        {":0400000001020304F2", DFU_E_TRUNCATED},                       // no EOF, no newline
        {"0400000001020304F2\n:00000001FF\n", DFU_E_FORMAT},            // no colon
        {":04000000010G0304F2\n:00000001FF\n", DFU_E_FORMAT},           // not hex
        {":0400000601020304EC\n:00000001FF\n", DFU_E_FORMAT},           // unknown type
        {":00000001FF\n:0400000001020304F2\n", DFU_E_FORMAT},           // data after EOF
        {":0100000001FE\n:00000001FF\n:00000001FF\n", DFU_E_FORMAT},    // two EOFs
        {":03000004080000F1\n:00000001FF\n", DFU_E_FORMAT},             // bad address record
        {":0100000001FE\n:0100000002FD\n:00000001FF\n", DFU_E_OVERLAP}, // same byte twice
        {":00000001FF\n", DFU_E_FORMAT},                                // no data at all
        {":020000040800F2\n:02FFFF00AABB\n", DFU_E_TRUNCATED},
        {":02000004FFFFFC\n:02FFFF00AABB9B\n:00000001FF\n", DFU_E_FORMAT}, // past 4 GiB
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        dfu_status st = parse_text(bad[i].text, &img, &err);
        CHECKF(st == bad[i].want && err.message[0], "case %zu: got %s (%s)", i, dfu_status_id(st), err.message);
        CHECK(img.count == 0 && img.elements == NULL);
    }
}

static size_t make_elf(uint8_t *buf, uint32_t paddr, const uint8_t *data, uint32_t n, uint16_t phnum_bss) {
    memset(buf, 0, 52 + 32 * 3 + n);
    memcpy(buf, "\x7f" "ELF\x01\x01\x01", 7);
    buf[16] = 2;        // ET_EXEC
    buf[18] = 40;       // EM_ARM
    buf[20] = 1;
    uint32_t entry = paddr + 0x101;
    memcpy(buf + 24, &entry, 4);   // little-endian host assumed by the test
    uint32_t phoff = 52;
    memcpy(buf + 28, &phoff, 4);
    buf[40] = 52;
    buf[42] = 32;
    buf[44] = (uint8_t)(1 + phnum_bss);
    uint8_t *ph = buf + 52;
    uint32_t type = 1, offset = 52 + 32u * (1u + phnum_bss), vaddr = 0x20000000u;
    memcpy(ph, &type, 4);
    memcpy(ph + 4, &offset, 4);
    memcpy(ph + 8, &vaddr, 4);   // VMA differs: the physical address counts
    memcpy(ph + 12, &paddr, 4);
    memcpy(ph + 16, &n, 4);
    memcpy(ph + 20, &n, 4);
    if (phnum_bss) {           // a .bss segment: memsz only
        uint8_t *b = ph + 32;
        uint32_t z = 0, mem = 4096;
        memcpy(b, &type, 4);
        memcpy(b + 12, &vaddr, 4);
        memcpy(b + 16, &z, 4);
        memcpy(b + 20, &mem, 4);
    }
    memcpy(buf + offset, data, n);
    return offset + n;
}

static void test_elf(void) {
    uint8_t buf[1024];
    uint8_t *data = pattern(300, 9);
    size_t len = make_elf(buf, FLASH + 0x4000, data, 300, 1);
    dfu_image img;
    dfu_error err;
    dfu_error_clear(&err);
    CHECKF(dfu_image_parse(buf, len, NULL, &img, &err) == DFU_OK, "%s", err.message);
    CHECK_EQ(img.format, DFU_FORMAT_ELF);
    CHECK(img.count == 1 && img.elements[0].address == FLASH + 0x4000 && img.elements[0].size == 300);
    CHECK(memcmp(img.elements[0].data, data, 300) == 0);
    CHECK(img.has_entry && img.entry == FLASH + 0x4101);
    dfu_image_free(&img);
    for (size_t cut = 0; cut < len; cut++) {
        CHECKF(dfu_image_parse(buf, cut, &as_elf, &img, NULL) != DFU_OK, "cut %zu", cut);
    }
    static const struct {
        size_t offset;
        uint8_t value;
        dfu_status want;
    } bad[] = {
        {4, 2, DFU_E_FORMAT},        // 64-bit
        {5, 2, DFU_E_FORMAT},        // big-endian
        {16, 1, DFU_E_FORMAT},       // relocatable object
        {44, 0, DFU_E_FORMAT},       // no program headers
        {42, 16, DFU_E_FORMAT},      // program header too small
        {44, 200, DFU_E_TRUNCATED},  // headers past the end
        {52 + 7, 0x7F, DFU_E_TRUNCATED},   // segment offset past the end
        {52 + 19, 0x10, DFU_E_TRUNCATED},  // segment size past the end
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t copy[1024];
        memcpy(copy, buf, len);
        copy[bad[i].offset] = bad[i].value;
        dfu_status st = dfu_image_parse(copy, len, &as_elf, &img, NULL);
        CHECKF(st == bad[i].want, "case %zu: %s", i, dfu_status_id(st));
    }
    free(data);
}

static void test_bin(void) {
    // Raw binary: what a board's flash starts with (initial SP, reset vector, ...).
    uint8_t buf[64 + 16];
    for (size_t i = 0; i < 64; i++) {
        buf[i] = (uint8_t)(i * 37 + 1);
    }
    buf[0] = 0x00, buf[1] = 0x00, buf[2] = 0x02, buf[3] = 0x20;
    dfu_image img;
    const dfu_source at = {.has_address = true, .address = FLASH + 0x100};
    CHECK_EQ(dfu_image_parse(buf, 64, &at, &img, NULL), DFU_OK);
    CHECK(img.format == DFU_FORMAT_BIN && img.count == 1 && img.elements[0].address == FLASH + 0x100);
    CHECK(!img.has_suffix && img.elements[0].size == 64 && !img.needs_address);
    dfu_image_free(&img);
    // A plain DFU file: the suffix is checked, kept, and not part of the data.
    dfu_suffix s = {.vid = 0x1234, .pid = 0x5678, .bcd_dfu = 0x0100};
    dfu_suffix_write(buf, 64, &s, buf + 64);
    CHECK_EQ(dfu_image_parse(buf, 80, &at, &img, NULL), DFU_OK);
    CHECK(img.has_suffix && img.suffix.vid == 0x1234 && img.elements[0].size == 64);
    dfu_image_free(&img);
    // DFU_FORMAT_BIN without an address: the caller places it.
    const dfu_source bin = {.format = DFU_FORMAT_BIN};
    CHECK_EQ(dfu_image_parse(buf, 64, &bin, &img, NULL), DFU_OK);
    CHECK(img.needs_address && img.elements[0].address == 0);
    dfu_image_free(&img);
    CHECK_EQ(dfu_image_parse(buf, 0, &bin, &img, NULL), DFU_E_FORMAT);
    const dfu_source high = {.format = DFU_FORMAT_BIN, .has_address = true, .address = 0xFFFFFFFCu};
    CHECK_EQ(dfu_image_parse(buf, 8, &high, &img, NULL), DFU_E_FORMAT);
    // Automatic, no address: never raw binary (the old fallback).
    CHECK_EQ(dfu_image_parse(buf, 64, NULL, &img, NULL), DFU_E_ARG);
    CHECK(img.format == DFU_FORMAT_BIN && img.count == 0);
}

// ---------------------------------------------------------------------------
// The file rules (dfu.h, dfu_source): by name, by content, by the user's words

static const char html[] = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n";
static const uint8_t firmware[16] = {0x00, 0x00, 0x02, 0x20, 0x01, 0x01, 0x00, 0x08, 0x55, 0x01, 0x00, 0x08, 0x57,
    0x01, 0x00, 0x08};
static const char hex_bom[] = "\xEF\xBB\xBF\r\n\r\n:020000040800F2\r\n\r\n:0400000001020304F2\r\n:00000001FF\r\n";

typedef enum { C_HTML, C_FIRMWARE, C_EMPTY, C_ZEROS, C_FF, C_ZIP, C_GZIP, C_TEXT, C_JSON, C_LFS, C_ELF64, C_ELF386,
    C_DFUSE, C_HEX, C_HEX_BOM, C_PLAIN_DFU, C_BLANK } content;

// The bytes of each kind of content (*out malloc'd).
static size_t make_content(content c, uint8_t **out) {
    uint8_t *b = calloc(1, 512);
    size_t n = 0;
    switch (c) {
        case C_HTML: n = strlen(html); memcpy(b, html, n); break;
        case C_FIRMWARE: n = sizeof(firmware); memcpy(b, firmware, n); break;
        case C_EMPTY: break;
        case C_BLANK: n = 3; memcpy(b, "\t\t\t", 3); break;  // what the fuzzer found read past the end
        case C_ZEROS: n = 64; break;
        case C_FF: n = 64; memset(b, 0xFF, n); break;
        case C_ZIP: n = 40; memcpy(b, "PK\x03\x04\x14\x00\x00\x00\x08\x00", 10); break;
        case C_GZIP: n = 40; memcpy(b, "\x1f\x8b\x08\x00", 4); break;
        case C_TEXT: n = strlen("error: 404 not found\n"); memcpy(b, "error: 404 not found\n", n); break;
        case C_JSON: n = strlen("{\"message\": \"Not Found\"}"); memcpy(b, "{\"message\": \"Not Found\"}", n); break;
        case C_LFS:
            n = strlen("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n");
            memcpy(b, "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n", n);
            break;
        case C_ELF64:  // an x86-64 program's header
        case C_ELF386:
            n = 64;
            memcpy(b, "\x7f" "ELF", 4);
            b[4] = c == C_ELF64 ? 2 : 1;
            b[5] = 1;
            b[16] = 2;
            b[18] = c == C_ELF64 ? 62 : 3;
            break;
        case C_DFUSE: {
            dfu_image img = {0};
            dfu_image_add(&img, 0, FLASH, firmware, sizeof(firmware), NULL);
            uint8_t *file;
            dfu_image_write_dfuse(&img, 8, &file, &n, NULL);
            memcpy(b, file, n);
            free(file);
            dfu_image_free(&img);
            break;
        }
        case C_HEX: n = strlen(hex_bom) - 3; memcpy(b, hex_bom + 3, n); break;
        case C_HEX_BOM: n = strlen(hex_bom); memcpy(b, hex_bom, n); break;
        case C_PLAIN_DFU: {
            memcpy(b, firmware, sizeof(firmware));
            dfu_suffix s = {.vid = 0x0483, .pid = 0xDF11, .bcd_dfu = 0x0100};
            dfu_suffix_write(b, sizeof(firmware), &s, b + sizeof(firmware));
            n = sizeof(firmware) + DFU_SUFFIX_SIZE;
            break;
        }
    }
    *out = b;
    return n;
}

#define ADDR true
#define NO_ADDR false

static void test_file_rules(void) {
    static const struct {
        const char *name;
        dfu_format format;
        bool address;
        content content;
        dfu_status want;
        const char *says;   // the message (its start, or a part of it after '*')
    } cases[] = {
        // The junk page that a broken download saves, under each name.
        {"firmware.dfu", DFU_FORMAT_AUTO, NO_ADDR, C_HTML, DFU_E_FORMAT,
            "firmware.dfu is not a DfuSe file: it starts with \"<!DOCTYPE html>\", a web page?"},
        {"firmware.hex", DFU_FORMAT_AUTO, NO_ADDR, C_HTML, DFU_E_FORMAT,
            "firmware.hex is not an Intel HEX file: it starts with \"<!DOCTYPE html>\", a web page?"},
        {"firmware.elf", DFU_FORMAT_AUTO, NO_ADDR, C_HTML, DFU_E_FORMAT, "firmware.elf is not an ELF file: it starts"},
        {"firmware.bin", DFU_FORMAT_AUTO, NO_ADDR, C_HTML, DFU_E_FORMAT,
            "firmware.bin is not firmware: it starts with \"<!DOCTYPE html>\", a web page?"},
        {"firmware.bin", DFU_FORMAT_AUTO, ADDR, C_HTML, DFU_E_FORMAT, "firmware.bin is not firmware: it starts"},
        {"firmware.bin", DFU_FORMAT_BIN, NO_ADDR, C_HTML, DFU_E_FORMAT, "firmware.bin is not firmware"},
        {"FIRMWARE.DFU", DFU_FORMAT_AUTO, NO_ADDR, C_HTML, DFU_E_FORMAT, "FIRMWARE.DFU is not a DfuSe file"},
        {NULL, DFU_FORMAT_AUTO, NO_ADDR, C_HTML, DFU_E_FORMAT, "the file is not firmware: it starts with"},
        {"f.dfu", DFU_FORMAT_DFUSE, ADDR, C_HTML, DFU_E_FORMAT, "f.dfu is not a DfuSe file"},
        // Other content that is not firmware.
        {"f.dfu", DFU_FORMAT_AUTO, NO_ADDR, C_EMPTY, DFU_E_FORMAT, "f.dfu is not a DfuSe file: it is empty"},
        {"f.bin", DFU_FORMAT_AUTO, ADDR, C_EMPTY, DFU_E_FORMAT, "f.bin is not firmware: it is empty"},
        {"f.bin", DFU_FORMAT_AUTO, ADDR, C_ZEROS, DFU_E_FORMAT, "f.bin is not firmware: it is 64 zero bytes"},
        {"f.bin", DFU_FORMAT_AUTO, ADDR, C_ZIP, DFU_E_FORMAT, "f.bin is not firmware: it is a ZIP archive"},
        {"f.dfu", DFU_FORMAT_AUTO, NO_ADDR, C_BLANK, DFU_E_FORMAT, "f.dfu is not a DfuSe file: it is 3 bytes of white space"},
        {"f.bin", DFU_FORMAT_AUTO, ADDR, C_BLANK, DFU_E_FORMAT, "f.bin is not firmware: it is 3 bytes of white space"},
        {"f.dfu", DFU_FORMAT_AUTO, NO_ADDR, C_GZIP, DFU_E_FORMAT, "f.dfu is not a DfuSe file: it is gzip-compressed"},
        {"f.hex", DFU_FORMAT_AUTO, NO_ADDR, C_TEXT, DFU_E_FORMAT,
            "f.hex is not an Intel HEX file: it starts with \"error: 404 not found\": text"},
        {"f.dfu", DFU_FORMAT_AUTO, NO_ADDR, C_JSON, DFU_E_FORMAT, "*JSON (an error reply?)"},
        {"f.dfu", DFU_FORMAT_AUTO, NO_ADDR, C_LFS, DFU_E_FORMAT, "*a Git LFS pointer (git lfs pull)"},
        {"f.dfu", DFU_FORMAT_AUTO, NO_ADDR, C_FIRMWARE, DFU_E_FORMAT,
            "f.dfu is not a DfuSe file: it starts with the bytes 00 00 02 20 01 01 00 08 ... (binary data)"},
        {"f.hex", DFU_FORMAT_AUTO, NO_ADDR, C_DFUSE, DFU_E_FORMAT, "f.hex is not an Intel HEX file: it is a DfuSe file"},
        // ELF for a computer, not a board.
        {"f.elf", DFU_FORMAT_AUTO, NO_ADDR, C_ELF64, DFU_E_FORMAT, "f.elf: a 64-bit ELF file for x86-64"},
        {"f", DFU_FORMAT_AUTO, NO_ADDR, C_ELF386, DFU_E_FORMAT, "f: an ELF file for x86 (i386) (machine 3)"},
        // Raw binary only where the user says.
        {"f.bin", DFU_FORMAT_AUTO, NO_ADDR, C_FIRMWARE, DFU_E_ARG,
            "f.bin is not a DfuSe, Intel HEX or ELF file; raw binary is written only at an address you give"},
        {NULL, DFU_FORMAT_AUTO, NO_ADDR, C_FIRMWARE, DFU_E_ARG, "the file is not a DfuSe, Intel HEX or ELF file"},
        {"f.bin", DFU_FORMAT_AUTO, ADDR, C_FIRMWARE, DFU_OK, NULL},
        {"f.bin", DFU_FORMAT_BIN, NO_ADDR, C_FIRMWARE, DFU_OK, NULL},
        {"f.bin", DFU_FORMAT_AUTO, ADDR, C_FF, DFU_OK, NULL},
        {"f.dfu", DFU_FORMAT_AUTO, NO_ADDR, C_PLAIN_DFU, DFU_E_ARG, "f.dfu is a plain DFU file"},
        {"f.dfu", DFU_FORMAT_AUTO, ADDR, C_PLAIN_DFU, DFU_OK, NULL},
        // An address with a file that says where its data goes.
        {"f.bin", DFU_FORMAT_AUTO, ADDR, C_DFUSE, DFU_E_ARG,
            "f.bin is a DfuSe file, which says where its data goes; an address is only for raw binary"},
        {"f.hex", DFU_FORMAT_AUTO, ADDR, C_HEX, DFU_E_ARG, "f.hex is an Intel HEX file, which says where"},
        {"f.bin", DFU_FORMAT_BIN, NO_ADDR, C_DFUSE, DFU_E_ARG, "f.bin is a DfuSe file, not raw binary"},
        // What is fine: content that is what the name says, or what the user says.
        {"f.bin", DFU_FORMAT_AUTO, NO_ADDR, C_DFUSE, DFU_OK, NULL},
        {"f.hex", DFU_FORMAT_AUTO, NO_ADDR, C_HEX_BOM, DFU_OK, NULL},
        {"f", DFU_FORMAT_AUTO, NO_ADDR, C_HEX_BOM, DFU_OK, NULL},
        {"f.dfu", DFU_FORMAT_HEX, NO_ADDR, C_HEX, DFU_OK, NULL},
        {"dir.dfu/f", DFU_FORMAT_AUTO, NO_ADDR, C_DFUSE, DFU_OK, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t *buf;
        size_t len = make_content(cases[i].content, &buf);
        dfu_source src = {.name = cases[i].name, .format = cases[i].format, .has_address = cases[i].address,
            .address = FLASH};
        dfu_image img;
        dfu_error err;
        dfu_error_clear(&err);
        dfu_status st = dfu_image_parse(buf, len, &src, &img, &err);
        CHECKF(st == cases[i].want, "case %zu: %s, want %s (%s)", i, dfu_status_id(st), dfu_status_id(cases[i].want),
            err.message);
        const char *says = cases[i].says;
        if (says && says[0] == '*') {
            CHECKF(strstr(err.message, says + 1) != NULL, "case %zu: \"%s\"", i, err.message);
        } else if (says) {
            CHECKF(strncmp(err.message, says, strlen(says)) == 0, "case %zu: \"%s\"", i, err.message);
        }
        CHECKF(st == DFU_OK ? img.count >= 1 : img.count == 0, "case %zu", i);
        dfu_image_free(&img);
        free(buf);
    }
    // The BOM hex is HEX, with its data where its records say.
    uint8_t *buf;
    size_t len = make_content(C_HEX_BOM, &buf);
    dfu_image img;
    const dfu_source hex_name = {.name = "f.hex"};
    CHECK_EQ(dfu_image_parse(buf, len, &hex_name, &img, NULL), DFU_OK);
    CHECK(img.format == DFU_FORMAT_HEX && img.count == 1 && img.elements[0].address == FLASH);
    CHECK(img.elements[0].size == 4 && memcmp(img.elements[0].data, "\x01\x02\x03\x04", 4) == 0);
    dfu_image_free(&img);
    free(buf);
    // The format words the command line and Python take.
    dfu_format f;
    CHECK(dfu_format_from_string("dfu", &f, NULL) == DFU_OK && f == DFU_FORMAT_DFUSE);
    CHECK(dfu_format_from_string("ihex", &f, NULL) == DFU_OK && f == DFU_FORMAT_HEX);
    CHECK(dfu_format_from_string("bin", &f, NULL) == DFU_OK && f == DFU_FORMAT_BIN);
    CHECK_EQ(dfu_format_from_string("binary", &f, NULL), DFU_E_ARG);
}

static void test_target_names(void) {
    dfu_target t;
    char name[300];
    // UTF-8 "é" (2 bytes) 150 times: cut at 254 bytes, between characters.
    for (size_t i = 0; i < 300; i += 2) {
        name[i] = (char)0xC3;
        name[i + 1] = (char)0xA9;
    }
    dfu_target_set_name(&t, name, 300);
    CHECK(t.named && strlen(t.name) == 254 && (uint8_t)t.name[253] == 0xA9);
    // 254 ASCII bytes and a 3-byte "€": the euro sign does not fit.
    memset(name, 'a', 254);
    memcpy(name + 254, "\xE2\x82\xAC", 3);
    dfu_target_set_name(&t, name, 257);
    CHECK_EQ(strlen(t.name), 254);
    // Windows-1252 "é" (0xE9), not UTF-8: bytes are characters, 255 of them.
    memset(name, 0xE9, 300);
    dfu_target_set_name(&t, name, 300);
    CHECK_EQ(strlen(t.name), 255);
    dfu_target_set_name(&t, "ST...", 5);
    CHECK(strcmp(t.name, "ST...") == 0);
    // A Windows-1252 name survives a round trip through a DfuSe file.
    dfu_image img = {0}, back;
    CHECK_EQ(dfu_image_add(&img, 0, FLASH, firmware, sizeof(firmware), NULL), DFU_OK);
    dfu_target_set_name(&img.targets[0], "Flash \xA9 ACME \x80", 14);
    uint8_t *file;
    size_t len;
    CHECK_EQ(dfu_image_write_dfuse(&img, 8, &file, &len, NULL), DFU_OK);
    CHECK_EQ(dfu_image_parse(file, len, NULL, &back, NULL), DFU_OK);
    CHECK(back.target_count == 1 && strcmp(back.targets[0].name, "Flash \xA9 ACME \x80") == 0);
    free(file);
    dfu_image_free(&img);
    dfu_image_free(&back);
}

// ---------------------------------------------------------------------------
// Error messages: the library formats them itself (no stdio in lib/dfu/src)

static const char *message(dfu_error *err) {
    return err->message;
}

#define CHECK_MESSAGE(want, ...) \
    do { \
        dfu_error e_; \
        dfu_error_clear(&e_); \
        CHECK_EQ(dfu_error_set(&e_, DFU_E_FORMAT, __VA_ARGS__), DFU_E_FORMAT); \
        CHECKF(strcmp(message(&e_), want) == 0, "got \"%s\", want \"%s\"", message(&e_), want); \
    } while (0)

static void test_error_format(void) {
    CHECK_MESSAGE("plain text", "plain text");
    CHECK_MESSAGE("100% sure", "100%% sure");
    CHECK_MESSAGE("0x08004000 0x0000ff 0XABCD", "0x%08x 0x%06x 0X%X", 0x08004000u, 0xFFu, 0xABCDu);
    CHECK_MESSAGE("-42 7 4294967295", "%d %i %u", -42, 7, 4294967295u);
    CHECK_MESSAGE("-2147483648", "%d", (int)(-2147483647 - 1));
    CHECK_MESSAGE("18446744073709551615 -9223372036854775808", "%llu %lld", 18446744073709551615ull,
        (long long)(-9223372036854775807ll - 1));
    CHECK_MESSAGE("4294967295 123456 77 ff", "%lu %zu %ju %hhx", 4294967295ul, (size_t)123456, (uintmax_t)77,
        (unsigned char)0xFF);
    CHECK_MESSAGE("[ab   ] [   ab] [ab] [0042] [  -7] [-7  ] [-007]", "[%-5s] [%5s] [%.2s] [%04u] [%4d] [%-4d] [%04d]",
        "ab", "ab", "abcdef", 42u, -7, -7, -7);
    CHECK_MESSAGE("[  x] [xyz] [007]", "[%*s] [%.*s] [%.3u]", 3, "x", 3, "xyzzy", 7u);
    CHECK_MESSAGE("c=Z", "c=%c", 'Z');
    // A truncated message keeps its start and its NUL; the first one set stays.
    dfu_error e;
    dfu_error_clear(&e);
    char longer[400];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    dfu_error_set(&e, DFU_E_ARG, "%s", longer);
    CHECK_EQ(strlen(e.message), sizeof(e.message) - 1);
    dfu_error_set(&e, DFU_E_IO, "second");
    CHECK(e.code == DFU_E_ARG && e.message[0] == 'a');
    // The layout printer sizes its text the same way snprintf would.
    dfu_layout l;
    CHECK_EQ(dfu_layout_parse("@Internal Flash  /0x08000000/04*016Kg,01*064Kg", &l, NULL), DFU_OK);
    char out[64];
    size_t n = dfu_layout_format(&l, NULL, 0);
    CHECK_EQ(n, strlen("@Internal Flash/0x08000000/4*16Kg,1*64Kg"));
    CHECK_EQ(dfu_layout_format(&l, out, 10), n);
    CHECK(strcmp(out, "@Internal") == 0);
    CHECK_EQ(dfu_layout_format(&l, out, sizeof(out)), n);
    CHECK(strcmp(out, "@Internal Flash/0x08000000/4*16Kg,1*64Kg") == 0);
}

// ---------------------------------------------------------------------------
// Protocol against the virtual device

typedef struct {
    dfu_sim *sim;
    dfu_transport io;
    dfu_session s;
} rig;

static void rig_open(rig *r, const dfu_sim_config *cfg) {
    dfu_sim_config f4;
    if (cfg == NULL) {
        dfu_sim_config_stm32f4(&f4);
        cfg = &f4;
    }
    dfu_error err;
    dfu_error_clear(&err);
    if (dfu_sim_new(cfg, &r->sim, &err) != DFU_OK) {
        printf("sim: %s\n", err.message);
        exit(1);
    }
    r->io = dfu_sim_transport(r->sim);
    if (dfu_sim_session(r->sim, &r->io, cfg->transfer_size, &r->s, &err) != DFU_OK) {
        printf("sim session: %s\n", err.message);
        exit(1);
    }
}

static void rig_close(rig *r) {
    dfu_sim_free(r->sim);
}

static dfu_image two_part_image(uint8_t **a, uint8_t **b) {
    dfu_image img = {0};
    *a = pattern(40000, 11);   // sectors 0..2 (16 KiB each)
    *b = pattern(3000, 12);    // in the 128 KiB sector at 0x08020000
    dfu_image_add(&img, 0, FLASH, *a, 40000, NULL);
    dfu_image_add(&img, 0, 0x08020000u + 5000, *b, 3000, NULL);
    dfu_image_check(&img, NULL);
    return img;
}

static bool sim_equals(rig *r, uint32_t address, const uint8_t *data, uint32_t n) {
    uint8_t *got = malloc(n);
    bool same = dfu_sim_peek(r->sim, address, got, n) == DFU_OK && memcmp(got, data, n) == 0;
    free(got);
    return same;
}

static bool sim_filled(rig *r, uint32_t address, uint8_t value, uint32_t n) {
    uint8_t *got = malloc(n);
    bool same = dfu_sim_peek(r->sim, address, got, n) == DFU_OK;
    for (uint32_t i = 0; same && i < n; i++) {
        same = got[i] == value;
    }
    free(got);
    return same;
}

typedef struct {
    unsigned calls[5];
    uint64_t last_done[5], last_total[5];
    unsigned cancel_after;
} progress_log;

static int on_progress(void *user, dfu_phase phase, uint32_t address, uint64_t done, uint64_t total) {
    progress_log *p = user;
    (void)address;
    p->calls[phase]++;
    p->last_done[phase] = done;
    p->last_total[phase] = total;
    return p->cancel_after && p->calls[DFU_PHASE_WRITE] >= p->cancel_after;
}

static void test_flash_page_erase(void) {
    rig r;
    rig_open(&r, NULL);
    // The "filesystem" sector at 0x0800C000 (sector 3) and one past the
    // image must survive a page-erase flash.
    uint8_t *fs = pattern(16384, 77);
    dfu_sim_poke(r.sim, 0x0800C000u, fs, 16384);
    dfu_sim_poke(r.sim, 0x08040000u, fs, 1000);
    uint8_t *a, *b;
    dfu_image img = two_part_image(&a, &b);
    progress_log log = {0};
    r.s.progress = on_progress;
    r.s.progress_user = &log;
    dfu_flash_options o;
    dfu_flash_options_init(&o);
    dfu_error err;
    dfu_error_clear(&err);
    CHECKF(dfu_flash(&r.s, &img, &o, &err) == DFU_OK, "%s", err.message);
    CHECK(sim_equals(&r, FLASH, a, 40000));
    CHECK(sim_equals(&r, 0x08020000u + 5000, b, 3000));
    CHECK(sim_equals(&r, 0x0800C000u, fs, 16384));
    CHECK(sim_equals(&r, 0x08040000u, fs, 1000));
    CHECK(sim_filled(&r, FLASH + 40000, 0xFF, 49152 - 40000));   // rest of sector 2: erased
    CHECK(sim_filled(&r, 0x08020000u, 0xFF, 5000));
    const dfu_sim_counters *n = dfu_sim_counters_get(r.sim);
    CHECK_EQ(n->erases, 4);          // sectors 0, 1, 2 and the 128 KiB one
    CHECK_EQ(n->mass_erases, 0);
    CHECK_EQ(n->early_polls, 0);     // bwPollTimeout honoured every time
    uint32_t jump = 0;
    CHECK_EQ(dfu_sim_presence_get(r.sim, &jump), DFU_SIM_LEFT);
    CHECK_EQ(jump, FLASH);           // the image's start, set explicitly
    CHECK_EQ(log.last_done[DFU_PHASE_ERASE], 4);
    CHECK_EQ(log.last_total[DFU_PHASE_ERASE], 4);
    CHECK_EQ(log.last_done[DFU_PHASE_WRITE], 43000);
    CHECK_EQ(log.last_total[DFU_PHASE_WRITE], 43000);
    CHECK_EQ(log.last_done[DFU_PHASE_VERIFY], 43000);
    CHECK(log.calls[DFU_PHASE_LEAVE] >= 1);
    // Incrementing blocks: one set-address per element, plus one per read
    // run and the jump address.
    CHECK_EQ(n->set_address, 2 + 2 + 1);
    rig_close(&r);
    dfu_image_free(&img);
    free(a);
    free(b);
    free(fs);
}

static void test_flash_per_chunk_and_mass_erase(void) {
    rig r;
    rig_open(&r, NULL);
    uint8_t *fs = pattern(100, 5);
    dfu_sim_poke(r.sim, 0x0800C000u, fs, 100);
    uint8_t *a, *b;
    dfu_image img = two_part_image(&a, &b);
    dfu_flash_options o;
    dfu_flash_options_init(&o);
    o.mass_erase = true;
    o.incrementing_blocks = false;
    o.leave = false;
    dfu_error err;
    dfu_error_clear(&err);
    CHECKF(dfu_flash(&r.s, &img, &o, &err) == DFU_OK, "%s", err.message);
    const dfu_sim_counters *n = dfu_sim_counters_get(r.sim);
    CHECK_EQ(n->mass_erases, 1);
    CHECK_EQ(n->erases, 0);
    CHECK(sim_filled(&r, 0x0800C000u, 0xFF, 100));      // mass erase took the filesystem
    CHECK(sim_equals(&r, FLASH, a, 40000));
    // One set-address per 2048-byte chunk: 20 + 2, then 2 for verify.
    CHECK_EQ(n->set_address, 20 + 2 + 2);
    CHECK_EQ(dfu_sim_presence_get(r.sim, NULL), DFU_SIM_PRESENT);  // --no-leave
    // Flashing the same image again works (its pages are erased first)...
    o.mass_erase = false;
    dfu_error_clear(&err);
    CHECKF(dfu_flash(&r.s, &img, &o, &err) == DFU_OK, "%s", err.message);
    // ...while writing over programmed bytes without an erase is refused by
    // the flash (bits only go from 1 to 0): errPROG, and nothing changes.
    dfu_error_clear(&err);
    CHECK_EQ(dfuse_set_address(&r.s, FLASH, &err), DFU_OK);
    uint8_t other[16];
    memset(other, 0x5A, sizeof(other));
    CHECK(r.io.control(r.io.ctx, 0x21, DFU_REQ_DNLOAD, 2, 0, other, 16, 100) == 16);
    dfu_devstatus st;
    CHECK_EQ(dfu_get_status(&r.s, &st, &err), DFU_OK);
    CHECK_EQ(st.state, DFU_STATE_DNBUSY);
    CHECK_EQ(dfu_get_status(&r.s, &st, &err), DFU_OK);
    CHECK(st.state == DFU_STATE_ERROR && st.status == DFU_STATUS_ERR_PROG);
    CHECK(sim_equals(&r, FLASH, a, 40000));
    rig_close(&r);
    dfu_image_free(&img);
    free(a);
    free(b);
    free(fs);
}

// Reads go through the transport's upload queue (DFU_UPLOAD_QUEUE blocks in
// flight): progress still comes per block, a failure in the middle of a
// batch names the block that failed, and the block number's wrap at 0xFFFF
// (a new address pointer) falls inside a batch.
typedef struct {
    unsigned reports;
    uint32_t last_address;
    uint64_t last_done;
    bool ordered;
} read_log;

static int log_reads(void *user, dfu_phase phase, uint32_t address, uint64_t done, uint64_t total) {
    read_log *l = user;
    (void)total;
    if (phase == DFU_PHASE_READ) {
        l->ordered = l->ordered && (l->reports == 0 || (address > l->last_address && done > l->last_done));
        l->reports++;
        l->last_address = address;
        l->last_done = done;
    }
    return 0;
}

// Bytes of a long deterministic pattern (offset-addressed, so it can be
// made in pieces), XORed with `x`.
static uint8_t piece_byte(uint32_t at, uint8_t x) {
    uint32_t v = at * 2654435761u;
    return (uint8_t)((v >> 13) ^ (v >> 24) ^ x);
}

static void fill_piece(uint8_t *out, uint32_t at, uint32_t n, uint8_t x) {
    for (uint32_t i = 0; i < n; i++) {
        out[i] = piece_byte(at + i, x);
    }
}

static bool piece_matches(const uint8_t *got, uint32_t n, uint8_t x) {
    for (uint32_t i = 0; i < n; i++) {
        if (got[i] != piece_byte(i, x)) {
            return false;
        }
    }
    return true;
}

static void test_read_queue(void) {
    rig r;
    rig_open(&r, NULL);
    uint8_t *p = pattern(100000, 21);
    dfu_sim_poke(r.sim, FLASH, p, 100000);
    uint8_t *out = malloc(100000);
    read_log l = {.ordered = true};
    r.s.progress = log_reads;
    r.s.progress_user = &l;
    dfu_error err;
    dfu_error_clear(&err);
    CHECKF(dfu_read(&r.s, 0, FLASH, out, 100000, &err) == DFU_OK, "%s", err.message);
    CHECK(memcmp(out, p, 100000) == 0);
    CHECK_EQ(l.reports, 49);  // 48 whole 2048-byte blocks, then 1696 bytes
    CHECK(l.ordered);
    CHECK_EQ(l.last_done, 100000);
    CHECK_EQ(dfu_sim_counters_get(r.sim)->uploads, 49);
    rig_close(&r);

    // The device goes away at the 10th request of a read: UPLOADs 2..8 of
    // the first batch arrived (after GETSTATUS, SET_ADDRESS, its two
    // statuses and ABORT), the error names the one that did not.
    dfu_sim_config c;
    dfu_sim_config_stm32f4(&c);
    c.vanish_at_request = 10;
    rig_open(&r, &c);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_read(&r.s, 0, FLASH, out, 100000, &err), DFU_E_NO_DEVICE);
    CHECKF(strstr(err.message, "UPLOAD(") != NULL, "%s", err.message);
    rig_close(&r);

    // 16-byte blocks (the least the sim takes): blocks 2..0xFFFF hold
    // 65534 of them, 1048544 bytes; a read of the whole 1 MiB sets the
    // pointer again and carries on. Memory is tight on the Cortex-M runs
    // (4 MB with the sim's 1 MiB flash): one 1 MiB buffer, the expected
    // bytes made again in pieces.
    const uint32_t n = 1u << 20;
    dfu_sim_config_stm32f4(&c);
    c.transfer_size = 16;
    rig_open(&r, &c);
    uint8_t *buf = malloc(n);
    if (buf == NULL) {
        printf("test_read_queue: no memory for the wrap case\n");
        exit(1);
    }
    for (uint32_t at = 0; at < n; at += 4096) {
        fill_piece(buf, at, 4096, 0);
        dfu_sim_poke(r.sim, FLASH + at, buf, 4096);
    }
    dfu_error_clear(&err);
    CHECKF(dfu_read(&r.s, 0, FLASH, buf, n, &err) == DFU_OK, "%s", err.message);
    CHECK(piece_matches(buf, n, 0));
    CHECK_EQ(dfu_sim_counters_get(r.sim)->set_address, 2);
    // And writing across the wrap. (No verify here: it would need a third
    // megabyte; the read above is the verify path.)
    fill_piece(buf, 0, n, 0x5A);
    dfu_image img = {0};
    CHECK_EQ(dfu_image_add(&img, 0, FLASH, buf, n, NULL), DFU_OK);  // a copy
    free(buf);
    dfu_flash_options o;
    dfu_flash_options_init(&o);
    o.leave = false;
    o.verify = false;
    r.s.progress = NULL;
    dfu_error_clear(&err);
    CHECKF(dfu_flash(&r.s, &img, &o, &err) == DFU_OK, "%s", err.message);
    dfu_image_free(&img);
    buf = malloc(n);
    if (buf == NULL) {
        printf("test_read_queue: no memory for the wrap case\n");
        exit(1);
    }
    CHECK_EQ(dfu_sim_peek(r.sim, FLASH, buf, n), DFU_OK);
    CHECK(piece_matches(buf, n, 0x5A));
    rig_close(&r);
    free(buf);
    free(out);
    free(p);
}

static void test_read_and_erase(void) {
    rig r;
    rig_open(&r, NULL);
    uint8_t *p = pattern(70000, 3);
    dfu_sim_poke(r.sim, FLASH + 1000, p, 70000);
    uint8_t *out = malloc(70000);
    dfu_error err;
    dfu_error_clear(&err);
    CHECKF(dfu_read(&r.s, 0, FLASH + 1000, out, 70000, &err) == DFU_OK, "%s", err.message);
    CHECK(memcmp(out, p, 70000) == 0);
    // Erase a range spanning sectors 1..4 (0x08004000..0x0801FFFF).
    dfu_error_clear(&err);
    CHECK_EQ(dfu_erase(&r.s, 0, 0x08004000u, 0x10000, false, false, &err), DFU_OK);
    CHECK_EQ(dfu_sim_counters_get(r.sim)->erases, 4);
    CHECK(sim_equals(&r, FLASH + 1000, p, 0x4000 - 1000));
    CHECK(sim_filled(&r, 0x08004000u, 0xFF, 0x1C000));
    // Outside the layout: refused before any request.
    unsigned long before = r.s.requests;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_erase(&r.s, 0, 0x08100000u, 16, false, false, &err), DFU_E_ADDRESS);
    CHECK_EQ(r.s.requests, before);
    // An alt the device does not have: said so, before any layout talk.
    uint8_t four[4];
    dfu_error_clear(&err);
    CHECK_EQ(dfu_read(&r.s, 5, FLASH, four, 4, &err), DFU_E_NO_ALT);
    CHECK(strstr(err.message, "no alt setting 5 (it has 0 \"@Internal Flash") != NULL);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_erase(&r.s, 5, FLASH, 4, false, false, &err), DFU_E_NO_ALT);
    CHECK(strstr(err.message, "1 \"@Option Bytes") != NULL);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_erase(&r.s, 0, 0, 0, true, false, &err), DFU_OK);
    CHECK(sim_filled(&r, FLASH, 0xFF, 1024 * 1024));
    // dfu_write into the erased flash (pydfu's write_memory): what was
    // written reads back; writing over programmed bytes is the device's
    // errPROG, with its report.
    dfu_error_clear(&err);
    CHECKF(dfu_write(&r.s, FLASH + 8, p, 5000, &err) == DFU_OK, "%s", err.message);
    CHECK(sim_equals(&r, FLASH + 8, p, 5000));
    CHECK(sim_filled(&r, FLASH + 8 + 5000, 0xFF, 64));
    dfu_error_clear(&err);
    CHECK(dfu_write(&r.s, FLASH + 8, p + 1, 16, &err) != DFU_OK);
    CHECK(err.has_device && err.dev_status == DFU_STATUS_ERR_PROG);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_write(&r.s, 0xFFFFFFF0u, p, 64, &err), DFU_E_ARG);
    // Option bytes: 16 bytes, readable.
    uint8_t ob[16];
    dfu_error_clear(&err);
    CHECK_EQ(dfu_read(&r.s, 1, 0x1FFFC000u, ob, 16, &err), DFU_OK);
    CHECK_EQ(ob[1], 0xAA);
    rig_close(&r);
    free(p);
    free(out);
}

static void test_refusals_before_usb(void) {
    rig r;
    rig_open(&r, NULL);
    uint8_t data[64] = {0};
    dfu_flash_options o;
    dfu_flash_options_init(&o);
    dfu_error err;
    struct {
        uint8_t alt;
        uint32_t address;
        bool suffix_other;
        bool option_bytes;
        bool rdp2;
        dfu_status want;
    } cases[] = {
        {0, 0x08100000u - 32, false, false, false, DFU_E_ADDRESS},   // runs past the flash
        {0, 0x20000000u, false, false, false, DFU_E_ADDRESS},        // RAM: not in the layout
        {0, FLASH, true, false, false, DFU_E_MISMATCH},              // file for another device
        {1, 0x1FFFC000u, false, false, false, DFU_E_REFUSED},        // option bytes without opt-in
        {1, 0x1FFFC000u, false, true, true, DFU_E_REFUSED},          // RDP level 2 without its opt-in
        {5, FLASH, false, false, false, DFU_E_NO_ALT},               // no such alt
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dfu_image img = {0};
        memset(data, 0x11, sizeof(data));
        if (cases[i].rdp2) {
            data[1] = 0xCC;
        }
        dfu_image_add(&img, cases[i].alt, cases[i].address, data, cases[i].alt == 1 ? 16 : 64, NULL);
        if (cases[i].suffix_other) {
            img.has_suffix = true;
            img.suffix = (dfu_suffix){.vid = 0x1209, .pid = 0x0001};
        }
        o.check_ids = true;
        o.vid = 0x0483;
        o.pid = 0xDF11;
        o.allow_option_bytes = cases[i].option_bytes;
        dfu_error_clear(&err);
        dfu_status st = dfu_flash(&r.s, &img, &o, &err);
        CHECKF(st == cases[i].want && err.message[0], "case %zu: %s (%s)", i, dfu_status_id(st), err.message);
        CHECKF(r.s.requests == 0, "case %zu: %lu requests sent", i, r.s.requests);
        dfu_image_free(&img);
    }
    rig_close(&r);
}

// The alt setting the user names: checked before any request, with the
// device's list in the refusal; never replaced by alt 0.
static void test_alt_checks(void) {
    rig r;
    rig_open(&r, NULL);
    dfu_error err;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_session_check_alt(&r.s, 1, &err), DFU_OK);
    CHECK_EQ(dfu_session_check_alt(&r.s, 5, &err), DFU_E_NO_ALT);
    CHECKF(strcmp(err.message, "the device has no alt setting 5 (it has 0 \"@Internal Flash  /0x08000000/04*016Kg,"
                               "01*064Kg,07*128Kg\", 1 \"@Option Bytes  /0x1FFFC000/01*016 e\")") == 0, "%s",
        err.message);
    uint8_t alt = 9;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_session_find_alt(&r.s, "@Option Bytes  /0x1FFFC000/01*016 e", &alt, &err), DFU_OK);
    CHECK_EQ(alt, 1);
    CHECK_EQ(dfu_session_find_alt(&r.s, "Flash", &alt, &err), DFU_E_NO_ALT);
    CHECKF(strncmp(err.message, "the device has no alt setting named \"Flash\" (it has 0 \"@Internal", 60) == 0, "%s",
        err.message);
    // Reading, erasing an alt the device lacks: refused before any request.
    uint8_t buf[16];
    CHECK_EQ(dfu_read(&r.s, 5, FLASH, buf, sizeof(buf), NULL), DFU_E_NO_ALT);
    CHECK_EQ(dfu_erase(&r.s, 5, FLASH, 16, false, false, NULL), DFU_E_NO_ALT);
    CHECK_EQ(r.s.requests, 0);
    CHECK_EQ(dfu_sim_counters_get(r.sim)->requests, 0);
    rig_close(&r);
}

static void test_option_bytes_and_protection(void) {
    dfu_sim_config cfg;
    dfu_sim_config_stm32f4(&cfg);
    cfg.read_protected = true;
    rig r;
    rig_open(&r, &cfg);
    uint8_t *p = pattern(4096, 1);
    dfu_image img = {0};
    dfu_image_add(&img, 0, FLASH, p, 4096, NULL);
    dfu_flash_options o;
    dfu_flash_options_init(&o);
    dfu_error err;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_flash(&r.s, &img, &o, &err), DFU_E_PROTECTED);
    CHECK(err.has_device && err.dev_status == DFU_STATUS_ERR_VENDOR);
    CHECK(strcmp(err.dev_string, "Read protection active") == 0);
    uint8_t out[16];
    dfu_error_clear(&err);
    CHECK_EQ(dfu_read(&r.s, 0, FLASH, out, 16, &err), DFU_E_PROTECTED);
    // Read unprotect: the device erases everything and resets.
    dfu_error_clear(&err);
    CHECKF(dfuse_read_unprotect(&r.s, &err) == DFU_OK, "%s", err.message);
    CHECK_EQ(dfu_sim_presence_get(r.sim, NULL), DFU_SIM_RESET);
    dfu_sim_reset(r.sim, false);
    r.s.alt_current = -1;
    dfu_error_clear(&err);
    CHECKF(dfu_flash(&r.s, &img, &o, &err) == DFU_OK, "%s", err.message);
    CHECK(sim_equals(&r, FLASH, p, 4096));
    dfu_sim_reset(r.sim, false);
    // Option bytes with opt-in: written whole, then the device reloads them
    // (resets). RDP 0xBB is level 1, which applies after the reset.
    uint8_t ob[16];
    memset(ob, 0xFF, sizeof(ob));
    ob[0] = 0xEF;
    ob[1] = 0xBB;
    dfu_image obi = {0};
    dfu_image_add(&obi, 1, 0x1FFFC000u, ob, 16, NULL);
    o.allow_option_bytes = true;
    r.s.alt_current = -1;
    dfu_error_clear(&err);
    o.verify = true;
    o.leave = true;
    dfu_status st = dfu_flash(&r.s, &obi, &o, &err);
    // The write succeeds and the device drops off right after reporting it:
    // success, with no verify or leave after it.
    CHECKF(st == DFU_OK, "%s (%s)", dfu_status_id(st), err.message);
    CHECK(r.s.option_bytes_written);
    CHECK_EQ(dfu_sim_presence_get(r.sim, NULL), DFU_SIM_RESET);
    dfu_sim_reset(r.sim, false);
    r.s.alt_current = -1;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_read(&r.s, 0, FLASH, out, 16, &err), DFU_E_PROTECTED);
    // Flash and option bytes in one .dfu: the memory is written and
    // verified first, the option bytes last (their reload resets the device).
    dfu_sim_protect(r.sim, false);
    dfu_sim_reset(r.sim, false);
    r.s.alt_current = -1;
    ob[1] = 0xAA;
    dfu_image both = {0};
    dfu_image_add(&both, 1, 0x1FFFC000u, ob, 16, NULL);
    dfu_image_add(&both, 0, FLASH, p, 4096, NULL);
    dfu_image_check(&both, NULL);
    dfu_error_clear(&err);
    CHECKF(dfu_flash(&r.s, &both, &o, &err) == DFU_OK, "%s", err.message);
    CHECK(sim_equals(&r, FLASH, p, 4096));
    CHECK(sim_equals(&r, 0x1FFFC000u, ob, 16));
    CHECK_EQ(dfu_sim_presence_get(r.sim, NULL), DFU_SIM_RESET);
    dfu_image_free(&both);
    dfu_image_free(&img);
    dfu_image_free(&obi);
    free(p);
    rig_close(&r);
}

// One fault per line: how the sim misbehaves, what the flash must return.
static void test_fault_matrix(void) {
    static const struct {
        const char *name;
        unsigned stall_write_at, error_write_at, vanish_at, erase_busy, busy_limit;
        bool vanish_on_leave, stall_busy, runtime;
        uint16_t transfer_size;
        dfu_status want;
        const char *message;   // a phrase the user sees
    } cases[] = {
        {"stall mid-write", 5, 0, 0, 0, 0, false, false, false, 2048, DFU_E_STATUS, "errSTALLEDPKT"},
        {"error status mid-write", 0, 7, 0, 0, 0, false, false, false, 2048, DFU_E_STATUS, "Flash write failed"},
        {"device vanishes mid-transfer", 0, 0, 60, 0, 0, false, false, false, 2048, DFU_E_NO_DEVICE, "no device"},
        {"vanish on leave is success", 0, 0, 0, 0, 0, true, false, false, 2048, DFU_OK, ""},
        {"busy beyond the limit", 0, 0, 0, 1000, 500, false, false, false, 2048, DFU_E_TIMEOUT, "still busy"},
        {"slow erase within the limit", 0, 0, 0, 20, 0, false, false, false, 2048, DFU_OK, ""},
        {"STALL while busy (STM32L4)", 0, 0, 0, 0, 0, false, true, false, 2048, DFU_OK, ""},
        {"no functional descriptor, no size", 0, 0, 0, 0, 0, false, false, false, 0, DFU_E_ARG, "transfer size"},
        {"runtime mode", 0, 0, 0, 0, 0, false, false, true, 2048, DFU_E_STATE, "runtime mode"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dfu_sim_config cfg;
        dfu_sim_config_stm32f4(&cfg);
        cfg.stall_write_at = cases[i].stall_write_at;
        cfg.error_write_at = cases[i].error_write_at;
        cfg.vanish_at_request = cases[i].vanish_at;
        cfg.erase_busy_polls = cases[i].erase_busy;
        cfg.vanish_on_leave = cases[i].vanish_on_leave;
        cfg.stall_busy_polls = cases[i].stall_busy;
        cfg.runtime = cases[i].runtime;
        rig r;
        rig_open(&r, &cfg);
        r.s.transfer_size = cases[i].transfer_size;
        if (cases[i].busy_limit) {
            r.s.busy_limit_ms = cases[i].busy_limit;
        }
        uint8_t *a, *b;
        dfu_image img = two_part_image(&a, &b);
        dfu_flash_options o;
        dfu_flash_options_init(&o);
        dfu_error err;
        dfu_error_clear(&err);
        dfu_status st = dfu_flash(&r.s, &img, &o, &err);
        CHECKF(st == cases[i].want, "%s: got %s (%s)", cases[i].name, dfu_status_id(st), err.message);
        CHECKF(strstr(err.message, cases[i].message) != NULL || strstr(err.dev_string, cases[i].message) != NULL,
            "%s: message '%s' / device '%s' lacks '%s'", cases[i].name, err.message, err.dev_string, cases[i].message);
        if (st == DFU_OK) {
            CHECKF(sim_equals(&r, FLASH, a, 40000), "%s: flash contents", cases[i].name);
            CHECKF(dfu_sim_presence_get(r.sim, NULL) == DFU_SIM_LEFT, "%s: left", cases[i].name);
        }
        if (cases[i].stall_busy) {
            CHECK(r.s.stalls_tolerated >= 4);
        }
        rig_close(&r);
        dfu_image_free(&img);
        free(a);
        free(b);
    }
}

// A failure at the nth request, for every n: each run ends in an error
// (never a false success, never a crash) until n is past the whole job.
static void test_vanish_at_every_request(void) {
    unsigned long total;
    {
        rig r;
        rig_open(&r, NULL);
        uint8_t *a, *b;
        dfu_image img = two_part_image(&a, &b);
        dfu_flash_options o;
        dfu_flash_options_init(&o);
        CHECK_EQ(dfu_flash(&r.s, &img, &o, NULL), DFU_OK);
        total = dfu_sim_counters_get(r.sim)->requests;
        rig_close(&r);
        dfu_image_free(&img);
        free(a);
        free(b);
    }
    unsigned false_success = 0, ok_runs = 0;
    for (unsigned n = 1; n <= total + 1; n++) {
        dfu_sim_config cfg;
        dfu_sim_config_stm32f4(&cfg);
        cfg.vanish_at_request = n;
        rig r;
        rig_open(&r, &cfg);
        uint8_t *a, *b;
        dfu_image img = two_part_image(&a, &b);
        dfu_flash_options o;
        dfu_flash_options_init(&o);
        dfu_error err;
        dfu_error_clear(&err);
        dfu_status st = dfu_flash(&r.s, &img, &o, &err);
        if (st == DFU_OK) {
            ok_runs++;
            // Only acceptable when everything was written and verified: the
            // device may vanish in the leave's final status.
            if (!sim_equals(&r, FLASH, a, 40000) || !sim_equals(&r, 0x08020000u + 5000, b, 3000) ||
                n < total - 1) {
                false_success++;
            }
        } else {
            CHECKF(st == DFU_E_NO_DEVICE && err.message[0], "n=%u: %s (%s)", n, dfu_status_id(st), err.message);
        }
        rig_close(&r);
        dfu_image_free(&img);
        free(a);
        free(b);
    }
    CHECK_EQ(false_success, 0);
    CHECK(ok_runs >= 2 && ok_runs <= 3);  // vanish at the last status, or never
    printf("  (%lu requests per flash; a vanish injected at each)\n", total);
}

static void test_cancel_and_recover(void) {
    rig r;
    rig_open(&r, NULL);
    uint8_t *a, *b;
    dfu_image img = two_part_image(&a, &b);
    progress_log log = {.cancel_after = 3};
    r.s.progress = on_progress;
    r.s.progress_user = &log;
    dfu_flash_options o;
    dfu_flash_options_init(&o);
    dfu_error err;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_flash(&r.s, &img, &o, &err), DFU_E_CANCELLED);
    CHECK(strstr(err.message, "write") != NULL);
    CHECK_EQ(dfu_sim_presence_get(r.sim, NULL), DFU_SIM_PRESENT);
    // The device is left in a state the next job recovers from.
    r.s.cancel = 0;
    log.cancel_after = 0;
    dfu_error_clear(&err);
    CHECKF(dfu_flash(&r.s, &img, &o, &err) == DFU_OK, "%s", err.message);
    CHECK(sim_equals(&r, FLASH, a, 40000));
    rig_close(&r);
    // From dfuERROR and dfuDNLOAD-IDLE, reach_idle gets back to dfuIDLE.
    rig_open(&r, NULL);
    uint8_t bad = 0x77;
    dfu_error_clear(&err);
    CHECK(r.io.control(r.io.ctx, 0x21, DFU_REQ_DNLOAD, 0, 0, &bad, 1, 100) == 1);
    dfu_devstatus st;
    dfu_get_status(&r.s, &st, &err);
    dfu_get_status(&r.s, &st, &err);
    CHECK_EQ(st.state, DFU_STATE_ERROR);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_reach_idle(&r.s, &err), DFU_OK);
    uint8_t state = 0xFF;
    CHECK_EQ(dfu_get_state(&r.s, &state, &err), DFU_OK);
    CHECK_EQ(state, DFU_STATE_IDLE);
    rig_close(&r);
    dfu_image_free(&img);
    free(a);
    free(b);
}

static void test_leave_variants(void) {
    rig r;
    rig_open(&r, NULL);
    dfu_error err;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_leave(&r.s, true, 0x08004000u, &err), DFU_OK);
    uint32_t jump = 0;
    CHECK_EQ(dfu_sim_presence_get(r.sim, &jump), DFU_SIM_LEFT);
    CHECK_EQ(jump, 0x08004000u);
    // Gone: the next request reports it.
    dfu_error_clear(&err);
    CHECK_EQ(dfu_reach_idle(&r.s, &err), DFU_E_NO_DEVICE);
    rig_close(&r);
    // A runtime-mode device takes DETACH and resets into DFU mode.
    dfu_sim_config cfg;
    dfu_sim_config_stm32f4(&cfg);
    cfg.runtime = true;
    rig_open(&r, &cfg);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_detach(&r.s, 255, &err), DFU_OK);
    CHECK_EQ(dfu_sim_presence_get(r.sim, NULL), DFU_SIM_RESET);
    dfu_sim_reset(r.sim, false);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_reach_idle(&r.s, &err), DFU_OK);
    rig_close(&r);
    // In DFU mode the device refuses DETACH with a STALL: an error, not a
    // detach to wait for.
    rig_open(&r, NULL);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_detach(&r.s, 255, &err), DFU_E_STALL);
    CHECK_EQ(dfu_sim_presence_get(r.sim, NULL), DFU_SIM_PRESENT);
    rig_close(&r);
}

// A progress callback that flips a byte of the device's memory as the
// verify starts, so the read-back differs from what was written.
typedef struct {
    dfu_sim *sim;
    uint32_t address;
    bool done;
} corrupter;

static int corrupt_on_verify(void *user, dfu_phase phase, uint32_t address, uint64_t done, uint64_t total) {
    corrupter *c = user;
    (void)address;
    // After the last write, before verify reads anything back (verify reads
    // several blocks before its first report).
    if (phase == DFU_PHASE_WRITE && done == total && !c->done) {
        uint8_t b;
        dfu_sim_peek(c->sim, c->address, &b, 1);
        b ^= 0x01;
        dfu_sim_poke(c->sim, c->address, &b, 1);
        c->done = true;
    }
    return 0;
}

static void test_verify_catches_a_difference(void) {
    rig r;
    rig_open(&r, NULL);
    uint8_t *a, *b;
    dfu_image img = two_part_image(&a, &b);
    corrupter c = {.sim = r.sim, .address = FLASH + 30000};
    r.s.progress = corrupt_on_verify;
    r.s.progress_user = &c;
    dfu_flash_options o;
    dfu_flash_options_init(&o);
    dfu_error err;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_flash(&r.s, &img, &o, &err), DFU_E_VERIFY);
    CHECKF(strstr(err.message, "0x08007530") != NULL, "%s", err.message);
    CHECK_EQ(dfu_sim_presence_get(r.sim, NULL), DFU_SIM_PRESENT);  // no leave after a failed verify
    rig_close(&r);
    dfu_image_free(&img);
    free(a);
    free(b);
}

// A plain DFU 1.1 device (no DfuSe): one raw image, blocks in sequence.
static void test_plain_dfu(void) {
    dfu_sim_config cfg;
    dfu_sim_config_stm32f4(&cfg);
    cfg.plain = true;
    cfg.alt_count = 1;
    cfg.transfer_size = 1024;
    rig r;
    rig_open(&r, &cfg);
    r.s.dfuse = false;
    uint8_t *p = pattern(5000, 21);
    dfu_image img = {0};
    dfu_image_add(&img, 0, 0, p, 5000, NULL);
    dfu_flash_options o;
    dfu_flash_options_init(&o);
    dfu_error err;
    dfu_error_clear(&err);
    CHECKF(dfu_flash(&r.s, &img, &o, &err) == DFU_OK, "%s", err.message);
    CHECK(sim_equals(&r, FLASH, p, 5000));
    CHECK(sim_filled(&r, FLASH + 5000, 0xFF, 1000));
    CHECK_EQ(dfu_sim_counters_get(r.sim)->dnloads, 5 + 1);   // 5 blocks, then the zero-length end
    CHECK_EQ(dfu_sim_counters_get(r.sim)->uploads, 5);        // verified by reading back
    CHECK_EQ(dfu_sim_presence_get(r.sim, NULL), DFU_SIM_LEFT);
    // A byte that changes under the verify is caught.
    dfu_sim_reset(r.sim, false);
    corrupter c = {.sim = r.sim, .address = FLASH + 4000};
    r.s.progress = corrupt_on_verify;
    r.s.progress_user = &c;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_flash(&r.s, &img, &o, &err), DFU_E_VERIFY);
    CHECKF(strstr(err.message, "0x00000fa0") != NULL, "%s", err.message);
    r.s.progress = NULL;
    // Several elements cannot go to a device that has no addresses.
    dfu_image_add(&img, 0, 0x10000, p, 10, NULL);
    dfu_sim_reset(r.sim, false);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_flash(&r.s, &img, &o, &err), DFU_E_UNSUPPORTED);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_read(&r.s, 0, FLASH, p, 16, &err), DFU_E_UNSUPPORTED);
    dfu_image_free(&img);
    free(p);
    rig_close(&r);
}

// A forced erase over a gap in the layout erases the pages on both sides
// and steps over the gap.
// The sim's whole memory in and out of a buffer (what the image file holds).
static void test_sim_memory(void) {
    rig r;
    rig_open(&r, NULL);
    size_t size = dfu_sim_memory_size(r.sim);
    uint8_t *mem = malloc(size);
    CHECK(mem != NULL && size > 1024 * 1024);
    if (mem == NULL) {
        rig_close(&r);
        return;
    }
    CHECK_EQ(dfu_sim_memory_read(r.sim, mem, size), DFU_OK);
    CHECK(mem[0] == 0xFF && mem[size / 2] == 0xFF);
    mem[0] = 0x12;
    mem[1023] = 0x34;
    CHECK_EQ(dfu_sim_memory_write(r.sim, mem, size, NULL), DFU_OK);
    CHECK(sim_filled(&r, FLASH, 0x12, 1) && sim_filled(&r, FLASH + 1023, 0x34, 1));
    dfu_error err;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_sim_memory_write(r.sim, mem, size - 1, &err), DFU_E_FORMAT);
    CHECK(strstr(err.message, "bytes expected") != NULL || strstr(err.message, "expected") != NULL);
    CHECK_EQ(dfu_sim_memory_read(r.sim, mem, size + 1), DFU_E_ARG);
    free(mem);
    rig_close(&r);
}

static void test_erase_across_gap(void) {
    dfu_sim_config cfg;
    dfu_sim_config_stm32f4(&cfg);
    cfg.alts[0] = "@Flash/0x08000000/2*1Kg/0x08100000/2*1Kg";
    cfg.alt_count = 1;
    rig r;
    rig_open(&r, &cfg);
    dfu_error err;
    dfu_error_clear(&err);
    CHECK_EQ(dfu_erase(&r.s, 0, 0x08000400u, 0x100400u, false, false, &err), DFU_E_ADDRESS);
    dfu_error_clear(&err);
    CHECKF(dfu_erase(&r.s, 0, 0x08000400u, 0x100400u, false, true, &err) == DFU_OK, "%s", err.message);
    CHECK_EQ(dfu_sim_counters_get(r.sim)->erases, 3);   // 0x08000400, 0x08100000, 0x08100400
    rig_close(&r);
}

#ifndef MPX_DFU_TEST_NO_DISK
// ---------------------------------------------------------------------------
// Files on disk (lib/dfu/host/dfu_io.c; a Cortex-M build of this file
// defines MPX_DFU_TEST_NO_DISK and links only the portable dfu_core)

static void test_disk(void) {
    char dir[] = "/tmp/test_dfu_XXXXXX";
    if (mkdtemp(dir) == NULL) {
        CHECK(!"mkdtemp");
        return;
    }
    char path[64], sim_path[64], tmp_path[80];
    snprintf(path, sizeof(path), "%s/image.dfu", dir);
    snprintf(sim_path, sizeof(sim_path), "%s/flash.img", dir);
    snprintf(tmp_path, sizeof(tmp_path), "%s.tmp", sim_path);
    dfu_error err;
    dfu_image img;

    dfu_error_clear(&err);
    CHECK_EQ(dfu_image_load("/nonexistent/file.dfu", NULL, &img, &err), DFU_E_IO);
    CHECK(strstr(err.message, "/nonexistent/file.dfu: ") == err.message);
    CHECK(img.count == 0);

    // Save, load: the same image, and the file is what write_dfuse gives.
    uint8_t data[300];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 7);
    }
    dfu_image out = {0};
    CHECK_EQ(dfu_image_add(&out, 0, FLASH + 0x4000, data, sizeof(data), NULL), DFU_OK);
    size_t written = 0;
    CHECK_EQ(dfu_image_save(&out, 8, path, &written, NULL), DFU_OK);
    uint8_t *mem;
    size_t len;
    CHECK_EQ(dfu_image_write_dfuse(&out, 8, &mem, &len, NULL), DFU_OK);
    CHECK_EQ(written, len);
    uint8_t *file;
    size_t file_len;
    CHECK_EQ(dfu_file_read(path, DFU_FILE_MAX_SIZE, &file, &file_len, NULL), DFU_OK);
    CHECK(file_len == len && memcmp(file, mem, len) == 0);
    free(file);
    free(mem);
    CHECK_EQ(dfu_image_load(path, NULL, &img, NULL), DFU_OK);
    CHECK(img.format == DFU_FORMAT_DFUSE && img.count == 1 && img.elements[0].address == FLASH + 0x4000);
    CHECK(img.elements[0].size == 304 && memcmp(img.elements[0].data, data, sizeof(data)) == 0);
    dfu_image_free(&img);

    // A parse error names the file; a file over the limit is refused.
    CHECK_EQ(dfu_file_write(path, (const uint8_t *)"DfuSe\x01", 6, NULL), DFU_OK);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_image_load(path, NULL, &img, &err), DFU_E_TRUNCATED);
    CHECK(strncmp(err.message, path, strlen(path)) == 0);
    CHECK_EQ(dfu_file_read(path, 6, &file, &file_len, NULL), DFU_OK);
    CHECK_EQ(file_len, 6);
    free(file);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_file_read(path, 5, &file, &file_len, &err), DFU_E_FORMAT);
    CHECK(file == NULL && file_len == 0 && strstr(err.message, "larger than 5 bytes") != NULL);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_image_save(&out, 8, "/nonexistent/dir/x.dfu", &written, &err), DFU_E_IO);
    CHECK(written == 0 && strstr(err.message, "/nonexistent/dir/x.dfu: ") == err.message);
    dfu_image_free(&out);

    // The sim's flash image: missing means erased; saved, then loaded whole.
    dfu_sim_config cfg;
    dfu_sim_config_stm32f4(&cfg);
    dfu_sim *sim;
    CHECK_EQ(dfu_sim_new(&cfg, &sim, NULL), DFU_OK);
    CHECK_EQ(dfu_sim_load(sim, sim_path, NULL), DFU_OK);
    CHECK_EQ(dfu_sim_poke(sim, FLASH + 16, data, 4), DFU_OK);
    CHECK_EQ(dfu_sim_save(sim, sim_path, NULL), DFU_OK);
    dfu_sim_free(sim);
    CHECK_EQ(dfu_sim_new(&cfg, &sim, NULL), DFU_OK);
    CHECK_EQ(dfu_sim_load(sim, sim_path, NULL), DFU_OK);
    uint8_t back[4];
    CHECK_EQ(dfu_sim_peek(sim, FLASH + 16, back, 4), DFU_OK);
    CHECK(memcmp(back, data, 4) == 0);
    // A file of another size (too short, too long) is not this device's image.
    CHECK_EQ(dfu_file_write(sim_path, data, sizeof(data), NULL), DFU_OK);
    dfu_error_clear(&err);
    CHECK_EQ(dfu_sim_load(sim, sim_path, &err), DFU_E_FORMAT);
    CHECK(strstr(err.message, "not a flash image of this layout") != NULL);
    size_t size = dfu_sim_memory_size(sim);
    uint8_t *big = calloc(1, size + 1);
    CHECK(big != NULL);
    if (big != NULL) {
        CHECK_EQ(dfu_file_write(sim_path, big, size + 1, NULL), DFU_OK);
        dfu_error_clear(&err);
        CHECK_EQ(dfu_sim_load(sim, sim_path, &err), DFU_E_FORMAT);
        CHECK(strstr(err.message, "not a flash image of this layout") != NULL);
        free(big);
    }
    dfu_error_clear(&err);
    CHECK_EQ(dfu_sim_save(sim, "/nonexistent/dir/flash.img", &err), DFU_E_IO);
    dfu_sim_free(sim);

    remove(path);
    remove(sim_path);
    remove(tmp_path);
    rmdir(dir);
}
#endif

int main(void) {
    RUN_TEST(test_crc);
    RUN_TEST(test_layout_good);
    RUN_TEST(test_layout_bad);
    RUN_TEST(test_dfuse_roundtrip);
    RUN_TEST(test_hex);
    RUN_TEST(test_elf);
    RUN_TEST(test_bin);
    RUN_TEST(test_file_rules);
    RUN_TEST(test_target_names);
    RUN_TEST(test_alt_checks);
    RUN_TEST(test_flash_page_erase);
    RUN_TEST(test_flash_per_chunk_and_mass_erase);
    RUN_TEST(test_read_and_erase);
    RUN_TEST(test_read_queue);
    RUN_TEST(test_refusals_before_usb);
    RUN_TEST(test_option_bytes_and_protection);
    RUN_TEST(test_fault_matrix);
    RUN_TEST(test_vanish_at_every_request);
    RUN_TEST(test_cancel_and_recover);
    RUN_TEST(test_leave_variants);
    RUN_TEST(test_plain_dfu);
    RUN_TEST(test_verify_catches_a_difference);
    RUN_TEST(test_erase_across_gap);
    RUN_TEST(test_error_format);
    RUN_TEST(test_sim_memory);
#ifndef MPX_DFU_TEST_NO_DISK
    RUN_TEST(test_disk);
#endif
    printf("%u checks, %u failures\n", mpx_test_checks, mpx_test_failures);
    return mpx_test_failures != 0;
}
