// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "ring.h"

#include <string.h>

static uint32_t round4(uint32_t n) {
    return (n + 3u) & ~3u;
}

static int is_pow2(uint32_t n) {
    return n != 0 && (n & (n - 1u)) == 0;
}

ring_status_t ring_check_sizes(uint32_t region_size, uint32_t data_size, uint32_t max_payload) {
    if (!is_pow2(data_size) || data_size < 64u || data_size > 0x40000000u) {
        return RING_BAD_CONFIG;
    }
    if (region_size < RING_HEADER_SIZE || region_size - RING_HEADER_SIZE < data_size) {
        return RING_BAD_CONFIG;
    }
    // A record must always fit after a pad, whatever the position.
    if (max_payload == 0 || max_payload > data_size / 2u - 4u) {
        return RING_BAD_CONFIG;
    }
    return RING_OK;
}

static void attach_fields(ring_t *r, void *mem, uint32_t data_size, uint32_t max_payload) {
    memset(r, 0, sizeof(*r));
    r->hdr = (ring_header_t *)mem;
    r->data = (uint8_t *)mem + RING_HEADER_SIZE;
    r->size = data_size;
    r->mask = data_size - 1u;
    r->max_payload = max_payload;
}

ring_status_t ring_init(ring_t *r, void *mem, uint32_t region_size, uint32_t data_size,
    uint32_t max_payload) {
    if (mem == NULL || ((uintptr_t)mem & 3u) != 0) {
        return RING_BAD_CONFIG;
    }
    ring_status_t st = ring_check_sizes(region_size, data_size, max_payload);
    if (st != RING_OK) {
        return st;
    }
    ring_header_t *h = (ring_header_t *)mem;
    memset(h, 0, sizeof(*h));
    h->version = RING_VERSION;
    h->data_size = data_size;
    h->max_payload = max_payload;
    atomic_store_explicit(&h->head, 0, memory_order_relaxed);
    atomic_store_explicit(&h->tail, 0, memory_order_relaxed);
    // The magic goes last: a side that sees it sees the rest.
    atomic_thread_fence(memory_order_release);
    h->magic = RING_MAGIC;
    attach_fields(r, mem, data_size, max_payload);
    return RING_OK;
}

ring_status_t ring_attach(ring_t *r, void *mem, uint32_t region_size, ring_role_t role) {
    if (mem == NULL || ((uintptr_t)mem & 3u) != 0 || region_size < RING_HEADER_SIZE) {
        return RING_BAD_CONFIG;
    }
    ring_header_t *h = (ring_header_t *)mem;
    if (h->magic != RING_MAGIC || h->version != RING_VERSION) {
        return RING_BAD_CONFIG;
    }
    atomic_thread_fence(memory_order_acquire);
    uint32_t data_size = h->data_size;
    uint32_t max_payload = h->max_payload;
    ring_status_t st = ring_check_sizes(region_size, data_size, max_payload);
    if (st != RING_OK) {
        return st;
    }
    attach_fields(r, mem, data_size, max_payload);
    uint32_t head = atomic_load_explicit(&h->head, memory_order_acquire);
    uint32_t tail = atomic_load_explicit(&h->tail, memory_order_acquire);
    r->pos = role == RING_PRODUCER ? head : tail;
    r->other = role == RING_PRODUCER ? tail : head;
    return RING_OK;
}

uint32_t ring_used(ring_t *r) {
    uint32_t head = atomic_load_explicit(&r->hdr->head, memory_order_acquire);
    uint32_t tail = atomic_load_explicit(&r->hdr->tail, memory_order_acquire);
    return head - tail;
}

ring_status_t ring_reserve(ring_t *r, uint32_t len, uint8_t **payload) {
    if (len > r->max_payload) {
        return RING_TOO_BIG;
    }
    uint32_t need = 4u + round4(len);
    uint32_t off = r->pos & r->mask;
    uint32_t to_end = r->size - off;
    uint32_t total = to_end < need ? to_end + need : need;
    if (r->size - (r->pos - r->other) < total) {
        r->other = atomic_load_explicit(&r->hdr->tail, memory_order_acquire);
        if (r->size - (r->pos - r->other) < total) {
            r->full_count++;
            return RING_FULL;
        }
    }
    if (to_end < need) {
        ring_put_u32(r->data + off, RING_PAD);
        off = 0;
    }
    r->pending = total;
    *payload = r->data + off + 4u;
    ring_put_u32(r->data + off, len);
    return RING_OK;
}

void ring_commit(ring_t *r) {
    if (r->pending == 0) {
        return;
    }
    r->pos += r->pending;
    r->pending = 0;
    uint32_t used = r->pos - r->other;
    if (used > r->high_water) {
        r->high_water = used;
    }
    atomic_store_explicit(&r->hdr->head, r->pos, memory_order_release);
}

ring_status_t ring_write(ring_t *r, const void *payload, uint32_t len) {
    uint8_t *dst;
    ring_status_t st = ring_reserve(r, len, &dst);
    if (st == RING_OK) {
        if (len != 0) {
            memcpy(dst, payload, len);
        }
        ring_commit(r);
    }
    return st;
}

ring_status_t ring_peek(ring_t *r, const uint8_t **payload, uint32_t *len) {
    if (r->broken != RING_OK) {
        return r->broken;
    }
    for (;;) {
        uint32_t avail = r->other - r->pos;
        if (avail == 0) {
            r->other = atomic_load_explicit(&r->hdr->head, memory_order_acquire);
            avail = r->other - r->pos;
            if (avail == 0) {
                return RING_EMPTY;
            }
        }
        uint32_t off = r->pos & r->mask;
        uint32_t to_end = r->size - off;
        if (avail > r->size || avail < 4u || (off & 3u) != 0) {
            break;
        }
        uint32_t n = ring_get_u32(r->data + off);
        if (n == RING_PAD) {
            if (avail < to_end) {
                break;
            }
            // Nothing to keep: hand the padding back at once.
            r->pos += to_end;
            atomic_store_explicit(&r->hdr->tail, r->pos, memory_order_release);
            continue;
        }
        if (n > r->max_payload || 4u + round4(n) > avail || 4u + round4(n) > to_end) {
            break;
        }
        r->pending = 4u + round4(n);
        *payload = r->data + off + 4u;
        *len = n;
        return RING_OK;
    }
    r->broken = RING_CORRUPT;
    return RING_CORRUPT;
}

void ring_pop(ring_t *r) {
    if (r->pending == 0) {
        return;
    }
    r->pos += r->pending;
    r->pending = 0;
    atomic_store_explicit(&r->hdr->tail, r->pos, memory_order_release);
}
