// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The display: the panel's reset (PG3) and backlight (PJ12), the DSI host
// in video burst mode on two lanes, the LTDC layer over the framebuffer in
// the SDRAM, then the panel itself: the ID it answers tells the OTM8009A
// from the NT35510, and its power-up sequence goes out as DCS commands
// through the host's generic packet interface.
//
// Every value written here comes from plain C the host tests: the DSI PLL,
// D-PHY and video registers from dsi_host.c, the LTDC timings from
// disco_panel.c, the panel's sequences, probe and pixel formats from
// panel_init.c. What is left is the order of the writes (ST's HAL and BSP
// for this board: regulator, PLL, D-PHY, video mode, LTDC, start, probe,
// init) and a timeout on every wait: display_init returns the step that
// failed, and the renderer carries on rendering without a picture.
//
// Clocks: the DSI PLL runs from the 25 MHz HSE (IDF 5, NDIV 100, ODF 1:
// 1 GHz VCO, 500 Mbit/s per lane, 62.5 MHz lane byte clock, ST's BSP's
// plan); the LTDC's pixel clock is PLL3R, 480 MHz / 18, which the CM7's
// board sets up (board_init.c, mpconfigboard.h). Polarities are ST's BSP
// pairing: DSI host signals active high (LPCR 0), LTDC GCR polarity bits 0.
#include <stddef.h>

#include "disco_panel.h"
#include "dsi_host.h"
#include "h747.h"
#include "h747_regs.h"
#include "panel_init.h"

#define PIN_RESET 3u          // PG3: the panel's XRES, active low
#define PIN_BACKLIGHT 12u     // PJ12: backlight enable

#define HSE_HZ 25000000u
#define LTDC_PIXEL_HZ (HSE_HZ / 5u * 96u / 18u)   // PLL3: M 5, N 96, R 18
#define DSI_LANES 2u
static const dsi_pll_params_t pll_params = {.clkin_hz = HSE_HZ, .ndiv = 100, .idf = 5, .odf = 1};

#define REGULATOR_TIMEOUT_US 10000u
#define PLL_LOCK_TIMEOUT_US 10000u
#define PLL_SETTLE_US 400u       // before the lock flag means anything (ST's HAL waits 1 ms)
#define PHY_TIMEOUT_US 10000u
// Commands go out in the blanking between lines: one frame (30 ms at the
// slowest) is plenty for the FIFO to move.
#define FIFO_TIMEOUT_US 30000u
#define READ_TIMEOUT_US 30000u
#define READ_DRAIN_MAX 16u

static display_status_t status = DISPLAY_E_CONFIG;
static panel_kind_t panel = PANEL_UNKNOWN;
static int probed_ids[2];     // NT35510 RDID2, OTM8009A ID1 as last read (for a debugger)

display_status_t display_status(void) {
    return status;
}

// ---- panel GPIOs ----

static void pin_set(uint32_t port, uint32_t pin, bool high) {
    GPIO_BSRR(port) = high ? 1u << pin : 1u << (pin + 16u);
}

// Push-pull output, level first so the pin never shows the other one.
static void pin_output(uint32_t port, uint32_t pin, bool high) {
    pin_set(port, pin, high);
    GPIO_OTYPER(port) &= ~(1u << pin);
    GPIO_OSPEEDR(port) = (GPIO_OSPEEDR(port) & ~(3u << 2 * pin)) | (1u << 2 * pin);
    GPIO_MODER(port) = (GPIO_MODER(port) & ~(3u << 2 * pin)) | (1u << 2 * pin);
}

// Backlight off while the panel starts; XRES low 20 ms, then 10 ms before
// the first command (ST's BSP).
static void panel_reset(void) {
    RCC_AHB4ENR |= RCC_AHB4ENR_GPIOEN(PORT_G) | RCC_AHB4ENR_GPIOEN(PORT_J);
    (void)RCC_AHB4ENR;
    pin_output(PORT_J, PIN_BACKLIGHT, false);
    pin_output(PORT_G, PIN_RESET, false);
    h747_delay_us(20000u);
    pin_set(PORT_G, PIN_RESET, true);
    h747_delay_us(10000u);
}

// ---- DSI host ----

