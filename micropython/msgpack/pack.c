// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// msgpack.pack, msgpack.packb and msgpack.Packer.
//
// Objects are walked with an explicit stack of frames (on the C stack, then
// on the heap), not by recursion, so that nesting up to the limit (1024, as
// msgpack-python 1.2.1) costs no C stack on small boards. The type checks run
// in msgpack-python's order: None, bool, int, float, bytes/bytearray, str,
// dict, ExtType, Timestamp, list/tuple, memoryview, then default(obj) once.

#include <string.h>

#include "py/objint.h"
#include "../mpx_compat.h"
#include "py/objlist.h"
#include "py/objstr.h"
#include "py/objtuple.h"
#include "py/objtype.h"
#include "py/stream.h"
#include "modmsgpack.h"

typedef struct pack_opts {
    mp_obj_t default_;       // MP_OBJ_NULL: none
    bool use_single_float;
    bool use_bin_type;
    bool strict_types;
} pack_opts_t;

enum { FRAME_SEQ, FRAME_MAP_KEY, FRAME_MAP_VALUE };

typedef struct pack_frame {
    mp_obj_t obj;            // the list, tuple or dict being walked
    size_t index;            // next element, or the map slot in progress
    size_t len;              // the count written in its header
    size_t done;             // map pairs written
    uint8_t kind;
} pack_frame_t;

#define INLINE_PACK_FRAMES (8)

typedef struct pack_state {
    mpk_writer_t *w;
    const pack_opts_t *o;
    pack_frame_t *frames;
    size_t depth;
    size_t cap;
    pack_frame_t inline_frames[INLINE_PACK_FRAMES];
} pack_state_t;

static void push_frame(pack_state_t *ps, mp_obj_t obj, size_t len, uint8_t kind) {
    if (ps->depth == ps->cap) {
        size_t cap = ps->cap * 2;
        pack_frame_t *frames = m_new(pack_frame_t, cap);
        memcpy(frames, ps->frames, ps->cap * sizeof *frames);
        if (ps->frames != ps->inline_frames) {
            m_del(pack_frame_t, ps->frames, ps->cap);
        }
        ps->frames = frames;
        ps->cap = cap;
    }
    pack_frame_t *f = &ps->frames[ps->depth++];
    f->obj = obj;
    f->index = 0;
    f->len = len;
    f->done = 0;
    f->kind = kind;
}

// Lengths on the wire are 32-bit; only a 64-bit port can hold more.
static void check_len(size_t n) {
    #if SIZE_MAX > 0xffffffffu
    if (n > 0xffffffffu) {
        mp_raise_ValueError(MP_ERROR_TEXT("object is too large"));
    }
    #else
    (void)n;
    #endif
}

static void pack_bytes(pack_state_t *ps, const void *p, size_t n) {
    check_len(n);
    mpk_write_bin(ps->w, p, n);
}

#if MICROPY_PY_BUILTINS_FLOAT
static void pack_float(pack_state_t *ps, mp_obj_t obj) {
    mp_float_t f = mp_obj_get_float(obj);
    if (ps->o->use_single_float) {
        mpk_write_float32(ps->w, (float)f);
    } else {
        mpk_write_float64(ps->w, (double)f);
    }
}
#endif

// Write an int; false if it is outside [-2^63, 2^64 - 1].
// Never inlined: it catches OverflowError with nlr_push, and a caller's
// locals held in registers are not reliable after such a non-local return
// (seen on the i386 unix port, where `default` was then skipped).
MP_NOINLINE static bool pack_int(pack_state_t *ps, mp_obj_t obj) {
    if (mp_obj_is_small_int(obj)) {
        mpk_write_int(ps->w, MP_OBJ_SMALL_INT_VALUE(obj));
        return true;
    }
    #if MICROPY_LONGINT_IMPL != MICROPY_LONGINT_IMPL_NONE
    byte buf[8];
    bool negative = mp_obj_int_sign(obj) < 0;
    if (!mpx_bigint_to_le64(obj, negative, buf)) {
        return false;  // outside [-2^63, 2^64 - 1]
    }
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | buf[i];
    }
    if (negative) {
        mpk_write_int(ps->w, (int64_t)v);
    } else {
        mpk_write_uint(ps->w, v);
    }
    return true;
    #else
    return false;
    #endif
}

