// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The producer's side of the link. It keeps its own view of which z are
// taken and how many nodes there are, so that a bad call fails at once even
// though the renderer applies commands later.
#include "ui_link.h"

#include <string.h>

static uint32_t elapsed(const ui_client_t *c, uint32_t start) {
    return c->port.now_ms(c->port.ctx) - start;
}

ui_status_t ui_client_attach(ui_client_t *c, void *region, uint32_t region_size,
    const ui_client_port_t *port, uint32_t timeout_ms) {
    memset(c, 0, sizeof(*c));
    c->port = *port;
    c->timeout_ms = timeout_ms;
    ui_link_header_t *h = (ui_link_header_t *)region;
    uint32_t start = port->now_ms(port->ctx);
    for (;;) {
        uint32_t state = atomic_load_explicit(&h->state, memory_order_acquire);
        if (state == UI_STATE_READY) {
            break;
        }
        if (state == UI_STATE_FAILED || elapsed(c, start) >= timeout_ms) {
            return UI_E_NO_RENDERER;
        }
        port->wait(port->ctx, 1);
    }
    ui_status_t st = ui_link_attach_rings(region, region_size, &c->cmd, RING_PRODUCER, &c->evt,
        RING_CONSUMER);
    if (st != UI_OK) {
        return st;
    }
    c->hdr = h;
    c->width = h->width;
    c->height = h->height;
    c->format = h->format;
    c->max_nodes = h->max_nodes;
    c->frame = atomic_load_explicit(&h->frame_done, memory_order_acquire);
    if (c->max_nodes == 0 || c->max_nodes > 65536u) {
        return UI_E_PROTOCOL;
    }
    return UI_OK;
}

bool ui_client_z_taken(const ui_client_t *c, int16_t z) {
    uint16_t i = (uint16_t)z;
    return (((unsigned)c->z_taken[i >> 3] >> (i & 7u)) & 1u) != 0u;
}

static void set_taken(ui_client_t *c, int16_t z, bool on) {
    uint16_t i = (uint16_t)z;
    if (on) {
        c->z_taken[i >> 3] = (uint8_t)(c->z_taken[i >> 3] | (1u << (i & 7u)));
    } else {
        c->z_taken[i >> 3] = (uint8_t)(c->z_taken[i >> 3] & ~(1u << (i & 7u)));
    }
}

static bool renderer_failed(const ui_client_t *c) {
    return atomic_load_explicit(&c->hdr->state, memory_order_acquire) != UI_STATE_READY;
}

// Wait a little for the renderer: deliver events first if it is stuck on a
// full event ring, then sleep until its doorbell or 1 ms.
static ui_status_t wait_step(ui_client_t *c) {
    if (atomic_load_explicit(&c->hdr->input_stalled, memory_order_acquire) && c->port.drain &&
        !c->in_drain) {
        c->in_drain = true;
        ui_status_t st = c->port.drain(c->port.ctx);
        c->in_drain = false;
        if (st != UI_OK) {
            return st;
        }
    }
    c->port.wait(c->port.ctx, 1);
    return UI_OK;
}

// Wait until ready(c, arg) holds, the renderer fails, or the timeout passes.
static ui_status_t wait_until(ui_client_t *c, bool (*ready)(ui_client_t *, void *), void *arg) {
    uint32_t start = c->port.now_ms(c->port.ctx);
    atomic_store_explicit(&c->hdr->producer_waiting, 1, memory_order_release);
    c->port.notify(c->port.ctx);
    ui_status_t st = UI_OK;
    for (;;) {
        if (renderer_failed(c)) {
            st = UI_E_PROTOCOL;  // it found the region corrupt and stopped
        } else if (ready(c, arg)) {
            break;
        } else if (elapsed(c, start) >= c->timeout_ms) {
            st = UI_E_TIMEOUT;
        } else if ((st = wait_step(c)) != UI_OK) {
            // The drain hook failed: the link may be gone (a callback that
            // stopped the display); touch nothing of it.
            return st;
        }
        if (st != UI_OK) {
            break;
        }
    }
    atomic_store_explicit(&c->hdr->producer_waiting, 0, memory_order_relaxed);
    return st;
}

