// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// A model of the STM32H7 DMA2D (RM0399's register semantics) for the modes
// and formats the renderer and ST's BSP use: register to memory (a fill),
// memory to memory, memory to memory with pixel format conversion, between
// ARGB8888 and RGB565, with the foreground alpha modes. It runs one
// transfer over "bus" memory made of the caller's buffers and refuses a
// programme the DMA2D would refuse or this model does not know (rather than
// guessing): the h747 display test runs our DMA2D plan through it, the ST
// oracle (tests/st-oracle) runs both our layer's and ST's HAL's register
// writes through it.
#ifndef MPX_TEST_DMA2D_MODEL_H
#define MPX_TEST_DMA2D_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t base;        // bus address of mem[0]
    uint8_t *mem;
    size_t size;
} dma2d_region_t;

typedef struct {
    dma2d_region_t r[3];
    int n;
    int faults;           // accesses outside every region
} dma2d_bus_t;

// The registers a transfer reads (START in CR is ignored).
typedef struct {
    uint32_t cr, fgmar, fgor, fgpfccr, opfccr, ocolr, omar, oor, nlr;
} dma2d_model_regs_t;

// Field values the model knows.
#define DMA2D_MODEL_M2M 0u
#define DMA2D_MODEL_M2M_PFC 1u
#define DMA2D_MODEL_R2M 3u
#define DMA2D_MODEL_ARGB8888 0u
#define DMA2D_MODEL_RGB565 2u

// Run one transfer. False when the programme is refused (then nothing is
// written) or a pixel falls outside the bus (the transfer stops there;
// bus->faults counts it).
bool dma2d_model_run(const dma2d_model_regs_t *r, dma2d_bus_t *bus);

// What the DMA2D's pixel format converter makes of a pixel: to ARGB8888
// (RGB565's channels widened by copying their top bits into the new low
// ones, alpha 0xFF) and from it (RGB565 keeps each channel's top bits).
uint32_t dma2d_model_to_argb(uint32_t cm, uint32_t v);
uint32_t dma2d_model_from_argb(uint32_t cm, uint32_t v);

#endif
