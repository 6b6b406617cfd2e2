// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// ring: a single-producer single-consumer ring of variable-length records in
// a fixed shared region, for two cores (or two threads) that share memory but
// nothing else. The region holds no pointers: a header (magic, version,
// sizes), the producer's head and the consumer's tail each on their own
// 32-byte line, then the data. Both indices are free-running byte counts.
//
// A record is a 4-byte little-endian length word, then the payload, padded to
// 4 bytes. A record never wraps: when it does not fit before the end of the
// data area, the producer writes a pad word (RING_PAD) and starts again at 0.
//
// Ordering: the producer writes a record, then publishes head with a release
// store; the consumer reads head with an acquire load before reading the
// record, and publishes tail with a release store once it is done with it.
// On Cortex-M these are DMB-fenced accesses. On a Cortex-M7 the region must
// be non-cacheable (MPU) or cleaned/invalidated by the port; the M4 has no
// data cache.
//
// The consumer trusts nothing it reads: a header, index or length that does
// not add up gives RING_CORRUPT, never an out-of-bounds access.
#ifndef MPX_RING_H
#define MPX_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define RING_MAGIC 0x474e4952u  // "RING"
#define RING_VERSION 1u
#define RING_LINE 32u           // Cortex-M7 cache line
#define RING_PAD 0xffffffffu    // length word: skip to the start of the data area

typedef enum {
    RING_OK = 0,
    RING_EMPTY,        // consumer: nothing to read
    RING_FULL,         // producer: not enough space now; try again later
    RING_TOO_BIG,      // producer: the record can never fit in this ring
    RING_BAD_CONFIG,   // init/attach: sizes or alignment unusable
    RING_CORRUPT,      // consumer: the shared header or a record does not add up
} ring_status_t;

// The shared header. Exactly 3 lines (96 bytes); data follows it.
typedef struct {
    uint32_t magic;
    uint32_t version;
    uint32_t data_size;       // bytes of data area, a power of two
    uint32_t max_payload;     // largest payload a record may carry
    uint32_t reserved[4];
    _Atomic uint32_t head;    // written by the producer only
    uint8_t head_pad[RING_LINE - sizeof(uint32_t)];
    _Atomic uint32_t tail;    // written by the consumer only
    uint8_t tail_pad[RING_LINE - sizeof(uint32_t)];
} ring_header_t;

#define RING_HEADER_SIZE ((uint32_t)sizeof(ring_header_t))

// One side's private handle: where the region is, and this side's counters.
typedef struct {
    ring_header_t *hdr;
    uint8_t *data;
    uint32_t size;            // data_size
    uint32_t mask;
    uint32_t max_payload;
    uint32_t pos;             // producer: head; consumer: tail (private copy)
    uint32_t other;           // last seen value of the other side's index
    uint32_t pending;         // bytes of the reserved / peeked record (0: none)
    uint32_t high_water;      // producer: most bytes ever in use
    uint32_t full_count;      // producer: times a reserve found no space
    ring_status_t broken;     // consumer: RING_CORRUPT once seen, sticky
} ring_t;

// Bytes a region needs for a data area of data_size.
static inline uint32_t ring_region_size(uint32_t data_size) {
    return RING_HEADER_SIZE + data_size;
}

// Producer side: lay out a fresh region of region_size bytes at mem (aligned
// to 4; 32 recommended) with a data area of data_size (a power of two >= 64)
// and attach to it. max_payload <= data_size / 2 - 4.
ring_status_t ring_init(ring_t *r, void *mem, uint32_t region_size, uint32_t data_size,
    uint32_t max_payload);

// Whether ring_init would take these sizes: RING_OK or RING_BAD_CONFIG.
ring_status_t ring_check_sizes(uint32_t region_size, uint32_t data_size, uint32_t max_payload);

typedef enum { RING_CONSUMER = 0, RING_PRODUCER = 1 } ring_role_t;

// Attach as one side to a region initialised by ring_init (here or on the
// other core), after checking its header against the region's size.
ring_status_t ring_attach(ring_t *r, void *mem, uint32_t region_size, ring_role_t role);

// Producer: reserve room for a payload of len bytes; *payload points at it.
// RING_FULL leaves the ring unchanged. Fill the payload, then commit.
ring_status_t ring_reserve(ring_t *r, uint32_t len, uint8_t **payload);
void ring_commit(ring_t *r);

// Producer: reserve + copy + commit.
ring_status_t ring_write(ring_t *r, const void *payload, uint32_t len);

// Consumer: the oldest record, without removing it. RING_EMPTY or
// RING_CORRUPT otherwise. The payload stays valid until ring_pop.
ring_status_t ring_peek(ring_t *r, const uint8_t **payload, uint32_t *len);
void ring_pop(ring_t *r);

// Either side: bytes in use now (as this side sees it).
uint32_t ring_used(ring_t *r);

// Little-endian field helpers for record payloads.
static inline void ring_put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void ring_put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline uint16_t ring_get_u16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t ring_get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

#endif
