// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// msgpack.ExtType, msgpack.Timestamp and the exceptions, with
// msgpack-python's names, hierarchy and behaviour.

#include <string.h>

#include "py/objint.h"
#include "../mpx_compat.h"
#include "py/objtuple.h"
#include "modmsgpack.h"

// ---------------------------------------------------------------------------
// Integers

static mp_obj_t new_int64(int64_t v) {
    if (v >= MP_SMALL_INT_MIN && v <= MP_SMALL_INT_MAX) {
        return MP_OBJ_NEW_SMALL_INT((mp_int_t)v);
    }
    return mp_obj_new_int_from_ll(v);
}

// Never inlined: on 1.29 it catches OverflowError with nlr_push (see pack_int).
MP_NOINLINE bool msgpack_int64(mp_obj_t o, int64_t *out) {
    if (mp_obj_is_small_int(o)) {
        *out = MP_OBJ_SMALL_INT_VALUE(o);
        return true;
    }
    #if MICROPY_LONGINT_IMPL != MICROPY_LONGINT_IMPL_NONE
    byte buf[8];
    if (mpx_bigint_to_le64(o, true, buf)) {
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | buf[i];
        }
        *out = (int64_t)v;
        return true;
    }
    #endif
    return false;
}

// ---------------------------------------------------------------------------
// Exceptions

MP_DEFINE_CONST_OBJ_TYPE(
    msgpack_type_UnpackException, MP_QSTR_UnpackException, MP_TYPE_FLAG_NONE,
    make_new, mp_obj_exception_make_new,
    print, mp_obj_exception_print,
    attr, mp_obj_exception_attr,
    parent, &mp_type_Exception
    );

MP_DEFINE_CONST_OBJ_TYPE(
    msgpack_type_BufferFull, MP_QSTR_BufferFull, MP_TYPE_FLAG_NONE,
    make_new, mp_obj_exception_make_new,
    print, mp_obj_exception_print,
    attr, mp_obj_exception_attr,
    parent, &msgpack_type_UnpackException
    );

MP_DEFINE_CONST_OBJ_TYPE(
    msgpack_type_OutOfData, MP_QSTR_OutOfData, MP_TYPE_FLAG_NONE,
    make_new, mp_obj_exception_make_new,
    print, mp_obj_exception_print,
    attr, mp_obj_exception_attr,
    parent, &msgpack_type_UnpackException
    );

// FormatError and StackError are both ValueError and UnpackException.
// Without multiple inheritance they are ValueErrors only.
#if MICROPY_ENABLE_DYNRUNTIME
#define VALUE_AND_UNPACK (msgpack_dyn.value_and_unpack)  // decided at import
#elif MICROPY_MULTIPLE_INHERITANCE
static const mp_rom_obj_tuple_t value_and_unpack_bases = {
    {&mp_type_tuple}, 2, { MP_ROM_PTR(&mp_type_ValueError), MP_ROM_PTR(&msgpack_type_UnpackException) }
};
#define VALUE_AND_UNPACK (&value_and_unpack_bases)
#else
#define VALUE_AND_UNPACK (&mp_type_ValueError)
#endif

MP_DEFINE_CONST_OBJ_TYPE(
    msgpack_type_FormatError, MP_QSTR_FormatError, MP_TYPE_FLAG_NONE,
    make_new, mp_obj_exception_make_new,
    print, mp_obj_exception_print,
    attr, mp_obj_exception_attr,
    parent, VALUE_AND_UNPACK
    );

MP_DEFINE_CONST_OBJ_TYPE(
    msgpack_type_StackError, MP_QSTR_StackError, MP_TYPE_FLAG_NONE,
    make_new, mp_obj_exception_make_new,
    print, mp_obj_exception_print,
    attr, mp_obj_exception_attr,
    parent, VALUE_AND_UNPACK
    );

// ExtraData(unpacked, extra): the two arguments are also attributes.
static void extradata_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] == MP_OBJ_NULL && (attr == MP_QSTR_unpacked || attr == MP_QSTR_extra)) {
        mp_obj_exception_t *self = MP_OBJ_TO_PTR(self_in);
        size_t i = attr == MP_QSTR_unpacked ? 0 : 1;
        dest[0] = self->args->len > i ? self->args->items[i] : mp_const_none;
        return;
    }
    mp_obj_exception_attr(self_in, attr, dest);
}

