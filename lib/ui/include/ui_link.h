// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The link between the producer (MicroPython on the CM7, or Python on the
// desktop) and the renderer (the CM4, or the simulator's thread): a shared
// region with a header, a command ring (producer -> renderer) and an event
// ring (renderer -> producer). Only offsets and fixed-width little-endian
// fields cross; text travels inside the records.
//
// Start-up, as on the board: the producer lays the region out
// (ui_link_init), then starts the renderer; the renderer checks the region,
// writes the display's size, format and node capacity into the header and
// sets state READY; the producer waits for that (ui_client_attach).
// ui_link_open is that whole opening sequence for a renderer that keeps
// running between opens (another core): every backend calls it.
//
// Taking a region back: a renderer may be reading the region (attached, or
// part-way through attaching) whenever it holds the magic. The producer
// clears the magic, counts a request in take_back and rings; the renderer,
// on any look at a region without the magic, lets go of it and copies
// take_back into let_go. Only then is it safe to lay the region out again.
#ifndef MPX_UI_LINK_H
#define MPX_UI_LINK_H

#include "ring.h"
#include "ui_scene.h"

#define UI_LINK_MAGIC 0x4b4e4c55u  // "ULNK"
#define UI_LINK_VERSION 2u          // 2: take_back / let_go

enum { UI_STATE_NONE = 0, UI_STATE_READY = 1, UI_STATE_FAILED = 2 };

typedef struct {
    // Line 0-1: written by the producer at init.
    _Atomic uint32_t magic;              // last written by a layout, first cleared by a take-back
    uint32_t version;
    uint32_t region_size;
    uint32_t cmd_offset, cmd_region;     // command ring: offset and bytes
    uint32_t evt_offset, evt_region;     // event ring
    _Atomic uint32_t producer_waiting;   // 1 while the producer waits for room or sync
    // What the producer asks of a renderer whose display is not fixed (the
    // QEMU renderer; a board's panel decides for itself): 0 = its default.
    uint32_t want_width, want_height, want_format, want_max_nodes, want_background;
    _Atomic uint32_t take_back;          // take-back requests made (kept by ui_link_init)
    uint32_t reserved0[2];
    // Line 2-3: written by the renderer.
    _Atomic uint32_t state;
    uint32_t width, height, format, max_nodes;
    _Atomic uint32_t cmds_done;          // commands taken off the ring
    _Atomic uint32_t frame_done;         // last frame number rendered
    _Atomic uint32_t nodes;              // nodes in the scene
    _Atomic uint32_t render_us;          // render time of the last frame
    _Atomic uint32_t pixels_last;        // pixels written by the last frame
    _Atomic uint32_t errors;             // commands refused (corrupt or invalid)
    _Atomic uint32_t input_dropped;      // device input lost on a full event ring
    _Atomic uint32_t input_stalled;      // 1 while an injected event waits for event-ring room
    _Atomic uint32_t events_sent;
    _Atomic uint32_t let_go;             // the last take_back the renderer answered (kept by ui_link_init)
    uint32_t reserved1[1];
} ui_link_header_t;

#define UI_LINK_HEADER_SIZE ((uint32_t)sizeof(ui_link_header_t))

// Bytes a region needs for rings of these data sizes (powers of two).
uint32_t ui_link_region_size(uint32_t cmd_data, uint32_t evt_data);

// Producer: lay out a region of region_size bytes at mem (32-byte aligned),
// the magic last. The header's want_* fields are kept: write them before
// (zero them for a fresh region); so are take_back and let_go. No renderer
// may be reading the region (see ui_link_open).
ui_status_t ui_link_init(void *mem, uint32_t region_size, uint32_t cmd_data, uint32_t evt_data);
// Whether ui_link_init would take these (it writes nothing when it would not).
bool ui_link_layout_ok(const void *mem, uint32_t region_size, uint32_t cmd_data, uint32_t evt_data);

