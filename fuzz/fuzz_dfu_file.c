// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libFuzzer: the DfuSe reader. A file that parses is written back and must
// parse to the same elements.
#include <stdlib.h>
#include <string.h>

#include "dfu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const dfu_source as_dfuse = {.format = DFU_FORMAT_DFUSE};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dfu_image img, again;
    dfu_error err;
    dfu_error_clear(&err);
    if (dfu_image_parse(data, size, &as_dfuse, &img, &err) != DFU_OK) {
        if (err.message[0] == '\0') {
            abort();  // every failure says why
        }
        return 0;
    }
    uint8_t *out;
    size_t len;
    if (dfu_image_write_dfuse(&img, 1, &out, &len, NULL) == DFU_OK) {
        if (dfu_image_parse(out, len, &as_dfuse, &again, NULL) != DFU_OK || again.count != img.count) {
            abort();
        }
        for (size_t i = 0; i < img.count; i++) {
            const dfu_element *a = &img.elements[i], *b = &again.elements[i];
            if (a->address != b->address || a->size != b->size || a->alt != b->alt ||
                memcmp(a->data, b->data, a->size) != 0) {
                abort();
            }
        }
        dfu_image_free(&again);
        free(out);
    }
    dfu_image_free(&img);
    return 0;
}