static void extradata_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    if (kind == PRINT_STR) {
        mp_print_str(print, "unpack(b) received extra data.");
        return;
    }
    mp_obj_exception_print(print, self_in, kind);
}

MP_DEFINE_CONST_OBJ_TYPE(
    msgpack_type_ExtraData, MP_QSTR_ExtraData, MP_TYPE_FLAG_NONE,
    make_new, mp_obj_exception_make_new,
    print, extradata_print,
    attr, extradata_attr,
    parent, &mp_type_ValueError
    );

NORETURN void msgpack_raise(mpk_status_t st, const mpk_decoder_t *d) {
    mpk_error_t e;
    mpk_error_get(&e, st, d);
    const mp_obj_type_t *type;
    switch (e.kind) {
        case MPK_EXC_VALUE: type = &mp_type_ValueError; break;
        case MPK_EXC_FORMAT: type = &msgpack_type_FormatError; break;
        case MPK_EXC_STACK: type = &msgpack_type_StackError; break;
        case MPK_EXC_OUT_OF_DATA: type = &msgpack_type_OutOfData; break;
        case MPK_EXC_BUFFER_FULL: type = &msgpack_type_BufferFull; break;
        case MPK_EXC_OVERFLOW: type = &mp_type_OverflowError; break;
        case MPK_EXC_MEMORY: mp_raise_type(&mp_type_MemoryError);
        case MPK_EXC_OS: mp_raise_OSError(MP_EIO);
        case MPK_EXC_AGAIN: mp_raise_OSError(MP_EAGAIN);
        default: type = &mp_type_RuntimeError; break;
    }
    // The table's messages are plain strings (never compressed ones).
    mp_raise_msg_varg(type, (mp_rom_error_text_t)e.fmt, e.a, e.name, e.b);
}

// ---------------------------------------------------------------------------
// ExtType(code, data): a namedtuple in msgpack-python; here a small type
// that compares, hashes, indexes and unpacks like one.

mp_obj_t msgpack_ext_new(int code, const uint8_t *data, size_t len) {
    msgpack_ext_obj_t *self = mp_obj_malloc(msgpack_ext_obj_t, &msgpack_type_ExtType);
    self->code = MP_OBJ_NEW_SMALL_INT(code);
    self->data = mp_obj_new_bytes(data, len);
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t ext_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    enum { ARG_code, ARG_data };
    MSGPACK_ARG_TABLE_LOCAL(allowed_args) {
        { MP_QSTR_code, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_data, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
    };
    mp_arg_val_t vals[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all_kw_array(n_args, n_kw, args, MP_ARRAY_SIZE(allowed_args), allowed_args, vals);
    mp_obj_t code = vals[ARG_code].u_obj, data = vals[ARG_data].u_obj;
    if (!mp_obj_is_small_int(code) && !mp_obj_is_int(code)) {
        mp_raise_TypeError(MP_ERROR_TEXT("code must be int"));
    }
    if (!mp_obj_is_type(data, &mp_type_bytes)) {
        mp_raise_TypeError(MP_ERROR_TEXT("data must be bytes"));
    }
    if (!mp_obj_is_small_int(code) || MP_OBJ_SMALL_INT_VALUE(code) < 0 || MP_OBJ_SMALL_INT_VALUE(code) > 127) {
        mp_raise_ValueError(MP_ERROR_TEXT("code must be 0~127"));
    }
    msgpack_ext_obj_t *self = mp_obj_malloc(msgpack_ext_obj_t, type);
    self->code = code;
    self->data = data;
    return MP_OBJ_FROM_PTR(self);
}

static void ext_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    msgpack_ext_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "ExtType(code=%d, data=", (int)MP_OBJ_SMALL_INT_VALUE(self->code));
    mp_obj_print_helper(print, self->data, PRINT_REPR);
    mp_print_str(print, ")");
}

static mp_obj_t ext_as_tuple(mp_obj_t self_in) {
    msgpack_ext_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_obj_t items[2] = { self->code, self->data };
    return mp_obj_new_tuple(2, items);
}

