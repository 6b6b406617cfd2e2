// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Declarations shared by the files of libmpxdfu, not part of its API.
//
// The files in src/ are the portable part (no <stdio.h>, no OS calls: they
// take buffers and return a dfu_status); host/ holds the files that touch
// the OS (dfu_io.c: files on disk, dfu_usb.c: libusb). lib/dfu/CMakeLists.txt
// checks the first rule on every build.
#ifndef MPX_DFU_INTERNAL_H
#define MPX_DFU_INTERNAL_H

#include <stdarg.h>

#include "dfu.h"

// snprintf for the library (dfu_text.c): returns the length the whole text
// needs, writes at most size bytes with a NUL (out may be NULL if size is 0).
size_t dfu_vfmt(char *out, size_t size, const char *fmt, va_list ap);
size_t dfu_fmt(char *out, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

dfu_status dfu_parse_dfuse(const uint8_t *buf, size_t len, dfu_image *out, dfu_error *err);
dfu_status dfu_parse_hex(const uint8_t *buf, size_t len, dfu_image *out, dfu_error *err);
dfu_status dfu_parse_elf(const uint8_t *buf, size_t len, dfu_image *out, dfu_error *err);

static inline uint16_t dfu_get16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t dfu_get32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void dfu_put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void dfu_put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

#endif
