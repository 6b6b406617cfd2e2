// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The STM32H747I-DISCO display layer's plain-C parts
// (firmware/cm4_renderer/h747): the panels' power-up sequences and the
// probe through a recording DSI port, the pixel formats the framebuffer,
// link and panel agree on, the DSI PLL / video / D-PHY register values
// against figures worked out by hand below, and the DMA2D register values
// run through a small model of the DMA2D, whose pixels must equal lib/ui's
// software fills (and the software blit's) byte for byte.
#include "disco_panel.h"
#include "dma2d_model.h"
#include "dma2d_plan.h"
#include "dsi_host.h"
#include "mpx_test.h"
#include "panel_init.h"
#include "ui_draw.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

unsigned mpx_test_checks, mpx_test_failures;

// ---------------------------------------------------------------------------
// A recording DSI port: decodes every packet the way the panel would see it.

#define REC_MAX 160

typedef struct {
    uint8_t dt, vc, cmd, n;
    uint8_t param[DSI_LONG_MAX];
    uint32_t delay_ms;           // waited after this packet
} rec_t;

typedef struct {
    rec_t pk[REC_MAX];
    int count;
    int sends;                   // send calls, refused ones included
    int fail_at;                 // the send (1-based) that is refused; 0: none
    int malformed;               // packets that do not decode as a DCS write
    uint32_t delay_before_ms;    // waited before the first packet
    int answer[256];             // what a DCS read of each command returns, -1: silence
    int reads;
    uint8_t read_cmd[8];
    int bad_reads;               // read requests that are not a plain DCS read
} fake_t;

static void fake_reset(fake_t *f) {
    memset(f, 0, sizeof(*f));
    for (int i = 0; i < 256; i++) {
        f->answer[i] = -1;
    }
}

// Bytes of a long packet's payload, checking that the padding is zero.
static bool payload(const dsi_packet_t *p, uint32_t wc, uint8_t *out) {
    if (p->nwords != (wc + 3u) / 4u || wc > DSI_LONG_MAX) {
        return false;
    }
    for (uint32_t i = 0; i < p->nwords * 4u; i++) {
        uint8_t b = (uint8_t)(p->words[i / 4u] >> (8u * (i % 4u)));
        if (i < wc) {
            out[i] = b;
        } else if (b != 0) {
            return false;
        }
    }
    return true;
}

static int fake_send(void *ctx, const dsi_packet_t *p) {
    fake_t *f = ctx;
    f->sends++;
    if (f->fail_at != 0 && f->sends == f->fail_at) {
        return -1;
    }
    if (f->count == REC_MAX) {
        f->malformed++;
        return 0;
    }
    rec_t *r = &f->pk[f->count++];
    memset(r, 0, sizeof(*r));
    uint32_t h = p->header;
    r->dt = (uint8_t)(h & 0x3Fu);
    r->vc = (uint8_t)((h >> 6) & 3u);
    uint8_t b0 = (uint8_t)(h >> 8), b1 = (uint8_t)(h >> 16);
    bool ok = (h >> 24) == 0;
    switch (r->dt) {
        case DSI_DT_DCS_SHORT_WRITE_0:
            r->cmd = b0;
            ok = ok && b1 == 0 && p->nwords == 0;
            break;
        case DSI_DT_DCS_SHORT_WRITE_1:
            r->cmd = b0;
            r->n = 1;
            r->param[0] = b1;
            ok = ok && p->nwords == 0;
            break;
        case DSI_DT_DCS_LONG_WRITE: {
            uint32_t wc = b0 | ((uint32_t)b1 << 8);
            uint8_t bytes[DSI_LONG_MAX];
            // A long write carries the command and at least two parameters:
            // one or none would have been a short packet.
            ok = ok && wc >= 3u && payload(p, wc, bytes);
            if (ok) {
                r->cmd = bytes[0];
                r->n = (uint8_t)(wc - 1u);
                memcpy(r->param, bytes + 1, wc - 1u);
            }
            break;
        }
        default:
            ok = false;
    }
    if (!ok) {
        f->malformed++;
    }
    return 0;
}

static int fake_read(void *ctx, const dsi_packet_t *req, uint8_t *buf, uint32_t n) {
    fake_t *f = ctx;
    uint32_t h = req->header;
    uint8_t cmd = (uint8_t)(h >> 8);
    if ((h & 0x3Fu) != DSI_DT_DCS_READ || ((h >> 6) & 3u) != 0 || (h >> 16) != 0 ||
        req->nwords != 0 || n != 1) {
        f->bad_reads++;
        return -1;
    }
    if (f->reads < 8) {
        f->read_cmd[f->reads] = cmd;
    }
    f->reads++;
    if (f->answer[cmd] < 0) {
        return -1;
    }
    buf[0] = (uint8_t)f->answer[cmd];
    return 0;
}

static void fake_delay(void *ctx, uint32_t ms) {
    fake_t *f = ctx;
    if (f->count == 0) {
        f->delay_before_ms += ms;
    } else {
        f->pk[f->count - 1].delay_ms += ms;
    }
}

static fake_t fake;  // big: not on the emulated cores' stacks
static const panel_port_t fake_port = {fake_send, fake_read, fake_delay, &fake};

static int find(const fake_t *f, uint8_t cmd, int from) {
    for (int i = from; i < f->count; i++) {
        if (f->pk[i].cmd == cmd) {
            return i;
        }
    }
    return -1;
}

static int occurrences(const fake_t *f, uint8_t cmd) {
    int n = 0;
    for (int i = 0; i < f->count; i++) {
        n += f->pk[i].cmd == cmd;
    }
    return n;
}

static bool params_are(const rec_t *r, const uint8_t *p, uint8_t n) {
    return r->n == n && memcmp(r->param, p, n) == 0;
}

// ---------------------------------------------------------------------------
// Panel sequences.

