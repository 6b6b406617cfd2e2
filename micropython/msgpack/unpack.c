// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// msgpack.unpackb, msgpack.unpack and msgpack.Unpacker.
//
// The decoder in lib/msgpack keeps open containers in frames, so deep input
// costs heap (bounded by the depth limit), never C stack, and gives
// StackError past 1024 levels. Every length is checked against the limits
// before anything is allocated, and containers are preallocated only as far
// as the bytes at hand can fill them.

#include <string.h>

#include "py/objarray.h"
#include "py/objlist.h"
#include "py/objstr.h"
#include "py/objtuple.h"
#include "py/objtype.h"
#include "py/stream.h"
#include "modmsgpack.h"

#define INLINE_FRAMES (8)

// Bytes asked of a stream at a time (Unpacker's read_size default).
#define MSGPACK_READ_SIZE (4096)

typedef struct unpack_opts {
    mp_obj_t object_hook;        // MP_OBJ_NULL: none
    mp_obj_t object_pairs_hook;
    mp_obj_t list_hook;
    mp_obj_t ext_hook;           // MP_OBJ_NULL: ExtType
    bool use_list;
    bool raw;
    bool strict_map_key;
    uint8_t timestamp;           // 0 Timestamp, 1 float, 2 int nanoseconds
    mpk_limits_t limits;
} unpack_opts_t;

typedef struct unpack_ctx {
    const unpack_opts_t *o;
    mpk_frame_t *inline_frames;
} unpack_ctx_t;

// ---------------------------------------------------------------------------
// The visitor: callbacks raise (nlr) instead of returning errors.

static mp_obj_t new_uint64(uint64_t v) {
    if (v <= (uint64_t)MP_SMALL_INT_MAX) {
        return MP_OBJ_NEW_SMALL_INT((mp_int_t)v);
    }
    return mp_obj_new_int_from_ull(v);  // OverflowError where there are no big ints
}

static mp_obj_t new_int64(int64_t v) {
    if (v >= MP_SMALL_INT_MIN && v <= MP_SMALL_INT_MAX) {
        return MP_OBJ_NEW_SMALL_INT((mp_int_t)v);
    }
    return mp_obj_new_int_from_ll(v);
}

// UnicodeError exists only in firmware with unicode strings; it is a ValueError.
#if MICROPY_PY_BUILTINS_STR_UNICODE
#define UNICODE_ERROR mp_type_UnicodeError
#else
#define UNICODE_ERROR mp_type_ValueError
#endif

static mp_obj_t new_str(const uint8_t *p, size_t n, bool map_key) {
    if (!mpk_utf8_valid(p, n)) {
        mp_raise_msg(&UNICODE_ERROR, MP_ERROR_TEXT("invalid UTF-8 in str"));
    }
    if (map_key) {
        // Keys are often names the firmware knows (attribute, option and
        // field names): use the existing qstr and allocate nothing.
        qstr q = qstr_find_strn((const char *)p, n);
        if (q != MP_QSTRnull) {
            return MP_OBJ_NEW_QSTR(q);
        }
    }
    return mp_obj_new_str_copy(&mp_type_str, p, n);
}

static mp_obj_t timestamp_value(const unpack_opts_t *o, const mpk_token_t *t) {
    int64_t sec;
    uint32_t nsec;
    mpk_status_t st = mpk_timestamp_decode(t->data, t->v.n, &sec, &nsec);
    if (st != MPK_OK) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("timestamp: %s"), mpk_status_str(st));
    }
    switch (o->timestamp) {
        #if MICROPY_PY_BUILTINS_FLOAT
        case 1:
            return mp_obj_new_float((mp_float_t)sec + (mp_float_t)nsec / (mp_float_t)1e9);
        #endif
        case 2:
            return mp_binary_op(MP_BINARY_OP_ADD,
                mp_binary_op(MP_BINARY_OP_MULTIPLY, new_int64(sec), MP_OBJ_NEW_SMALL_INT(1000000000)),
                MP_OBJ_NEW_SMALL_INT((mp_int_t)nsec));
        default:
            return msgpack_timestamp_new(sec, nsec);
    }
}

