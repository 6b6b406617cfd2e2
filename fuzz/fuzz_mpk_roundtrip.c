// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libFuzzer: decode arbitrary input; whatever decodes must encode again
// (through a growable and through a 16-byte streaming writer, byte for byte
// the same) and decode back to the same tree, bit for bit. Re-encoding a
// canonical encoding is stable.

#include <stdlib.h>

#include "mpk_tree.h"

static uint8_t arena[1 << 20];
static uint8_t arena2[1 << 20];
static uint8_t out1[1 << 20];
static uint8_t out2[1 << 20];
static size_t out2_len;

#define REQUIRE(cond) do { if (!(cond)) { abort(); } } while (0)

static mpk_status_t stream_flush(mpk_writer_t *w, size_t need) {
    (void)need;
    if (out2_len + w->pos > sizeof out2) {
        return MPK_ERR_IO;
    }
    memcpy(out2 + out2_len, w->buf, w->pos);
    out2_len += w->pos;
    w->pos = 0;
    return MPK_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tv_ctx_t c;
    tv_t *tree = NULL;
    size_t used = 0;
    tv_ctx_init(&c, arena, sizeof arena);
    if (tv_decode(&c, data, size, &tree, &used) != MPK_OK) {
        return 0;
    }
    mpk_writer_t w;
    mpk_writer_init(&w, out1, sizeof out1, NULL, NULL);
    tv_write(&w, tree);
    if (w.status == MPK_ERR_MEMORY) {
        return 0;  // larger than the output buffer: nothing to compare
    }
    REQUIRE(w.status == MPK_OK);
    size_t n1 = w.pos;
    REQUIRE(n1 <= used);  // shortest forms: never longer than the input

    uint8_t small[MPK_WRITER_MIN_BUFFER];
    out2_len = 0;
    mpk_writer_init(&w, small, sizeof small, stream_flush, NULL);
    tv_write(&w, tree);
    REQUIRE(mpk_writer_finish(&w) == MPK_OK);
    REQUIRE(out2_len == n1 && memcmp(out1, out2, n1) == 0);

    tv_ctx_t c2;
    tv_t *again = NULL;
    size_t used2 = 0;
    tv_ctx_init(&c2, arena2, sizeof arena2);
    REQUIRE(tv_decode(&c2, out1, n1, &again, &used2) == MPK_OK);
    REQUIRE(used2 == n1);
    REQUIRE(tv_equal(tree, again, false));

    mpk_writer_init(&w, out2, sizeof out2, NULL, NULL);
    tv_write(&w, again);
    REQUIRE(w.status == MPK_OK && w.pos == n1 && memcmp(out1, out2, n1) == 0);
    return 0;
}
