// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The STM32H747's MIPI DSI host as plain functions: the DSI PLL's dividers
// and what they give (lane rate, lane byte clock, unit interval, escape
// clock divider), the video mode registers for a panel timing and an LTDC
// pixel clock, the D-PHY timers, and the generic-interface packets that
// carry DCS commands and reads. No register access: the host compiles this
// for tests; h747/display_h747.c writes the values.
//
// Facts: the register fields are RM0399's (checked against ST's CMSIS
// stm32h747xx.h); the PLL relations are those ST's HAL (stm32h7xx_hal_dsi.c)
// programs, fVCO = CLKIN / IDF * 2 * NDIV and a lane bit rate of
// fVCO / (2 * ODF), one bit per unit interval (its UIX4 formula); the
// divider ranges are those the HAL asserts (IS_DSI_PLL_NDIV, _IDF, _ODF);
// the PLL's input and VCO ranges are the DSI PLL characteristics of the
// STM32H747 datasheet, 500 Mbit/s the DSI host's fastest lane; 80 Mbit/s
// and the 20 MHz escape clock are the MIPI D-PHY specification's.
#ifndef MPX_CM4_DSI_HOST_H
#define MPX_CM4_DSI_HOST_H

#include <stdint.h>

#include "disco_panel.h"

typedef enum {
    DSI_OK = 0,
    DSI_E_ARG = -1,        // a zero clock or lane count, an unknown colour coding, a long payload
    DSI_E_DIVIDER = -2,    // NDIV, IDF or ODF outside what the PLL takes
    DSI_E_PLL_RANGE = -3,  // the PLL's input after IDF, its VCO or the lane rate out of range
    DSI_E_FIELD = -4,      // a timing does not fit its register field
    DSI_E_BANDWIDTH = -5,  // the lanes cannot carry a line of pixels within the line
} dsi_status_t;

#define DSI_PLL_NDIV_MIN 10u
#define DSI_PLL_NDIV_MAX 125u
#define DSI_PLL_IDF_MAX 7u
#define DSI_PLL_IN_MIN_HZ 4000000u        // CLKIN / IDF
#define DSI_PLL_IN_MAX_HZ 25000000u
#define DSI_PLL_VCO_MIN_HZ 500000000u
#define DSI_PLL_VCO_MAX_HZ 1000000000u
#define DSI_LANE_MIN_BPS 80000000u        // D-PHY: the slowest high-speed rate
#define DSI_LANE_MAX_BPS 500000000u       // the D-PHY's fastest lane
#define DSI_ESCAPE_MAX_HZ 20000000u       // D-PHY: the low-power escape clock's ceiling

typedef struct {
    uint32_t clkin_hz;  // the PLL's input: the HSE (25 MHz on the DISCO)
    uint32_t ndiv;      // loop multiplier, 10..125
    uint32_t idf;       // input divider, 1..7
    uint32_t odf;       // output divider: 1, 2, 4 or 8
} dsi_pll_params_t;

typedef struct {
    uint32_t wrpcr;         // WRPCR's NDIV, IDF and ODF fields (REGEN, PLLEN are the poker's)
    uint32_t vco_hz;
    uint32_t lane_bps;      // bits per second on each data lane (one bit per unit interval)
    uint32_t lane_byte_hz;  // lane_bps / 8: the clock the video timings count in
    uint32_t uix4;          // WPCR0 UIX4: the unit interval in quarter nanoseconds
    uint32_t txeckdiv;      // CCR TXECKDIV: lane byte clock / escape clock (<= 20 MHz)
} dsi_pll_t;

dsi_status_t dsi_pll_compute(const dsi_pll_params_t *p, dsi_pll_t *out);

// The colour coding of the host (LCOLCR COLC) and of the wrapper (WCFGR
// COLMUX), the same code in both: 16-bit configuration 1, or 24-bit.
typedef enum { DSI_COLC_RGB565 = 0, DSI_COLC_RGB888 = 5 } dsi_colc_t;
// Bytes per pixel on the link for a coding (0 if unknown).
uint32_t dsi_colc_bytes(dsi_colc_t c);