// An ext type code as int8; no silent wrap-around.
static int8_t ext_code(mp_obj_t code) {
    mp_int_t c = mp_obj_get_int(code);
    if (c < -128 || c > 127) {
        mp_raise_ValueError(MP_ERROR_TEXT("ext type code is outside -128..127"));
    }
    return (int8_t)c;
}

static void pack_ext(pack_state_t *ps, mp_obj_t obj) {
    msgpack_ext_obj_t *e = MP_OBJ_TO_PTR(obj);
    mp_buffer_info_t data;
    mp_get_buffer_raise(e->data, &data, MP_BUFFER_READ);
    check_len(data.len);
    mpk_write_ext(ps->w, ext_code(e->code), data.buf, data.len);
}

static void pack_timestamp(pack_state_t *ps, mp_obj_t obj) {
    msgpack_timestamp_obj_t *t = MP_OBJ_TO_PTR(obj);
    int64_t sec;
    if (!msgpack_int64(t->seconds, &sec)) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("Timestamp seconds out of range"));
    }
    mpk_write_timestamp(ps->w, sec, (uint32_t)MP_OBJ_SMALL_INT_VALUE(t->nanoseconds));
}

// The native dict/list/tuple behind obj, or MP_OBJ_NULL. Without
// strict_types a subclass instance counts as its base type.
static mp_obj_t as_native(pack_state_t *ps, mp_obj_t obj, const mp_obj_type_t *type) {
    if (mp_obj_is_exact_type(obj, type)) {
        return obj;
    }
    if (ps->o->strict_types || mp_obj_is_small_int(obj) || mp_obj_is_qstr(obj) || !mp_obj_is_obj(obj)) {
        return MP_OBJ_NULL;
    }
    return mp_obj_cast_to_native_base(obj, MP_OBJ_FROM_PTR(type));
}

static void start_map(pack_state_t *ps, mp_obj_t dict) {
    size_t n = mp_obj_dict_get_map(dict)->used;
    check_len(n);
    mpk_write_map_header(ps->w, n);
    push_frame(ps, dict, n, FRAME_MAP_KEY);
}

static void start_seq(pack_state_t *ps, mp_obj_t seq) {
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(seq, &n, &items);
    check_len(n);
    mpk_write_array_header(ps->w, n);
    push_frame(ps, seq, n, FRAME_SEQ);
}