// What both controllers must have been told, in what order, whatever else
// their sequences hold.
static void check_common(const fake_t *f, const char *name, uint8_t colmod) {
    CHECKF(f->malformed == 0, "%s: %d packets that are not well-formed DCS writes", name,
        f->malformed);
    for (int i = 0; i < f->count; i++) {
        const rec_t *r = &f->pk[i];
        uint8_t want = r->n == 0 ? DSI_DT_DCS_SHORT_WRITE_0
            : r->n == 1 ? DSI_DT_DCS_SHORT_WRITE_1 : DSI_DT_DCS_LONG_WRITE;
        CHECKF(r->dt == want && r->vc == 0, "%s packet %d: type %02x, channel %u", name, i, r->dt,
            r->vc);
    }
    int sleep_out = find(f, PANEL_DCS_SLEEP_OUT, 0);
    int colmod_at = find(f, PANEL_DCS_PIXEL_FORMAT, 0);
    int madctl = find(f, PANEL_DCS_ADDRESS_MODE, 0);
    int on = find(f, PANEL_DCS_DISPLAY_ON, 0);
    CHECKF(occurrences(f, PANEL_DCS_SLEEP_OUT) == 1 && occurrences(f, PANEL_DCS_DISPLAY_ON) == 1 &&
        occurrences(f, PANEL_DCS_PIXEL_FORMAT) == 1,
        "%s: sleep out, pixel format and display on once", name);
    CHECK(sleep_out >= 0 && colmod_at >= 0 && madctl >= 0 && on >= 0);
    if (sleep_out < 0 || colmod_at < 0 || madctl < 0 || on < 0) {
        return;
    }
    // Sleep out without parameters, then at least 120 ms before anything else.
    CHECKF(f->pk[sleep_out].n == 0 && f->pk[sleep_out].delay_ms >= 120,
        "%s: waits %u ms after sleep out", name, (unsigned)f->pk[sleep_out].delay_ms);
    // The pixel format the framebuffer needs, set after sleep out.
    CHECKF(colmod_at > sleep_out && params_are(&f->pk[colmod_at], &colmod, 1),
        "%s: pixel format %02x at %d", name, f->pk[colmod_at].param[0], colmod_at);
    // Landscape 800 x 480: MADCTL MV|MX (0x60), columns 0..799 (0x031F),
    // rows 0..479 (0x01DF).
    static const uint8_t landscape = 0x60, cols[] = {0, 0, 0x03, 0x1F}, rows[] = {0, 0, 0x01, 0xDF};
    int c = find(f, PANEL_DCS_COLUMNS, 0), r = find(f, PANEL_DCS_ROWS, 0);
    CHECKF(params_are(&f->pk[madctl], &landscape, 1) && c >= 0 && r >= 0 &&
        params_are(&f->pk[c], cols, 4) && params_are(&f->pk[r], rows, 4), "%s: landscape window",
        name);
    // Display on comes after everything that configures; only a NOP and the
    // memory write that opens the video stream follow it.
    CHECKF(on > sleep_out && on > colmod_at && on > madctl && f->pk[on].n == 0,
        "%s: display on at %d", name, on);
    for (int i = on + 1; i < f->count; i++) {
        CHECKF(f->pk[i].cmd == PANEL_DCS_NOP || f->pk[i].cmd == PANEL_DCS_MEMORY_WRITE,
            "%s: %02x after display on", name, f->pk[i].cmd);
    }
    CHECKF(f->count > 0 && f->pk[f->count - 1].cmd == PANEL_DCS_MEMORY_WRITE &&
        f->pk[f->count - 1].n == 0, "%s: ends with the memory write", name);
}

// The walker sends exactly the table, in order, with its waits.
static void check_matches_table(const fake_t *f, panel_kind_t k, uint8_t colmod) {
    const panel_seq_t *seq = panel_sequence(k);
    CHECK_EQ(f->count, seq->count);
    for (uint32_t i = 0; i < seq->count && (int)i < f->count; i++) {
        const panel_cmd_t *e = &seq->cmds[i];
        const uint8_t *p = (e->flags & PANEL_F_COLMOD) ? &colmod : e->param;
        CHECKF(f->pk[i].cmd == e->cmd && params_are(&f->pk[i], p, e->len) &&
            f->pk[i].delay_ms == e->delay_ms, "%s entry %u", panel_name(k), (unsigned)i);
    }
    CHECK_EQ(f->delay_before_ms, 0);
}

static void test_otm8009a_sequence(void) {
    static const ui_format_t fmts[] = {UI_FMT_RGB565, UI_FMT_ARGB8888};
    for (int i = 0; i < 2; i++) {
        panel_colour_t c;
        CHECK_EQ(panel_colour_for(fmts[i], &c), PANEL_OK);
        fake_reset(&fake);
        CHECK_EQ(panel_run(&fake_port, PANEL_OTM8009A, &c), PANEL_OK);
        check_common(&fake, "OTM8009A", c.colmod);
        check_matches_table(&fake, PANEL_OTM8009A, c.colmod);
        // Command 2 (the manufacturer registers) is opened first: address
        // shift 0, then FFh 80 09 01.
        static const uint8_t zero = 0, enable[] = {0x80, 0x09, 0x01}, off[] = {0xFF, 0xFF, 0xFF};
        CHECK(fake.count > 2 && fake.pk[0].cmd == PANEL_DCS_NOP &&
            params_are(&fake.pk[0], &zero, 1));
        CHECK(fake.pk[1].cmd == 0xFF && params_are(&fake.pk[1], enable, 3));
        // ... and closed (FFh FF FF FF) before sleep out. In between, every
        // register write is addressed by a shift (NOP with one parameter)
        // just before it.
        int close = -1;
        for (int j = 2; j < fake.count; j++) {
            if (fake.pk[j].cmd == 0xFF && params_are(&fake.pk[j], off, 3)) {
                close = j;
                break;
            }
        }
        CHECK(close > 0 && close < find(&fake, PANEL_DCS_SLEEP_OUT, 0));
        for (int j = 1; j <= close && close > 0; j++) {
            bool shift = fake.pk[j].cmd == PANEL_DCS_NOP;
            CHECKF(shift == (j % 2 == 0), "OTM8009A packet %d: %02x", j, fake.pk[j].cmd);
            if (shift) {
                CHECK_EQ(fake.pk[j].n, 1);
            }
        }
        // The gamma tables: 16 parameters each, as long packets.
        int e1 = find(&fake, 0xE1, 0), e2 = find(&fake, 0xE2, 0);
        CHECK(e1 > close && e2 > e1 && fake.pk[e1].n == 16 && fake.pk[e2].n == 16 &&
            fake.pk[e1].dt == DSI_DT_DCS_LONG_WRITE);
    }
}

