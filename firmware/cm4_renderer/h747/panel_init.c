// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "panel_init.h"

#include <stddef.h>

// Table entries: W0 a command without parameters, W one with them (one
// parameter goes as a short packet, more as a long one), COLMOD the pixel
// format chosen at run time.
#define W0(c, delay) {(c), 0, (delay), 0, {0}}
#define W(c, delay, ...) \
    {(c), (uint8_t)sizeof((const uint8_t[]){__VA_ARGS__}), (delay), 0, {__VA_ARGS__}}
#define COLMOD(delay) {PANEL_DCS_PIXEL_FORMAT, 1, (delay), PANEL_F_COLMOD, {0}}

// The OTM8009A's manufacturer registers ("command 2") have 16-bit
// addresses: a NOP whose parameter is the low byte shifts the address,
// then a write to the high byte lands at (high << 8) | low.
#define ORISE(addr, delay, ...) \
    W(PANEL_DCS_NOP, 0, (addr) & 0xFFu), W((addr) >> 8, (delay), __VA_ARGS__)

// Landscape 800 x 480: row/column exchange and column mirror (MADCTL MV,
// MX), columns 0..799, rows 0..479.
#define LANDSCAPE \
    W(PANEL_DCS_ADDRESS_MODE, 0, 0x60), \
    W(PANEL_DCS_COLUMNS, 0, 0x00, 0x00, 0x03, 0x1F), \
    W(PANEL_DCS_ROWS, 0, 0x00, 0x00, 0x01, 0xDF)

// Brightness 0x7F, brightness control and dimming on, still-picture CABC,
// CABC minimum brightness 0xFF (DCS 51h, 53h, 55h, 5Eh).
#define BACKLIGHT_CONTROL \
    W(0x51, 0, 0x7F), W(0x53, 0, 0x2C), W(0x55, 0, 0x02), W(0x5E, 0, 0xFF)

// A panel needs 120 ms after sleep out before it takes everything (the
// OTM8009A's figure; ST's NT35510 component waits 20 ms, the DCS rule is
// 120 ms before the next sleep in: 120 for both costs 100 ms once).
#define SLEEP_OUT_MS 120u