// Write a scalar, or write a container's header and push its frame.
static void pack_value(pack_state_t *ps, mp_obj_t obj) {
    if (ps->depth > MSGPACK_PACK_NEST_LIMIT) {
        mp_raise_ValueError(MP_ERROR_TEXT("recursion limit exceeded."));
    }
    const pack_opts_t *o = ps->o;
    bool default_used = false;
    for (;;) {
        mp_obj_t native;
        bool fallback = false;
        if (mp_obj_is_small_int(obj)) {
            mpk_write_int(ps->w, MP_OBJ_SMALL_INT_VALUE(obj));
        } else if (mp_obj_is_str(obj)) {
            size_t n;
            const char *p = mp_obj_str_get_data(obj, &n);
            check_len(n);
            mpk_write_str(ps->w, p, n);
        } else if (obj == mp_const_none) {
            mpk_write_nil(ps->w);
        } else if (obj == mp_const_true || obj == mp_const_false) {
            mpk_write_bool(ps->w, obj == mp_const_true);
        } else if (mp_obj_is_exact_type(obj, &mp_type_list)) {
            start_seq(ps, obj);
        } else if (mp_obj_is_exact_type(obj, &mp_type_dict)) {
            start_map(ps, obj);
        } else if (mp_obj_is_int(obj)) {
            fallback = !pack_int(ps, obj);
        #if MICROPY_PY_BUILTINS_FLOAT
        } else if (mp_obj_is_float(obj)) {
            pack_float(ps, obj);
        #endif
        } else if (mp_obj_is_type(obj, &mp_type_bytes)) {
            mp_buffer_info_t b;
            mp_get_buffer_raise(obj, &b, MP_BUFFER_READ);
            pack_bytes(ps, b.buf, b.len);
        #if MICROPY_PY_BUILTINS_BYTEARRAY
        } else if (mp_obj_is_type(obj, &mp_type_bytearray)) {
            mp_buffer_info_t b;
            mp_get_buffer_raise(obj, &b, MP_BUFFER_READ);
            pack_bytes(ps, b.buf, b.len);
        #endif
        } else if (!o->strict_types && mp_obj_is_dict_or_ordereddict(obj)) {
            start_map(ps, obj);
        } else if (mp_obj_is_type(obj, &msgpack_type_ExtType)) {
            pack_ext(ps, obj);
        } else if (mp_obj_is_type(obj, &msgpack_type_Timestamp)) {
            pack_timestamp(ps, obj);
        } else if (!o->strict_types && mp_obj_is_type(obj, &mp_type_tuple)) {
            start_seq(ps, obj);
        #if MICROPY_PY_BUILTINS_MEMORYVIEW
        } else if (mp_obj_is_type(obj, &mp_type_memoryview)) {
            mp_buffer_info_t b;
            mp_get_buffer_raise(obj, &b, MP_BUFFER_READ);
            pack_bytes(ps, b.buf, b.len);
        #endif
        } else if ((native = as_native(ps, obj, &mp_type_dict)) != MP_OBJ_NULL) {
            start_map(ps, native);
        } else if ((native = as_native(ps, obj, &mp_type_list)) != MP_OBJ_NULL
                   || (!o->strict_types && (native = as_native(ps, obj, &mp_type_tuple)) != MP_OBJ_NULL)) {
            start_seq(ps, native);
        } else if (!default_used && o->default_ != MP_OBJ_NULL) {
            fallback = true;
        } else {
            mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("can not serialize '%s' object"),
                mp_obj_get_type_str(obj));
        }
        if (!fallback) {
            return;
        }
        if (default_used || o->default_ == MP_OBJ_NULL) {
            mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("Integer value out of range"));
        }
        obj = mp_call_function_1(o->default_, obj);
        default_used = true;
    }
}

static NORETURN void changed_size(void) {
    mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("container changed size during packing"));
}

// Pack obj and everything it contains.
static void pack_tree(mpk_writer_t *w, const pack_opts_t *o, mp_obj_t obj) {
    pack_state_t ps;
    ps.w = w;
    ps.o = o;
    ps.frames = ps.inline_frames;
    ps.depth = 0;
    ps.cap = INLINE_PACK_FRAMES;
    pack_value(&ps, obj);
    while (ps.depth > 0) {
        pack_frame_t *f = &ps.frames[ps.depth - 1];
        if (f->kind == FRAME_SEQ) {
            size_t n;
            mp_obj_t *items;
            mp_obj_get_array(f->obj, &n, &items);  // again: default() may have changed it
            if (n != f->len) {
                changed_size();
            }
            if (f->index == n) {
                ps.depth--;
                continue;
            }
            pack_value(&ps, items[f->index++]);
            continue;
        }
        mp_map_t *map = mp_obj_dict_get_map(f->obj);
        if (map->used != f->len) {
            changed_size();
        }
        if (f->kind == FRAME_MAP_VALUE) {
            if (f->index >= map->alloc || !mp_map_slot_is_filled(map, f->index)) {
                changed_size();
            }
            f->kind = FRAME_MAP_KEY;
            pack_value(&ps, map->table[f->index++].value);
            continue;
        }
        while (f->index < map->alloc && !mp_map_slot_is_filled(map, f->index)) {
            f->index++;
        }
        if (f->index == map->alloc) {
            if (f->done != f->len) {
                changed_size();
            }
            ps.depth--;
            continue;
        }
        f->kind = FRAME_MAP_VALUE;
        f->done++;
        pack_value(&ps, map->table[f->index].key);
    }
    if (ps.frames != ps.inline_frames) {
        m_del(pack_frame_t, ps.frames, ps.cap);
    }
}