static void test_nt35510_sequence(void) {
    static const ui_format_t fmts[] = {UI_FMT_RGB565, UI_FMT_ARGB8888};
    for (int i = 0; i < 2; i++) {
        panel_colour_t c;
        CHECK_EQ(panel_colour_for(fmts[i], &c), PANEL_OK);
        fake_reset(&fake);
        CHECK_EQ(panel_run(&fake_port, PANEL_NT35510, &c), PANEL_OK);
        check_common(&fake, "NT35510", c.colmod);
        check_matches_table(&fake, PANEL_NT35510, c.colmod);
        // Manufacturer page 1 first (F0h 55 AA 52 08 01), page 0 later.
        static const uint8_t page1[] = {0x55, 0xAA, 0x52, 0x08, 0x01};
        static const uint8_t page0[] = {0x55, 0xAA, 0x52, 0x08, 0x00};
        CHECK(fake.count > 0 && fake.pk[0].cmd == 0xF0 && params_are(&fake.pk[0], page1, 5));
        int p0 = find(&fake, 0xF0, 1);
        CHECK(p0 > 0 && params_are(&fake.pk[p0], page0, 5));
        // The controller ignores MADCTL sent less than 200 ms after its
        // power settings: the wait before it.
        int madctl = find(&fake, PANEL_DCS_ADDRESS_MODE, 0);
        CHECK(madctl > p0 && fake.pk[madctl - 1].delay_ms >= 200);
    }
}

// A host that stops taking packets: the walker stops at once, says so, and
// never waits for a packet that did not go.
static void test_sequence_send_failure(void) {
    panel_colour_t c;
    CHECK_EQ(panel_colour_for(UI_FMT_RGB565, &c), PANEL_OK);
    static const panel_kind_t kinds[] = {PANEL_NT35510, PANEL_OTM8009A};
    for (int k = 0; k < 2; k++) {
        const panel_seq_t *seq = panel_sequence(kinds[k]);
        for (uint32_t n = 1; n <= seq->count; n++) {
            fake_reset(&fake);
            fake.fail_at = (int)n;
            CHECKF(panel_run(&fake_port, kinds[k], &c) == PANEL_E_SEND, "%s: refusal %u",
                panel_name(kinds[k]), (unsigned)n);
            CHECKF(fake.sends == (int)n && fake.count == (int)n - 1,
                "%s: %d sends after refusal %u", panel_name(kinds[k]), fake.sends, (unsigned)n);
            uint32_t waited = fake.delay_before_ms;
            for (int i = 0; i < fake.count; i++) {
                waited += fake.pk[i].delay_ms;
            }
            uint32_t expected = 0;
            for (uint32_t i = 0; i + 1u < n; i++) {
                expected += seq->cmds[i].delay_ms;
            }
            CHECK_EQ(waited, expected);
        }
    }
    // No sequence, or a pixel format that is not one: nothing is sent.
    fake_reset(&fake);
    CHECK_EQ(panel_run(&fake_port, PANEL_UNKNOWN, &c), PANEL_E_ARG);
    panel_colour_t bad = c;
    bad.colmod = 0x66;  // 18 bpp: not what any framebuffer here is
    CHECK_EQ(panel_run(&fake_port, PANEL_NT35510, &bad), PANEL_E_ARG);
    CHECK_EQ(fake.sends, 0);
    CHECK(panel_sequence(PANEL_UNKNOWN) == NULL);
}

static void test_probe(void) {
    int nt, otm;
    // A newer board: the NT35510 answers RDID2 (DBh) with 80h; the OTM8009A
    // is then not asked.
    fake_reset(&fake);
    fake.answer[0xDB] = 0x80;
    fake.answer[0xDA] = 0x40;  // (would be misleading, never read)
    CHECK_EQ(panel_probe(&fake_port, &nt, &otm), PANEL_NT35510);
    CHECK(nt == 0x80 && otm == -1 && fake.reads == 1 && fake.read_cmd[0] == 0xDB);
    // An older board: RDID2 gets silence, or a byte that is not 80h, and
    // ID1 (DAh) answers 40h.
    static const int rdid2[] = {-1, 0x00, 0x40};
    for (int i = 0; i < 3; i++) {
        fake_reset(&fake);
        fake.answer[0xDB] = rdid2[i];
        fake.answer[0xDA] = 0x40;
        CHECK_EQ(panel_probe(&fake_port, &nt, &otm), PANEL_OTM8009A);
        CHECK(nt == rdid2[i] && otm == 0x40 && fake.reads == 2 && fake.read_cmd[0] == 0xDB &&
            fake.read_cmd[1] == 0xDA);
    }
    // Nothing answers: unknown, both reads reported as failed.
    fake_reset(&fake);
    CHECK_EQ(panel_probe(&fake_port, &nt, &otm), PANEL_UNKNOWN);
    CHECK(nt == -1 && otm == -1 && fake.reads == 2);
    // Something answers, but not as either controller.
    fake_reset(&fake);
    fake.answer[0xDB] = 0x12;
    fake.answer[0xDA] = 0x34;
    CHECK_EQ(panel_probe(&fake_port, &nt, &otm), PANEL_UNKNOWN);
    CHECK(nt == 0x12 && otm == 0x34);
    CHECK_EQ(fake.bad_reads, 0);
    CHECK_EQ(fake.sends, 0);  // a one-byte read needs no maximum-return-size packet
}

static void test_colour_modes(void) {
    panel_colour_t c;
    // 16-bit framebuffer: 16-bit link (DSI coding 0, 16-bit configuration
    // 1), COLMOD 55h, LTDC RGB565 (2).
    CHECK_EQ(panel_colour_for(UI_FMT_RGB565, &c), PANEL_OK);
    CHECK(c.colmod == 0x55 && c.colc == 0 && c.ltdc_pf == 2);
    CHECK_EQ(dsi_colc_bytes(c.colc), 2);
    // 32-bit framebuffer: 24-bit link (coding 5), COLMOD 77h, LTDC ARGB8888 (0).
    CHECK_EQ(panel_colour_for(UI_FMT_ARGB8888, &c), PANEL_OK);
    CHECK(c.colmod == 0x77 && c.colc == 5 && c.ltdc_pf == 0);
    CHECK_EQ(dsi_colc_bytes(c.colc), 3);
    CHECK_EQ(panel_colour_for((ui_format_t)7, &c), PANEL_E_ARG);
    CHECK_EQ(dsi_colc_bytes((dsi_colc_t)3), 0);
}

// ---------------------------------------------------------------------------
// DSI host values, worked out by hand from RM0399's relations.

