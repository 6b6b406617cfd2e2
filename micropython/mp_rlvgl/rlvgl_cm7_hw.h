// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// What the STM32H747's Cortex-M7 backend (rlvgl_backend_cm7.c) needs of the
// chip, one small call per hardware touch. rlvgl_cm7_hw.c implements them
// with the registers; the host tests (tests/c/ui/test_link_open.c) put a
// model of the Cortex-M4 behind the same calls, so the backend's own open
// sequence is the one they run.
#ifndef MP_RLVGL_CM7_HW_H
#define MP_RLVGL_CM7_HW_H

#include <stdbool.h>
#include <stdint.h>

// The link region (SRAM4) and its size.
void *rlvgl_cm7_region(uint32_t *size);

// The CM4 image's first two words (initial stack pointer, reset handler) and
// the address the CM4 boots from (option byte BOOT_CM4_ADD0).
void rlvgl_cm7_cm4_image(uint32_t *base, uint32_t *sp, uint32_t *reset, uint32_t *boot_addr);

// Before the link: the HSEM clock, SRAM4 uncached in the MPU, the interrupt
// of our doorbell (HSEM 29) on.
void rlvgl_cm7_setup(void);

// Our doorbell's interrupt off (close).
void rlvgl_cm7_quiet(void);

// Whether the CM4 can be running: it boots by itself (option byte BCM4 = 1)
// or the CM7 has released it since the last reset (RCC_GCR BOOT_C2).
bool rlvgl_cm7_cm4_running(void);

// Release the CM4 (RCC_GCR BOOT_C2; it starts only a core that is held).
void rlvgl_cm7_cm4_start(void);

// Ring the CM4's doorbell (HSEM 28), after the writes before it are visible.
void rlvgl_cm7_ring_cm4(void);

// MicroPython's millisecond clock.
uint32_t rlvgl_cm7_now_ms(void);

// Sleep until the CM4 rings (HSEM 29) or ms pass.
void rlvgl_cm7_wait(uint32_t ms);

// Called by the hardware layer when the CM4 rings (from the interrupt):
// rlvgl_backend_cm7.c passes it on to the module.
void rlvgl_cm7_bell(void);

#endif