static void ext_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    msgpack_ext_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL) {
        if (attr == MP_QSTR_code) {
            dest[0] = self->code;
        } else if (attr == MP_QSTR_data) {
            dest[0] = self->data;
        }
    }
}

static mp_obj_t ext_subscr(mp_obj_t self_in, mp_obj_t index, mp_obj_t value) {
    if (value != MP_OBJ_SENTINEL) {
        return MP_OBJ_NULL;  // no assignment, no deletion
    }
    msgpack_ext_obj_t *self = MP_OBJ_TO_PTR(self_in);
    size_t i = mp_get_index(&msgpack_type_ExtType, 2, index, false);
    return i == 0 ? self->code : self->data;
}

static mp_obj_t ext_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    switch (op) {
        case MP_UNARY_OP_BOOL:
            return mp_const_true;
        case MP_UNARY_OP_LEN:
            return MP_OBJ_NEW_SMALL_INT(2);
        case MP_UNARY_OP_HASH:
            // The hash of the equal tuple (code, data), as in CPython.
            return mp_unary_op(MP_UNARY_OP_HASH, ext_as_tuple(self_in));
        default:
            return MP_OBJ_NULL;
    }
}

static mp_obj_t ext_binary_op(mp_binary_op_t op, mp_obj_t lhs, mp_obj_t rhs) {
    if (op != MP_BINARY_OP_EQUAL) {
        return MP_OBJ_NULL;
    }
    msgpack_ext_obj_t *self = MP_OBJ_TO_PTR(lhs);
    mp_obj_t code, data;
    if (mp_obj_is_type(rhs, &msgpack_type_ExtType)) {
        msgpack_ext_obj_t *other = MP_OBJ_TO_PTR(rhs);
        code = other->code;
        data = other->data;
    } else if (mp_obj_is_type(rhs, &mp_type_tuple)) {
        size_t len;
        mp_obj_t *items;
        mp_obj_tuple_get(rhs, &len, &items);
        if (len != 2) {
            return mp_const_false;
        }
        code = items[0];
        data = items[1];
    } else {
        return mp_const_false;
    }
    return mp_obj_new_bool(mp_obj_equal(self->code, code) && mp_obj_equal(self->data, data));
}

static mp_obj_t ext_getiter(mp_obj_t self_in, mp_obj_iter_buf_t *iter_buf) {
    return mp_getiter(ext_as_tuple(self_in), iter_buf);
}

MP_DEFINE_CONST_OBJ_TYPE(
    msgpack_type_ExtType, MP_QSTR_ExtType, MP_TYPE_FLAG_ITER_IS_GETITER | MP_TYPE_FLAG_EQ_CHECKS_OTHER_TYPE,
    make_new, ext_make_new,
    print, ext_print,
    attr, ext_attr,
    subscr, ext_subscr,
    unary_op, ext_unary_op,
    binary_op, ext_binary_op,
    iter, ext_getiter
    );

// ---------------------------------------------------------------------------
// Timestamp(seconds, nanoseconds=0): the extension type -1.

mp_obj_t msgpack_timestamp_new(int64_t sec, uint32_t nsec) {
    msgpack_timestamp_obj_t *self = mp_obj_malloc(msgpack_timestamp_obj_t, &msgpack_type_Timestamp);
    self->seconds = new_int64(sec);
    self->nanoseconds = MP_OBJ_NEW_SMALL_INT((mp_int_t)nsec);
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t timestamp_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    enum { ARG_seconds, ARG_nanoseconds };
    MSGPACK_ARG_TABLE_LOCAL(allowed_args) {
        { MP_QSTR_seconds, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_nanoseconds, MP_ARG_OBJ, {.u_obj = MP_OBJ_NEW_SMALL_INT(0)} },
    };
    mp_arg_val_t vals[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all_kw_array(n_args, n_kw, args, MP_ARRAY_SIZE(allowed_args), allowed_args, vals);
    mp_obj_t sec = vals[ARG_seconds].u_obj, ns = vals[ARG_nanoseconds].u_obj;
    if (!mp_obj_is_int(sec)) {
        mp_raise_TypeError(MP_ERROR_TEXT("seconds must be an integer"));
    }
    if (!mp_obj_is_int(ns)) {
        mp_raise_TypeError(MP_ERROR_TEXT("nanoseconds must be an integer"));
    }
    if (!mp_obj_is_small_int(ns) || MP_OBJ_SMALL_INT_VALUE(ns) < 0
        || MP_OBJ_SMALL_INT_VALUE(ns) > (mp_int_t)MPK_NSEC_MAX) {
        mp_raise_ValueError(MP_ERROR_TEXT("nanoseconds must be a non-negative integer less than 999999999."));
    }
    msgpack_timestamp_obj_t *self = mp_obj_malloc(msgpack_timestamp_obj_t, type);
    self->seconds = sec;
    self->nanoseconds = ns;
    return MP_OBJ_FROM_PTR(self);
}

static void timestamp_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    msgpack_timestamp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_print_str(print, "Timestamp(seconds=");
    mp_obj_print_helper(print, self->seconds, PRINT_REPR);
    mp_printf(print, ", nanoseconds=%d)", (int)MP_OBJ_SMALL_INT_VALUE(self->nanoseconds));
}