static void test_dsi_pll(void) {
    dsi_pll_t p;
    // The DISCO's plan: HSE 25 MHz / IDF 5 = 5 MHz into the PLL (4..25);
    // VCO = 5 MHz x 2 x NDIV 100 = 1000 MHz (500..1000); lane = VCO / (2 x
    // ODF 1) = 500 Mbit/s, the D-PHY's ceiling; lane byte clock 62.5 MHz;
    // unit interval 2 ns = 8 quarter ns; escape clock <= 20 MHz: 62.5 / 20
    // = 3.125, so divide by 4 (15.625 MHz). WRPCR: NDIV 100 << 2 = 400,
    // IDF 5 << 11 = 10240, ODF code 0 << 16: 10640 = 0x2990.
    dsi_pll_params_t disco = {25000000u, 100, 5, 1};
    CHECK_EQ(dsi_pll_compute(&disco, &p), DSI_OK);
    CHECK_EQ(p.vco_hz, 1000000000u);
    CHECK_EQ(p.lane_bps, 500000000u);
    CHECK_EQ(p.lane_byte_hz, 62500000u);
    CHECK_EQ(p.uix4, 8);
    CHECK_EQ(p.txeckdiv, 4);
    CHECK_EQ(p.wrpcr, 0x2990);
    // ODF 2 (code 1 << 16): 250 Mbit/s, 31.25 MHz bytes, UI 4 ns = 16,
    // escape 31.25 / 20 = 1.56 -> 2.
    dsi_pll_params_t half = {25000000u, 100, 5, 2};
    CHECK_EQ(dsi_pll_compute(&half, &p), DSI_OK);
    CHECK(p.lane_bps == 250000000u && p.lane_byte_hz == 31250000u && p.uix4 == 16 &&
        p.txeckdiv == 2 && p.wrpcr == 0x12990);
    // ODF 4 (code 2): 125 Mbit/s, UI 8 ns = 32.
    dsi_pll_params_t quarter = {25000000u, 100, 5, 4};
    CHECK_EQ(dsi_pll_compute(&quarter, &p), DSI_OK);
    CHECK(p.lane_bps == 125000000u && p.uix4 == 32 && p.wrpcr == 0x22990);
    // Dividers the PLL does not have.
    static const dsi_pll_params_t bad_div[] = {
        {25000000u, 9, 5, 1}, {25000000u, 126, 5, 1}, {25000000u, 100, 0, 1},
        {25000000u, 100, 8, 1}, {25000000u, 100, 5, 3}, {25000000u, 100, 5, 16},
    };
    for (unsigned i = 0; i < sizeof bad_div / sizeof bad_div[0]; i++) {
        CHECKF(dsi_pll_compute(&bad_div[i], &p) == DSI_E_DIVIDER, "divider case %u", i);
    }
    // Frequencies out of range: VCO 1010 MHz (NDIV 101), 400 MHz (NDIV 40);
    // 25 / 7 = 3.57 MHz into the PLL; 62.5 Mbit/s lanes (VCO 1000, ODF 8)
    // are under the D-PHY's 80.
    static const dsi_pll_params_t bad_freq[] = {
        {25000000u, 101, 5, 1}, {25000000u, 40, 5, 1}, {25000000u, 100, 7, 1},
        {25000000u, 100, 5, 8},
    };
    for (unsigned i = 0; i < sizeof bad_freq / sizeof bad_freq[0]; i++) {
        CHECKF(dsi_pll_compute(&bad_freq[i], &p) == DSI_E_PLL_RANGE, "frequency case %u", i);
    }
    dsi_pll_params_t no_clock = {0, 100, 5, 1};
    CHECK_EQ(dsi_pll_compute(&no_clock, &p), DSI_E_ARG);
}

static void test_dsi_video(void) {
    dsi_video_t v;
    // LTDC pixel clock: PLL3 480 MHz / 18 = 26 666 666 Hz (80/3 MHz); lane
    // byte clock 62.5 MHz: 62.5 / 26.667 = 2.34375 cycles per pixel.
    // HSA 2 px -> 4.6875 -> 4; HBP 34 px -> 79.6875 -> 79; a line of
    // 2 + 34 + 800 + 34 = 870 px -> 2039.06 -> 2039 (32.624 us against the
    // LTDC's 32.625 us). Lines as they are: VSA 120, VBP 150, VFP 150, 480.
    // Burst, RGB888: 800 x 3 + 6 bytes of header and checksum = 2406 bytes
    // on 2 lanes = 1203 cycles, inside 2039 - 4 - 79 = 1956.
    dsi_link_t link = {2, DSI_COLC_RGB888, 26666666u, 62500000u};
    CHECK_EQ(dsi_video_compute(&panel_timing_800x480, &link, &v), DSI_OK);
    CHECK(v.hsa == 4 && v.hbp == 79 && v.hline == 2039);
    CHECK(v.vsa == 120 && v.vbp == 150 && v.vfp == 150 && v.vact == 480);
    CHECK_EQ(v.burst_lbcc, 1203);
    // VMCR: burst (2), low power allowed in VSA, VBP, VFP, VACT, HBP, HFP
    // (bits 8-13: 0x3F00), commands in low power (bit 15): 0xBF02. LPMCR:
    // largest LP packet 64 in both halves (bits 23:16 and 7:0): 0x00400040.
    CHECK_EQ(v.vmcr, 0xBF02);
    CHECK_EQ(v.lpmcr, 0x00400040);
    CHECK(v.vpcr == 800 && v.vccr == 0 && v.vnpcr == 0xFFF && v.lpcr == 0);
    // Colour coding 5 (24 bit) in LCOLCR, and in WCFGR's COLMUX (3:1) with
    // DSIM (bit 0) clear for video mode: 5 << 1 = 0x0A.
    CHECK(v.lcolcr == 5 && v.wcfgr == 0x0A);
    // RGB565: 800 x 2 + 6 = 1606 bytes, 803 cycles; coding 0 everywhere.
    link.colc = DSI_COLC_RGB565;
    CHECK_EQ(dsi_video_compute(&panel_timing_800x480, &link, &v), DSI_OK);
    CHECK(v.burst_lbcc == 803 && v.lcolcr == 0 && v.wcfgr == 0 && v.hline == 2039);
    // One lane carries 62.5 MB/s: 16-bit pixels need 53.3 MB/s (fits),
    // 24-bit ones 80 MB/s (does not).
    link.lanes = 1;
    CHECK_EQ(dsi_video_compute(&panel_timing_800x480, &link, &v), DSI_OK);
    CHECK_EQ(v.burst_lbcc, 1606);
    link.colc = DSI_COLC_RGB888;
    CHECK_EQ(dsi_video_compute(&panel_timing_800x480, &link, &v), DSI_E_BANDWIDTH);
    // Just enough bandwidth is not enough for burst: 40 MHz pixels at 3
    // bytes on 2 lanes of 60 MHz bytes (1.5 cycles per pixel) with no front
    // porch: the line is 836 x 1.5 = 1254 cycles, 1254 - 3 - 51 = 1200 left
    // for a 1203-cycle packet.
    panel_timing_t tight = panel_timing_800x480;
    tight.hfp = 0;
    dsi_link_t exact = {2, DSI_COLC_RGB888, 40000000u, 60000000u};
    CHECK_EQ(dsi_video_compute(&tight, &exact, &v), DSI_E_BANDWIDTH);
    // Fields: a back porch of 2000 px is 4687 cycles (12 bits hold 4095);
    // no sync pulse; a 1100-line back porch (10 bits).
    panel_timing_t t = panel_timing_800x480;
    t.hbp = 2000;
    link.colc = DSI_COLC_RGB565;
    link.lanes = 2;
    CHECK_EQ(dsi_video_compute(&t, &link, &v), DSI_E_FIELD);
    t = panel_timing_800x480;
    t.hsync = 0;
    CHECK_EQ(dsi_video_compute(&t, &link, &v), DSI_E_FIELD);
    t = panel_timing_800x480;
    t.vbp = 1100;
    CHECK_EQ(dsi_video_compute(&t, &link, &v), DSI_E_FIELD);
    // Links that are not one.
    dsi_link_t bad[] = {
        {3, DSI_COLC_RGB565, 26666666u, 62500000u}, {2, (dsi_colc_t)2, 26666666u, 62500000u},
        {2, DSI_COLC_RGB565, 0, 62500000u}, {0, DSI_COLC_RGB565, 26666666u, 62500000u},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECKF(dsi_video_compute(&panel_timing_800x480, &bad[i], &v) == DSI_E_ARG, "link %u", i);
    }
}