static mpk_status_t mp_scalar(void *ctx, const mpk_token_t *t, mpk_obj_t *out) {
    unpack_ctx_t *c = ctx;
    mp_obj_t o;
    switch (t->type) {
        case MPK_T_NIL:
            o = mp_const_none;
            break;
        case MPK_T_BOOL:
            o = mp_obj_new_bool(t->v.b);
            break;
        case MPK_T_UINT:
            o = new_uint64(t->v.u);
            break;
        case MPK_T_INT:
            o = new_int64(t->v.i);
            break;
        #if MICROPY_PY_BUILTINS_FLOAT
        case MPK_T_FLOAT32:
            o = mp_obj_new_float((mp_float_t)t->v.f32);
            break;
        case MPK_T_FLOAT64:
            o = mp_obj_new_float((mp_float_t)t->v.f64);
            break;
        #endif
        case MPK_T_STR:
            o = c->o->raw ? mp_obj_new_bytes(t->data, t->v.n) : new_str(t->data, t->v.n, t->map_key);
            break;
        case MPK_T_BIN:
            o = mp_obj_new_bytes(t->data, t->v.n);
            break;
        case MPK_T_EXT:
            if (t->ext_type == -1) {
                o = timestamp_value(c->o, t);
            } else if (c->o->ext_hook != MP_OBJ_NULL) {
                o = mp_call_function_2(c->o->ext_hook, MP_OBJ_NEW_SMALL_INT(t->ext_type),
                    mp_obj_new_bytes(t->data, t->v.n));
            } else if (t->ext_type < 0) {
                mp_raise_ValueError(MP_ERROR_TEXT("code must be 0~127"));
            } else {
                o = msgpack_ext_new(t->ext_type, t->data, t->v.n);
            }
            break;
        default:
            mp_raise_ValueError(MP_ERROR_TEXT("float types are not supported by this port"));
    }
    *out = o;
    return MPK_OK;
}

static mpk_status_t mp_begin(void *ctx, const mpk_token_t *t, uint32_t prealloc, mpk_obj_t *out) {
    unpack_ctx_t *c = ctx;
    if (t->type == MPK_T_ARRAY) {
        // A tuple needs its final size up front: build a list while the
        // count cannot be trusted yet, and convert it at the end.
        *out = c->o->use_list || prealloc < t->v.n ? mp_obj_new_list(prealloc, NULL)
                                                   : mp_obj_new_tuple(prealloc, NULL);
    } else if (c->o->object_pairs_hook != MP_OBJ_NULL) {
        *out = mp_obj_new_list(prealloc, NULL);
    } else {
        *out = mp_obj_new_dict(prealloc);
    }
    return MPK_OK;
}

// Put item number f->index into the list or tuple of f: into a
// preallocated slot while there is one, else appended. (A tuple is only made
// when all its slots could be preallocated.)
static void store(mpk_frame_t *f, mp_obj_t item) {
    size_t len;
    mp_obj_t *items;
    mp_obj_get_array(f->obj, &len, &items);
    if (f->index < len) {
        items[f->index] = item;
    } else {
        mp_obj_list_append(f->obj, item);
    }
}

static mpk_status_t mp_item(void *ctx, mpk_frame_t *f, mpk_obj_t item) {
    (void)ctx;
    store(f, item);
    return MPK_OK;
}

static mpk_status_t mp_pair(void *ctx, mpk_frame_t *f, mpk_obj_t key, mpk_obj_t value) {
    unpack_ctx_t *c = ctx;
    if (c->o->strict_map_key && !mp_obj_is_str(key) && !mp_obj_is_type(key, &mp_type_bytes)) {
        mp_raise_msg_varg(&mp_type_ValueError,
            MP_ERROR_TEXT("%s is not allowed for map key when strict_map_key=True"),
            mp_obj_get_type_str(key));
    }
    if (c->o->object_pairs_hook != MP_OBJ_NULL) {
        mp_obj_t kv[2] = { key, value };
        store(f, mp_obj_new_tuple(2, kv));
    } else {
        mp_obj_dict_store(f->obj, key, value);  // TypeError for unhashable keys
    }
    return MPK_OK;
}