static void timestamp_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    msgpack_timestamp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL) {
        if (attr == MP_QSTR_seconds) {
            dest[0] = self->seconds;
            return;
        }
        if (attr == MP_QSTR_nanoseconds) {
            dest[0] = self->nanoseconds;
            return;
        }
    }
    dest[1] = MP_OBJ_SENTINEL;  // continue with the methods in locals_dict
}

static mp_obj_t timestamp_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    msgpack_timestamp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (op == MP_UNARY_OP_HASH) {
        mp_obj_t items[2] = { self->seconds, self->nanoseconds };
        return mp_unary_op(MP_UNARY_OP_HASH, mp_obj_new_tuple(2, items));
    }
    return op == MP_UNARY_OP_BOOL ? mp_const_true : MP_OBJ_NULL;
}

static mp_obj_t timestamp_binary_op(mp_binary_op_t op, mp_obj_t lhs, mp_obj_t rhs) {
    if (op != MP_BINARY_OP_EQUAL) {
        return MP_OBJ_NULL;
    }
    if (!mp_obj_is_type(rhs, &msgpack_type_Timestamp)) {
        return mp_const_false;
    }
    msgpack_timestamp_obj_t *a = MP_OBJ_TO_PTR(lhs), *b = MP_OBJ_TO_PTR(rhs);
    return mp_obj_new_bool(mp_obj_equal(a->seconds, b->seconds) && mp_obj_equal(a->nanoseconds, b->nanoseconds));
}

static mp_obj_t timestamp_to_bytes(mp_obj_t self_in) {
    msgpack_timestamp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    int64_t sec;
    if (!msgpack_int64(self->seconds, &sec)) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("seconds out of range"));
    }
    uint8_t data[12];
    size_t n = mpk_timestamp_encode(sec, (uint32_t)MP_OBJ_SMALL_INT_VALUE(self->nanoseconds), data);
    return mp_obj_new_bytes(data, n);
}
static MP_DEFINE_CONST_FUN_OBJ_1(timestamp_to_bytes_obj, timestamp_to_bytes);

static mp_obj_t timestamp_from_bytes(mp_obj_t data_in) {
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(data_in, &bufinfo, MP_BUFFER_READ);
    int64_t sec;
    uint32_t nsec;
    mpk_status_t st = mpk_timestamp_decode(bufinfo.buf, bufinfo.len, &sec, &nsec);
    if (st != MPK_OK) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("timestamp: %s"), mpk_status_str(st));
    }
    return msgpack_timestamp_new(sec, nsec);
}
static MP_DEFINE_CONST_FUN_OBJ_1(timestamp_from_bytes_fun_obj, timestamp_from_bytes);
static MP_DEFINE_CONST_STATICMETHOD_OBJ(timestamp_from_bytes_obj, MP_ROM_PTR(&timestamp_from_bytes_fun_obj));

static mp_obj_t giga(void) {
    return MP_OBJ_NEW_SMALL_INT(1000000000);
}

