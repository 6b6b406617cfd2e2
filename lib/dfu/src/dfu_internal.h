// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Declarations shared by the files of libmpxdfu, not part of its API.
#ifndef MPX_DFU_INTERNAL_H
#define MPX_DFU_INTERNAL_H

#include "dfu.h"

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