// Either side: attach both rings of a region as the given roles, trusting
// nothing in its header.
ui_status_t ui_link_attach_rings(void *mem, uint32_t region_size, ring_t *cmd, ring_role_t cmd_role,
    ring_t *evt, ring_role_t evt_role);

// Defaults of the desktop simulator and of both Python modules.
#define UI_DEFAULT_WIDTH 800
#define UI_DEFAULT_HEIGHT 480
#define UI_DEFAULT_MAX_NODES 1024u
#define UI_DEFAULT_CMD_RING 65536u
#define UI_DEFAULT_EVT_RING 4096u
#define UI_DEFAULT_TIMEOUT_MS 1000u
#define UI_DISPLAY_MAX 4096     // largest simulated width or height

// Keys a node dict has, per kind (index ui_kind_t), and the keys an event
// dict may have: the bindings refuse any other key, so a misspelt one is an
// error rather than ignored.
#define UI_NODE_KEYS 6
extern const char *const ui_node_keys[3][UI_NODE_KEYS];
#define UI_EVENT_KEYS 5
extern const char *const ui_event_keys[UI_EVENT_KEYS];
// Whether name is one of n keys.
bool ui_key_known(const char *const *keys, size_t n, const char *name, size_t len);

// Commands on the wire.
enum {
    UI_OP_ADD = 1,
    UI_OP_REMOVE = 2,
    UI_OP_REPLACE = 3,
    UI_OP_CLEAR = 4,
    UI_OP_PRESENT = 5,
    UI_OP_INPUT = 6,
};

typedef struct {
    uint8_t op;
    int16_t z;
    uint32_t frame;
    ui_node_t node;
    ui_event_t event;
} ui_cmd_t;

#define UI_REC_MAX (22u + UI_TEXT_MAX)
#define UI_EVT_REC 16u

// Encode a command into buf (UI_REC_MAX bytes); returns its length.
uint32_t ui_cmd_encode(uint8_t *buf, const ui_cmd_t *c);
// Decode and check a command; UI_E_PROTOCOL if it does not add up.
ui_status_t ui_cmd_decode(const uint8_t *p, uint32_t len, ui_cmd_t *c);
void ui_event_encode(uint8_t *buf, const ui_event_t *e);
ui_status_t ui_event_decode(const uint8_t *p, uint32_t len, ui_event_t *e);

// ---- Renderer ----

typedef struct {
    uint32_t (*now_us)(void *ctx);   // a microsecond clock (wraps)
    void (*notify)(void *ctx);       // ring the producer's doorbell
    void *ctx;
} ui_renderer_port_t;

typedef struct {
    ui_link_header_t *hdr;
    ring_t cmd, evt;
    ui_scene_t scene;
    ui_renderer_port_t port;
    uint32_t cmds_done;
    bool events_pending;             // pushed events not yet announced
} ui_renderer_t;

// Check the region, describe the display in its header and set READY.
ui_status_t ui_renderer_attach(ui_renderer_t *r, void *region, uint32_t region_size,
    ui_fb_t *fb, void *scene_mem, size_t scene_mem_size, uint32_t max_nodes,
    uint32_t background, const ui_renderer_port_t *port);

// Apply up to max commands; returns how many were taken. Renders at each
// PRESENT. Stops early (returning fewer) when the ring is empty, when an
// injected event waits for room in the event ring, or on a corrupt ring
// (state FAILED).
uint32_t ui_renderer_poll(ui_renderer_t *r, uint32_t max);

// Input from the device (touch panel, window): hit-test it and send it to
// the producer; UI_E_FULL (and counted) when the event ring has no room.
ui_status_t ui_renderer_input(ui_renderer_t *r, const ui_event_t *e);

// ---- Producer ----

typedef struct {
    uint32_t (*now_ms)(void *ctx);   // a millisecond clock (wraps)
    void (*notify)(void *ctx);       // ring the renderer's doorbell
    void (*wait)(void *ctx, uint32_t ms);  // sleep until our doorbell rings or ms pass
    // The renderer waits for event-ring room and we wait for command-ring
    // room: deliver the waiting events now. Non-OK is returned to the caller
    // and the client touches the region no more (it may have been freed).
    ui_status_t (*drain)(void *ctx);
    void *ctx;
} ui_client_port_t;

