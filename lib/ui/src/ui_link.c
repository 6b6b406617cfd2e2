// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The shared region, the wire records, and the renderer's side of the link.
#include "ui_link.h"

#include <string.h>

static uint32_t align32(uint32_t n) {
    return (n + 31u) & ~31u;
}

uint32_t ui_link_region_size(uint32_t cmd_data, uint32_t evt_data) {
    return align32(UI_LINK_HEADER_SIZE) + align32(ring_region_size(cmd_data)) +
           align32(ring_region_size(evt_data));
}

bool ui_link_layout_ok(const void *mem, uint32_t region_size, uint32_t cmd_data, uint32_t evt_data) {
    return mem != NULL && ((uintptr_t)mem & 31u) == 0 && cmd_data <= 0x1000000u &&
           evt_data <= 0x1000000u && region_size >= ui_link_region_size(cmd_data, evt_data) &&
           ring_check_sizes(ring_region_size(cmd_data), cmd_data, UI_REC_MAX) == RING_OK &&
           ring_check_sizes(ring_region_size(evt_data), evt_data, UI_EVT_REC) == RING_OK;
}

ui_status_t ui_link_init(void *mem, uint32_t region_size, uint32_t cmd_data, uint32_t evt_data) {
    if (!ui_link_layout_ok(mem, region_size, cmd_data, evt_data)) {
        return UI_E_CONFIG;
    }
    ui_link_header_t *h = (ui_link_header_t *)mem;
    // Field by field: the want_* fields the producer wrote first stay (a
    // renderer attaches as soon as the magic is there, and must see them by
    // then), and so do take_back and let_go, the take-back handshake.
    atomic_store_explicit(&h->magic, 0, memory_order_relaxed);
    h->version = UI_LINK_VERSION;
    h->region_size = region_size;
    h->cmd_offset = align32(UI_LINK_HEADER_SIZE);
    h->cmd_region = ring_region_size(cmd_data);
    h->evt_offset = h->cmd_offset + align32(h->cmd_region);
    h->evt_region = ring_region_size(evt_data);
    atomic_store_explicit(&h->producer_waiting, 0, memory_order_relaxed);
    memset(h->reserved0, 0, sizeof(h->reserved0));
    atomic_store_explicit(&h->state, UI_STATE_NONE, memory_order_relaxed);
    h->width = h->height = h->format = h->max_nodes = 0;
    _Atomic uint32_t *const counters[] = {&h->cmds_done, &h->frame_done, &h->nodes, &h->render_us,
        &h->pixels_last, &h->errors, &h->input_dropped, &h->input_stalled, &h->events_sent};
    for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
        atomic_store_explicit(counters[i], 0, memory_order_relaxed);
    }
    memset(h->reserved1, 0, sizeof(h->reserved1));
    ring_t tmp;
    if (ring_init(&tmp, (uint8_t *)mem + h->cmd_offset, h->cmd_region, cmd_data, UI_REC_MAX) !=
            RING_OK ||
        ring_init(&tmp, (uint8_t *)mem + h->evt_offset, h->evt_region, evt_data, UI_EVT_REC) !=
            RING_OK) {
        return UI_E_CONFIG;
    }
    atomic_store_explicit(&h->magic, UI_LINK_MAGIC, memory_order_release);
    return UI_OK;
}

ui_status_t ui_link_attach_rings(void *mem, uint32_t region_size, ring_t *cmd, ring_role_t cmd_role,
    ring_t *evt, ring_role_t evt_role) {
    ui_link_header_t *h = (ui_link_header_t *)mem;
    if (mem == NULL || ((uintptr_t)mem & 31u) != 0 || region_size < UI_LINK_HEADER_SIZE ||
        atomic_load_explicit(&h->magic, memory_order_acquire) != UI_LINK_MAGIC ||
        h->version != UI_LINK_VERSION) {
        return UI_E_PROTOCOL;
    }
    uint32_t co = h->cmd_offset, cr = h->cmd_region, eo = h->evt_offset, er = h->evt_region;
    if (co < UI_LINK_HEADER_SIZE || (co & 31u) || (eo & 31u) || co > region_size ||
        cr > region_size - co || eo < co + cr || eo > region_size || er > region_size - eo) {
        return UI_E_PROTOCOL;
    }
    if (ring_attach(cmd, (uint8_t *)mem + co, cr, cmd_role) != RING_OK ||
        ring_attach(evt, (uint8_t *)mem + eo, er, evt_role) != RING_OK ||
        cmd->max_payload < UI_REC_MAX || evt->max_payload < UI_EVT_REC) {
        return UI_E_PROTOCOL;
    }
    return UI_OK;
}

static void put_i16(uint8_t *p, int16_t v) {
    ring_put_u16(p, (uint16_t)v);
}
static int16_t get_i16(const uint8_t *p) {
    return (int16_t)ring_get_u16(p);
}

