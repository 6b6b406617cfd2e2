// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libFuzzer: the ELF32 reader. Every element's bytes come from inside the
// input (ASan checks the copies) and fit the 32-bit address space.
#include <stdlib.h>

#include "dfu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const dfu_source as_elf = {.format = DFU_FORMAT_ELF};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dfu_image img;
    dfu_error err;
    dfu_error_clear(&err);
    if (dfu_image_parse(data, size, &as_elf, &img, &err) != DFU_OK) {
        if (err.message[0] == '\0') {
            abort();
        }
        return 0;
    }
    size_t total = 0;
    for (size_t i = 0; i < img.count; i++) {
        total += img.elements[i].size;
        if ((uint64_t)img.elements[i].address + img.elements[i].size > 0x100000000ull) {
            abort();
        }
    }
    if (total > size * 65536u) {
        abort();  // segments may repeat file bytes, but not without bound
    }
    dfu_image_free(&img);
    return 0;
}