// ---------------------------------------------------------------------------
// Options

enum { ARG_default, ARG_use_single_float, ARG_autoreset, ARG_use_bin_type, ARG_strict_types };

MSGPACK_ARG_TABLE(pack_allowed_args) {
    { MP_QSTR_default, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    { MP_QSTR_use_single_float, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    { MP_QSTR_autoreset, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = true} },
    { MP_QSTR_use_bin_type, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = true} },
    { MP_QSTR_strict_types, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false} },
};
MSGPACK_ARG_TABLE_END(pack_allowed_args)
#define N_PACK_ARGS MP_ARRAY_SIZE(pack_allowed_args)

static void pack_opts_init(pack_opts_t *o, const mp_arg_val_t *vals) {
    mp_obj_t d = vals[ARG_default].u_obj;
    if (d != mp_const_none && !mp_obj_is_callable(d)) {
        mp_raise_TypeError(MP_ERROR_TEXT("default must be a callable."));
    }
    o->default_ = d == mp_const_none ? MP_OBJ_NULL : d;
    // Floats go out at the port's own precision unless asked otherwise.
    mp_obj_t usf = vals[ARG_use_single_float].u_obj;
    #if MICROPY_FLOAT_IMPL == MICROPY_FLOAT_IMPL_DOUBLE
    o->use_single_float = usf != mp_const_none && mp_obj_is_true(usf);
    #else
    o->use_single_float = usf == mp_const_none || mp_obj_is_true(usf);
    #endif
    o->use_bin_type = vals[ARG_use_bin_type].u_bool;
    o->strict_types = vals[ARG_strict_types].u_bool;
}

// ---------------------------------------------------------------------------
// Sinks

// A growable vstr: packb and Packer.
static mpk_status_t vstr_flush(mpk_writer_t *w, size_t need) {
    vstr_t *v = w->ctx;
    if (need == 0) {
        return MPK_OK;
    }
    // v->len stays what it was: a Packer's bytes(), called from default(),
    // sees the buffer as it was before this call.
    size_t len = v->len;
    v->len = w->pos;
    vstr_hint_size(v, need > v->alloc ? need : v->alloc);  // raises MemoryError
    v->len = len;
    w->buf = (uint8_t *)v->buf;
    w->cap = v->alloc;
    return MPK_OK;
}

static void writer_on_vstr(mpk_writer_t *w, vstr_t *v, const pack_opts_t *o) {
    if (v->alloc < MPK_WRITER_MIN_BUFFER) {
        vstr_hint_size(v, MPK_WRITER_MIN_BUFFER);
    }
    mpk_writer_init(w, (uint8_t *)v->buf, v->alloc, vstr_flush, v);
    mpk_writer_set_compat(w, !o->use_bin_type);
    w->pos = v->len;
}

static void writer_check(mpk_writer_t *w) {
    if (w->status != MPK_OK) {
        msgpack_raise(w->status, NULL);
    }
}

// A stream: the C stream protocol if it has one, else its write() method.
typedef struct stream_sink {
    mp_obj_t stream;
    const mp_stream_p_t *proto;  // NULL: call stream.write()
} stream_sink_t;

static void stream_write_all(stream_sink_t *s, const uint8_t *buf, size_t len) {
    if (s->proto != NULL) {
        // mp_stream_rw loops on short writes; it returns early (without an
        // error) only when a non-blocking stream filled up after some
        // progress, or when the stream accepted nothing.
        while (len > 0) {
            int err;
            mp_uint_t done = mp_stream_rw(s->stream, (void *)buf, len, &err, MP_STREAM_RW_WRITE);
            if (err != 0) {
                mp_raise_OSError(err);
            }
            if (done == 0) {
                mp_raise_OSError(MP_EIO);
            }
            buf += done;
            len -= done;
        }
        return;
    }
    while (len > 0) {
        mp_obj_t n = mp_call_function_1(mp_load_attr(s->stream, MP_QSTR_write),
            mp_obj_new_bytes(buf, len));
        if (n == mp_const_none) {
            return;  // write() that returns None took everything
        }
        mp_int_t k = mp_obj_get_int(n);
        if (k <= 0 || (size_t)k > len) {
            mp_raise_OSError(MP_EIO);
        }
        buf += k;
        len -= (size_t)k;
    }
}