uint32_t ui_cmd_encode(uint8_t *b, const ui_cmd_t *c) {
    b[0] = c->op;
    b[1] = 0;
    put_i16(b + 2, c->z);
    switch (c->op) {
        case UI_OP_ADD:
        case UI_OP_REPLACE: {
            const ui_node_t *n = &c->node;
            b[1] = n->kind;
            put_i16(b + 4, n->x);
            put_i16(b + 6, n->y);
            ring_put_u16(b + 8, n->w);
            ring_put_u16(b + 10, n->h);
            ring_put_u32(b + 12, n->color);
            ring_put_u32(b + 16, n->bg);
            uint16_t len = n->kind == UI_KIND_TEXT ? n->text_len : 0;
            ring_put_u16(b + 20, len);
            memcpy(b + 22, n->text, len);
            return 22u + len;
        }
        case UI_OP_PRESENT:
            ring_put_u32(b + 4, c->frame);
            return 8;
        case UI_OP_INPUT:
            b[1] = c->event.kind;
            put_i16(b + 4, c->event.x);
            put_i16(b + 6, c->event.y);
            ring_put_u32(b + 8, (uint32_t)c->event.key);
            return 12;
        default:
            return 4;
    }
}

ui_status_t ui_cmd_decode(const uint8_t *b, uint32_t len, ui_cmd_t *c) {
    if (len < 4) {
        return UI_E_PROTOCOL;
    }
    memset(c, 0, offsetof(ui_cmd_t, node) + offsetof(ui_node_t, text));
    memset(&c->event, 0, sizeof(c->event));
    c->op = b[0];
    c->z = get_i16(b + 2);
    switch (c->op) {
        case UI_OP_ADD:
        case UI_OP_REPLACE: {
            if (len < 22) {
                return UI_E_PROTOCOL;
            }
            ui_node_t *n = &c->node;
            n->kind = b[1];
            n->x = get_i16(b + 4);
            n->y = get_i16(b + 6);
            n->w = ring_get_u16(b + 8);
            n->h = ring_get_u16(b + 10);
            n->color = ring_get_u32(b + 12);
            n->bg = ring_get_u32(b + 16);
            n->text_len = ring_get_u16(b + 20);
            if (n->text_len > UI_TEXT_MAX || len != 22u + n->text_len ||
                (n->kind != UI_KIND_TEXT && n->text_len != 0) || ui_node_check(n) != UI_OK) {
                return UI_E_PROTOCOL;
            }
            memcpy(n->text, b + 22, n->text_len);
            return UI_OK;
        }
        case UI_OP_REMOVE:
        case UI_OP_CLEAR:
            return len == 4 ? UI_OK : UI_E_PROTOCOL;
        case UI_OP_PRESENT:
            if (len != 8) {
                return UI_E_PROTOCOL;
            }
            c->frame = ring_get_u32(b + 4);
            return UI_OK;
        case UI_OP_INPUT:
            if (len != 12) {
                return UI_E_PROTOCOL;
            }
            c->event.kind = b[1];
            c->event.x = get_i16(b + 4);
            c->event.y = get_i16(b + 6);
            c->event.key = (int32_t)ring_get_u32(b + 8);
            c->event.target = UI_TARGET_NONE;
            return ui_event_check(&c->event) == UI_OK ? UI_OK : UI_E_PROTOCOL;
        default:
            return UI_E_PROTOCOL;
    }
}

void ui_event_encode(uint8_t *b, const ui_event_t *e) {
    memset(b, 0, UI_EVT_REC);
    b[0] = e->kind;
    b[1] = e->target != UI_TARGET_NONE;
    put_i16(b + 2, b[1] ? (int16_t)e->target : 0);
    put_i16(b + 4, e->x);
    put_i16(b + 6, e->y);
    ring_put_u32(b + 8, (uint32_t)e->key);
}

ui_status_t ui_event_decode(const uint8_t *b, uint32_t len, ui_event_t *e) {
    if (len != UI_EVT_REC || b[1] > 1) {
        return UI_E_PROTOCOL;
    }
    e->kind = b[0];
    e->target = b[1] ? get_i16(b + 2) : UI_TARGET_NONE;
    e->x = get_i16(b + 4);
    e->y = get_i16(b + 6);
    e->key = (int32_t)ring_get_u32(b + 8);
    return ui_event_check(e) == UI_OK ? UI_OK : UI_E_PROTOCOL;
}

// ---- Renderer ----