static mp_obj_t timestamp_from_unix_nano(mp_obj_t ns) {
    msgpack_timestamp_obj_t *self = mp_obj_malloc(msgpack_timestamp_obj_t, &msgpack_type_Timestamp);
    self->seconds = mp_binary_op(MP_BINARY_OP_FLOOR_DIVIDE, ns, giga());
    self->nanoseconds = mp_binary_op(MP_BINARY_OP_MODULO, ns, giga());
    return MP_OBJ_FROM_PTR(self);
}
static MP_DEFINE_CONST_FUN_OBJ_1(timestamp_from_unix_nano_fun_obj, timestamp_from_unix_nano);
static MP_DEFINE_CONST_STATICMETHOD_OBJ(timestamp_from_unix_nano_obj, MP_ROM_PTR(&timestamp_from_unix_nano_fun_obj));

static mp_obj_t timestamp_to_unix_nano(mp_obj_t self_in) {
    msgpack_timestamp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return mp_binary_op(MP_BINARY_OP_ADD, mp_binary_op(MP_BINARY_OP_MULTIPLY, self->seconds, giga()),
        self->nanoseconds);
}
static MP_DEFINE_CONST_FUN_OBJ_1(timestamp_to_unix_nano_obj, timestamp_to_unix_nano);

#if MICROPY_PY_BUILTINS_FLOAT
static mp_obj_t timestamp_from_unix(mp_obj_t unix_sec) {
    mp_obj_t one = MP_OBJ_NEW_SMALL_INT(1);
    mp_obj_t sec = mp_binary_op(MP_BINARY_OP_FLOOR_DIVIDE, unix_sec, one);
    mp_obj_t frac = mp_binary_op(MP_BINARY_OP_MODULO, unix_sec, one);
    mp_float_t ns = mp_obj_get_float(frac) * (mp_float_t)1e9;
    msgpack_timestamp_obj_t *self = mp_obj_malloc(msgpack_timestamp_obj_t, &msgpack_type_Timestamp);
    self->seconds = mp_obj_new_int_from_float(mp_obj_get_float(sec));
    self->nanoseconds = MP_OBJ_NEW_SMALL_INT((mp_int_t)ns);
    return MP_OBJ_FROM_PTR(self);
}
static MP_DEFINE_CONST_FUN_OBJ_1(timestamp_from_unix_fun_obj, timestamp_from_unix);
static MP_DEFINE_CONST_STATICMETHOD_OBJ(timestamp_from_unix_obj, MP_ROM_PTR(&timestamp_from_unix_fun_obj));

static mp_obj_t timestamp_to_unix(mp_obj_t self_in) {
    msgpack_timestamp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return mp_obj_new_float(mp_obj_get_float(self->seconds)
        + (mp_float_t)MP_OBJ_SMALL_INT_VALUE(self->nanoseconds) / (mp_float_t)1e9);
}
static MP_DEFINE_CONST_FUN_OBJ_1(timestamp_to_unix_obj, timestamp_to_unix);
#endif

static const mp_rom_map_elem_t timestamp_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_to_bytes), MP_ROM_PTR(&timestamp_to_bytes_obj) },
    { MP_ROM_QSTR(MP_QSTR_from_bytes), MP_ROM_PTR(&timestamp_from_bytes_obj) },
    { MP_ROM_QSTR(MP_QSTR_to_unix_nano), MP_ROM_PTR(&timestamp_to_unix_nano_obj) },
    { MP_ROM_QSTR(MP_QSTR_from_unix_nano), MP_ROM_PTR(&timestamp_from_unix_nano_obj) },
    #if MICROPY_PY_BUILTINS_FLOAT
    { MP_ROM_QSTR(MP_QSTR_to_unix), MP_ROM_PTR(&timestamp_to_unix_obj) },
    { MP_ROM_QSTR(MP_QSTR_from_unix), MP_ROM_PTR(&timestamp_from_unix_obj) },
    #endif
};
static MP_DEFINE_CONST_DICT(timestamp_locals_dict, timestamp_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    msgpack_type_Timestamp, MP_QSTR_Timestamp, MP_TYPE_FLAG_NONE,
    make_new, timestamp_make_new,
    print, timestamp_print,
    attr, timestamp_attr,
    unary_op, timestamp_unary_op,
    binary_op, timestamp_binary_op,
    locals_dict, &timestamp_locals_dict
    );
