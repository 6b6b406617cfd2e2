// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "dsi_host.h"

#include <stddef.h>

// Register fields (RM0399, DSI host and wrapper).
#define WRPCR_NDIV_SHIFT 2u
#define WRPCR_IDF_SHIFT 11u
#define WRPCR_ODF_SHIFT 16u
#define VMCR_VMT_BURST 2u
#define VMCR_LP_ALL_BLANKING (0x3Fu << 8)  // LPVSAE LPVBPE LPVFPE LPVAE LPHBPE LPHFPE
#define VMCR_LPCE (1u << 15)
#define LPMCR_LPSIZE_SHIFT 16u
#define HSA_MAX 0xFFFu
#define HBP_MAX 0xFFFu
#define HLINE_MAX 0x7FFFu
#define VLINES_MAX 0x3FFu                   // VSA, VBP, VFP
#define VACT_MAX 0x3FFFu
#define VPSIZE_MAX 0x3FFFu
#define NULL_PACKET_SIZE 0xFFFu
// The largest packet (bytes) sent in low power during a blanking line and
// during the active region: ST's BSP programs 64 for both on this board
// (it configures the host with its NT35510 values before probing, so the
// OTM8009A boards run with them too).
#define LP_LARGEST_PACKET 64u
#define LONG_PACKET_OVERHEAD 6u              // 4-byte header, 2-byte checksum

// D-PHY timers, in lane byte cycles (see dsi_host.h).
#define PHY_CLOCK_SWITCH_TIME 35u
#define PHY_DATA_SWITCH_TIME 35u
#define PHY_MAX_READ_TIME 0u
#define PHY_STOP_WAIT_TIME 10u

dsi_status_t dsi_pll_compute(const dsi_pll_params_t *p, dsi_pll_t *out) {
    if (p->clkin_hz == 0) {
        return DSI_E_ARG;
    }
    uint32_t odf_code;
    switch (p->odf) {
        case 1: odf_code = 0; break;
        case 2: odf_code = 1; break;
        case 4: odf_code = 2; break;
        case 8: odf_code = 3; break;
        default: return DSI_E_DIVIDER;
    }
    if (p->ndiv < DSI_PLL_NDIV_MIN || p->ndiv > DSI_PLL_NDIV_MAX || p->idf == 0 ||
        p->idf > DSI_PLL_IDF_MAX) {
        return DSI_E_DIVIDER;
    }
    // The PLL's input after IDF, then the VCO, in Hz (exact: no rounding
    // before the last division).
    uint64_t clkin = p->clkin_hz;
    if (clkin < (uint64_t)DSI_PLL_IN_MIN_HZ * p->idf ||
        clkin > (uint64_t)DSI_PLL_IN_MAX_HZ * p->idf) {
        return DSI_E_PLL_RANGE;
    }
    uint64_t vco = clkin * 2u * p->ndiv / p->idf;
    if (vco < DSI_PLL_VCO_MIN_HZ || vco > DSI_PLL_VCO_MAX_HZ) {
        return DSI_E_PLL_RANGE;
    }
    uint64_t lane = vco / (2u * p->odf);
    if (lane < DSI_LANE_MIN_BPS || lane > DSI_LANE_MAX_BPS) {
        return DSI_E_PLL_RANGE;
    }
    out->wrpcr = (p->ndiv << WRPCR_NDIV_SHIFT) | (p->idf << WRPCR_IDF_SHIFT) |
        (odf_code << WRPCR_ODF_SHIFT);
    out->vco_hz = (uint32_t)vco;
    out->lane_bps = (uint32_t)lane;
    out->lane_byte_hz = (uint32_t)(lane / 8u);
    // Quarter nanoseconds per bit, rounded down as ST's HAL does; 6 bits
    // hold it for every rate from 80 Mbit/s up.
    out->uix4 = (uint32_t)(4000000000u / lane);
    // The escape clock is the lane byte clock divided; at most 20 MHz, and
    // the divider must be at least 2 (0 and 1 stop the escape clock).
    uint32_t div = (out->lane_byte_hz + DSI_ESCAPE_MAX_HZ - 1u) / DSI_ESCAPE_MAX_HZ;
    out->txeckdiv = div < 2u ? 2u : div;
    return DSI_OK;
}

uint32_t dsi_colc_bytes(dsi_colc_t c) {
    switch (c) {
        case DSI_COLC_RGB565:
            return 2;
        case DSI_COLC_RGB888:
            return 3;
    }
    return 0;
}

// Pixels to lane byte cycles, rounded down.
static uint64_t to_lbcc(uint64_t pixels, const dsi_link_t *l) {
    return pixels * l->lane_byte_hz / l->pixel_hz;
}