ui_status_t ui_renderer_attach(ui_renderer_t *r, void *region, uint32_t region_size,
    ui_fb_t *fb, void *scene_mem, size_t scene_mem_size, uint32_t max_nodes,
    uint32_t background, const ui_renderer_port_t *port) {
    memset(r, 0, sizeof(*r));
    ui_status_t st = ui_link_attach_rings(region, region_size, &r->cmd, RING_CONSUMER, &r->evt,
        RING_PRODUCER);
    if (st != UI_OK) {
        return st;
    }
    st = ui_scene_init(&r->scene, scene_mem, scene_mem_size, max_nodes, fb, background);
    if (st != UI_OK) {
        return st;
    }
    r->hdr = (ui_link_header_t *)region;
    r->port = *port;
    ui_link_header_t *h = r->hdr;
    h->width = (uint32_t)fb->width;
    h->height = (uint32_t)fb->height;
    h->format = (uint32_t)fb->format;
    h->max_nodes = max_nodes;
    atomic_store_explicit(&h->state, UI_STATE_READY, memory_order_release);
    r->port.notify(r->port.ctx);
    return UI_OK;
}

static ui_status_t push_event(ui_renderer_t *r, ui_event_t *e) {
    int16_t z;
    e->target = ui_scene_hit(&r->scene, e->x, e->y, &z) ? z : UI_TARGET_NONE;
    uint8_t *p;
    if (ring_reserve(&r->evt, UI_EVT_REC, &p) != RING_OK) {
        return UI_E_FULL;
    }
    ui_event_encode(p, e);
    ring_commit(&r->evt);
    atomic_fetch_add_explicit(&r->hdr->events_sent, 1, memory_order_relaxed);
    r->events_pending = true;
    return UI_OK;
}

ui_status_t ui_renderer_input(ui_renderer_t *r, const ui_event_t *e) {
    ui_event_t ev = *e;
    if (ui_event_check(&ev) != UI_OK) {
        return UI_E_KIND;
    }
    ui_status_t st = push_event(r, &ev);
    if (st != UI_OK) {
        atomic_fetch_add_explicit(&r->hdr->input_dropped, 1, memory_order_relaxed);
        return st;
    }
    r->events_pending = false;
    r->port.notify(r->port.ctx);
    return UI_OK;
}

static void refuse(ui_renderer_t *r) {
    atomic_fetch_add_explicit(&r->hdr->errors, 1, memory_order_relaxed);
}

static void present(ui_renderer_t *r, uint32_t frame) {
    uint32_t t0 = r->port.now_us(r->port.ctx);
    uint32_t px = ui_scene_render(&r->scene);
    uint32_t t1 = r->port.now_us(r->port.ctx);
    ui_link_header_t *h = r->hdr;
    atomic_store_explicit(&h->render_us, t1 - t0, memory_order_relaxed);
    atomic_store_explicit(&h->pixels_last, px, memory_order_relaxed);
    atomic_store_explicit(&h->frame_done, frame, memory_order_release);
}

uint32_t ui_renderer_poll(ui_renderer_t *r, uint32_t max) {
    ui_link_header_t *h = r->hdr;
    uint32_t taken = 0;
    bool wake = false;
    while (taken < max) {
        const uint8_t *p;
        uint32_t len;
        ring_status_t rs = ring_peek(&r->cmd, &p, &len);
        if (rs == RING_EMPTY) {
            break;
        }
        if (rs != RING_OK) {
            atomic_store_explicit(&h->state, UI_STATE_FAILED, memory_order_release);
            wake = true;
            break;
        }
        ui_cmd_t c;
        ui_status_t st = ui_cmd_decode(p, len, &c);
        if (st == UI_OK && c.op == UI_OP_INPUT) {
            if (push_event(r, &c.event) != UI_OK) {
                // No room for the answer: leave the command in the ring
                // until the producer takes events; nothing is lost.
                atomic_store_explicit(&h->input_stalled, 1, memory_order_release);
                wake = true;
                break;
            }
            atomic_store_explicit(&h->input_stalled, 0, memory_order_relaxed);
        }
        ring_pop(&r->cmd);
        taken++;
        if (st != UI_OK) {
            refuse(r);
        } else {
            switch (c.op) {
                case UI_OP_ADD:
                    st = ui_scene_add(&r->scene, c.z, &c.node);
                    break;
                case UI_OP_REMOVE:
                    st = ui_scene_remove(&r->scene, c.z);
                    break;
                case UI_OP_REPLACE:
                    st = ui_scene_replace(&r->scene, c.z, &c.node);
                    break;
                case UI_OP_CLEAR:
                    ui_scene_clear(&r->scene);
                    break;
                case UI_OP_PRESENT:
                    present(r, c.frame);
                    wake = true;
                    break;
                default:
                    break;
            }
            if (st != UI_OK) {
                refuse(r);
            }
        }
        r->cmds_done++;
        atomic_store_explicit(&h->nodes, r->scene.count, memory_order_relaxed);
        atomic_store_explicit(&h->cmds_done, r->cmds_done, memory_order_release);
    }
    if (taken > 0 && (ring_used(&r->cmd) == 0 ||
                         atomic_load_explicit(&h->producer_waiting, memory_order_acquire))) {
        wake = true;
    }
    if (r->events_pending || wake) {
        r->events_pending = false;
        r->port.notify(r->port.ctx);
    }
    return taken;
}