static mpk_status_t mp_end(void *ctx, mpk_frame_t *f, mpk_obj_t *out) {
    unpack_ctx_t *c = ctx;
    const unpack_opts_t *o = c->o;
    if (f->kind == MPK_FRAME_ARRAY) {
        if (!o->use_list && mp_obj_is_exact_type(*out, &mp_type_list)) {
            size_t len;
            mp_obj_t *items;
            mp_obj_list_get(*out, &len, &items);
            *out = mp_obj_new_tuple(len, items);
        }
        if (o->list_hook != MP_OBJ_NULL) {
            *out = mp_call_function_1(o->list_hook, *out);
        }
    } else if (o->object_pairs_hook != MP_OBJ_NULL) {
        *out = mp_call_function_1(o->object_pairs_hook, *out);
    } else if (o->object_hook != MP_OBJ_NULL) {
        *out = mp_call_function_1(o->object_hook, *out);
    }
    return MPK_OK;
}

static mpk_frame_t *mp_grow(void *ctx, mpk_frame_t *frames, size_t old_cap, size_t new_cap) {
    unpack_ctx_t *c = ctx;
    mpk_frame_t *f = m_new(mpk_frame_t, new_cap);
    memcpy(f, frames, old_cap * sizeof *f);
    if (frames != c->inline_frames) {
        m_del(mpk_frame_t, frames, old_cap);
    }
    return f;
}

static const mpk_visitor_t mp_visitor = {
    mp_scalar, mp_begin, mp_item, mp_pair, mp_end, NULL, mp_grow,
};

// skip(): every check, no objects.
static const mpk_visitor_t skip_visitor = {
    mpk_skip_scalar, mpk_skip_begin, mpk_skip_item, mpk_skip_pair, mpk_skip_end, NULL, mp_grow,
};

// ---------------------------------------------------------------------------
// Options

enum {
    ARG_object_hook, ARG_list_hook, ARG_use_list, ARG_raw, ARG_timestamp, ARG_strict_map_key,
    ARG_object_pairs_hook, ARG_ext_hook, ARG_max_str_len, ARG_max_bin_len, ARG_max_array_len,
    ARG_max_map_len, ARG_max_ext_len, ARG_max_buffer_size, ARG_read_size,
};