dsi_status_t dsi_video_compute(const panel_timing_t *t, const dsi_link_t *link, dsi_video_t *out) {
    uint32_t bytes = dsi_colc_bytes(link->colc);
    if (bytes == 0 || link->lanes == 0 || link->lanes > 2u || link->pixel_hz == 0 ||
        link->lane_byte_hz == 0 || t->width == 0 || t->height == 0) {
        return DSI_E_ARG;
    }
    // Burst mode sends each line faster than the LTDC produces it: the
    // lanes must outrun the pixel stream.
    if ((uint64_t)link->pixel_hz * bytes > (uint64_t)link->lane_byte_hz * link->lanes) {
        return DSI_E_BANDWIDTH;
    }
    uint64_t htotal = (uint64_t)t->hsync + t->hbp + t->width + t->hfp;
    uint64_t hsa = to_lbcc(t->hsync, link);
    uint64_t hbp = to_lbcc(t->hbp, link);
    uint64_t hline = to_lbcc(htotal, link);
    if (hsa == 0 || hsa > HSA_MAX || hbp > HBP_MAX || hline > HLINE_MAX ||
        t->vsync == 0 || t->vsync > VLINES_MAX || t->vbp > VLINES_MAX || t->vfp > VLINES_MAX ||
        t->height > VACT_MAX || t->width > VPSIZE_MAX) {
        return DSI_E_FIELD;
    }
    uint64_t burst = ((uint64_t)t->width * bytes + LONG_PACKET_OVERHEAD + link->lanes - 1u) /
        link->lanes;
    if (burst > hline - hsa - hbp) {
        return DSI_E_BANDWIDTH;
    }
    out->hsa = (uint32_t)hsa;
    out->hbp = (uint32_t)hbp;
    out->hline = (uint32_t)hline;
    out->vsa = t->vsync;
    out->vbp = t->vbp;
    out->vfp = t->vfp;
    out->vact = t->height;
    out->burst_lbcc = (uint32_t)burst;
    out->vmcr = VMCR_VMT_BURST | VMCR_LP_ALL_BLANKING | VMCR_LPCE;
    out->vpcr = t->width;
    out->vccr = 0;
    out->vnpcr = NULL_PACKET_SIZE;
    out->lpcr = 0;
    out->lpmcr = (LP_LARGEST_PACKET << LPMCR_LPSIZE_SHIFT) | LP_LARGEST_PACKET;
    out->lcolcr = (uint32_t)link->colc;
    out->wcfgr = (uint32_t)link->colc << 1;  // COLMUX 3:1; DSIM 0 is video mode
    return DSI_OK;
}

dsi_status_t dsi_phy_compute(uint32_t lanes, dsi_phy_t *out) {
    if (lanes == 0 || lanes > 2u) {
        return DSI_E_ARG;
    }
    // ST's HAL writes the larger of the clock lane's two switch times into
    // both fields (the host counts 2 x HS2LP where it should count
    // LP2HS + HS2LP); with one value for both there is nothing to pick.
    out->cltcr = (PHY_CLOCK_SWITCH_TIME << 16) | PHY_CLOCK_SWITCH_TIME;
    out->dltcr = (PHY_DATA_SWITCH_TIME << 24) | (PHY_DATA_SWITCH_TIME << 16) | PHY_MAX_READ_TIME;
    out->pconfr = (PHY_STOP_WAIT_TIME << 8) | (lanes - 1u);
    return DSI_OK;
}

static uint32_t header(uint32_t dt, uint32_t vc, uint32_t b0, uint32_t b1) {
    return dt | ((vc & 3u) << 6) | ((b0 & 0xFFu) << 8) | ((b1 & 0xFFu) << 16);
}

dsi_status_t dsi_dcs_write(uint8_t cmd, const uint8_t *params, uint32_t n, uint32_t vc,
    dsi_packet_t *out) {
    out->nwords = 0;
    if (n == 0) {
        out->header = header(DSI_DT_DCS_SHORT_WRITE_0, vc, cmd, 0);
        return DSI_OK;
    }
    if (params == NULL || n + 1u > DSI_LONG_MAX) {
        return DSI_E_ARG;
    }
    if (n == 1) {
        out->header = header(DSI_DT_DCS_SHORT_WRITE_1, vc, cmd, params[0]);
        return DSI_OK;
    }
    uint32_t len = n + 1u;  // the command travels as the payload's first byte
    for (uint32_t i = 0; i < (len + 3u) / 4u; i++) {
        out->words[i] = 0;
    }
    for (uint32_t i = 0; i < len; i++) {
        uint32_t b = i == 0 ? cmd : params[i - 1u];
        out->words[i / 4u] |= b << (8u * (i % 4u));
    }
    out->nwords = (len + 3u) / 4u;
    out->header = header(DSI_DT_DCS_LONG_WRITE, vc, len & 0xFFu, len >> 8);
    return DSI_OK;
}

void dsi_dcs_read(uint8_t cmd, uint32_t vc, dsi_packet_t *out) {
    out->nwords = 0;
    out->header = header(DSI_DT_DCS_READ, vc, cmd, 0);
}

void dsi_max_return(uint16_t n, uint32_t vc, dsi_packet_t *out) {
    out->nwords = 0;
    out->header = header(DSI_DT_MAX_RETURN_SIZE, vc, n & 0xFFu, (uint32_t)n >> 8);
}

void dsi_unpack(const uint32_t *words, uint32_t n, uint8_t *out) {
    for (uint32_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(words[i / 4u] >> (8u * (i % 4u)));
    }
}