static mpk_status_t stream_flush(mpk_writer_t *w, size_t need) {
    (void)need;
    stream_write_all(w->ctx, w->buf, w->pos);
    w->pos = 0;
    return MPK_OK;
}

#define STREAM_CHUNK (256)

// ---------------------------------------------------------------------------
// pack(obj, stream, **options) and packb(obj, **options)

static mp_obj_t msgpack_pack(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    mp_arg_val_t vals[N_PACK_ARGS];
    pack_opts_t o;
    if (n_args != 2) {
        mp_raise_TypeError(MP_ERROR_TEXT("pack() takes an object and a stream"));
    }
    mp_arg_parse_all(0, NULL, kw_args, N_PACK_ARGS, pack_allowed_args, vals);
    pack_opts_init(&o, vals);
    stream_sink_t s = { args[1], NULL };
    const mp_obj_type_t *type = mp_obj_get_type(args[1]);
    // io.IOBase subclasses (instance types) go through write(): their C
    // protocol would hand Python a bytearray over buf, on this C stack.
    if (!mp_obj_is_instance_type(type) && MP_OBJ_TYPE_HAS_SLOT(type, protocol)) {
        const mp_stream_p_t *p = MP_OBJ_TYPE_GET_SLOT(type, protocol);
        if (p->write != NULL) {
            s.proto = p;
        }
    }
    if (s.proto == NULL) {
        mp_load_attr(args[1], MP_QSTR_write);  // AttributeError up front, as in CPython
    }
    uint8_t buf[STREAM_CHUNK];
    mpk_writer_t w;
    mpk_writer_init(&w, buf, sizeof buf, stream_flush, &s);
    mpk_writer_set_compat(&w, !o.use_bin_type);
    pack_tree(&w, &o, args[0]);
    mpk_writer_finish(&w);
    writer_check(&w);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_KW(msgpack_pack_obj, 2, msgpack_pack);

static mp_obj_t msgpack_packb(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    mp_arg_val_t vals[N_PACK_ARGS];
    pack_opts_t o;
    if (n_args != 1) {
        mp_raise_TypeError(MP_ERROR_TEXT("packb() takes one object"));
    }
    mp_arg_parse_all(0, NULL, kw_args, N_PACK_ARGS, pack_allowed_args, vals);
    pack_opts_init(&o, vals);
    vstr_t v;
    vstr_init(&v, 64);
    mpk_writer_t w;
    writer_on_vstr(&w, &v, &o);
    pack_tree(&w, &o, args[0]);
    writer_check(&w);
    v.len = w.pos;
    return mp_obj_new_bytes_from_vstr(&v);
}
MP_DEFINE_CONST_FUN_OBJ_KW(msgpack_packb_obj, 1, msgpack_packb);

// ---------------------------------------------------------------------------
// Packer

typedef struct _msgpack_packer_obj_t {
    mp_obj_base_t base;
    pack_opts_t opts;
    bool autoreset;
    bool busy;     // default() may not re-enter this Packer
    vstr_t buf;
} msgpack_packer_obj_t;

static mp_obj_t packer_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_val_t vals[N_PACK_ARGS];
    mp_map_t kw_args;
    mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
    if (n_args != 0) {
        mp_raise_TypeError(MP_ERROR_TEXT("Packer() takes keyword arguments only"));
    }
    mp_arg_parse_all(0, NULL, &kw_args, N_PACK_ARGS, pack_allowed_args, vals);
    msgpack_packer_obj_t *self = mp_obj_malloc(msgpack_packer_obj_t, type);
    pack_opts_init(&self->opts, vals);
    self->autoreset = vals[ARG_autoreset].u_bool;
    self->busy = false;
    vstr_init(&self->buf, 64);
    return MP_OBJ_FROM_PTR(self);
}