static display_status_t dsi_bring_up(const dsi_pll_t *pll, const dsi_phy_t *phy,
    const dsi_video_t *v) {
    RCC_APB3ENR |= RCC_APB3ENR_DSIEN;
    (void)RCC_APB3ENR;
    RCC_APB3RSTR |= RCC_APB3ENR_DSIEN;
    RCC_APB3RSTR &= ~RCC_APB3ENR_DSIEN;

    DSI_WRPCR = DSI_WRPCR_REGEN;
    if (!h747_wait(&DSI_WISR, DSI_WISR_RRS, DSI_WISR_RRS, REGULATOR_TIMEOUT_US)) {
        return DISPLAY_E_REGULATOR;
    }
    DSI_WRPCR = DSI_WRPCR_REGEN | (pll->wrpcr & DSI_WRPCR_PLL_FIELDS);
    DSI_WRPCR |= DSI_WRPCR_PLLEN;
    h747_delay_us(PLL_SETTLE_US);
    if (!h747_wait(&DSI_WISR, DSI_WISR_PLLLS, DSI_WISR_PLLLS, PLL_LOCK_TIMEOUT_US)) {
        return DISPLAY_E_PLL_LOCK;
    }

    // The D-PHY: escape clock, digital part and clock on, lane count and
    // stop wait; with the host on for a moment, every lane must reach its
    // stop state.
    DSI_CR = DSI_CR_EN;
    DSI_CCR = pll->txeckdiv;
    DSI_PCTLR = DSI_PCTLR_DEN | DSI_PCTLR_CKE;
    DSI_PCONFR = phy->pconfr;
    uint32_t stop = DSI_PSR_PSSC | DSI_PSR_PSS0 | (DSI_LANES == 2u ? DSI_PSR_PSS1 : 0u);
    bool stopped = h747_wait(&DSI_PSR, stop, stop, PHY_TIMEOUT_US);
    DSI_CR = 0;
    if (!stopped) {
        return DISPLAY_E_PHY;
    }
    DSI_WPCR0 = (DSI_WPCR0 & ~0x3Fu) | pll->uix4;
    DSI_IER0 = 0;
    DSI_IER1 = 0;
    DSI_CLCR = DSI_CLCR_DPCC;  // high-speed clock always on: no automatic clock lane control
    DSI_CLTCR = phy->cltcr;
    DSI_DLTCR = phy->dltcr;

    // Video mode (MCR and WCFGR mode bits 0) on virtual channel 0.
    DSI_MCR = 0;
    DSI_WCFGR = v->wcfgr;
    DSI_LVCIDR = 0;
    DSI_GVCIDR = 0;
    DSI_VMCR = v->vmcr;
    DSI_VPCR = v->vpcr;
    DSI_VCCR = v->vccr;
    DSI_VNPCR = v->vnpcr;
    DSI_LPCR = v->lpcr;
    DSI_LCOLCR = v->lcolcr;
    DSI_VHSACR = v->hsa;
    DSI_VHBPCR = v->hbp;
    DSI_VLCR = v->hline;
    DSI_VVSACR = v->vsa;
    DSI_VVBPCR = v->vbp;
    DSI_VVFPCR = v->vfp;
    DSI_VVACR = v->vact;
    DSI_LPMCR = v->lpmcr;
    // CMCR's per-packet speed bits stay 0, as ST's BSP leaves them: in
    // video mode VMCR's LPCE has the host send commands in low power in the
    // blanking (packets up to LPMCR's sizes), and the panel answers reads in
    // low power after the bus turn-around.
    DSI_CMCR = 0;
    return DISPLAY_OK;
}

static void dsi_start(void) {
    DSI_CR = DSI_CR_EN;
    DSI_WCR |= DSI_WCR_DSIEN;
    DSI_PCR = DSI_PCR_BTAE;
}

// ---- the panel port over the generic packet interface ----

static int port_send(void *ctx, const dsi_packet_t *p) {
    (void)ctx;
    if (!h747_wait(&DSI_GPSR, DSI_GPSR_CMDFE, DSI_GPSR_CMDFE, FIFO_TIMEOUT_US)) {
        return -1;
    }
    for (uint32_t i = 0; i < p->nwords; i++) {
        if (!h747_wait(&DSI_GPSR, DSI_GPSR_PWRFF, 0, FIFO_TIMEOUT_US)) {
            return -1;
        }
        DSI_GPDR = p->words[i];
    }
    DSI_GHCR = p->header;
    return 0;
}

static int port_read(void *ctx, const dsi_packet_t *req, uint8_t *buf, uint32_t n) {
    if (n == 0 || n > DSI_LONG_MAX) {
        return -1;
    }
    // Leftovers of an earlier read out of the FIFO, old errors out of ISR1
    // (reading it clears it).
    for (uint32_t i = 0; i < READ_DRAIN_MAX && !(DSI_GPSR & DSI_GPSR_PRDFE); i++) {
        (void)DSI_GPDR;
    }
    (void)DSI_ISR1;
    if (n > 1u) {
        dsi_packet_t m;
        dsi_max_return((uint16_t)n, 0, &m);
        if (port_send(ctx, &m) != 0) {
            return -1;
        }
    }
    if (port_send(ctx, req) != 0) {
        return -1;
    }
    uint32_t words[DSI_LONG_MAX / 4u];
    uint32_t got = 0;
    uint32_t start = h747_cycles();
    while (got * 4u < n) {
        if (!(DSI_GPSR & DSI_GPSR_PRDFE)) {
            words[got++] = DSI_GPDR;
            continue;
        }
        // The read is over and the answer was not the size asked for.
        if (!(DSI_GPSR & DSI_GPSR_RCB) && (DSI_ISR1 & DSI_ISR1_PSE)) {
            return -1;
        }
        if (h747_since(start, READ_TIMEOUT_US)) {
            return -1;
        }
    }
    dsi_unpack(words, n, buf);
    return 0;
}