static void test_dsi_phy_and_packets(void) {
    dsi_phy_t phy;
    // 35 lane byte cycles each way on both lanes (CLTCR 25:16 and 9:0,
    // DLTCR 31:24 and 23:16, no read time), stop wait 10 (PCONFR 15:8),
    // two lanes (NL 1).
    CHECK_EQ(dsi_phy_compute(2, &phy), DSI_OK);
    CHECK(phy.cltcr == 0x00230023u && phy.dltcr == 0x23230000u && phy.pconfr == 0x0A01u);
    CHECK_EQ(dsi_phy_compute(1, &phy), DSI_OK);
    CHECK_EQ(phy.pconfr, 0x0A00u);
    CHECK_EQ(dsi_phy_compute(3, &phy), DSI_E_ARG);

    dsi_packet_t p;
    // GHCR: data type 5:0, channel 7:6, two bytes in 23:8.
    CHECK_EQ(dsi_dcs_write(0x11, NULL, 0, 0, &p), DSI_OK);
    CHECK(p.header == 0x1105u && p.nwords == 0);
    CHECK_EQ(dsi_dcs_write(0x11, NULL, 0, 1, &p), DSI_OK);
    CHECK_EQ(p.header, 0x1145u);
    static const uint8_t fmt = 0x77, window[] = {0x00, 0x00, 0x03, 0x1F};
    CHECK_EQ(dsi_dcs_write(0x3A, &fmt, 1, 0, &p), DSI_OK);
    CHECK(p.header == 0x773A15u && p.nwords == 0);
    // Long: 5 bytes (command first), little end first in the FIFO words.
    CHECK_EQ(dsi_dcs_write(0x2A, window, 4, 0, &p), DSI_OK);
    CHECK(p.header == 0x0539u && p.nwords == 2 && p.words[0] == 0x0300002Au && p.words[1] == 0x1Fu);
    static const uint8_t big[DSI_LONG_MAX] = {0};
    CHECK_EQ(dsi_dcs_write(0x2C, big, DSI_LONG_MAX - 1u, 0, &p), DSI_OK);
    CHECK(p.nwords == DSI_LONG_MAX / 4u && p.header == ((DSI_LONG_MAX << 8) | 0x39u));
    CHECK_EQ(dsi_dcs_write(0x2C, big, DSI_LONG_MAX, 0, &p), DSI_E_ARG);
    CHECK_EQ(dsi_dcs_write(0x2C, NULL, 2, 0, &p), DSI_E_ARG);
    dsi_dcs_read(0xDA, 0, &p);
    CHECK(p.header == 0xDA06u && p.nwords == 0);
    dsi_max_return(300, 0, &p);
    CHECK_EQ(p.header, 0x012C37u);
    static const uint32_t words[] = {0x44332211u, 0x55u};
    uint8_t got[5];
    dsi_unpack(words, 5, got);
    static const uint8_t want[] = {0x11, 0x22, 0x33, 0x44, 0x55};
    CHECK(memcmp(got, want, 5) == 0);
}

// ---------------------------------------------------------------------------
// The DMA2D model (dma2d_model.c, RM0399's register semantics) runs the
// plan's registers over "bus" memory made of the test's buffers. Our plan
// writes nothing but the mode into CR, the colour modes into FGPFCCR and
// OPFCCR (no alpha mode, no swaps): checked here, beyond what the model
// accepts.

static bool model_run(const dma2d_regs_t *r, dma2d_bus_t *bus) {
    CHECKF((r->cr & ~(7u << 16)) == 0 && (r->fgpfccr & ~0xFu) == 0 && (r->opfccr & ~7u) == 0,
        "plan: cr %08x fgpfccr %08x opfccr %08x", (unsigned)r->cr, (unsigned)r->fgpfccr,
        (unsigned)r->opfccr);
    dma2d_model_regs_t m = {r->cr, r->fgmar, r->fgor, r->fgpfccr, r->opfccr, r->ocolr, r->omar,
        r->oor, r->nlr};
    return dma2d_model_run(&m, bus);
}

// ---------------------------------------------------------------------------
// Fills: the framebuffer's hook runs the plan through the model.

#define FB_BASE 0xD0000000u
#define SRC_BASE 0xD0100000u

typedef struct {
    size_t size;       // bytes behind fb->pixels
    bool refuse;       // say no to everything (the fallback)
    int calls, done, faults;
} hook_state_t;

static bool model_fill(void *ctx, ui_fb_t *fb, const ui_area_t *a, uint32_t px) {
    hook_state_t *h = ctx;
    h->calls++;
    if (h->refuse) {
        return false;
    }
    dma2d_surface_t s = {FB_BASE, fb->stride, fb->width, fb->height, fb->format};
    dma2d_regs_t r;
    if (!dma2d_plan_fill(&s, a, px, &r)) {
        return false;
    }
    dma2d_bus_t bus = {{{FB_BASE, fb->pixels, h->size}}, 1, 0};
    bool ok = model_run(&r, &bus);
    h->faults += bus.faults;
    h->done += ok;
    return ok;
}