typedef struct {
    const uint8_t *rec;
    uint32_t len;
    ring_status_t rs;
} pending_t;

static bool written(ui_client_t *c, void *arg) {
    pending_t *p = arg;
    p->rs = ring_write(&c->cmd, p->rec, p->len);
    return p->rs != RING_FULL;
}

static bool all_done(ui_client_t *c, void *arg) {
    (void)arg;
    return atomic_load_explicit(&c->hdr->cmds_done, memory_order_acquire) == c->cmds_sent;
}

// Send one command, waiting up to the timeout for room.
static ui_status_t send(ui_client_t *c, const ui_cmd_t *cmd) {
    if (renderer_failed(c)) {
        return UI_E_PROTOCOL;  // nothing more goes onto a link the renderer gave up
    }
    uint8_t rec[UI_REC_MAX];
    pending_t p = {rec, ui_cmd_encode(rec, cmd), RING_FULL};
    if (!written(c, &p)) {
        c->waits++;
        ui_status_t st = wait_until(c, written, &p);
        if (st != UI_OK) {
            return st;
        }
    }
    if (p.rs != RING_OK) {
        return UI_E_PROTOCOL;
    }
    c->cmds_sent++;
    return UI_OK;
}

static ui_status_t check_z(int32_t z) {
    return z < INT16_MIN || z > INT16_MAX ? UI_E_RANGE : UI_OK;
}

// Add (replace = false) or replace a node: check, then send.
static ui_status_t put_node(ui_client_t *c, int32_t z, const ui_node_t *n, bool replace) {
    ui_status_t st = check_z(z);
    if (st == UI_OK) {
        st = ui_node_check(n);
    }
    if (st != UI_OK) {
        return st;
    }
    bool taken = ui_client_z_taken(c, (int16_t)z);
    if (replace && !taken) {
        return UI_E_Z_MISSING;
    }
    if (!replace && taken) {
        return UI_E_Z_TAKEN;
    }
    if (!replace && c->nodes >= c->max_nodes) {
        return UI_E_FULL;
    }
    ui_cmd_t cmd;
    cmd.op = replace ? UI_OP_REPLACE : UI_OP_ADD;
    cmd.z = (int16_t)z;
    memcpy(&cmd.node, n, offsetof(ui_node_t, text) + n->text_len);
    st = send(c, &cmd);
    if (st == UI_OK) {
        if (!replace) {
            set_taken(c, (int16_t)z, true);
            c->nodes++;
        }
        c->ops++;
    }
    return st;
}

ui_status_t ui_client_add(ui_client_t *c, int32_t z, const ui_node_t *n) {
    return put_node(c, z, n, false);
}

ui_status_t ui_client_replace(ui_client_t *c, int32_t z, const ui_node_t *n) {
    return put_node(c, z, n, true);
}

ui_status_t ui_client_remove(ui_client_t *c, int32_t z) {
    ui_status_t st = check_z(z);
    if (st != UI_OK) {
        return st;
    }
    if (!ui_client_z_taken(c, (int16_t)z)) {
        return UI_E_Z_MISSING;
    }
    ui_cmd_t cmd = {.op = UI_OP_REMOVE, .z = (int16_t)z};
    st = send(c, &cmd);
    if (st == UI_OK) {
        set_taken(c, (int16_t)z, false);
        c->nodes--;
        c->ops++;
    }
    return st;
}

ui_status_t ui_client_clear(ui_client_t *c) {
    ui_cmd_t cmd = {.op = UI_OP_CLEAR};
    ui_status_t st = send(c, &cmd);
    if (st == UI_OK) {
        memset(c->z_taken, 0, sizeof(c->z_taken));
        c->nodes = 0;
        c->ops++;
    }
    return st;
}