static void port_delay_ms(void *ctx, uint32_t ms) {
    (void)ctx;
    h747_delay_us(ms * 1000u);
}

static const panel_port_t port = {port_send, port_read, port_delay_ms, NULL};

// ---- LTDC ----

static void ltdc_init(const ui_fb_t *fb, const ltdc_timing_regs_t *r, uint32_t pixel_format) {
    RCC_APB3ENR |= RCC_APB3ENR_LTDCEN;
    (void)RCC_APB3ENR;
    RCC_APB3RSTR |= RCC_APB3ENR_LTDCEN;
    RCC_APB3RSTR &= ~RCC_APB3ENR_LTDCEN;
    LTDC_GCR = 0;
    LTDC_SSCR = r->sscr;
    LTDC_BPCR = r->bpcr;
    LTDC_AWCR = r->awcr;
    LTDC_TWCR = r->twcr;
    LTDC_BCCR = 0;  // black behind the layer
    uint32_t h0 = (r->bpcr >> 16) + 1u, v0 = (r->bpcr & 0xFFFu) + 1u;
    LTDC_L1WHPCR = ((h0 + (uint32_t)fb->width - 1u) << 16) | h0;
    LTDC_L1WVPCR = ((v0 + (uint32_t)fb->height - 1u) << 16) | v0;
    LTDC_L1PFCR = pixel_format;
    LTDC_L1CACR = 255u;
    LTDC_L1DCCR = 0;
    // Blending factors 6 and 7: pixel alpha times constant alpha (ST's
    // PAxCA; lib/ui's ARGB8888 pixels are opaque, RGB565 ones have none).
    LTDC_L1BFCR = (6u << 8) | 7u;
    LTDC_L1CFBAR = (uint32_t)(uintptr_t)fb->pixels;
    // The pitch (row to row) and the line length in bytes (plus 7, RM0399):
    // they differ when the framebuffer's rows are padded.
    uint32_t line = (uint32_t)fb->width * ui_format_bpp(fb->format);
    LTDC_L1CFBLR = (fb->stride << 16) | (line + 7u);
    LTDC_L1CFBLNR = (uint32_t)fb->height;
    LTDC_L1CR = 1u;  // layer on
    LTDC_SRCR = 1u;  // immediate reload
    LTDC_GCR = LTDC_GCR_LTDCEN;
}

// ---- all of it ----

static display_status_t bring_up(const ui_fb_t *fb) {
    const panel_timing_t *t = &panel_timing_800x480;
    panel_colour_t colour;
    dsi_pll_t pll;
    dsi_phy_t phy;
    dsi_video_t video;
    ltdc_timing_regs_t lt;
    if ((uint32_t)fb->width != t->width || (uint32_t)fb->height != t->height ||
        panel_colour_for(fb->format, &colour) != PANEL_OK ||
        dsi_pll_compute(&pll_params, &pll) != DSI_OK ||
        dsi_phy_compute(DSI_LANES, &phy) != DSI_OK ||
        panel_ltdc_timing(t, &lt) != 0) {
        return DISPLAY_E_CONFIG;
    }
    dsi_link_t link = {DSI_LANES, colour.colc, LTDC_PIXEL_HZ, pll.lane_byte_hz};
    if (dsi_video_compute(t, &link, &video) != DSI_OK) {
        return DISPLAY_E_CONFIG;
    }
    panel_reset();
    display_status_t st = dsi_bring_up(&pll, &phy, &video);
    if (st != DISPLAY_OK) {
        return st;
    }
    // The LTDC runs before the host takes its pixels (ST starts the host
    // after the LTDC to keep the two in step).
    ltdc_init(fb, &lt, colour.ltdc_pf);
    dsi_start();
    panel = panel_probe(&port, &probed_ids[0], &probed_ids[1]);
    if (panel == PANEL_UNKNOWN) {
        return DISPLAY_E_NO_PANEL;
    }
    if (panel_run(&port, panel, &colour) != PANEL_OK) {
        return DISPLAY_E_PANEL_INIT;
    }
    pin_set(PORT_J, PIN_BACKLIGHT, true);
    return DISPLAY_OK;
}

display_status_t display_init(const ui_fb_t *fb) {
    status = bring_up(fb);
    return status;
}
