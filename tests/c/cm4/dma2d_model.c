// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "dma2d_model.h"

#include <string.h>

// Register fields (RM0399, DMA2D).
#define CR_START (1u << 0)
#define CR_MODE_SHIFT 16u
#define CR_MODE_MASK (7u << CR_MODE_SHIFT)
#define CR_IRQ_ENABLES (0x3Fu << 8)     // TEIE TCIE TWIE CAEIE CTCIE CEIE: no effect on the pixels
#define FG_CM_MASK 0xFu
#define FG_AM_SHIFT 16u
#define FG_AM_MASK (3u << FG_AM_SHIFT)
#define FG_ALPHA_SHIFT 24u
#define FG_KNOWN (FG_CM_MASK | FG_AM_MASK | (0xFFu << FG_ALPHA_SHIFT))
#define OUT_CM_MASK 7u
#define NLR_NL_MASK 0xFFFFu
#define NLR_PL_SHIFT 16u
#define NLR_PL_MASK 0x3FFFu
#define NLR_RESERVED 0xC0000000u
#define OFFSET_MAX 0xFFFFu

static uint32_t bytes_of(uint32_t cm) {
    return cm == DMA2D_MODEL_ARGB8888 ? 4u : cm == DMA2D_MODEL_RGB565 ? 2u : 0u;
}

uint32_t dma2d_model_to_argb(uint32_t cm, uint32_t v) {
    if (cm == DMA2D_MODEL_ARGB8888) {
        return v;
    }
    uint32_t r = (v >> 11) & 0x1Fu, g = (v >> 5) & 0x3Fu, b = v & 0x1Fu;
    return 0xFF000000u | (((r << 3) | (r >> 2)) << 16) | (((g << 2) | (g >> 4)) << 8) |
        ((b << 3) | (b >> 2));
}

uint32_t dma2d_model_from_argb(uint32_t cm, uint32_t v) {
    if (cm == DMA2D_MODEL_ARGB8888) {
        return v;
    }
    return (((v >> 19) & 0x1Fu) << 11) | (((v >> 10) & 0x3Fu) << 5) | ((v >> 3) & 0x1Fu);
}

static uint8_t *bus_at(dma2d_bus_t *b, uint32_t addr, uint32_t len) {
    for (int i = 0; i < b->n; i++) {
        const dma2d_region_t *r = &b->r[i];
        if (addr >= r->base && (uint64_t)addr + len <= (uint64_t)r->base + r->size) {
            return r->mem + (addr - r->base);
        }
    }
    b->faults++;
    return NULL;
}

// The foreground alpha mode on an ARGB8888 pixel: 00 keep, 01 replace, 10
// multiply by FGPFCCR's ALPHA.
static uint32_t alpha_mode(uint32_t fgpfccr, uint32_t argb) {
    uint32_t am = (fgpfccr & FG_AM_MASK) >> FG_AM_SHIFT, alpha = fgpfccr >> FG_ALPHA_SHIFT;
    uint32_t a = argb >> 24;
    if (am == 1u) {
        a = alpha;
    } else if (am == 2u) {
        a = a * alpha / 255u;
    }
    return (a << 24) | (argb & 0xFFFFFFu);
}

bool dma2d_model_run(const dma2d_model_regs_t *r, dma2d_bus_t *bus) {
    uint32_t mode = (r->cr & CR_MODE_MASK) >> CR_MODE_SHIFT;
    // Line offsets in pixels (LOM 0), no abort or suspend, no CLUT load, no
    // byte, red/blue or alpha swaps: anything else is not modelled.
    if ((r->cr & ~(CR_MODE_MASK | CR_START | CR_IRQ_ENABLES)) != 0 ||
        (r->opfccr & ~OUT_CM_MASK) != 0) {
        return false;
    }
    uint32_t ocm = r->opfccr & OUT_CM_MASK, obpp = bytes_of(ocm);
    uint32_t pl = (r->nlr >> NLR_PL_SHIFT) & NLR_PL_MASK, nl = r->nlr & NLR_NL_MASK;
    if (obpp == 0 || (r->nlr & NLR_RESERVED) != 0 || pl == 0 || nl == 0 || r->oor > OFFSET_MAX ||
        r->omar % obpp != 0) {
        return false;
    }
    bool memory = mode == DMA2D_MODEL_M2M || mode == DMA2D_MODEL_M2M_PFC;
    uint32_t icm = r->fgpfccr & FG_CM_MASK, ibpp = bytes_of(icm);
    if (memory && (ibpp == 0 || (r->fgpfccr & ~FG_KNOWN) != 0 || r->fgor > OFFSET_MAX ||
        r->fgmar % ibpp != 0 || (mode == DMA2D_MODEL_M2M && icm != ocm))) {
        return false;
    }
    if (!memory && mode != DMA2D_MODEL_R2M) {
        return false;
    }
    for (uint32_t l = 0; l < nl; l++) {
        for (uint32_t x = 0; x < pl; x++) {
            uint32_t v = ocm == DMA2D_MODEL_RGB565 ? (r->ocolr & 0xFFFFu) : r->ocolr;
            if (memory) {
                uint8_t *s = bus_at(bus, r->fgmar + (l * (pl + r->fgor) + x) * ibpp, ibpp);
                if (s == NULL) {
                    return false;
                }
                v = 0;
                memcpy(&v, s, ibpp);  // little-endian hosts and targets only
                if (mode == DMA2D_MODEL_M2M_PFC) {
                    v = dma2d_model_from_argb(ocm,
                        alpha_mode(r->fgpfccr, dma2d_model_to_argb(icm, v)));
                }
            }
            uint8_t *d = bus_at(bus, r->omar + (l * (pl + r->oor) + x) * obpp, obpp);
            if (d == NULL) {
                return false;
            }
            memcpy(d, &v, obpp);
        }
    }
    return true;
}