typedef struct {
    ui_link_header_t *hdr;
    ring_t cmd, evt;
    ui_client_port_t port;
    uint32_t timeout_ms;
    uint32_t width, height, format, max_nodes;
    uint32_t nodes;                  // as the producer counts them
    uint32_t frame;                  // last frame number sent
    uint32_t cmds_sent;
    uint32_t ops;                    // stack operations sent
    uint32_t waits;                  // times the command ring was full
    bool in_drain;
    uint8_t z_taken[65536u / 8u];
} ui_client_t;

// Wait (up to timeout_ms) for the renderer, then attach.
ui_status_t ui_client_attach(ui_client_t *c, void *region, uint32_t region_size,
    const ui_client_port_t *port, uint32_t timeout_ms);

// The stack operations. Each checks its arguments and the producer's view
// of the scene first, so a bad call fails here, at once, and sends nothing.
ui_status_t ui_client_add(ui_client_t *c, int32_t z, const ui_node_t *n);
ui_status_t ui_client_remove(ui_client_t *c, int32_t z);
ui_status_t ui_client_replace(ui_client_t *c, int32_t z, const ui_node_t *n);
ui_status_t ui_client_clear(ui_client_t *c);
ui_status_t ui_client_present(ui_client_t *c, uint32_t *frame);
ui_status_t ui_client_input(ui_client_t *c, const ui_event_t *e);

// Wait until the renderer has taken every command sent and rendered every
// frame presented.
ui_status_t ui_client_sync(ui_client_t *c);

// The next event from the renderer into *e, *got saying whether there was
// one; UI_E_PROTOCOL if the event ring is corrupt.
ui_status_t ui_client_next_event(ui_client_t *c, ui_event_t *e, bool *got);

bool ui_client_z_taken(const ui_client_t *c, int16_t z);

// Before laying out again a region that a renderer which keeps running
// (another core) may still be reading: if the region holds the magic (or an
// earlier request is unanswered), clear the magic, make a take-back request,
// ring, and wait up to timeout_ms for the renderer to answer it. UI_OK when
// no renderer reads the region any more; UI_E_LINK_HELD when the renderer
// did not answer (stopped, gone, or stuck part-way through an attach): the
// region must then not be laid out.
ui_status_t ui_link_take_back(void *mem, const ui_client_port_t *port, uint32_t timeout_ms);

// What the producer asks of the renderer (the header's want_* fields; 0 is
// the renderer's default; a board's panel fixes width, height and format).
typedef struct {
    uint32_t width, height, format, max_nodes, background;
} ui_link_want_t;

// How a producer reaches a renderer that keeps running between opens.
typedef struct {
    ui_client_port_t port;           // its clock, doorbell and wait (ctx for all hooks)
    // Whether a renderer can be running now: false for a core that has not
    // been started since the last reset (nothing reads the region then, so
    // there is nothing to take back). NULL: it can be.
    bool (*running)(void *ctx);
    // Start the renderer if it is not running (release a held core; a no-op
    // when it runs). NULL: nothing to start.
    void (*start)(void *ctx);
} ui_link_opener_t;

// Open the link, the one sequence every backend runs: take the region back
// from a renderer that may still read it (ui_link_take_back; skipped when
// op->running says none can), write *want, lay the region out, start the
// renderer, ring it. The renderer then attaches and sets READY: wait for
// that with ui_client_attach. UI_E_CONFIG for sizes ui_link_init refuses
// (nothing is touched); UI_E_LINK_HELD when the renderer did not let go
// within timeout_ms (the old layout is left as it is, without its magic).
ui_status_t ui_link_open(void *mem, uint32_t region_size, uint32_t cmd_data, uint32_t evt_data,
    const ui_link_want_t *want, const ui_link_opener_t *op, uint32_t timeout_ms);

#endif
