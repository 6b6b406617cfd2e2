/*
 * mpk: a streaming MessagePack encoder and resumable decoder in portable C11.
 *
 * SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the mpx developers
 *
 * The library never allocates. The writer fills a caller-provided buffer and
 * calls a flush callback when it runs out of room; the decoder parses a
 * caller-provided byte range and builds values through a visitor, keeping the
 * containers it has not finished in a caller-provided frame array, so that it
 * can stop at any byte boundary and continue when more bytes arrive.
 *
 * Errors are values (mpk_status_t). Both the writer and the decoder keep the
 * first error they hit ("sticky"); every later call does nothing, so a caller
 * can check once at the end.
 *
 * Conventions of this header:
 *  - all multi-byte fields on the wire are big-endian (the spec says so);
 *  - lengths and counts on the wire are at most UINT32_MAX; a larger size
 *    handed to the writer is MPK_ERR_RANGE, never truncated;
 *  - nothing here prints, aborts or asserts on input.
 */
#ifndef MPK_H
#define MPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef MPK_HAS_CONFIG
#include "mpk_config.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup mpk_config Configuration knobs
 * Define any of these before including mpk.h, or in mpk_config.h together
 * with MPK_HAS_CONFIG.
 * @{
 */

/** Handle type the decoder passes between visitor callbacks. Must be a type
 *  that can be copied and compared with NULL-like zero initialisation. */
#ifndef MPK_OBJ_T
#define MPK_OBJ_T void *
#endif

/** Default nesting limit of the decoder (msgpack-python's unpacker: 1024). */
#ifndef MPK_DEFAULT_MAX_DEPTH
#define MPK_DEFAULT_MAX_DEPTH 1024
#endif

/** Set to 0 to compile out mpk_status_str's table on very small builds. */
#ifndef MPK_STATUS_STRINGS
#define MPK_STATUS_STRINGS 1
#endif

/** 1: the writer's commonest forms are inline code at each call: fixarray
 *  and fixmap headers, and payloads shorter than 32 bytes (most strings)
 *  copied with word moves instead of a call to memcpy. Faster where
 *  unaligned 64-bit access is cheap; elsewhere it only adds code, so the
 *  default is on for 64-bit x86 and Arm hosts only. */
#ifndef MPK_INLINE_FAST_PATHS
#if defined(__x86_64__) || defined(__aarch64__)
#define MPK_INLINE_FAST_PATHS 1
#else
#define MPK_INLINE_FAST_PATHS 0
#endif
#endif

/** @} */

/**
 * @defgroup mpk_status Status codes
 * @{
 */
typedef enum mpk_status {
    /** Success. */
    MPK_OK = 0,
    /** Decoder: the input ends inside an object; feed more bytes.
     *  Not an error: the decoder keeps its partial state. */
    MPK_NEED_MORE,
    /** The writer's flush callback or a caller's I/O failed. */
    MPK_ERR_IO,
    /** The reserved byte 0xc1 was read (msgpack-python: FormatError). */
    MPK_ERR_INVALID,
    /** Input declared complete (final) ends inside an object. */
    MPK_ERR_TRUNCATED,
    /** Nesting deeper than the configured depth limit (StackError). */
    MPK_ERR_DEPTH,
    /** A length or count read from input exceeds its configured limit;
     *  mpk_decoder_t.err_limit says which one. */
    MPK_ERR_LIMIT,
    /** A value does not fit its encoding: a size over UINT32_MAX handed to
     *  the writer, or timestamp nanoseconds over 999999999. */
    MPK_ERR_RANGE,
    /** A timestamp extension (type -1) whose length is not 4, 8 or 12. */
    MPK_ERR_TIMESTAMP,
    /** A grow callback (writer flush or decoder frames) had no memory. */
    MPK_ERR_MEMORY,
    /** A visitor callback failed; the caller holds the real error. */
    MPK_ERR_CALLBACK,
    /** API misuse: a buffer smaller than MPK_WRITER_MIN_BUFFER, a decoder
     *  without frames, a call after an error. */
    MPK_ERR_ARG,
    /** Unpacker: the bytes held would pass max_buffer (BufferFull). */
    MPK_ERR_FULL,
    /** Unpacker: called again from one of its own callbacks (a hook or
     *  the stream's read), which may not change it under its caller. */
    MPK_ERR_BUSY,
    /** Unpacker in exact mode: the stream ended inside an object. */
    MPK_ERR_EOF_INSIDE,
    /** Unpacker in exact mode: the stream ended before an object. */
    MPK_ERR_EOF,
    /** Unpacker in exact mode: a non-blocking stream has nothing now. */
    MPK_ERR_AGAIN,
    /** Unpacker: read_header or read_bytes while an object is half read. */
    MPK_ERR_PARTIAL,
    /** Unpacker: read_header found another type than the one asked for. */
    MPK_ERR_WRONG_TYPE,
} mpk_status_t;

/** The message of a status: what a binding's exception says (see
 *  mpk_error_get), a short description for MPK_ERR_LIMIT and MPK_ERR_DEPTH.
 *  "" when MPK_STATUS_STRINGS is 0. */
const char *mpk_status_str(mpk_status_t status);

/**
 * The exception family a binding raises for each status. Both bindings use
 * this table, so that MicroPython and CPython map errors identically.
 */
typedef enum mpk_exc_kind {
    MPK_EXC_NONE = 0,      /**< MPK_OK, MPK_NEED_MORE */
    MPK_EXC_VALUE,         /**< ValueError */
    MPK_EXC_FORMAT,        /**< msgpack.FormatError (a ValueError) */
    MPK_EXC_STACK,         /**< msgpack.StackError (a ValueError) */
    MPK_EXC_OUT_OF_DATA,   /**< msgpack.OutOfData */
    MPK_EXC_OVERFLOW,      /**< OverflowError */
    MPK_EXC_MEMORY,        /**< MemoryError */
    MPK_EXC_OS,            /**< OSError */
    MPK_EXC_PENDING,       /**< the binding's own pending exception */
    MPK_EXC_RUNTIME,       /**< RuntimeError: misuse of the library */
    MPK_EXC_BUFFER_FULL,   /**< msgpack.BufferFull */
    MPK_EXC_AGAIN,         /**< BlockingIOError (MicroPython: OSError(EAGAIN)) */
} mpk_exc_kind_t;

/** The exception family for @p status, see mpk_exc_kind_t. MPK_NEED_MORE
 *  reaching a binding means the data ended: MPK_EXC_OUT_OF_DATA. */
mpk_exc_kind_t mpk_status_exc(mpk_status_t status);

struct mpk_decoder;

/**
 * What a binding raises for a status, from the one table both bindings use.
 * Raise kind's exception with the message
 *
 *     printf(e.fmt, e.a, e.name, e.b)
 *
 * (every format takes these three arguments in this order, and uses the
 * first few or none; none contains a literal percent sign).
 */
typedef struct mpk_error {
    mpk_exc_kind_t kind;
    const char *fmt;       /**< the message, a printf format (see above) */
    unsigned a;            /**< limit: the length read; depth: the limit */
    const char *name;      /**< limit: "str", "bin", "ext", "array", "map" */
    unsigned b;            /**< limit: the limit */
} mpk_error_t;

/** Fill @p e for @p status. @p d (may be NULL) is the decoder that failed,
 *  for the details of MPK_ERR_LIMIT and MPK_ERR_DEPTH (an unpacker keeps
 *  them after it drops the failed object: pass &u->dec). */
void mpk_error_get(mpk_error_t *e, mpk_status_t status, const struct mpk_decoder *d);

/** @} */

/**
 * @defgroup mpk_writer Writer
 *
 * The writer appends to buf[pos..cap). When a value does not fit, it calls
 * the flush callback, which must make room: a streaming sink writes
 * buf[0..pos) out and sets pos to 0; a growable sink enlarges buf. A flush
 * with need == 0 is the final one (mpk_writer_finish): a streaming sink
 * drains, a growable sink does nothing.
 * @{
 */

/** A streaming writer's buffer must hold at least this many bytes: the
 *  longest header (uint64, float64: 9 bytes) always fits in one piece. */
#define MPK_WRITER_MIN_BUFFER 16

typedef struct mpk_writer mpk_writer_t;

/**
 * Make room for @p need more bytes at buf + pos (see above).
 * @return MPK_OK, or an error that becomes the writer's sticky status.
 * On MPK_OK, at least min(need, MPK_WRITER_MIN_BUFFER) bytes must be free;
 * the writer copies long payloads in pieces if less than @p need is free.
 */
typedef mpk_status_t (*mpk_flush_fn)(mpk_writer_t *w, size_t need);

struct mpk_writer {
    uint8_t *buf;          /**< current buffer (a growable sink may replace it) */
    size_t pos;            /**< bytes written into buf */
    size_t cap;            /**< size of buf */
    mpk_flush_fn flush;    /**< NULL: a fixed buffer; running out is MPK_ERR_MEMORY */
    void *ctx;             /**< the sink's own context */
    mpk_status_t status;   /**< first error, sticky */
    bool compat;           /**< the spec's compatibility mode: no bin, no str8 */
};

/** Start a writer on @p buf of @p cap bytes. Never allocates. */
void mpk_writer_init(mpk_writer_t *w, uint8_t *buf, size_t cap, mpk_flush_fn flush, void *ctx);

/** Compatibility mode (msgpack-python use_bin_type=False): bytes are written
 *  with the str (raw) family and str8 is never used. */
static inline void mpk_writer_set_compat(mpk_writer_t *w, bool compat) {
    w->compat = compat;
}

/** Record @p status as the writer's error if it has none yet. */
void mpk_writer_fail(mpk_writer_t *w, mpk_status_t status);

/** Drain buffered bytes through the flush callback (need == 0).
 *  @return the writer's status. */
mpk_status_t mpk_writer_finish(mpk_writer_t *w);

/** Slow path of the inline writers: make @p n bytes free or fail. */
bool mpk_writer_reserve(mpk_writer_t *w, size_t n);

// Room for n contiguous bytes, or NULL (an error, or a streaming buffer
// smaller than n: callers of n > MPK_WRITER_MIN_BUFFER have a fallback).
static inline uint8_t *mpk__room(mpk_writer_t *w, size_t n) {
    if (w->cap - w->pos >= n || (mpk_writer_reserve(w, n) && w->cap - w->pos >= n)) {
        return w->buf + w->pos;
    }
    return NULL;
}

static inline void mpk__be16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void mpk__be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void mpk__be64(uint8_t *p, uint64_t v) {
    mpk__be32(p, (uint32_t)(v >> 32));
    mpk__be32(p + 4, (uint32_t)v);
}

/** Append @p n raw bytes (payloads; nothing is framed). */
void mpk_write_raw(mpk_writer_t *w, const void *data, size_t n);

// Copy n < 32 bytes: with MPK_INLINE_FAST_PATHS, as two overlapping moves
// of the largest power-of-two width that fits (every byte read and written
// lies inside the n bytes).
static inline void mpk__copy_short(uint8_t *dst, const uint8_t *src, size_t n) {
    #if MPK_INLINE_FAST_PATHS
    uint64_t a, b;
    uint32_t c, d;
    if (n >= 16) {
        uint64_t e, f;
        memcpy(&a, src, 8);
        memcpy(&b, src + 8, 8);
        memcpy(&e, src + n - 16, 8);
        memcpy(&f, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + 8, &b, 8);
        memcpy(dst + n - 16, &e, 8);
        memcpy(dst + n - 8, &f, 8);
    } else if (n >= 8) {
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
        memcpy(&c, src, 4);
        memcpy(&d, src + n - 4, 4);
        memcpy(dst, &c, 4);
        memcpy(dst + n - 4, &d, 4);
    } else if (n > 0) {
        uint8_t first = src[0], mid = src[n / 2], last = src[n - 1];
        dst[0] = first;
        dst[n / 2] = mid;
        dst[n - 1] = last;
    }
    #else
    memcpy(dst, src, n);
    #endif
}

static inline void mpk__write_byte(mpk_writer_t *w, uint8_t b) {
    uint8_t *p = mpk__room(w, 1);
    if (p) {
        *p = b;
        w->pos += 1;
    }
}

static inline void mpk_write_nil(mpk_writer_t *w) {
    mpk__write_byte(w, 0xc0);
}

static inline void mpk_write_bool(mpk_writer_t *w, bool v) {
    mpk__write_byte(w, v ? 0xc3 : 0xc2);
}

/** Write @p v in the shortest unsigned form (positive fixint, uint8..64). */
static inline void mpk_write_uint(mpk_writer_t *w, uint64_t v) {
    uint8_t *p = mpk__room(w, 9);
    if (!p) {
        return;
    }
    if (v < 0x80) {
        p[0] = (uint8_t)v;
        w->pos += 1;
    } else if (v <= 0xff) {
        p[0] = 0xcc;
        p[1] = (uint8_t)v;
        w->pos += 2;
    } else if (v <= 0xffff) {
        p[0] = 0xcd;
        mpk__be16(p + 1, (uint16_t)v);
        w->pos += 3;
    } else if (v <= 0xffffffffu) {
        p[0] = 0xce;
        mpk__be32(p + 1, (uint32_t)v);
        w->pos += 5;
    } else {
        p[0] = 0xcf;
        mpk__be64(p + 1, v);
        w->pos += 9;
    }
}

/** Write @p v in the shortest form: non-negative values as uint, -32..-1 as
 *  a negative fixint, others as int8..int64. */
static inline void mpk_write_int(mpk_writer_t *w, int64_t v) {
    if (v >= 0) {
        mpk_write_uint(w, (uint64_t)v);
        return;
    }
    uint8_t *p = mpk__room(w, 9);
    if (!p) {
        return;
    }
    if (v >= -32) {
        p[0] = (uint8_t)(int8_t)v;
        w->pos += 1;
    } else if (v >= INT8_MIN) {
        p[0] = 0xd0;
        p[1] = (uint8_t)(int8_t)v;
        w->pos += 2;
    } else if (v >= INT16_MIN) {
        p[0] = 0xd1;
        mpk__be16(p + 1, (uint16_t)(int16_t)v);
        w->pos += 3;
    } else if (v >= INT32_MIN) {
        p[0] = 0xd2;
        mpk__be32(p + 1, (uint32_t)(int32_t)v);
        w->pos += 5;
    } else {
        p[0] = 0xd3;
        mpk__be64(p + 1, (uint64_t)v);
        w->pos += 9;
    }
}

/** Write a float32 (0xca). */
static inline void mpk_write_float32(mpk_writer_t *w, float v) {
    uint8_t *p = mpk__room(w, 5);
    if (p) {
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        p[0] = 0xca;
        mpk__be32(p + 1, bits);
        w->pos += 5;
    }
}

/** Write a float64 (0xcb). */
static inline void mpk_write_float64(mpk_writer_t *w, double v) {
    uint8_t *p = mpk__room(w, 9);
    if (p) {
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        p[0] = 0xcb;
        mpk__be64(p + 1, bits);
        w->pos += 9;
    }
}

/** Header of a str of @p n bytes (fixstr, str8 unless compat, str16, str32). */
void mpk_write_str_header(mpk_writer_t *w, size_t n);
/** Header of a bin of @p n bytes (the str family in compat mode). */
void mpk_write_bin_header(mpk_writer_t *w, size_t n);
// The general forms of the two below.
void mpk__write_array_header(mpk_writer_t *w, size_t n);
void mpk__write_map_header(mpk_writer_t *w, size_t n);

// With MPK_INLINE_FAST_PATHS, a fixarray or fixmap header (@p fix | n)
// when n < 16; false if the general form is needed.
static inline bool mpk__write_fix_header(mpk_writer_t *w, uint8_t fix, size_t n) {
    #if MPK_INLINE_FAST_PATHS
    uint8_t *p;
    if (n < 16 && (p = mpk__room(w, 1)) != NULL) {
        *p = (uint8_t)(fix | n);
        w->pos += 1;
        return true;
    }
    #else
    (void)w;
    (void)fix;
    (void)n;
    #endif
    return false;
}

/** Header of an array of @p n elements. */
static inline void mpk_write_array_header(mpk_writer_t *w, size_t n) {
    if (!mpk__write_fix_header(w, 0x90, n)) {
        mpk__write_array_header(w, n);
    }
}

/** Header of a map of @p n key/value pairs. */
static inline void mpk_write_map_header(mpk_writer_t *w, size_t n) {
    if (!mpk__write_fix_header(w, 0x80, n)) {
        mpk__write_map_header(w, n);
    }
}
/** Header of an extension of @p type with @p n data bytes
 *  (fixext1/2/4/8/16 when n is exactly that, else ext8/16/32). */
void mpk_write_ext_header(mpk_writer_t *w, int8_t type, size_t n);

/** A whole str: header and @p n UTF-8 bytes (not validated). */
static inline void mpk_write_str(mpk_writer_t *w, const char *s, size_t n) {
    uint8_t *p;
    if (n < 32 && (p = mpk__room(w, n + 1)) != NULL) {
        p[0] = (uint8_t)(0xa0 | n);
        mpk__copy_short(p + 1, (const uint8_t *)s, n);
        w->pos += n + 1;
        return;
    }
    mpk_write_str_header(w, n);
    mpk_write_raw(w, s, n);
}

/** A whole bin: header and @p n bytes. */
static inline void mpk_write_bin(mpk_writer_t *w, const void *data, size_t n) {
    mpk_write_bin_header(w, n);
    mpk_write_raw(w, data, n);
}

/** A whole extension: header, type and @p n data bytes. */
static inline void mpk_write_ext(mpk_writer_t *w, int8_t type, const void *data, size_t n) {
    mpk_write_ext_header(w, type, n);
    mpk_write_raw(w, data, n);
}

/** A timestamp (extension -1) in its shortest form (4, 8 or 12 bytes).
 *  @p nsec above 999999999 is MPK_ERR_RANGE. */
void mpk_write_timestamp(mpk_writer_t *w, int64_t sec, uint32_t nsec);

/** @} */

/**
 * @defgroup mpk_token Tokens
 * One header (and, for str/bin/ext, its payload) parsed from bytes.
 * @{
 */
typedef enum mpk_type {
    MPK_T_NONE = 0,   /**< nothing parsed yet (header incomplete) */
    MPK_T_NIL,
    MPK_T_BOOL,
    MPK_T_UINT,       /**< any non-negative integer, whatever its format */
    MPK_T_INT,        /**< a negative integer */
    MPK_T_FLOAT32,
    MPK_T_FLOAT64,
    MPK_T_STR,
    MPK_T_BIN,
    MPK_T_EXT,
    MPK_T_ARRAY,
    MPK_T_MAP,
} mpk_type_t;

typedef struct mpk_token {
    mpk_type_t type;
    int8_t ext_type;       /**< MPK_T_EXT: the extension type */
    bool map_key;          /**< decoder: this value is a map key (bindings cache keys) */
    union {
        bool b;            /**< MPK_T_BOOL */
        uint64_t u;        /**< MPK_T_UINT */
        int64_t i;         /**< MPK_T_INT (always < 0) */
        float f32;         /**< MPK_T_FLOAT32 */
        double f64;        /**< MPK_T_FLOAT64 */
        uint32_t n;        /**< STR/BIN/EXT: payload bytes; ARRAY: elements; MAP: pairs */
    } v;
    const uint8_t *data;   /**< STR/BIN/EXT payload; valid until the input moves */
} mpk_token_t;

/**
 * Parse one token at @p p with @p avail bytes available.
 *
 * @param[out] size  on MPK_OK, the bytes the token takes (header + payload);
 *                   on MPK_NEED_MORE, the bytes it needs in total.
 * @return MPK_OK; MPK_NEED_MORE if @p avail is short (if the header itself
 *         is complete, @p t->type and @p t->v.n are already filled in, so
 *         that lengths can be checked before waiting for the payload);
 *         MPK_ERR_INVALID for 0xc1.
 */
mpk_status_t mpk_read_token(const uint8_t *p, size_t avail, mpk_token_t *t, size_t *size);

/** Bytes of the header that starts with @p first_byte (1..9; ext headers
 *  include the type byte). */
size_t mpk_header_size(uint8_t first_byte);

/** @} */

/**
 * @defgroup mpk_decoder Decoder
 *
 * The decoder turns bytes into values through a visitor. It keeps one frame
 * per open container; it does not recurse, so its C stack use does not grow
 * with the nesting depth of the input.
 *
 * Ownership (for reference-counted bindings): every object handed to the
 * decoder by scalar() or begin() is owned by the decoder until it passes it
 * on; item(), pair() and end() take ownership of what they are given, also
 * when they fail; discard() is called for what the decoder still owns when
 * it is reset.
 * @{
 */
typedef MPK_OBJ_T mpk_obj_t;

/** The limits a decoder checks every length and count against, before the
 *  visitor is asked to allocate anything. */
typedef struct mpk_limits {
    uint32_t max_str;      /**< bytes of a str */
    uint32_t max_bin;      /**< bytes of a bin */
    uint32_t max_ext;      /**< data bytes of an ext */
    uint32_t max_array;    /**< elements of an array */
    uint32_t max_map;      /**< pairs of a map */
    uint32_t max_depth;    /**< open containers at once (>= 1) */
} mpk_limits_t;

/** No length limits, depth MPK_DEFAULT_MAX_DEPTH. */
void mpk_limits_default(mpk_limits_t *limits);

/** msgpack-python's defaults for input of @p size bytes (the message, or
 *  max_buffer_size for streams): every length limit @p size, map pairs
 *  size / 2 (capped at UINT32_MAX), depth MPK_DEFAULT_MAX_DEPTH. */
void mpk_limits_for_size(mpk_limits_t *limits, size_t size);

typedef enum mpk_frame_kind {
    MPK_FRAME_ARRAY = 0,
    MPK_FRAME_MAP_KEY,     /**< a map waiting for its next key */
    MPK_FRAME_MAP_VALUE,   /**< a map holding a key, waiting for its value */
} mpk_frame_kind_t;

typedef struct mpk_frame {
    mpk_obj_t obj;         /**< the container being built (visitor's handle) */
    mpk_obj_t key;         /**< MAP_VALUE: the key waiting for its value */
    uint32_t count;        /**< elements (array) or pairs (map) announced */
    uint32_t index;        /**< elements or pairs done */
    uint8_t kind;          /**< mpk_frame_kind_t */
} mpk_frame_t;

typedef struct mpk_visitor {
    /** A complete scalar (nil, bool, int, float, str, bin, ext). */
    mpk_status_t (*scalar)(void *ctx, const mpk_token_t *t, mpk_obj_t *out);
    /** An array or map header. @p prealloc is a safe number of slots to
     *  reserve: the count when the input is final (checked against the bytes
     *  that remain), else at most the bytes buffered; the count may be larger
     *  and the visitor must then grow (frames do not record prealloc: a
     *  visitor tells from its container how far it has room). */
    mpk_status_t (*begin)(void *ctx, const mpk_token_t *t, uint32_t prealloc, mpk_obj_t *out);
    /** Element number f->index of the array in @p f. */
    mpk_status_t (*item)(void *ctx, mpk_frame_t *f, mpk_obj_t item);
    /** Pair number f->index of the map in @p f. */
    mpk_status_t (*pair)(void *ctx, mpk_frame_t *f, mpk_obj_t key, mpk_obj_t value);
    /** The container in @p f is complete; *out holds f->obj and may be
     *  replaced (hooks, tuple conversion). */
    mpk_status_t (*end)(void *ctx, mpk_frame_t *f, mpk_obj_t *out);
    /** Drop an object the decoder owns (may be NULL: garbage collected). */
    void (*discard)(void *ctx, mpk_obj_t obj);
    /** Grow the frame array from @p old_cap to @p new_cap frames, copying
     *  the old ones; return NULL if there is no memory. May be NULL: then
     *  the initial frames are all there is. */
    mpk_frame_t *(*grow)(void *ctx, mpk_frame_t *frames, size_t old_cap, size_t new_cap);
} mpk_visitor_t;

typedef enum mpk_limit_kind {
    MPK_LIMIT_NONE = 0,
    MPK_LIMIT_STR,
    MPK_LIMIT_BIN,
    MPK_LIMIT_EXT,
    MPK_LIMIT_ARRAY,
    MPK_LIMIT_MAP,
} mpk_limit_kind_t;

/** Set one length limit from a msgpack-python option (max_str_len, ...):
 *  a negative @p value (not given) keeps the default; larger than
 *  UINT32_MAX is UINT32_MAX. */
void mpk_limits_set(mpk_limits_t *limits, mpk_limit_kind_t which, int64_t value);

typedef struct mpk_decoder {
    const mpk_visitor_t *vis;
    void *ctx;
    mpk_limits_t limits;
    mpk_frame_t *frames;
    size_t frames_cap;
    size_t depth;          /**< frames in use */
    mpk_status_t status;   /**< sticky error */
    size_t need;           /**< after MPK_NEED_MORE: bytes needed beyond those given */
    size_t at;             /**< input bytes of this call up to the end of the token
                                being handled (set before its checks and callbacks;
                                may pass len for a payload not yet given): after an
                                error, or a callback's longjmp, where it stopped */
    mpk_limit_kind_t err_limit;  /**< after MPK_ERR_LIMIT: which limit */
    uint32_t err_value;    /**< after MPK_ERR_LIMIT: the length read */
    uint32_t err_max;      /**< after MPK_ERR_LIMIT: the limit */
} mpk_decoder_t;

/** Start a decoder. @p frames (at least one) may later be replaced through
 *  vis->grow, up to limits->max_depth frames. */
void mpk_decoder_init(mpk_decoder_t *d, const mpk_visitor_t *vis, void *ctx,
    const mpk_limits_t *limits, mpk_frame_t *frames, size_t frames_cap);

/**
 * Decode from @p data[0..len) until one top-level object is complete.
 *
 * @param final     true if no bytes will follow these (a whole message):
 *                  running out is then MPK_ERR_TRUNCATED, and counts are
 *                  checked against the bytes that remain.
 * @param[out] used bytes consumed (also on MPK_NEED_MORE and on errors):
 *                  the caller keeps data[used..len) and appends to it.
 * @param[out] out  on MPK_OK, the object (owned by the caller).
 * @return MPK_OK, MPK_NEED_MORE (d->need says how many more bytes are
 *         needed at least), or an error (sticky until mpk_decoder_reset).
 */
mpk_status_t mpk_decoder_feed(mpk_decoder_t *d, const uint8_t *data, size_t len,
    bool final, size_t *used, mpk_obj_t *out);

/**
 * Callbacks that build nothing (every handle is 0): a visitor made of these
 * checks a whole object (format, limits, depth) and skips it. A binding
 * adds its own grow (and discard, if any):
 *
 *     static const mpk_visitor_t skip = { mpk_skip_scalar, mpk_skip_begin,
 *         mpk_skip_item, mpk_skip_pair, mpk_skip_end, NULL, my_grow };
 */
mpk_status_t mpk_skip_scalar(void *ctx, const mpk_token_t *t, mpk_obj_t *out);
mpk_status_t mpk_skip_begin(void *ctx, const mpk_token_t *t, uint32_t prealloc, mpk_obj_t *out);
mpk_status_t mpk_skip_item(void *ctx, mpk_frame_t *f, mpk_obj_t item);
mpk_status_t mpk_skip_pair(void *ctx, mpk_frame_t *f, mpk_obj_t key, mpk_obj_t value);
mpk_status_t mpk_skip_end(void *ctx, mpk_frame_t *f, mpk_obj_t *out);

/** True if the decoder is between objects (no open container). */
static inline bool mpk_decoder_idle(const mpk_decoder_t *d) {
    return d->depth == 0;
}

/** Drop all partial state (discarding owned objects) and clear the error. */
void mpk_decoder_reset(mpk_decoder_t *d);

// For mpk_decode_loop.h: record a limit error; grow the frames by one
// level at least (MPK_ERR_DEPTH or MPK_ERR_MEMORY if it cannot).
mpk_status_t mpk__over_limit(mpk_decoder_t *d, mpk_limit_kind_t kind, uint32_t value, uint32_t max);
mpk_status_t mpk__decoder_grow(mpk_decoder_t *d);

/** @} */

/**
 * @defgroup mpk_inbuf Input buffer
 *
 * The bytes a streaming unpacker holds: data[head..tail) is kept, where
 * head is how far the decoder got. The decoder keeps the containers of an
 * object in progress in its frames, not in these bytes, so what it has
 * consumed is dropped at once; max bounds the bytes not yet decoded, as
 * msgpack-python's max_buffer_size does.
 *
 *     data:  [ consumed, dropped | not yet decoded | free ]
 *            0                 head              tail    cap
 *
 * Growing compacts first (drops data[0..head)), then asks the binding's
 * realloc for geometrically more room, never past max.
 * @{
 */

/** Resize a byte block, copying its contents (like realloc). Return NULL if
 *  there is no memory (or raise, in runtimes that unwind). */
typedef uint8_t *(*mpk_realloc_fn)(void *ctx, uint8_t *old, size_t old_cap, size_t new_cap);

typedef struct mpk_inbuf {
    uint8_t *data;
    size_t head;           /**< next byte for the decoder */
    size_t tail;           /**< end of the bytes held */
    size_t cap;            /**< size of data */
    size_t max;            /**< most bytes it may hold (max_buffer_size) */
} mpk_inbuf_t;

/** An empty buffer that will hold at most @p max bytes (no allocation). */
void mpk_inbuf_init(mpk_inbuf_t *b, size_t max);

/** Make room for @p n more bytes at data + tail.
 *  @return MPK_OK, MPK_ERR_FULL (the kept bytes plus n exceed max), or
 *  MPK_ERR_MEMORY (realloc failed). */
mpk_status_t mpk_inbuf_reserve(mpk_inbuf_t *b, size_t n, mpk_realloc_fn realloc_fn, void *ctx);

/** Reserve and copy @p n bytes in. */
mpk_status_t mpk_inbuf_append(mpk_inbuf_t *b, const void *p, size_t n, mpk_realloc_fn realloc_fn, void *ctx);

/** Bytes not yet given to the decoder. */
static inline size_t mpk_inbuf_pending(const mpk_inbuf_t *b) {
    return b->tail - b->head;
}

/** @} */

/**
 * @defgroup mpk_unpacker Streaming unpacker
 *
 * msgpack-python's Unpacker and unpack(stream) without the Python: an input
 * buffer (mpk_inbuf), a decoder, and a fill callback that reads the stream,
 * as MPack's reader has. It keeps the stream position (tell), skips objects
 * with a second visitor, and reads raw headers and bytes between objects.
 *
 * State after an error, as msgpack-python 1.2.1's C extension leaves it.
 * When the data ends inside an object (MPK_NEED_MORE) the partial object
 * is kept and the next call continues it. After any other error of the
 * decoder (bad data, a limit, the depth, a callback that failed) the object
 * in progress is dropped and decoding goes on from the last byte of the
 * token at which the error was found: the reserved byte 0xc1 itself, the
 * last byte of a value a limit or a callback refused, the last byte of a
 * container header one level too deep. Bytes of a refused payload that
 * have not arrived yet are dropped as they arrive (mpk_unpacker_t.discard).
 *
 * The unpacker is busy while the decoder or the fill callback runs: those
 * run the binding's code (hooks, a stream's read), which may call the
 * unpacker again; every entry point then returns MPK_ERR_BUSY and changes
 * nothing. No pointer into the buffer is held across a fill: a fill that
 * runs foreign code reads into memory of its own and appends after.
 *
 * Leaving by longjmp. Visitor, fill and realloc callbacks may leave by
 * longjmp (MicroPython's nlr raise) instead of returning an error. The
 * unpacker is then left busy, part way through a call. Before it is used
 * again (before the exception propagates further), the caller must call
 * mpk_unpacker_unwind(), from the handler that caught the jump:
 *
 *     if (nlr_push(&nlr) == 0) {
 *         st = mpk_unpacker_next(u, false, &obj);
 *         nlr_pop();
 *     } else {
 *         mpk_unpacker_unwind(u);
 *         nlr_jump(nlr.ret_val);
 *     }
 *
 * Unwinding after a visitor's jump does what an error return does: the
 * decoder is reset (what it owned is discarded) and decoding goes on from
 * the last byte of the token it was handling. After a fill's or realloc's
 * jump the partial object is kept: the bytes already held are still good. Objects the
 * decoder owned when a visitor jumped out are discarded through the
 * visitor's discard(); a garbage-collected binding can leave it NULL. The
 * same holds for a bare decoder: after a jump out of mpk_decoder_feed, call
 * mpk_decoder_reset before using it again.
 * @{
 */

typedef struct mpk_unpacker mpk_unpacker_t;

/**
 * Read up to @p n bytes from the stream and append them to u->buf (with
 * mpk_unpacker_append, or mpk_unpacker_reserve and a write at
 * u->buf.data + u->buf.tail).
 * @param[out] got  bytes appended; 0 at the end of the stream.
 * @return MPK_OK; MPK_NEED_MORE if a non-blocking stream has nothing now;
 *         or an error (MPK_ERR_IO, MPK_ERR_CALLBACK, MPK_ERR_FULL, ...),
 *         which the unpacker returns as it is.
 */
typedef mpk_status_t (*mpk_fill_fn)(mpk_unpacker_t *u, size_t n, size_t *got);

/** Where the unpacker is (mpk_unpacker_t.busy). */
typedef enum mpk_busy {
    MPK_IDLE = 0,
    MPK_BUSY_DECODE,       /**< in the decoder (visitor callbacks) */
    MPK_BUSY_FILL,         /**< in the fill or realloc callback */
} mpk_busy_t;

struct mpk_unpacker {
    mpk_decoder_t dec;
    mpk_inbuf_t buf;
    const mpk_visitor_t *vis;       /**< builds objects */
    const mpk_visitor_t *skip_vis;  /**< checks and drops objects (skip) */
    mpk_realloc_fn realloc_fn;      /**< grows buf */
    mpk_fill_fn fill;               /**< NULL: no stream, or it ended */
    void *io_ctx;                   /**< the binding's, for fill and realloc_fn */
    size_t read_size;               /**< bytes asked of fill at a time */
    uint64_t offset;                /**< stream position of buf.head (tell) */
    size_t discard;                 /**< bytes of a refused payload still to drop */
    uint8_t busy;                   /**< mpk_busy_t */
    bool skipping;                  /**< the object in progress is being skipped */
    bool exact;                     /**< read only what the object needs */
};

/**
 * Start an unpacker with an empty buffer (no allocation) and no stream.
 * @p vis, @p ctx, @p limits, @p frames and @p frames_cap go to the decoder
 * (mpk_decoder_init); @p skip_vis is used by skip() (the mpk_skip_*
 * callbacks and the binding's grow). @p max_buffer bounds the bytes held.
 */
void mpk_unpacker_init(mpk_unpacker_t *u, const mpk_visitor_t *vis, const mpk_visitor_t *skip_vis,
    void *ctx, const mpk_limits_t *limits, mpk_frame_t *frames, size_t frames_cap,
    size_t max_buffer, mpk_realloc_fn realloc_fn, void *io_ctx);

/**
 * Read from a stream through @p fill.
 *
 * @param read_size  bytes asked of fill at a time; 0: the smaller of
 *                   max_buffer and @p default_read_size.
 * @param exact      read only what the decoder says the object needs, at
 *                   most max(read_size, bytes held) at a time, so that
 *                   nothing after the object is taken from the stream
 *                   (unpack(stream): one object); the end of the stream is
 *                   then MPK_ERR_EOF or MPK_ERR_EOF_INSIDE, and a
 *                   non-blocking stream with nothing now MPK_ERR_AGAIN.
 *                   Otherwise (Unpacker) each read asks for read_size, and
 *                   both are MPK_NEED_MORE; at its end the stream is
 *                   forgotten (fill becomes NULL).
 */
void mpk_unpacker_set_stream(mpk_unpacker_t *u, mpk_fill_fn fill, size_t read_size,
    size_t default_read_size, bool exact);

/** Append @p n bytes to the buffer (feed()).
 *  @return MPK_OK, MPK_ERR_FULL, MPK_ERR_MEMORY or MPK_ERR_BUSY. */
mpk_status_t mpk_unpacker_feed(mpk_unpacker_t *u, const void *data, size_t n);

/** For fill callbacks: make room for @p n bytes at buf.data + buf.tail.
 *  @return MPK_OK, MPK_ERR_FULL or MPK_ERR_MEMORY. */
static inline mpk_status_t mpk_unpacker_reserve(mpk_unpacker_t *u, size_t n) {
    return mpk_inbuf_reserve(&u->buf, n, u->realloc_fn, u->io_ctx);
}

/** For fill callbacks: append @p n bytes (reserve and copy). */
static inline mpk_status_t mpk_unpacker_append(mpk_unpacker_t *u, const void *data, size_t n) {
    return mpk_inbuf_append(&u->buf, data, n, u->realloc_fn, u->io_ctx);
}

/**
 * Unpack the next object (or, with @p skip, check it and drop it).
 *
 * @param[out] out  on MPK_OK, the object (owned by the caller); 0 when
 *                  skipping.
 * @return MPK_OK; MPK_NEED_MORE when the data held ends and the stream has
 *         no more (now or ever): the partial object is kept, and a later
 *         call continues it; MPK_ERR_BUSY; an error of the fill callback
 *         (the partial object is kept); or a decoder error, after which the
 *         object in progress is dropped and decoding goes on as described
 *         above (the error's details stay in u->dec for mpk_error_get).
 */
mpk_status_t mpk_unpacker_next(mpk_unpacker_t *u, bool skip, mpk_obj_t *out);

/**
 * Read one array or map header between objects (read_array_header,
 * read_map_header).
 * @param want    MPK_T_ARRAY or MPK_T_MAP.
 * @param[out] count  elements or pairs.
 * @return MPK_OK, MPK_NEED_MORE, MPK_ERR_PARTIAL (an object is half
 *         unpacked), MPK_ERR_WRONG_TYPE (nothing consumed),
 *         MPK_ERR_INVALID, MPK_ERR_BUSY, or an error of the fill callback.
 */
mpk_status_t mpk_unpacker_read_header(mpk_unpacker_t *u, mpk_type_t want, uint32_t *count);

/**
 * Copy up to @p n raw bytes into @p out, reading the stream as needed
 * (read_bytes).
 * @param[out] got  bytes copied: fewer than @p n when the data ends.
 * @return MPK_OK (also when short), MPK_ERR_PARTIAL, MPK_ERR_BUSY, or an
 *         error of the fill callback (the bytes copied before it are
 *         consumed).
 */
mpk_status_t mpk_unpacker_read_bytes(mpk_unpacker_t *u, uint8_t *out, size_t n, size_t *got);

/** The number of bytes consumed from the stream so far (tell()). */
static inline uint64_t mpk_unpacker_tell(const mpk_unpacker_t *u) {
    return u->offset;
}

/** True while the decoder or a fill runs (see MPK_ERR_BUSY). */
static inline bool mpk_unpacker_busy(const mpk_unpacker_t *u) {
    return u->busy != MPK_IDLE;
}

/** True if the decoder holds objects of the object visitor (for a garbage
 *  collector's traversal of u->dec.frames). */
static inline bool mpk_unpacker_building(const mpk_unpacker_t *u) {
    return u->dec.vis == u->vis && u->dec.depth > 0;
}

/** Drop the object in progress (the decoder is reset, the objects it owned
 *  are discarded; the bytes it consumed are gone); the limit details of
 *  the last error are kept. */
void mpk_unpacker_drop(mpk_unpacker_t *u);

/** After a callback left by longjmp (see above): if the jump came from the
 *  decoder, drop the object and go on as after an error; clear the busy
 *  state. */
void mpk_unpacker_unwind(mpk_unpacker_t *u);

/** @} */

/**
 * @defgroup mpk_ext Timestamps and UTF-8
 * @{
 */

/** Largest valid nanoseconds value of a timestamp. */
#define MPK_NSEC_MAX 999999999u

/** Encode a timestamp's data (4, 8 or 12 bytes, the shortest that holds it).
 *  @return the data length, or 0 if @p nsec is out of range. */
size_t mpk_timestamp_encode(int64_t sec, uint32_t nsec, uint8_t out[12]);

/** Decode a timestamp's data of @p n bytes.
 *  @return MPK_OK, MPK_ERR_TIMESTAMP (n not 4/8/12), MPK_ERR_RANGE (nsec). */
mpk_status_t mpk_timestamp_decode(const uint8_t *data, size_t n, int64_t *sec, uint32_t *nsec);

/** True if @p p[0..n) is well-formed UTF-8 (no overlong forms, no
 *  surrogates, nothing above U+10FFFF), as CPython's strict decoder. */
bool mpk_utf8_valid(const uint8_t *p, size_t n);

/** @} */

#ifdef __cplusplus
}
#endif

#endif // MPK_H
