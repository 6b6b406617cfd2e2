// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The msgpack-test-suite cases, generated at build time (gen_mpk_vectors.py).
#ifndef MPK_VECTORS_H
#define MPK_VECTORS_H

#include "mpk_tree.h"

typedef struct mpk_vector_bytes {
    const uint8_t *data;
    size_t len;
} mpk_vector_bytes_t;

typedef struct mpk_vector {
    const char *name;          // "group#index"
    const tv_t *value;         // expected value
    const mpk_vector_bytes_t *encodings;  // every acceptable encoding
    size_t count;
} mpk_vector_t;

extern const mpk_vector_t mpk_vectors[];
extern const size_t mpk_vectors_count;

#endif // MPK_VECTORS_H
