/*
 * urpc: frames for an object RPC over any byte stream (UART, TCP, pty, pipe).
 *
 * SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the mpx developers
 *
 * A frame is a 10-byte header, a body and a 4-byte trailer:
 *
 *     offset  size  field
 *     0       2     sync: 0xB7 0x5E
 *     2       1     low nibble: kind (1 request, 2 reply, 3 error);
 *                   high nibble: frame format version (1)
 *     3       2     id, little-endian: a reply carries its request's id
 *     5       3     body length, little-endian (at most 16 MiB - 1, and at
 *                   most the receiver's configured limit)
 *     8       2     CRC-16/CCITT-FALSE of bytes 0..7, little-endian
 *     10      n     body (a MessagePack array, see docs/urpc-protocol.md)
 *     10+n    4     CRC-32 (IEEE 802.3, as zlib) of the body, little-endian
 *
 * The header has its own CRC so that a damaged length is never trusted: a
 * receiver does not wait for a body that was never sent. After any damage
 * (garbage, a lost or flipped byte) the deframer drops one byte and looks for
 * the next sync, so it finds the next good frame by itself; frames it returns
 * have passed both CRCs. There is no byte stuffing: a bulk payload costs 14
 * bytes per frame, not a fraction of every byte.
 *
 * No allocation, no I/O: the caller owns the buffer and moves the bytes.
 */
#ifndef URPC_H
#define URPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define URPC_SYNC0 0xB7u
#define URPC_SYNC1 0x5Eu
#define URPC_FORMAT 1u
#define URPC_HEADER_SIZE 10u
#define URPC_TRAILER_SIZE 4u
#define URPC_OVERHEAD (URPC_HEADER_SIZE + URPC_TRAILER_SIZE)
#define URPC_MAX_BODY 0xFFFFFFu

/** Frame kinds (the low nibble of byte 2). */
typedef enum urpc_kind {
    URPC_REQUEST = 1,
    URPC_REPLY = 2,
    URPC_ERROR = 3,
} urpc_kind_t;

typedef enum urpc_status {
    URPC_OK = 0,
    URPC_NEED_MORE,    /**< no complete frame yet: feed at least `need` more bytes */
    URPC_ERR_ARG,      /**< bad argument: body too long, buffer too small */
} urpc_status_t;

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF); pass 0xFFFF to start. */
uint16_t urpc_crc16(uint16_t crc, const uint8_t *p, size_t n);

/** CRC-32 as zlib's crc32(): pass 0 to start, the result to continue. */
uint32_t urpc_crc32(uint32_t crc, const uint8_t *p, size_t n);

/** Write the header of a frame of @p kind, @p id and @p body_len bytes.
 *  @return URPC_OK, or URPC_ERR_ARG if body_len > URPC_MAX_BODY or the kind
 *  is not 1..15. */
urpc_status_t urpc_header(uint8_t out[URPC_HEADER_SIZE], unsigned kind, uint16_t id, size_t body_len);

/** Write the trailer (CRC-32 of the body). */
void urpc_trailer(uint8_t out[URPC_TRAILER_SIZE], const uint8_t *body, size_t body_len);

/** Write a whole frame (header, a copy of the body, trailer) to @p out,
 *  which holds body_len + URPC_OVERHEAD bytes. @return as urpc_header
 *  (nothing is written on URPC_ERR_ARG). */
urpc_status_t urpc_frame_write(uint8_t *out, unsigned kind, uint16_t id, const uint8_t *body, size_t body_len);

/** A frame found by the deframer; body points into its buffer and stays
 *  valid until the next call that changes the deframer. */
typedef struct urpc_frame {
    uint8_t kind;
    uint16_t id;
    const uint8_t *body;
    size_t len;
} urpc_frame_t;

typedef struct urpc_deframer {
    uint8_t *buf;          /**< caller's buffer */
    size_t cap;            /**< its size: at least max_body + URPC_OVERHEAD */
    size_t start;          /**< first byte not yet examined */
    size_t end;            /**< end of the bytes held */
    size_t max_body;       /**< longer bodies are damage */
    size_t consumed;       /**< bytes of the frame last returned, dropped on the next call */
    size_t need;           /**< after URPC_NEED_MORE: bytes needed at least */
    size_t crc_len;        /**< body bytes of the frame at start already in crc */
    uint32_t crc;          /**< their CRC-32 */
    uint32_t frames;       /**< good frames returned */
    uint32_t dropped;      /**< frames refused: bad CRC, too long, unknown kind */
    uint32_t skipped;      /**< bytes thrown away while looking for a frame */
} urpc_deframer_t;

/** Start a deframer on @p buf. @return URPC_ERR_ARG if cap is too small for
 *  max_body (max_body is also capped at URPC_MAX_BODY). */
urpc_status_t urpc_deframer_init(urpc_deframer_t *d, uint8_t *buf, size_t cap, size_t max_body);

/** Room for incoming bytes: a pointer to write up to *room bytes to; then
 *  call urpc_deframer_commit with the number written. Compacts first. */
uint8_t *urpc_deframer_space(urpc_deframer_t *d, size_t *room);

/** Add @p n bytes written at the pointer urpc_deframer_space returned. */
void urpc_deframer_commit(urpc_deframer_t *d, size_t n);

/** Copy in up to @p n bytes (as much as fits). @return the number taken. */
size_t urpc_deframer_feed(urpc_deframer_t *d, const uint8_t *p, size_t n);

/** The next good frame, or URPC_NEED_MORE. Damaged data is skipped and
 *  counted; it is never an error. */
urpc_status_t urpc_deframer_next(urpc_deframer_t *d, urpc_frame_t *f);

/** Forget everything held (after a timeout, say); statistics are kept. */
void urpc_deframer_clear(urpc_deframer_t *d);

/** Bytes held of a frame not yet complete (0: between frames). */
size_t urpc_deframer_held(const urpc_deframer_t *d);

/** Bytes to feed at least before the next frame can be complete (never 0:
 *  a header's worth when nothing is held). */
size_t urpc_deframer_need(const urpc_deframer_t *d);

#ifdef __cplusplus
}
#endif

#endif // URPC_H