typedef void (*packer_step_t)(mpk_writer_t *w, const pack_opts_t *o, mp_obj_t arg);

// How packer_run ends, as in msgpack-python 1.2.1: pack() empties the
// buffer on error; the other methods leave what was there before the call
// (msgpack-python leaves a partial map too, which would corrupt the next
// output: we drop it). Every method returns the buffer's bytes and empties
// it if autoreset, else None (pack_ext_type() too: 1.0.3 only appended).
enum { RUN_PACK, RUN_PART };

// Run a step with a writer on the Packer's buffer.
static mp_obj_t packer_run(mp_obj_t self_in, packer_step_t step, mp_obj_t arg, int mode) {
    msgpack_packer_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->busy) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("Packer is busy (re-entered from default)"));
    }
    size_t before = self->buf.len;
    mpk_writer_t w;
    writer_on_vstr(&w, &self->buf, &self->opts);
    self->busy = true;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        step(&w, &self->opts, arg);
        writer_check(&w);
        nlr_pop();
    } else {
        self->busy = false;
        self->buf.len = mode == RUN_PACK ? 0 : before;
        nlr_jump(nlr.ret_val);
    }
    self->busy = false;
    self->buf.len = w.pos;
    if (!self->autoreset) {
        return mp_const_none;
    }
    mp_obj_t out = mp_obj_new_bytes((const byte *)self->buf.buf, self->buf.len);
    self->buf.len = 0;
    return out;
}

static void step_pack(mpk_writer_t *w, const pack_opts_t *o, mp_obj_t obj) {
    pack_tree(w, o, obj);
}

static mp_obj_t packer_pack(mp_obj_t self_in, mp_obj_t obj) {
    return packer_run(self_in, step_pack, obj, RUN_PACK);
}
static MP_DEFINE_CONST_FUN_OBJ_2(packer_pack_obj, packer_pack);

// A count for a header: ValueError outside 0..2^32-1 on every port (not
// OverflowError where it does not fit a machine word), as in CPython.
static size_t header_count(mp_obj_t n_in) {
    int64_t n;
    if (!mp_obj_is_int(n_in)) {
        n = mp_obj_get_int(n_in);  // a bool, or TypeError
    } else if (!msgpack_int64(n_in, &n)) {
        n = -1;
    }
    if (n < 0 || n > (int64_t)0xffffffff) {
        mp_raise_ValueError(MP_ERROR_TEXT("size must be 0..2**32-1"));
    }
    return (size_t)n;
}

static void step_array_header(mpk_writer_t *w, const pack_opts_t *o, mp_obj_t n) {
    (void)o;
    mpk_write_array_header(w, header_count(n));
}

static mp_obj_t packer_pack_array_header(mp_obj_t self_in, mp_obj_t n) {
    return packer_run(self_in, step_array_header, n, RUN_PART);
}
static MP_DEFINE_CONST_FUN_OBJ_2(packer_pack_array_header_obj, packer_pack_array_header);

static void step_map_header(mpk_writer_t *w, const pack_opts_t *o, mp_obj_t n) {
    (void)o;
    mpk_write_map_header(w, header_count(n));
}

static mp_obj_t packer_pack_map_header(mp_obj_t self_in, mp_obj_t n) {
    return packer_run(self_in, step_map_header, n, RUN_PART);
}
static MP_DEFINE_CONST_FUN_OBJ_2(packer_pack_map_header_obj, packer_pack_map_header);

static void step_map_pairs(mpk_writer_t *w, const pack_opts_t *o, mp_obj_t pairs) {
    size_t n = header_count(mp_obj_len(pairs));
    mpk_write_map_header(w, n);
    mp_obj_iter_buf_t iter_buf;
    mp_obj_t it = mp_getiter(pairs, &iter_buf), pair;
    size_t done = 0;
    while ((pair = mp_iternext(it)) != MP_OBJ_STOP_ITERATION) {
        mp_obj_t *kv;
        mp_obj_get_array_fixed_n(pair, 2, &kv);
        if (++done > n) {
            changed_size();
        }
        pack_tree(w, o, kv[0]);
        pack_tree(w, o, kv[1]);
    }
    if (done != n) {
        changed_size();
    }
}