MSGPACK_ARG_TABLE(unpack_allowed_args) {
    { MP_QSTR_object_hook, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    { MP_QSTR_list_hook, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    { MP_QSTR_use_list, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = true} },
    { MP_QSTR_raw, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false} },
    { MP_QSTR_timestamp, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 0} },
    { MP_QSTR_strict_map_key, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = true} },
    { MP_QSTR_object_pairs_hook, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    { MP_QSTR_ext_hook, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    { MP_QSTR_max_str_len, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
    { MP_QSTR_max_bin_len, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
    { MP_QSTR_max_array_len, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
    { MP_QSTR_max_map_len, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
    { MP_QSTR_max_ext_len, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
    { MP_QSTR_max_buffer_size, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = MSGPACK_MAX_BUFFER_DEFAULT} },
    { MP_QSTR_read_size, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 0} },
};
MSGPACK_ARG_TABLE_END(unpack_allowed_args)
#define N_UNPACK_ARGS MP_ARRAY_SIZE(unpack_allowed_args)

static mp_obj_t hook_arg(mp_obj_t h) {
    if (h == mp_const_none) {
        return MP_OBJ_NULL;
    }
    if (!mp_obj_is_callable(h)) {
        mp_raise_TypeError(MP_ERROR_TEXT("hooks must be callable"));
    }
    return h;
}

// Turn parsed options into o; size is what -1 limits default to (the input
// length for unpackb, max_buffer_size for streams).
static void unpack_opts_fill(unpack_opts_t *o, const mp_arg_val_t *vals, size_t size) {
    o->object_hook = hook_arg(vals[ARG_object_hook].u_obj);
    o->object_pairs_hook = hook_arg(vals[ARG_object_pairs_hook].u_obj);
    o->list_hook = hook_arg(vals[ARG_list_hook].u_obj);
    o->ext_hook = hook_arg(vals[ARG_ext_hook].u_obj);
    if (o->object_hook != MP_OBJ_NULL && o->object_pairs_hook != MP_OBJ_NULL) {
        mp_raise_TypeError(MP_ERROR_TEXT("object_pairs_hook and object_hook are mutually exclusive."));
    }
    mp_int_t ts = vals[ARG_timestamp].u_int;
    if (ts < 0 || ts > 3) {
        mp_raise_ValueError(MP_ERROR_TEXT("timestamp must be 0..3"));
    }
    if (ts == 3 || (ts == 1 && !MICROPY_PY_BUILTINS_FLOAT)) {
        mp_raise_ValueError(MP_ERROR_TEXT("this timestamp mode is not available on this port"));
    }
    o->timestamp = (uint8_t)ts;
    o->use_list = vals[ARG_use_list].u_bool;
    o->raw = vals[ARG_raw].u_bool;
    o->strict_map_key = vals[ARG_strict_map_key].u_bool;
    mpk_limits_for_size(&o->limits, size);
    mpk_limits_set(&o->limits, MPK_LIMIT_STR, vals[ARG_max_str_len].u_int);
    mpk_limits_set(&o->limits, MPK_LIMIT_BIN, vals[ARG_max_bin_len].u_int);
    mpk_limits_set(&o->limits, MPK_LIMIT_EXT, vals[ARG_max_ext_len].u_int);
    mpk_limits_set(&o->limits, MPK_LIMIT_ARRAY, vals[ARG_max_array_len].u_int);
    mpk_limits_set(&o->limits, MPK_LIMIT_MAP, vals[ARG_max_map_len].u_int);
    o->limits.max_depth = MSGPACK_UNPACK_DEPTH;
}

static size_t max_buffer_arg(const mp_arg_val_t *vals) {
    mp_int_t m = vals[ARG_max_buffer_size].u_int;
    return m <= 0 ? (size_t)MP_SMALL_INT_MAX : (size_t)m;
}

// ---------------------------------------------------------------------------
// unpackb(packed, **options)

// The buffer of a bytes-like object; a str is refused as in CPython (its
// buffer would be unpacked as if it were data).
static void get_bytes_raise(mp_obj_t obj, mp_buffer_info_t *b) {
    if (mp_obj_is_str(obj)) {
        mp_raise_TypeError(MP_ERROR_TEXT("a bytes-like object is required, not 'str'"));
    }
    mp_get_buffer_raise(obj, b, MP_BUFFER_READ);
}

static mp_obj_t msgpack_unpackb(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    mp_arg_val_t vals[N_UNPACK_ARGS];
    unpack_opts_t o;
    if (n_args != 1) {
        mp_raise_TypeError(MP_ERROR_TEXT("unpackb() takes one bytes-like object"));
    }
    mp_buffer_info_t in;
    get_bytes_raise(args[0], &in);
    // No stream options here: the table ends before max_buffer_size.
    mp_arg_parse_all(0, NULL, kw_args, ARG_max_buffer_size, unpack_allowed_args, vals);
    unpack_opts_fill(&o, vals, in.len);
    mpk_frame_t frames[INLINE_FRAMES];
    unpack_ctx_t c = { &o, frames };
    mpk_decoder_t d;
    mpk_obj_t obj = NULL;
    size_t used = 0;
    mpk_decoder_init(&d, &mp_visitor, &c, &o.limits, frames, INLINE_FRAMES);
    mpk_status_t st = mpk_decoder_feed(&d, in.buf, in.len, true, &used, &obj);
    if (st != MPK_OK) {
        msgpack_raise(st, &d);
    }
    if (used < in.len) {
        mp_obj_t exc_args[2] = { obj, mp_obj_new_bytes((const byte *)in.buf + used, in.len - used) };
        nlr_raise(mp_obj_new_exception_args(&msgpack_type_ExtraData, 2, exc_args));
    }
    return obj;
}
MP_DEFINE_CONST_FUN_OBJ_KW(msgpack_unpackb_obj, 1, msgpack_unpackb);

// ---------------------------------------------------------------------------
// Reading from streams: lib/msgpack's unpacker, with a fill callback that
// uses the C stream protocol if there is one, else the object's readinto()
// or read().

static uint8_t *gc_realloc(void *ctx, uint8_t *old, size_t old_cap, size_t new_cap) {
    (void)ctx;
    return m_renew(uint8_t, old, old_cap, new_cap);  // raises MemoryError
}

// The stream of an unpacker (its io_ctx), and the block a Python readinto()
// fills. That block is never freed by us, so a stream that keeps the view
// and writes to it later writes to memory the GC keeps alive for it, not to
// a buffer that has moved or been freed.
typedef struct stream_io {
    mp_obj_t stream;             // MP_OBJ_NULL: none, or it ended
    uint8_t *scratch;
    size_t scratch_cap;
} stream_io_t;

// The fill callback: append up to n bytes from the stream. In exact mode
// (unpack) it loops until n or EOF; else (Unpacker) the stream's first short
// read ends the call, and at its end the stream is forgotten.
//
// Python code may run here (a stream's read or readinto, a callback the
// scheduler runs while a C stream waits): the unpacker is busy, and no
// Python object is given the buffer's memory: Python streams read into the
// scratch block or return bytes, copied in after they returned. io.IOBase
// subclasses (instance types) count as Python streams: their C protocol
// would hand the buffer to readinto.
static mpk_status_t stream_fill(mpk_unpacker_t *u, size_t n, size_t *got_out) {
    stream_io_t *io = u->io_ctx;
    mp_obj_t stream = io->stream;
    const mp_obj_type_t *type = mp_obj_get_type(stream);
    mpk_status_t st = mpk_unpacker_reserve(u, n);
    if (st != MPK_OK) {
        return st;
    }
    mpk_inbuf_t *b = &u->buf;
    size_t got;
    if (!mp_obj_is_instance_type(type) && MP_OBJ_TYPE_HAS_SLOT(type, protocol)
        && ((const mp_stream_p_t *)MP_OBJ_TYPE_GET_SLOT(type, protocol))->read != NULL) {
        int err;
        got = mp_stream_rw(stream, b->data + b->tail, n, &err, u->exact ? MP_STREAM_RW_READ : MP_STREAM_RW_ONCE);
        if (err != 0) {
            if (mp_is_nonblocking_error(err)) {
                return MPK_NEED_MORE;
            }
            mp_raise_OSError(err);
        }
        b->tail += got;
    } else {
        mp_obj_t dest[3];
        const uint8_t *src = NULL;
        #if MICROPY_PY_BUILTINS_MEMORYVIEW
        mp_load_method_maybe(stream, MP_QSTR_readinto, dest);
        if (dest[0] != MP_OBJ_NULL) {
            if (io->scratch_cap < n) {
                io->scratch = m_new(uint8_t, n);
                io->scratch_cap = n;
            }
            dest[2] = mp_obj_new_memoryview('B' | MP_OBJ_ARRAY_TYPECODE_FLAG_RW, n, io->scratch);
            mp_obj_t r = mp_call_method_n_kw(1, 0, dest);
            if (r == mp_const_none) {
                return MPK_NEED_MORE;
            }
            mp_int_t count = mp_obj_get_int(r);
            if (count < 0 || (size_t)count > n) {
                mp_raise_ValueError(MP_ERROR_TEXT("readinto() returned a bad count"));
            }
            src = io->scratch;
            got = (size_t)count;
        }
        #endif
        if (src == NULL) {
            mp_load_method(stream, MP_QSTR_read, dest);
            dest[2] = MP_OBJ_NEW_SMALL_INT(n);
            mp_obj_t chunk = mp_call_method_n_kw(1, 0, dest);
            if (chunk == mp_const_none) {
                return MPK_NEED_MORE;
            }
            mp_buffer_info_t bi;
            mp_get_buffer_raise(chunk, &bi, MP_BUFFER_READ);
            if (bi.len > n) {
                mp_raise_ValueError(MP_ERROR_TEXT("read(n) returned more than n bytes"));
            }
            src = bi.buf;
            got = bi.len;
        }
        // The room reserved above is still there (nothing could reach the
        // unpacker), so this allocates nothing and chunk cannot be collected
        // under src.
        st = mpk_unpacker_append(u, src, got);
        if (st != MPK_OK) {
            return st;
        }
    }
    if (got == 0) {
        io->stream = MP_OBJ_NULL;
    }
    *got_out = got;
    return MPK_OK;
}

// unpack(stream, **options): exactly one object. The decoder says how many
// bytes it needs; nothing past the object is read, so the next unpack on a
// UART or socket finds the next object.
static mp_obj_t msgpack_unpack(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    mp_arg_val_t vals[N_UNPACK_ARGS];
    unpack_opts_t o;
    if (n_args != 1) {
        mp_raise_TypeError(MP_ERROR_TEXT("unpack() takes one stream"));
    }
    mp_arg_parse_all(0, NULL, kw_args, ARG_read_size, unpack_allowed_args, vals);
    size_t max = max_buffer_arg(vals);
    unpack_opts_fill(&o, vals, max);
    mpk_frame_t frames[INLINE_FRAMES];
    unpack_ctx_t c = { &o, frames };
    stream_io_t io = { args[0], NULL, 0 };
    mpk_unpacker_t u;
    mpk_obj_t obj;
    mpk_unpacker_init(&u, &mp_visitor, &skip_visitor, &c, &o.limits, frames, INLINE_FRAMES, max, gc_realloc, &io);
    mpk_unpacker_set_stream(&u, stream_fill, MSGPACK_READ_SIZE, MSGPACK_READ_SIZE, true);
    mpk_status_t st = mpk_unpacker_next(&u, false, &obj);
    if (st != MPK_OK) {
        msgpack_raise(st, &u.dec);
    }
    m_del(uint8_t, u.buf.data, u.buf.cap);
    return obj;
}
MP_DEFINE_CONST_FUN_OBJ_KW(msgpack_unpack_obj, 1, msgpack_unpack);

// ---------------------------------------------------------------------------
// Unpacker(file_like=None, **options)

typedef struct _msgpack_unpacker_obj_t {
    mp_obj_base_t base;
    unpack_opts_t opts;
    unpack_ctx_t ctx;
    mpk_unpacker_t u;            // decoder, buffer, tell(), busy and skip state
    mpk_frame_t frames[INLINE_FRAMES];
    stream_io_t io;              // file_like
} msgpack_unpacker_obj_t;

static mp_obj_t unpacker_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_val_t vals[N_UNPACK_ARGS];
    mp_map_t kw_args;
    mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
    if (n_args > 1) {
        mp_raise_TypeError(MP_ERROR_TEXT("Unpacker() takes at most one positional argument"));
    }
    mp_arg_parse_all(0, NULL, &kw_args, N_UNPACK_ARGS, unpack_allowed_args, vals);
    msgpack_unpacker_obj_t *self = mp_obj_malloc(msgpack_unpacker_obj_t, type);
    size_t max = max_buffer_arg(vals);
    // -1 limits follow max_buffer_size here, as in msgpack-python.
    unpack_opts_fill(&self->opts, vals, max);
    mp_int_t read_size = vals[ARG_read_size].u_int;
    if (read_size > 0 && (size_t)read_size > max) {
        mp_raise_ValueError(MP_ERROR_TEXT("read_size should be less or equal to max_buffer_size"));
    }
    self->io.stream = n_args == 1 && args[0] != mp_const_none ? args[0] : MP_OBJ_NULL;
    self->io.scratch = NULL;
    self->io.scratch_cap = 0;
    self->ctx.o = &self->opts;
    self->ctx.inline_frames = self->frames;
    mpk_unpacker_init(&self->u, &mp_visitor, &skip_visitor, &self->ctx, &self->opts.limits,
        self->frames, INLINE_FRAMES, max, gc_realloc, &self->io);
    mpk_unpacker_set_stream(&self->u, self->io.stream != MP_OBJ_NULL ? stream_fill : NULL,
        read_size > 0 ? (size_t)read_size : 0, MSGPACK_READ_SIZE, false);
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t unpacker_feed(mp_obj_t self_in, mp_obj_t data) {
    msgpack_unpacker_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (mpk_unpacker_busy(&self->u)) {
        msgpack_raise(MPK_ERR_BUSY, NULL);
    }
    if (self->io.stream != MP_OBJ_NULL) {
        mp_raise_msg(&mp_type_AssertionError, MP_ERROR_TEXT("unpacker.feed() is not be able to use with `file_like`."));
    }
    mp_buffer_info_t b;
    get_bytes_raise(data, &b);
    mpk_status_t st = mpk_unpacker_feed(&self->u, b.buf, b.len);
    if (st != MPK_OK) {
        msgpack_raise(st, NULL);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(unpacker_feed_obj, unpacker_feed);

// The unpacker calls, under nlr: a hook or the stream may raise, which must
// leave the Unpacker usable (mpk.h, "Leaving by longjmp").
enum { CALL_UNPACK, CALL_SKIP, CALL_ARRAY_HEADER, CALL_MAP_HEADER, CALL_BYTES };

typedef struct call {
    mpk_obj_t obj;               // CALL_UNPACK
    uint8_t *out;                // CALL_BYTES: n bytes
    size_t n;                    // CALL_BYTES: asked; then got
    uint32_t count;              // headers
} call_t;

static mpk_status_t unpacker_call(msgpack_unpacker_obj_t *self, int op, call_t *c) {
    mpk_unpacker_t *u = &self->u;
    mpk_status_t st;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        if (op <= CALL_SKIP) {
            st = mpk_unpacker_next(u, op == CALL_SKIP, &c->obj);
        } else if (op == CALL_BYTES) {
            st = mpk_unpacker_read_bytes(u, c->out, c->n, &c->n);
        } else {
            st = mpk_unpacker_read_header(u, op == CALL_ARRAY_HEADER ? MPK_T_ARRAY : MPK_T_MAP, &c->count);
        }
        nlr_pop();
    } else {
        mpk_unpacker_unwind(u);
        nlr_jump(nlr.ret_val);
    }
    return st;
}

static mp_obj_t unpacker_next(mp_obj_t self_in, int op, bool iter) {
    call_t c;
    mpk_status_t st = unpacker_call(MP_OBJ_TO_PTR(self_in), op, &c);
    if (st == MPK_OK) {
        return op == CALL_SKIP ? mp_const_none : c.obj;
    }
    if (st == MPK_NEED_MORE && iter) {
        return MP_OBJ_STOP_ITERATION;
    }
    msgpack_raise(st, &((msgpack_unpacker_obj_t *)MP_OBJ_TO_PTR(self_in))->u.dec);
}

static mp_obj_t unpacker_unpack(mp_obj_t self_in) {
    return unpacker_next(self_in, CALL_UNPACK, false);
}
static MP_DEFINE_CONST_FUN_OBJ_1(unpacker_unpack_obj, unpacker_unpack);

static mp_obj_t unpacker_skip(mp_obj_t self_in) {
    return unpacker_next(self_in, CALL_SKIP, false);
}
static MP_DEFINE_CONST_FUN_OBJ_1(unpacker_skip_obj, unpacker_skip);

static mp_obj_t unpacker_iternext(mp_obj_t self_in) {
    return unpacker_next(self_in, CALL_UNPACK, true);
}

static mp_obj_t read_header(mp_obj_t self_in, int op) {
    call_t c;
    mpk_status_t st = unpacker_call(MP_OBJ_TO_PTR(self_in), op, &c);
    if (st != MPK_OK) {
        msgpack_raise(st, NULL);
    }
    return mp_obj_new_int_from_uint(c.count);
}

static mp_obj_t unpacker_read_array_header(mp_obj_t self_in) {
    return read_header(self_in, CALL_ARRAY_HEADER);
}
static MP_DEFINE_CONST_FUN_OBJ_1(unpacker_read_array_header_obj, unpacker_read_array_header);

static mp_obj_t unpacker_read_map_header(mp_obj_t self_in) {
    return read_header(self_in, CALL_MAP_HEADER);
}
static MP_DEFINE_CONST_FUN_OBJ_1(unpacker_read_map_header_obj, unpacker_read_map_header);

static mp_obj_t unpacker_read_bytes(mp_obj_t self_in, mp_obj_t n_in) {
    msgpack_unpacker_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (mpk_unpacker_busy(&self->u)) {
        msgpack_raise(MPK_ERR_BUSY, NULL);
    }
    mp_int_t n = mp_obj_get_int(n_in);
    if (n < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("read_bytes() needs a non-negative count"));
    }
    if (!mpk_decoder_idle(&self->u.dec) || self->u.skipping) {
        msgpack_raise(MPK_ERR_PARTIAL, NULL);
    }
    vstr_t out;
    vstr_init(&out, (size_t)n);
    call_t c = { .out = (uint8_t *)out.buf, .n = (size_t)n };
    mpk_status_t st = unpacker_call(self, CALL_BYTES, &c);
    if (st != MPK_OK) {
        msgpack_raise(st, NULL);
    }
    out.len = c.n;
    return mp_obj_new_bytes_from_vstr(&out);
}
static MP_DEFINE_CONST_FUN_OBJ_2(unpacker_read_bytes_obj, unpacker_read_bytes);

static mp_obj_t unpacker_tell(mp_obj_t self_in) {
    msgpack_unpacker_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return mp_obj_new_int_from_ull(mpk_unpacker_tell(&self->u));
}
static MP_DEFINE_CONST_FUN_OBJ_1(unpacker_tell_obj, unpacker_tell);

static const mp_rom_map_elem_t unpacker_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_feed), MP_ROM_PTR(&unpacker_feed_obj) },
    { MP_ROM_QSTR(MP_QSTR_unpack), MP_ROM_PTR(&unpacker_unpack_obj) },
    { MP_ROM_QSTR(MP_QSTR_skip), MP_ROM_PTR(&unpacker_skip_obj) },
    { MP_ROM_QSTR(MP_QSTR_read_array_header), MP_ROM_PTR(&unpacker_read_array_header_obj) },
    { MP_ROM_QSTR(MP_QSTR_read_map_header), MP_ROM_PTR(&unpacker_read_map_header_obj) },
    { MP_ROM_QSTR(MP_QSTR_read_bytes), MP_ROM_PTR(&unpacker_read_bytes_obj) },
    { MP_ROM_QSTR(MP_QSTR_tell), MP_ROM_PTR(&unpacker_tell_obj) },
};
static MP_DEFINE_CONST_DICT(unpacker_locals_dict, unpacker_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    msgpack_type_Unpacker, MP_QSTR_Unpacker, MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    make_new, unpacker_make_new,
    iter, unpacker_iternext,
    locals_dict, &unpacker_locals_dict
    );
