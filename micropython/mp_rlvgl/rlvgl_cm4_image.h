// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Is there a renderer for the STM32H747's Cortex-M4 in flash? Before the
// CM7 releases the CM4 it reads the first two words of the CM4's image (the
// initial stack pointer and the reset handler): a firmware flashed without
// the CM4 element leaves them erased, and releasing the CM4 then only ends
// in "the renderer is not running". Plain C, so the host tests it.
#ifndef MPX_RLVGL_CM4_IMAGE_H
#define MPX_RLVGL_CM4_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

// Where the board's firmware.dfu puts the renderer (flash bank 2) and where
// option byte BOOT_CM4_ADD0 (= 0x0810) starts the CM4.
#ifndef RLVGL_CM4_IMAGE
#define RLVGL_CM4_IMAGE 0x08100000u
#endif
#define RLVGL_CM4_IMAGE_MAX 0x00100000u  // one bank

typedef enum {
    RLVGL_CM4_IMAGE_OK,
    RLVGL_CM4_IMAGE_ERASED,   // 0xFFFFFFFF twice: nothing was flashed there
    RLVGL_CM4_IMAGE_INVALID,  // something, but not a Cortex-M4 program for this place
} rlvgl_cm4_image_t;

// RAM the CM4 can run its stack in (an initial SP is the top, so the end is
// allowed and the start is not): D2 SRAM1-3 on the CM4's bus and on AXI,
// AXI SRAM, SRAM4, the FMC SDRAM banks. Not the CM7's DTCM (0x20000000).
static inline bool rlvgl_cm4_stack_ok(uint32_t sp) {
    static const uint32_t ram[][2] = {
        {0x10000000u, 0x10048000u}, {0x30000000u, 0x30048000u}, {0x24000000u, 0x24080000u},
        {0x38000000u, 0x38010000u}, {0xC0000000u, 0xE0000000u},
    };
    for (unsigned i = 0; i < sizeof(ram) / sizeof(ram[0]); i++) {
        if (sp > ram[i][0] && sp <= ram[i][1] && (sp & 7u) == 0) {
            return true;
        }
    }
    return false;
}

static inline rlvgl_cm4_image_t rlvgl_cm4_image_check(uint32_t base, uint32_t sp, uint32_t reset) {
    if (sp == 0xFFFFFFFFu && reset == 0xFFFFFFFFu) {
        return RLVGL_CM4_IMAGE_ERASED;
    }
    bool thumb = (reset & 1u) != 0;
    bool inside = reset > base && reset - base < RLVGL_CM4_IMAGE_MAX;
    return rlvgl_cm4_stack_ok(sp) && thumb && inside ? RLVGL_CM4_IMAGE_OK : RLVGL_CM4_IMAGE_INVALID;
}

// The error init() raises for a bad result, into err.
static inline void rlvgl_cm4_image_error(rlvgl_cm4_image_t r, uint32_t base, uint32_t sp, uint32_t reset,
    char *err, size_t err_len) {
    if (r == RLVGL_CM4_IMAGE_ERASED) {
        snprintf(err, err_len,
            "no renderer for the CM4: flash at 0x%08lx is erased (flash the board's firmware.dfu, which "
            "holds both cores)", (unsigned long)base);
    } else {
        snprintf(err, err_len,
            "no renderer for the CM4 at 0x%08lx: stack 0x%08lx, reset 0x%08lx is not a Cortex-M4 program "
            "linked there", (unsigned long)base, (unsigned long)sp, (unsigned long)reset);
    }
}

#endif