static mp_obj_t packer_pack_map_pairs(mp_obj_t self_in, mp_obj_t pairs) {
    return packer_run(self_in, step_map_pairs, pairs, RUN_PART);
}
static MP_DEFINE_CONST_FUN_OBJ_2(packer_pack_map_pairs_obj, packer_pack_map_pairs);

static void step_ext(mpk_writer_t *w, const pack_opts_t *o, mp_obj_t args_in) {
    (void)o;
    mp_obj_t *args = MP_OBJ_TO_PTR(args_in);
    mp_buffer_info_t data;
    mp_get_buffer_raise(args[1], &data, MP_BUFFER_READ);
    check_len(data.len);
    mpk_write_ext(w, ext_code(args[0]), data.buf, data.len);
}

static mp_obj_t packer_pack_ext_type(mp_obj_t self_in, mp_obj_t code, mp_obj_t data) {
    mp_obj_t args[2] = { code, data };
    return packer_run(self_in, step_ext, MP_OBJ_FROM_PTR(args), RUN_PART);
}
static MP_DEFINE_CONST_FUN_OBJ_3(packer_pack_ext_type_obj, packer_pack_ext_type);

static mp_obj_t packer_bytes(mp_obj_t self_in) {
    msgpack_packer_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return mp_obj_new_bytes((const byte *)self->buf.buf, self->buf.len);
}
static MP_DEFINE_CONST_FUN_OBJ_1(packer_bytes_obj, packer_bytes);

// A view of a copy: the internal buffer moves when it grows, and a view of
// it would then point at freed memory. (Without memoryview: the copy.)
static mp_obj_t packer_getbuffer(mp_obj_t self_in) {
    mp_obj_t copy = packer_bytes(self_in);
    #if MICROPY_PY_BUILTINS_MEMORYVIEW
    mp_buffer_info_t b;
    mp_get_buffer_raise(copy, &b, MP_BUFFER_READ);
    return mp_obj_new_memoryview('B', b.len, b.buf);
    #else
    return copy;
    #endif
}
static MP_DEFINE_CONST_FUN_OBJ_1(packer_getbuffer_obj, packer_getbuffer);

static mp_obj_t packer_reset(mp_obj_t self_in) {
    msgpack_packer_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->busy) {  // the pack in progress would set the length again
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("Packer is busy (re-entered from default)"));
    }
    self->buf.len = 0;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(packer_reset_obj, packer_reset);

static const mp_rom_map_elem_t packer_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_pack), MP_ROM_PTR(&packer_pack_obj) },
    { MP_ROM_QSTR(MP_QSTR_pack_array_header), MP_ROM_PTR(&packer_pack_array_header_obj) },
    { MP_ROM_QSTR(MP_QSTR_pack_map_header), MP_ROM_PTR(&packer_pack_map_header_obj) },
    { MP_ROM_QSTR(MP_QSTR_pack_map_pairs), MP_ROM_PTR(&packer_pack_map_pairs_obj) },
    { MP_ROM_QSTR(MP_QSTR_pack_ext_type), MP_ROM_PTR(&packer_pack_ext_type_obj) },
    { MP_ROM_QSTR(MP_QSTR_bytes), MP_ROM_PTR(&packer_bytes_obj) },
    { MP_ROM_QSTR(MP_QSTR_getbuffer), MP_ROM_PTR(&packer_getbuffer_obj) },
    { MP_ROM_QSTR(MP_QSTR_reset), MP_ROM_PTR(&packer_reset_obj) },
};
static MP_DEFINE_CONST_DICT(packer_locals_dict, packer_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    msgpack_type_Packer, MP_QSTR_Packer, MP_TYPE_FLAG_NONE,
    make_new, packer_make_new,
    locals_dict, &packer_locals_dict
    );
