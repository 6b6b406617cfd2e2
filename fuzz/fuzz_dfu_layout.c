// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libFuzzer: the memory-layout parser. A layout that parses prints back to
// a string that parses to the same segments.
#include <stdlib.h>
#include <string.h>

#include "dfu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char text[512];
    if (size >= sizeof(text)) {
        size = sizeof(text) - 1;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    dfu_layout l, again;
    dfu_error err;
    dfu_error_clear(&err);
    if (dfu_layout_parse(text, &l, &err) != DFU_OK) {
        if (err.message[0] == '\0') {
            abort();
        }
        return 0;
    }
    char printed[2048];
    size_t n = dfu_layout_format(&l, printed, sizeof(printed));
    if (n >= sizeof(printed)) {
        abort();
    }
    if (strchr(l.name, '/') == NULL && l.name[0] != '\0') {
        if (dfu_layout_parse(printed, &again, NULL) != DFU_OK || again.count != l.count ||
            memcmp(again.segments, l.segments, l.count * sizeof(l.segments[0])) != 0) {
            abort();
        }
    }
    for (size_t i = 0; i < l.count; i++) {
        if (dfu_layout_find(&l, l.segments[i].start) == NULL) {
            abort();
        }
    }
    return 0;
}
