// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Talking to the DISCO's DSI panel as plain functions: the two controllers'
// power-up sequences as tables of DCS writes, a walker that sends one
// through a small port (packets out, reads back, a delay), the probe that
// asks each controller for its ID, and the pixel format the panel, the DSI
// host and the LTDC must agree on for a framebuffer format. No register
// access: the host compiles this for tests with a recording port;
// h747/display_h747.c gives it a port over the DSI host's generic interface.
#ifndef MPX_CM4_PANEL_INIT_H
#define MPX_CM4_PANEL_INIT_H

#include <stdint.h>

#include "disco_panel.h"
#include "dsi_host.h"
#include "ui_draw.h"

typedef enum {
    PANEL_OK = 0,
    PANEL_E_ARG = -1,        // no sequence for that panel, a colour mode that is not one
    PANEL_E_SEND = -2,       // the host did not take a packet (the port said so)
    PANEL_E_NO_ANSWER = -3,  // neither controller answered its ID read
} panel_status_t;

// DCS commands the sequences and the tests name.
#define PANEL_DCS_NOP 0x00u           // on the OTM8009A also the address shift
#define PANEL_DCS_SLEEP_OUT 0x11u
#define PANEL_DCS_DISPLAY_ON 0x29u
#define PANEL_DCS_COLUMNS 0x2Au
#define PANEL_DCS_ROWS 0x2Bu
#define PANEL_DCS_MEMORY_WRITE 0x2Cu
#define PANEL_DCS_ADDRESS_MODE 0x36u  // MADCTL
#define PANEL_DCS_PIXEL_FORMAT 0x3Au  // COLMOD

// One DCS write of a sequence: command, parameters, then a wait.
#define PANEL_CMD_MAX 16u             // parameter bytes of the longest (OTM8009A gamma)
#define PANEL_F_COLMOD 1u             // the parameter is the run-time pixel format
typedef struct {
    uint8_t cmd;
    uint8_t len;                      // parameter bytes
    uint8_t delay_ms;                 // to wait once it is sent
    uint8_t flags;
    uint8_t param[PANEL_CMD_MAX];
} panel_cmd_t;

typedef struct {
    const panel_cmd_t *cmds;
    uint32_t count;
} panel_seq_t;

// The power-up sequence of a controller, ending with display on and the
// memory write that starts the video stream; NULL for PANEL_UNKNOWN.
const panel_seq_t *panel_sequence(panel_kind_t k);

// The formats the framebuffer, the DSI link and the panel use together:
// RGB565 framebuffers go as 16-bit pixels end to end, ARGB8888 ones as
// 24-bit (as ST's BSP pairs them).
#define PANEL_COLMOD_16BPP 0x55u
#define PANEL_COLMOD_24BPP 0x77u
#define PANEL_LTDC_PF_ARGB8888 0u     // LTDC LxPFCR codes
#define PANEL_LTDC_PF_RGB565 2u
typedef struct {
    uint8_t colmod;                   // the set_pixel_format parameter
    dsi_colc_t colc;                  // the DSI host's and wrapper's coding
    uint32_t ltdc_pf;                 // the LTDC layer's pixel format
} panel_colour_t;
panel_status_t panel_colour_for(ui_format_t f, panel_colour_t *out);

// What the panel code needs from the DSI host.
typedef struct {
    // Queue one packet. 0, or negative when the host did not take it.
    int (*send)(void *ctx, const dsi_packet_t *p);
    // Send a read request and collect n answer bytes into buf. 0, or
    // negative when nothing (or something malformed) came back in time.
    int (*read)(void *ctx, const dsi_packet_t *req, uint8_t *buf, uint32_t n);
    void (*delay_ms)(void *ctx, uint32_t ms);
    void *ctx;
} panel_port_t;

// Send k's sequence with c's pixel format, waiting where it says. Stops at
// the first packet the port refuses (PANEL_E_SEND).
panel_status_t panel_run(const panel_port_t *port, panel_kind_t k, const panel_colour_t *c);

// Read the NT35510's RDID2, and the OTM8009A's ID1 if that was not the
// NT35510's answer (ST's BSP asks in this order), and choose (panel_choose).
// *nt35510_id2 and *otm8009a_id1 get what was read, -1 for a read that
// failed or was not made. PANEL_UNKNOWN when neither answered as expected.
panel_kind_t panel_probe(const panel_port_t *port, int *nt35510_id2, int *otm8009a_id1);

#endif