// 37 x 23 pixels, in rows of 37 or of 40 pixels (a padded stride).
#define FW 37
#define FH 23
#define FPAD 40
static uint8_t sw_mem[FPAD * FH * 4], hw_mem[FPAD * FH * 4];

static void fb_over(ui_fb_t *fb, uint8_t *mem, ui_format_t f, int32_t row_pixels) {
    CHECK_EQ(ui_fb_init(fb, mem, sizeof(sw_mem), FW, FH, f), UI_OK);
    fb->stride = (uint32_t)row_pixels * ui_format_bpp(f);
}

static ui_area_t random_area(uint32_t *seed, int32_t w, int32_t h) {
    // Corners from a little outside the framebuffer, so that clipping cuts.
    int32_t x0 = (int32_t)(mpx_test_rand(seed) % (uint32_t)(w + 10)) - 5;
    int32_t y0 = (int32_t)(mpx_test_rand(seed) % (uint32_t)(h + 10)) - 5;
    int32_t x1 = x0 + (int32_t)(mpx_test_rand(seed) % (uint32_t)(w + 1));
    int32_t y1 = y0 + (int32_t)(mpx_test_rand(seed) % (uint32_t)(h + 1));
    return (ui_area_t){x0, y0, x1, y1};
}

static void test_dma2d_fill_matches_software(void) {
    static const ui_format_t fmts[] = {UI_FMT_RGB565, UI_FMT_ARGB8888};
    static const int32_t rows[] = {FW, FPAD};
    uint32_t seed = 0x2d2du;
    for (int f = 0; f < 2; f++) {
        for (int s = 0; s < 2; s++) {
            ui_fb_t sw, hw;
            fb_over(&sw, sw_mem, fmts[f], rows[s]);
            fb_over(&hw, hw_mem, fmts[f], rows[s]);
            hook_state_t h = {sizeof(hw_mem), false, 0, 0, 0};
            hw.fill_hook = model_fill;
            hw.fill_ctx = &h;
            for (size_t i = 0; i < sizeof sw_mem; i++) {
                sw_mem[i] = hw_mem[i] = (uint8_t)mpx_test_rand(&seed);
            }
            ui_area_t all = {0, 0, FW, FH};
            // Hand-picked: everything, one pixel, odd widths at odd x (RGB565
            // half-word starts), cut on each side, a clip inside the area.
            const ui_area_t cases[][2] = {
                {{0, 0, FW, FH}, {0, 0, FW, FH}},
                {{5, 7, 6, 8}, {0, 0, FW, FH}},
                {{1, 2, 4, 9}, {0, 0, FW, FH}},
                {{3, 0, 10, FH}, {0, 0, FW, FH}},
                {{-4, -3, 6, 5}, {0, 0, FW, FH}},
                {{30, 18, 50, 40}, {0, 0, FW, FH}},
                {{0, 0, FW, FH}, {7, 3, 20, 11}},
                {{-100, 5, 100, 6}, {0, 0, FW, FH}},
            };
            uint32_t colour = 0x123456u;
            for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
                uint32_t a = ui_draw_fill(&sw, &cases[c][1], &cases[c][0], colour);
                uint32_t b = ui_draw_fill(&hw, &cases[c][1], &cases[c][0], colour);
                CHECKF(a == b && memcmp(sw_mem, hw_mem, sizeof sw_mem) == 0,
                    "format %d rows %d case %u", fmts[f], (int)rows[s], c);
                colour = colour * 2654435761u + 0x9E37u;
            }
            for (int i = 0; i < 300; i++) {
                ui_area_t area = random_area(&seed, FW, FH);
                ui_area_t clip = (i % 3) == 0 ? random_area(&seed, FW, FH) : all;
                uint32_t rgb = mpx_test_rand(&seed) & 0xFFFFFFu;
                uint32_t a = ui_draw_fill(&sw, &clip, &area, rgb);
                uint32_t b = ui_draw_fill(&hw, &clip, &area, rgb);
                CHECKF(a == b && memcmp(sw_mem, hw_mem, sizeof sw_mem) == 0,
                    "format %d rows %d fill %d (%d,%d)-(%d,%d)", fmts[f], (int)rows[s], i,
                    (int)area.x0, (int)area.y0, (int)area.x1, (int)area.y1);
            }
            // The hook did the work (every non-empty fill), inside the buffer.
            CHECK(h.done > 150 && h.done == h.calls && h.faults == 0);
        }
    }
}

// A hook that refuses: ui_draw_fill falls back to the software raster, and
// is not even asked about areas that clip to nothing.
static void test_fill_fallback(void) {
    ui_fb_t sw, hw;
    fb_over(&sw, sw_mem, UI_FMT_RGB565, FW);
    fb_over(&hw, hw_mem, UI_FMT_RGB565, FW);
    hook_state_t h = {sizeof(hw_mem), true, 0, 0, 0};
    hw.fill_hook = model_fill;
    hw.fill_ctx = &h;
    memset(sw_mem, 0, sizeof sw_mem);
    memset(hw_mem, 0, sizeof hw_mem);
    ui_area_t all = {0, 0, FW, FH}, area = {2, 3, 9, 8}, outside = {FW, 0, FW + 5, 5};
    CHECK_EQ(ui_draw_fill(&hw, &all, &area, 0xFF8000u), 35);
    ui_draw_fill(&sw, &all, &area, 0xFF8000u);
    CHECK(memcmp(sw_mem, hw_mem, sizeof sw_mem) == 0 && h.calls == 1);
    CHECK_EQ(ui_draw_fill(&hw, &all, &outside, 0xFF8000u), 0);
    CHECK_EQ(h.calls, 1);
}