ui_status_t ui_client_present(ui_client_t *c, uint32_t *frame) {
    ui_cmd_t cmd = {.op = UI_OP_PRESENT, .frame = c->frame + 1u};
    ui_status_t st = send(c, &cmd);
    if (st == UI_OK) {
        c->frame++;
        c->port.notify(c->port.ctx);
        if (frame != NULL) {
            *frame = c->frame;
        }
    }
    return st;
}

ui_status_t ui_client_input(ui_client_t *c, const ui_event_t *e) {
    ui_status_t st = ui_event_check(e);
    if (st != UI_OK) {
        return st;
    }
    ui_cmd_t cmd;
    memset(&cmd, 0, offsetof(ui_cmd_t, node));
    cmd.op = UI_OP_INPUT;
    cmd.event = *e;
    st = send(c, &cmd);
    if (st == UI_OK) {
        c->port.notify(c->port.ctx);
    }
    return st;
}

ui_status_t ui_client_sync(ui_client_t *c) {
    return wait_until(c, all_done, NULL);
}

ui_status_t ui_client_next_event(ui_client_t *c, ui_event_t *e, bool *got) {
    const uint8_t *p;
    uint32_t len;
    *got = false;
    ring_status_t rs = ring_peek(&c->evt, &p, &len);
    if (rs == RING_EMPTY) {
        return UI_OK;
    }
    if (rs != RING_OK) {
        return UI_E_PROTOCOL;
    }
    ui_status_t st = ui_event_decode(p, len, e);
    ring_pop(&c->evt);
    if (st == UI_OK) {
        *got = true;
    }
    return st;
}

ui_status_t ui_link_take_back(void *mem, const ui_client_port_t *port, uint32_t timeout_ms) {
    ui_link_header_t *h = (ui_link_header_t *)mem;
    uint32_t asked = atomic_load_explicit(&h->take_back, memory_order_relaxed);
    if (atomic_load_explicit(&h->magic, memory_order_acquire) != UI_LINK_MAGIC &&
        atomic_load_explicit(&h->let_go, memory_order_acquire) == asked) {
        // Never laid out, or taken back and answered: a renderer that took
        // it has let go, and none takes a region without the magic.
        return UI_OK;
    }
    // A renderer may be reading it: attached, or part-way through an attach
    // (its state still NONE). The magic goes first, then the request.
    atomic_store_explicit(&h->magic, 0, memory_order_seq_cst);
    asked++;
    atomic_store_explicit(&h->take_back, asked, memory_order_release);
    port->notify(port->ctx);
    uint32_t start = port->now_ms(port->ctx);
    while (atomic_load_explicit(&h->let_go, memory_order_acquire) != asked) {
        if ((uint32_t)(port->now_ms(port->ctx) - start) >= timeout_ms) {
            return UI_E_LINK_HELD;
        }
        port->wait(port->ctx, 1);
    }
    return UI_OK;
}

ui_status_t ui_link_open(void *mem, uint32_t region_size, uint32_t cmd_data, uint32_t evt_data,
    const ui_link_want_t *want, const ui_link_opener_t *op, uint32_t timeout_ms) {
    if (!ui_link_layout_ok(mem, region_size, cmd_data, evt_data)) {
        return UI_E_CONFIG;
    }
    void *ctx = op->port.ctx;
    if (op->running == NULL || op->running(ctx)) {
        ui_status_t st = ui_link_take_back(mem, &op->port, timeout_ms);
        if (st != UI_OK) {
            return st;  // never lay the region out under a reader
        }
    }
    // What the display should be, before the magic that lets the renderer in.
    ui_link_header_t *h = (ui_link_header_t *)mem;
    h->want_width = want->width;
    h->want_height = want->height;
    h->want_format = want->format;
    h->want_max_nodes = want->max_nodes;
    h->want_background = want->background;
    ui_status_t st = ui_link_init(mem, region_size, cmd_data, evt_data);
    if (st != UI_OK) {
        return st;
    }
    if (op->start != NULL) {
        op->start(ctx);
    }
    // A renderer that runs sleeps until its doorbell: starting a core that
    // already runs does nothing, so the ring is what makes it look.
    op->port.notify(ctx);
    return UI_OK;
}