// OTM8009A (older DISCO boards). Register values, their order and the two
// 10 ms pauses: STMicroelectronics/stm32-otm8009a v2.0.2 (OTM8009A_Init,
// landscape), which names them after the OTM8009A datasheet; sleep out and
// display on are sent without the dummy parameter ST adds.
static const panel_cmd_t otm8009a_seq[] = {
    ORISE(0xFF00, 0, 0x80, 0x09, 0x01),          // command 2 on (EXTC, with shift)
    ORISE(0xFF80, 0, 0x80, 0x09),                // ORISE command 2 on
    ORISE(0xC480, 10, 0x30),                     // SD_PCH_CTRL: sources to GND in porches
    ORISE(0xC48A, 10, 0x40),                     // (undocumented)
    ORISE(0xC5B1, 0, 0xA9),                      // PWR_CTRL4: GVDD test mode
    ORISE(0xC591, 0, 0x34),                      // PWR_CTRL2: pump 4/5 VGH 13 V, VGL -9 V
    ORISE(0xC0B4, 0, 0x50),                      // P_DRV_M: column inversion
    ORISE(0xD900, 0, 0x4E),                      // VCOMDC
    ORISE(0xC181, 0, 0x66),                      // oscillator 65 Hz
    ORISE(0xC1A1, 0, 0x08),                      // video mode, internal
    ORISE(0xC592, 0, 0x01),                      // PWR_CTRL2: pumps 4 and 5 x6
    ORISE(0xC595, 0, 0x34),                      // PWR_CTRL2: pump 4 clock 1/2 line
    ORISE(0xD800, 0, 0x79, 0x79),                // GVDD / NGVDD
    ORISE(0xC594, 0, 0x33),                      // PWR_CTRL2: its default again
    ORISE(0xC0A3, 0, 0x1B),                      // panel timing setting 3
    ORISE(0xC582, 0, 0x83),                      // power control 1
    ORISE(0xC481, 0, 0x83),                      // source driver precharge
    ORISE(0xC1A1, 0, 0x0E),
    ORISE(0xB3A6, 0, 0x00, 0x01),
    ORISE(0xCE80, 0, 0x85, 0x01, 0x00, 0x84, 0x01, 0x00),  // GOA VST
    ORISE(0xCEA0, 0, 0x18, 0x04, 0x03, 0x39, 0x00, 0x00, 0x00, 0x18, 0x03, 0x03, 0x3A, 0x00,
        0x00, 0x00),
    ORISE(0xCEB0, 0, 0x18, 0x02, 0x03, 0x3B, 0x00, 0x00, 0x00, 0x18, 0x01, 0x03, 0x3C, 0x00,
        0x00, 0x00),
    ORISE(0xCFC0, 0, 0x01, 0x01, 0x20, 0x20, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00),
    ORISE(0xCFD0, 0, 0x00),
    ORISE(0xCB80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ORISE(0xCB90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ORISE(0xCBA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ORISE(0xCBB0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ORISE(0xCBC0, 0, 0x00, 0x04, 0x04, 0x04, 0x04, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ORISE(0xCBD0, 0, 0, 0, 0, 0, 0, 0, 0x04, 0x04, 0x04, 0x04, 0x04, 0, 0, 0, 0),
    ORISE(0xCBE0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ORISE(0xCBF0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),
    ORISE(0xCC80, 0, 0x00, 0x26, 0x09, 0x0B, 0x01, 0x25, 0x00, 0x00, 0x00, 0x00),
    ORISE(0xCC90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x26, 0x0A, 0x0C, 0x02),
    ORISE(0xCCA0, 0, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ORISE(0xCCB0, 0, 0x00, 0x25, 0x0C, 0x0A, 0x02, 0x26, 0x00, 0x00, 0x00, 0x00),
    ORISE(0xCCC0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25, 0x0B, 0x09, 0x01),
    ORISE(0xCCD0, 0, 0x26, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ORISE(0xC581, 0, 0x66),                      // PWR_CTRL1: pump 1 min and max DM
    ORISE(0xF5B6, 0, 0x06),
    ORISE(0xC6B1, 0, 0x06),                      // CABC PWM 19.5 kHz
    ORISE(0xFF00, 0, 0xFF, 0xFF, 0xFF),          // command 2 off
    W(PANEL_DCS_NOP, 0, 0x00),
    ORISE(0xE100, 0, 0x00, 0x09, 0x0F, 0x0E, 0x07, 0x10, 0x0B, 0x0A, 0x04, 0x07, 0x0B, 0x08,
        0x0F, 0x10, 0x0A, 0x01),                 // gamma 2.2, positive
    ORISE(0xE200, 0, 0x00, 0x09, 0x0F, 0x0E, 0x07, 0x10, 0x0B, 0x0A, 0x04, 0x07, 0x0B, 0x08,
        0x0F, 0x10, 0x0A, 0x01),                 // gamma 2.2, negative
    W0(PANEL_DCS_SLEEP_OUT, SLEEP_OUT_MS),
    COLMOD(0),
    LANDSCAPE,
    BACKLIGHT_CONTROL,
    W0(PANEL_DCS_DISPLAY_ON, 0),
    W(PANEL_DCS_NOP, 0, 0x00),
    W0(PANEL_DCS_MEMORY_WRITE, 0),
};

// NT35510 (newer boards). Register values and their order, and the 200 ms
// wait without which the controller ignores MADCTL:
// STMicroelectronics/stm32-nt35510 v2.0.2 (NT35510_Init, landscape), with
// the power settings its comments give from the NT35510 datasheet. Where
// ST passes a two-byte buffer with length 1 the HAL sends one parameter:
// so here (BFh, B6h, B5h, BAh on page 0).
static const panel_cmd_t nt35510_seq[] = {
    W(0xF0, 0, 0x55, 0xAA, 0x52, 0x08, 0x01),    // manufacturer command set, page 1
    W(0xB0, 0, 0x03, 0x03, 0x03),                // AVDD 5.2 V
    W(0xB6, 0, 0x46, 0x46, 0x46),                // AVDD ratio
    W(0xB1, 0, 0x03, 0x03, 0x03),                // AVEE -5.2 V
    W(0xB7, 0, 0x36, 0x36, 0x36),                // AVEE ratio
    W(0xB2, 0, 0x00, 0x00, 0x02),                // VCL -2.5 V
    W(0xB8, 0, 0x26, 0x26, 0x26),                // VCL ratio
    W(0xBF, 0, 0x01),                            // VGH 15 V, free pump
    W(0xB3, 0, 0x09, 0x09, 0x09),
    W(0xB9, 0, 0x36, 0x36, 0x36),                // VGH ratio
    W(0xB5, 0, 0x08, 0x08, 0x08),                // VGL_REG -10 V
    W(0xBA, 0, 0x26, 0x26, 0x26),                // VGLX ratio
    W(0xBC, 0, 0x00, 0x80, 0x00),                // VGMP / VGSP 4.5 V / 0 V
    W(0xBD, 0, 0x00, 0x80, 0x00),                // VGMN / VGSN -4.5 V / 0 V
    W(0xBE, 0, 0x00, 0x50),                      // VCOM -1.325 V
    W(0xF0, 0, 0x55, 0xAA, 0x52, 0x08, 0x00),    // page 0
    W(0xB1, 0, 0xFC, 0x00),                      // display option control
    W(0xB6, 0, 0x03),                            // source output data hold time
    W(0xB5, 0, 0x50),                            // resolution 480 x 800
    W(0xB7, 0, 0x00, 0x00),                      // gate EQ
    W(0xB8, 0, 0x01, 0x02, 0x02, 0x02),          // source EQ, mode 2
    W(0xBC, 0, 0x00, 0x00, 0x00),
    W(0xCC, 0, 0x03, 0x00, 0x00),
    W(0xBA, 200, 0x01),
    LANDSCAPE,
    W0(PANEL_DCS_SLEEP_OUT, SLEEP_OUT_MS),
    COLMOD(0),
    BACKLIGHT_CONTROL,
    W0(PANEL_DCS_DISPLAY_ON, 0),
    W0(PANEL_DCS_MEMORY_WRITE, 0),
};

static const panel_seq_t sequences[] = {
    [PANEL_NT35510] = {nt35510_seq, sizeof(nt35510_seq) / sizeof(nt35510_seq[0])},
    [PANEL_OTM8009A] = {otm8009a_seq, sizeof(otm8009a_seq) / sizeof(otm8009a_seq[0])},
};

const panel_seq_t *panel_sequence(panel_kind_t k) {
    if ((k != PANEL_NT35510 && k != PANEL_OTM8009A)) {
        return NULL;
    }
    return &sequences[k];
}

panel_status_t panel_colour_for(ui_format_t f, panel_colour_t *out) {
    switch (f) {
        case UI_FMT_RGB565:
            *out = (panel_colour_t){PANEL_COLMOD_16BPP, DSI_COLC_RGB565, PANEL_LTDC_PF_RGB565};
            return PANEL_OK;
        case UI_FMT_ARGB8888:
            *out = (panel_colour_t){PANEL_COLMOD_24BPP, DSI_COLC_RGB888, PANEL_LTDC_PF_ARGB8888};
            return PANEL_OK;
    }
    return PANEL_E_ARG;
}

panel_status_t panel_run(const panel_port_t *port, panel_kind_t k, const panel_colour_t *c) {
    const panel_seq_t *seq = panel_sequence(k);
    if (seq == NULL || (c->colmod != PANEL_COLMOD_16BPP && c->colmod != PANEL_COLMOD_24BPP)) {
        return PANEL_E_ARG;
    }
    for (uint32_t i = 0; i < seq->count; i++) {
        const panel_cmd_t *e = &seq->cmds[i];
        const uint8_t *params = (e->flags & PANEL_F_COLMOD) ? &c->colmod : e->param;
        dsi_packet_t p;
        if (dsi_dcs_write(e->cmd, params, e->len, 0, &p) != DSI_OK) {
            return PANEL_E_ARG;
        }
        if (port->send(port->ctx, &p) != 0) {
            return PANEL_E_SEND;
        }
        if (e->delay_ms != 0) {
            port->delay_ms(port->ctx, e->delay_ms);
        }
    }
    return PANEL_OK;
}

static int read_id(const panel_port_t *port, uint8_t cmd) {
    dsi_packet_t req;
    uint8_t id;
    dsi_dcs_read(cmd, 0, &req);
    return port->read(port->ctx, &req, &id, 1) == 0 ? id : -1;
}

panel_kind_t panel_probe(const panel_port_t *port, int *nt35510_id2, int *otm8009a_id1) {
    *nt35510_id2 = read_id(port, PANEL_NT35510_RDID2);
    *otm8009a_id1 = -1;
    if (*nt35510_id2 != (int)PANEL_NT35510_ID2) {
        *otm8009a_id1 = read_id(port, PANEL_OTM8009A_RDID1);
    }
    return panel_choose(*nt35510_id2, *otm8009a_id1);
}