static void test_dma2d_refusals(void) {
    dma2d_regs_t r;
    dma2d_surface_t s = {FB_BASE, 800 * 2, 800, 480, UI_FMT_RGB565};
    ui_area_t ok = {0, 0, 800, 480};
    CHECK(dma2d_plan_fill(&s, &ok, 0x1234u, &r));
    // Register to memory (3 << 16), RGB565 out, the colour in its low half,
    // whole lines (offset 0), 800 pixels x 480 lines.
    CHECK(r.cr == 0x30000u && r.opfccr == 2 && r.ocolr == 0x1234u && r.omar == FB_BASE &&
        r.oor == 0 && r.nlr == ((800u << 16) | 480u));
    ui_area_t empty = {5, 5, 5, 9}, outside = {700, 0, 801, 10}, negative = {-1, 0, 4, 4};
    CHECK(!dma2d_plan_fill(&s, &empty, 0, &r));
    CHECK(!dma2d_plan_fill(&s, &outside, 0, &r));
    CHECK(!dma2d_plan_fill(&s, &negative, 0, &r));
    dma2d_surface_t odd = s;
    odd.addr = FB_BASE + 1;      // not on a pixel
    CHECK(!dma2d_plan_fill(&odd, &ok, 0, &r));
    odd = s;
    odd.stride = 800 * 2 + 1;    // rows not a whole number of pixels apart
    CHECK(!dma2d_plan_fill(&odd, &ok, 0, &r));
    odd = s;
    odd.stride = 100;            // rows shorter than the width
    CHECK(!dma2d_plan_fill(&odd, &ok, 0, &r));
    odd = s;
    odd.format = (ui_format_t)9;
    CHECK(!dma2d_plan_fill(&odd, &ok, 0, &r));
    // 16384 pixels do not fit PL's 14 bits; 16383 do. An offset of 65536
    // pixels does not fit OOR's 16 bits.
    dma2d_surface_t wide = {FB_BASE, 20000 * 4, 20000, 4, UI_FMT_ARGB8888};
    ui_area_t pl_max = {0, 0, 16383, 1}, pl_over = {0, 0, 16384, 1};
    CHECK(dma2d_plan_fill(&wide, &pl_max, 0, &r) && (r.nlr >> 16) == 16383 &&
        r.oor == 20000 - 16383);
    CHECK(!dma2d_plan_fill(&wide, &pl_over, 0, &r));
    dma2d_surface_t long_rows = {FB_BASE, (65536 + 10) * 2, 65536 + 10, 2, UI_FMT_RGB565};
    ui_area_t ten = {0, 0, 10, 1};
    CHECK(!dma2d_plan_fill(&long_rows, &ten, 0, &r));
    // Past the top of the 32-bit bus.
    dma2d_surface_t top = {0xFFFFFF00u, 64 * 4, 64, 4, UI_FMT_ARGB8888};
    ui_area_t row = {0, 1, 64, 2};
    CHECK(!dma2d_plan_fill(&top, &row, 0, &r));
    // A copy whose rectangles share memory (one framebuffer onto itself).
    dma2d_blit_t b = {10, 10, 0, 0, 100, 100};
    CHECK(!dma2d_plan_copy(&s, &s, &b, &r));
    dma2d_blit_t apart = {0, 200, 0, 0, 100, 100};
    CHECK(dma2d_plan_copy(&s, &s, &apart, &r));
    CHECK(r.cr == 0 && r.fgpfccr == 2 && r.opfccr == 2 && r.fgmar == FB_BASE &&
        r.omar == FB_BASE + 200u * 1600u && r.fgor == 700 && r.oor == 700);
}

// ---------------------------------------------------------------------------
// Blits: clipping by hand, then the DMA2D model against the software copy,
// and the software copy against lib/ui's colour conversions.

static void test_blit_clipping(void) {
    uint8_t a[4], b[4];
    ui_fb_t dst, src;
    // Only the sizes matter here.
    dst = (ui_fb_t){a, 40, 30, 160, UI_FMT_ARGB8888, NULL, NULL};
    src = (ui_fb_t){b, 20, 10, 80, UI_FMT_ARGB8888, NULL, NULL};
    ui_area_t all = {0, 0, 40, 30}, src_area = {-5, -5, 15, 15};
    dma2d_blit_t r;
    // src_area's corner (-5, -5) goes to (-3, 2): its in-source part (0, 0)-
    // (15, 10) lands at (2, 7)-(17, 17).
    CHECK(dma2d_clip_blit(&dst, &all, -3, 2, &src, &src_area, &r));
    CHECK(r.dx == 2 && r.dy == 7 && r.sx == 0 && r.sy == 0 && r.w == 15 && r.h == 10);
    // The same inside clip (0, 0)-(10, 12): (2, 7)-(10, 12).
    ui_area_t clip = {0, 0, 10, 12};
    CHECK(dma2d_clip_blit(&dst, &clip, -3, 2, &src, &src_area, &r));
    CHECK(r.dx == 2 && r.dy == 7 && r.sx == 0 && r.sy == 0 && r.w == 8 && r.h == 5);
    // Off the left edge: the first 8 source columns are cut.
    ui_area_t whole = {0, 0, 20, 10};
    CHECK(dma2d_clip_blit(&dst, &all, -8, 3, &src, &whole, &r));
    CHECK(r.dx == 0 && r.dy == 3 && r.sx == 8 && r.sy == 0 && r.w == 12 && r.h == 10);
    // Below the destination, or an empty source: nothing.
    CHECK(!dma2d_clip_blit(&dst, &all, 30, 25 + 5, &src, &src_area, &r));
    ui_area_t nothing = {3, 3, 3, 8};
    CHECK(!dma2d_clip_blit(&dst, &all, 0, 0, &src, &nothing, &r));
    // Far-away coordinates do not overflow.
    ui_area_t far = {INT32_MIN, INT32_MIN, INT32_MAX, INT32_MAX};
    CHECK(dma2d_clip_blit(&dst, &all, INT32_MAX, INT32_MAX, &src, &far, &r) == false);
    CHECK(dma2d_clip_blit(&dst, &all, INT32_MIN, INT32_MIN, &src, &far, &r));
    CHECK(r.dx == 0 && r.dy == 0 && r.sx == 0 && r.sy == 0 && r.w == 20 && r.h == 10);
}

#define SW_ 29
#define SH_ 17
static uint8_t src_mem[SW_ * SH_ * 4], before_mem[FPAD * FH * 4];

