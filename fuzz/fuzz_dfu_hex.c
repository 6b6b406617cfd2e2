// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libFuzzer: the Intel HEX reader. Parsed images are sorted and free of
// overlaps.
#include <stdlib.h>

#include "dfu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const dfu_source as_hex = {.format = DFU_FORMAT_HEX};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dfu_image img;
    dfu_error err;
    dfu_error_clear(&err);
    if (dfu_image_parse(data, size, &as_hex, &img, &err) != DFU_OK) {
        if (err.message[0] == '\0' || img.count != 0) {
            abort();
        }
        return 0;
    }
    for (size_t i = 1; i < img.count; i++) {
        if ((uint64_t)img.elements[i - 1].address + img.elements[i - 1].size > img.elements[i].address) {
            abort();
        }
    }
    dfu_image_free(&img);
    return 0;
}
