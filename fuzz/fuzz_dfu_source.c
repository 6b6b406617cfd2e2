// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libFuzzer: the file rules (dfu_source: a name, a format, an address, and
// the content). The first byte picks the user's words, the rest is the
// file. Every refusal names the file and says why; what is accepted as raw
// binary was asked for (a format or an address) and is never text or zeros.
#include <stdlib.h>
#include <string.h>

#include "dfu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) {
        return 0;
    }
    static const char *const names[] = {"fw.dfu", "fw.hex", "fw.elf", "fw.bin", "fw", NULL, "FW.IHEX", "a.dfu/b"};
    static const dfu_format formats[] = {DFU_FORMAT_AUTO, DFU_FORMAT_AUTO, DFU_FORMAT_DFUSE, DFU_FORMAT_BIN};
    uint8_t pick = data[0];
    dfu_source src = {.name = names[pick & 7], .format = formats[(pick >> 3) & 3], .has_address = (pick & 0x20) != 0,
        .address = 0x08000000u};
    dfu_image img;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = dfu_image_parse(data + 1, size - 1, &src, &img, &err);
    if (st != DFU_OK) {
        const char *name = src.name ? src.name : "the file";
        if (err.message[0] == '\0' || strncmp(err.message, name, strlen(name)) != 0 || img.count != 0) {
            abort();
        }
        return 0;
    }
    if (img.count == 0) {
        abort();
    }
    if (img.format == DFU_FORMAT_BIN) {
        if (!src.has_address && src.format != DFU_FORMAT_BIN) {
            abort();  // raw binary nobody asked for
        }
        const dfu_element *e = &img.elements[0];
        bool zeros = true, text = true;
        for (uint32_t i = 0; i < e->size; i++) {
            zeros &= e->data[i] == 0;
            text &= (e->data[i] >= 0x20 && e->data[i] < 0x7f) || e->data[i] == '\n';
        }
        if (zeros || (text && e->size >= 4)) {
            abort();  // not firmware, and accepted
        }
    }
    dfu_image_free(&img);
    return 0;
}