static void test_blit_matches(void) {
    static const ui_format_t fmts[] = {UI_FMT_RGB565, UI_FMT_ARGB8888};
    uint32_t seed = 0xb1177u;
    int copies = 0;
    for (int df = 0; df < 2; df++) {
        for (int sf = 0; sf < 2; sf++) {
            ui_fb_t sw, hw, src;
            fb_over(&sw, sw_mem, fmts[df], FPAD);
            fb_over(&hw, hw_mem, fmts[df], FPAD);
            CHECK_EQ(ui_fb_init(&src, src_mem, sizeof src_mem, SW_, SH_, fmts[sf]), UI_OK);
            for (int i = 0; i < 250; i++) {
                for (size_t j = 0; j < sizeof sw_mem; j++) {
                    sw_mem[j] = hw_mem[j] = before_mem[j] = (uint8_t)mpx_test_rand(&seed);
                }
                for (size_t j = 0; j < sizeof src_mem; j++) {
                    src_mem[j] = (uint8_t)mpx_test_rand(&seed);
                }
                ui_area_t sa = random_area(&seed, SW_, SH_);
                ui_area_t all = {0, 0, FW, FH};
                ui_area_t clip = (i % 4) == 0 ? random_area(&seed, FW, FH) : all;
                int32_t x = (int32_t)(mpx_test_rand(&seed) % (FW + 10)) - 5;
                int32_t y = (int32_t)(mpx_test_rand(&seed) % (FH + 10)) - 5;
                dma2d_blit_t b;
                if (!dma2d_clip_blit(&sw, &clip, x, y, &src, &sa, &b)) {
                    continue;
                }
                uint32_t n = dma2d_soft_blit(&sw, &src, &b);
                CHECK_EQ(n, (uint32_t)b.w * (uint32_t)b.h);
                dma2d_surface_t ds = {FB_BASE, hw.stride, hw.width, hw.height, hw.format};
                dma2d_surface_t ss = {SRC_BASE, src.stride, src.width, src.height, src.format};
                dma2d_regs_t r;
                CHECK(dma2d_plan_copy(&ds, &ss, &b, &r));
                dma2d_bus_t bus = {{{FB_BASE, hw_mem, sizeof hw_mem},
                    {SRC_BASE, src_mem, sizeof src_mem}}, 2, 0};
                CHECK(model_run(&r, &bus) && bus.faults == 0);
                CHECKF(memcmp(sw_mem, hw_mem, sizeof sw_mem) == 0, "dst %d src %d blit %d",
                    fmts[df], fmts[sf], i);
                copies++;
                // The copy is lib/ui's colours: each pixel the source's
                // colour in the destination's format (bytes as they were
                // when the formats match, alpha included), the rest untouched.
                bool same = true;
                for (int32_t py = 0; py < FH; py++) {
                    for (int32_t px = 0; px < FW; px++) {
                        uint32_t bpp = ui_format_bpp(sw.format);
                        const uint8_t *got = sw_mem + (size_t)py * sw.stride + (size_t)px * bpp;
                        uint8_t want[4];
                        bool inside = px >= b.dx && px < b.dx + b.w && py >= b.dy &&
                            py < b.dy + b.h;
                        if (!inside) {
                            memcpy(want, before_mem + (got - sw_mem), bpp);
                        } else if (df == sf) {
                            memcpy(want, src_mem + (size_t)(b.sy + py - b.dy) * src.stride +
                                (size_t)(b.sx + px - b.dx) * bpp, bpp);
                        } else {
                            uint32_t v = ui_fb_pixel(&sw, ui_fb_get(&src, b.sx + px - b.dx,
                                b.sy + py - b.dy));
                            memcpy(want, &v, bpp);
                        }
                        same = same && memcmp(got, want, bpp) == 0;
                    }
                }
                CHECKF(same, "dst %d src %d blit %d against lib/ui", fmts[df], fmts[sf], i);
            }
        }
    }
    CHECKF(copies > 300, "%d copies", copies);
}

// One framebuffer onto itself: the DMA2D refuses overlapping rectangles,
// the software copy moves them as memmove would.
static void test_blit_overlap(void) {
    static uint8_t ref[FW * FH * 2];
    ui_fb_t fb;
    CHECK_EQ(ui_fb_init(&fb, sw_mem, sizeof sw_mem, FW, FH, UI_FMT_RGB565), UI_OK);
    const int32_t moves[][2] = {{3, 2}, {-3, -2}, {0, 1}, {0, -1}, {5, 0}, {-5, 0}};
    uint32_t seed = 77;
    for (unsigned m = 0; m < sizeof moves / sizeof moves[0]; m++) {
        for (size_t i = 0; i < sizeof ref; i++) {
            sw_mem[i] = ref[i] = (uint8_t)mpx_test_rand(&seed);
        }
        ui_area_t all = {0, 0, FW, FH}, sa = {6, 5, 30, 18};
        dma2d_blit_t b;
        CHECK(dma2d_clip_blit(&fb, &all, sa.x0 + moves[m][0], sa.y0 + moves[m][1], &fb, &sa, &b));
        dma2d_surface_t s = {FB_BASE, fb.stride, fb.width, fb.height, fb.format};
        dma2d_regs_t r;
        CHECK(!dma2d_plan_copy(&s, &s, &b, &r));
        CHECK_EQ(dma2d_soft_blit(&fb, &fb, &b), (uint32_t)b.w * (uint32_t)b.h);
        // Reference: through a copy of the source rows.
        static uint8_t tmp[FW * FH * 2];
        memcpy(tmp, ref, sizeof ref);
        for (int32_t y = 0; y < b.h; y++) {
            memcpy(ref + (size_t)(b.dy + y) * fb.stride + (size_t)b.dx * 2u,
                tmp + (size_t)(b.sy + y) * fb.stride + (size_t)b.sx * 2u, (size_t)b.w * 2u);
        }
        CHECKF(memcmp(sw_mem, ref, sizeof ref) == 0, "move %d,%d", (int)moves[m][0],
            (int)moves[m][1]);
    }
    // Converting within one buffer is refused outright.
    ui_fb_t as32 = fb;
    as32.format = UI_FMT_ARGB8888;
    as32.stride = FW * 2;
    as32.width = FW / 2;
    dma2d_blit_t b = {0, 1, 0, 0, 4, 4};
    CHECK_EQ(dma2d_soft_blit(&as32, &fb, &b), 0);
}

int main(void) {
    RUN_TEST(test_otm8009a_sequence);
    RUN_TEST(test_nt35510_sequence);
    RUN_TEST(test_sequence_send_failure);
    RUN_TEST(test_probe);
    RUN_TEST(test_colour_modes);
    RUN_TEST(test_dsi_pll);
    RUN_TEST(test_dsi_video);
    RUN_TEST(test_dsi_phy_and_packets);
    RUN_TEST(test_dma2d_fill_matches_software);
    RUN_TEST(test_fill_fallback);
    RUN_TEST(test_dma2d_refusals);
    RUN_TEST(test_blit_clipping);
    RUN_TEST(test_blit_matches);
    RUN_TEST(test_blit_overlap);
    printf("%u checks, %u failed\n", mpx_test_checks, mpx_test_failures);
    return mpx_test_failures != 0;
}