typedef struct {
    uint32_t lanes;         // data lanes: 1 or 2
    dsi_colc_t colc;
    uint32_t pixel_hz;      // the LTDC's pixel clock
    uint32_t lane_byte_hz;  // from dsi_pll_compute
} dsi_link_t;

// Video mode in burst: the horizontal timings in lane byte clock cycles
// (the LTDC's pixels times lane_byte_hz / pixel_hz, rounded down as ST's
// BSP does, so a DSI line is at most one cycle shorter than the LTDC's),
// the vertical ones in lines, and the registers that hold them.
typedef struct {
    uint32_t hsa, hbp, hline;       // VHSACR, VHBPCR, VLCR
    uint32_t vsa, vbp, vfp, vact;   // VVSACR, VVBPCR, VVFPCR, VVACR
    uint32_t burst_lbcc;            // cycles one line's pixel packet takes on the lanes
    uint32_t vmcr;                  // burst, low-power in every blanking region, LP commands
    uint32_t vpcr;                  // pixels per video packet: the whole line
    uint32_t vccr;                  // chunks: 0 (burst sends one packet per line)
    uint32_t vnpcr;                 // null packet size (unused in burst; ST's 0xFFF)
    uint32_t lpcr;                  // DE, VSYNC, HSYNC polarities: all active high
    uint32_t lpmcr;                 // largest low-power packets, in and out of VACT
    uint32_t lcolcr;                // host colour coding
    uint32_t wcfgr;                 // wrapper: video mode, colour multiplexing
} dsi_video_t;

// The video configuration for t over link. DSI_E_BANDWIDTH when the lanes
// are slower than the pixel stream or a line's packet does not fit between
// the end of the back porch and the end of the line.
dsi_status_t dsi_video_compute(const panel_timing_t *t, const dsi_link_t *link, dsi_video_t *out);

// D-PHY timers (in lane byte cycles) and lane count: ST's values for this
// panel and rate (CLTCR HS2LP = LP2HS = 35, DLTCR HS2LP = LP2HS = 35, no
// read time, stop wait 10; STM32CubeH7 LCD_DSI examples for this board).
typedef struct {
    uint32_t cltcr, dltcr, pconfr;
} dsi_phy_t;
dsi_status_t dsi_phy_compute(uint32_t lanes, dsi_phy_t *out);

// ---- packets on the generic interface ----
// Data types (MIPI DSI) the panel code uses.
#define DSI_DT_DCS_SHORT_WRITE_0 0x05u   // DCS command, no parameter
#define DSI_DT_DCS_SHORT_WRITE_1 0x15u   // DCS command, one parameter
#define DSI_DT_DCS_READ 0x06u            // DCS read, no parameter
#define DSI_DT_MAX_RETURN_SIZE 0x37u     // set maximum return packet size
#define DSI_DT_DCS_LONG_WRITE 0x39u      // DCS command with its parameters as payload
#define DSI_LONG_MAX 32u                 // payload bytes a packet here may carry

// What the host sends: payload words first (GPDR, little end first), then
// the header (GHCR: data type 5:0, virtual channel 7:6, then the word count
// or the two data bytes of a short packet in 23:8).
typedef struct {
    uint32_t header;
    uint32_t nwords;
    uint32_t words[DSI_LONG_MAX / 4u];
} dsi_packet_t;

// A DCS write of cmd with n parameter bytes: a short packet for none or
// one, a long one (cmd as the first payload byte) for more.
dsi_status_t dsi_dcs_write(uint8_t cmd, const uint8_t *params, uint32_t n, uint32_t vc,
    dsi_packet_t *out);
// A DCS read request for cmd (the answer comes back after a bus turn-around).
void dsi_dcs_read(uint8_t cmd, uint32_t vc, dsi_packet_t *out);
// Tell the panel it may answer reads with up to n bytes.
void dsi_max_return(uint16_t n, uint32_t vc, dsi_packet_t *out);
// The first n bytes of an answer from the words the read FIFO gave.
void dsi_unpack(const uint32_t *words, uint32_t n, uint8_t *out);

#endif
