// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The `msgpack` module as a MicroPython native module (.mpy): the binding
// of the built-in module (micropython/msgpack/*.c) compiled here, over
// natmod.h's replacements for what the dynamic runtime lacks, and mpy_init,
// which builds at import what the firmware's module has in ROM (the types,
// their methods, the keyword tables, the module's names).
//
// Built by ./Makefile with MicroPython's py/dynruntime.mk; see
// docs/msgpack.md ("Without building firmware") for what differs.

#include "modmsgpack.h"

// Without a C library: what the compiler and lib/msgpack call.
void *memcpy(void *dst, const void *src, size_t n) {
    return mp_fun_table.memmove_(dst, src, n);
}
void *memmove(void *dst, const void *src, size_t n) {
    return mp_fun_table.memmove_(dst, src, n);
}
void *memset(void *s, int c, size_t n) {
    return mp_fun_table.memset_(s, c, n);
}

msgpack_dyn_t msgpack_dyn;

// ---------------------------------------------------------------------------
// Types, dicts, static methods

const mp_obj_type_t msgpack_dyn_staticmethod_mark;

void msgpack_dyn_type_begin(mp_obj_full_type_t *t, qstr name, uint16_t flags) {
    t->base.type = &mp_type_type;
    t->flags = flags;
    t->name = name;
}

static size_t text_len(const char *s) {
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    return n;
}

void msgpack_dyn_dict_init(mp_obj_dict_t *dict, const mp_rom_map_elem_t *table, size_t n) {
    // The dict object lives in this module's BSS, which the GC scans; its
    // table is on the heap.
    *dict = *(mp_obj_dict_t *)MP_OBJ_TO_PTR(mp_obj_new_dict(n));
    for (size_t i = 0; i < n; i++) {
        const char *name = (const char *)table[i].key;
        size_t skip = sizeof MSGPACK_DYN_QSTR_PREFIX - 1;
        mp_obj_t key = mp_obj_new_str(name + skip, text_len(name) - skip);
        if (!mp_obj_is_qstr(key)) {
            // mpy_ld.py puts every MP_QSTR_ name of the sources in the .mpy.
            mp_raise_msg(&mp_type_RuntimeError, "msgpack.mpy: a name is missing from its qstr table");
        }
        mp_obj_t value = (mp_obj_t)table[i].value;
        if (mp_obj_is_obj(value) && ((mp_obj_base_t *)MP_OBJ_TO_PTR(value))->type == &msgpack_dyn_staticmethod_mark) {
            const mp_rom_obj_static_class_method_t *sm = MP_OBJ_TO_PTR(value);
            value = mp_call_function_1(msgpack_dyn.staticmethod, (mp_obj_t)sm->fun);
        }
        mp_obj_dict_store(MP_OBJ_FROM_PTR(dict), key, value);
    }
}

// ---------------------------------------------------------------------------
// Calls and objects

mp_obj_t msgpack_dyn_call1(mp_obj_t fun, mp_obj_t arg) {
    return mp_call_function_n_kw(fun, 1, 0, &arg);
}

mp_obj_t msgpack_dyn_call2(mp_obj_t fun, mp_obj_t a, mp_obj_t b) {
    mp_obj_t args[2] = { a, b };
    return mp_call_function_n_kw(fun, 2, 0, args);
}

bool msgpack_dyn_is_callable(mp_obj_t o) {
    return mp_call_function_1(msgpack_dyn.callable, o) == mp_const_true;
}

void msgpack_dyn_get_array(mp_obj_t o, size_t *len, mp_obj_t **items) {
    if (mp_obj_is_exact_type(o, &mp_type_tuple)) {
        msgpack_dyn_tuple_get(o, len, items);
    } else if (mp_obj_is_exact_type(o, &mp_type_list)) {
        msgpack_dyn_list_get(o, len, items);
    } else {
        mp_raise_TypeError("expected tuple/list");
    }
}

void msgpack_dyn_get_array_fixed_n(mp_obj_t o, size_t n, mp_obj_t **items) {
    size_t len;
    msgpack_dyn_get_array(o, &len, items);
    if (len != n) {
        mp_raise_msg_varg(&mp_type_ValueError, "requested length %d but object has length %d", (int)n, (int)len);
    }
}

// The parent of a type: another type, a tuple of them, or NULL.
static bool is_subclass(const mp_obj_type_t *t, const mp_obj_type_t *base) {
    for (;;) {
        if (t == base) {
            return true;
        }
        const void *parent = MP_OBJ_TYPE_GET_SLOT_OR_NULL(t, parent);
        if (parent == NULL) {
            return false;
        }
        if (((const mp_obj_base_t *)parent)->type == &mp_type_tuple) {
            size_t len;
            mp_obj_t *items;
            msgpack_dyn_tuple_get(MP_OBJ_FROM_PTR(parent), &len, &items);
            for (size_t i = 0; i < len; i++) {
                if (is_subclass(MP_OBJ_TO_PTR(items[i]), base)) {
                    return true;
                }
            }
            return false;
        }
        t = parent;
    }
}

mp_obj_t msgpack_dyn_cast_to_native_base(mp_obj_t o, mp_const_obj_t native_type) {
    const mp_obj_type_t *type = mp_obj_get_type(o);
    if (MP_OBJ_FROM_PTR(type) == native_type) {
        return o;
    }
    if (!mp_obj_is_instance_type(type) || !is_subclass(type, MP_OBJ_TO_PTR(native_type))) {
        return MP_OBJ_NULL;
    }
    // An instance of a Python subclass of a native type keeps the native
    // object as its first sub-object.
    return ((mp_obj_instance_t *)MP_OBJ_TO_PTR(o))->subobj[0];
}

bool msgpack_dyn_is_dict_or_ordereddict(mp_obj_t o) {
    // dict and OrderedDict share dict's constructor (py/obj.h's test).
    return mp_obj_is_obj(o)
           && MP_OBJ_TYPE_GET_SLOT_OR_NULL(mp_obj_get_type(o), make_new)
           == MP_OBJ_TYPE_GET_SLOT_OR_NULL(&mp_type_dict, make_new);
}

const char *msgpack_dyn_type_str(mp_obj_t o) {
    // A type's __name__ is a qstr, whose text the firmware keeps, with a NUL.
    mp_obj_t name = mp_load_attr(MP_OBJ_FROM_PTR(mp_obj_get_type(o)), MP_QSTR___name__);
    size_t len;
    return mp_obj_str_get_data_dyn(name, &len);
}

void msgpack_dyn_print_repr(const mp_print_t *print, mp_obj_t o) {
    size_t len;
    const char *s = mp_obj_str_get_data_dyn(mp_call_function_1(msgpack_dyn.repr, o), &len);
    print->print_strn(print->data, s, len);
}

size_t msgpack_dyn_get_index(const mp_obj_type_t *type, size_t len, mp_obj_t index) {
    mp_int_t i = mp_obj_get_int(index);  // TypeError for what is not an int
    if (i < 0) {
        i += len;
    }
    if (i < 0 || (size_t)i >= len) {
        mp_raise_msg_varg(&mp_type_IndexError, "%q index out of range", type->name);
    }
    return (size_t)i;
}

// Keys longer than this are not cached (their str would stay alive).
#define KEY_CACHE_MAX_LEN (40)

qstr msgpack_dyn_qstr_find(const char *p, size_t n) {
    struct msgpack_dyn_key *k = NULL;
    if (n <= KEY_CACHE_MAX_LEN) {
        uint32_t h = 2166136261u;  // FNV-1a
        for (size_t i = 0; i < n; i++) {
            h = (h ^ (byte)p[i]) * 16777619u;
        }
        k = &msgpack_dyn.keys[(h ^ (h >> 16)) % MP_ARRAY_SIZE(msgpack_dyn.keys)];
        if (k->obj != MP_OBJ_NULL && k->len == n) {
            size_t i = 0;
            while (i < n && k->text[i] == (byte)p[i]) {
                i++;
            }
            if (i == n) {
                if (mp_obj_is_qstr(k->obj)) {
                    return MSGPACK_DYN_QSTR_VALUE(k->obj);
                }
                // A str met before: the same (immutable) object again.
                msgpack_dyn.found_str = k->obj;
                msgpack_dyn.found_text = p;
                return MP_QSTRnull;
            }
        }
    }
    mp_obj_t s = mp_obj_new_str(p, n);
    if (k != NULL) {
        size_t len;
        k->text = msgpack_dyn_str_get_data(s, &len);  // a qstr's text stays
        k->len = n;
        k->obj = s;
    }
    if (mp_obj_is_qstr(s)) {
        return MSGPACK_DYN_QSTR_VALUE(s);
    }
    msgpack_dyn.found_str = s;
    msgpack_dyn.found_text = p;
    return MP_QSTRnull;
}

mp_obj_t msgpack_dyn_new_str(const byte *p, size_t n) {
    mp_obj_t found = msgpack_dyn.found_str;
    msgpack_dyn.found_str = MP_OBJ_NULL;
    if (found != MP_OBJ_NULL && msgpack_dyn.found_text == (const char *)p) {
        return found;
    }
    // The text was checked (UTF-8) by the caller. A hash of 0 means "not
    // computed yet" (py/objstr.h).
    byte *data = m_new(byte, n + 1);
    memcpy(data, p, n);
    data[n] = '\0';
    mp_obj_str_t *o = mp_obj_malloc(mp_obj_str_t, &mp_type_str);
    o->hash = 0;
    o->len = n;
    o->data = data;
    return MP_OBJ_FROM_PTR(o);
}

mp_obj_t msgpack_dyn_new_memoryview(size_t n, void *items, bool writable) {
    // A bytearray over the memory (the table can make one), seen through a
    // memoryview when the firmware has the type; read-only views are views
    // of a copy (bytes).
    mp_obj_t buf = writable ? mp_obj_new_bytearray_by_ref(n, items) : mp_obj_new_bytes(items, n);
    if (msgpack_dyn.memoryview == NULL) {
        return buf;
    }
    return mp_call_function_1(MP_OBJ_FROM_PTR(msgpack_dyn.memoryview), buf);
}

// ---------------------------------------------------------------------------
// Integers

static mp_obj_t int_op(mp_binary_op_t op, mp_obj_t a, mp_int_t b) {
    return mp_binary_op(op, a, MP_OBJ_NEW_SMALL_INT(b));
}

mp_obj_t msgpack_dyn_new_int64(int64_t v) {
    if (v >= MP_SMALL_INT_MIN && v <= MP_SMALL_INT_MAX) {
        return MP_OBJ_NEW_SMALL_INT((mp_int_t)v);
    }
    // (v >> 32) << 32 | low 32 bits: OverflowError where there are no big ints.
    mp_obj_t hi = int_op(MP_BINARY_OP_LSHIFT, mp_obj_new_int((mp_int_t)(v >> 32)), 32);
    return mp_binary_op(MP_BINARY_OP_OR, hi, mp_obj_new_int_from_uint((mp_uint_t)((uint64_t)v & 0xffffffffu)));
}

mp_obj_t msgpack_dyn_new_uint64(uint64_t v) {
    if (v <= (uint64_t)MP_SMALL_INT_MAX) {
        return MP_OBJ_NEW_SMALL_INT((mp_int_t)v);
    }
    mp_obj_t hi = int_op(MP_BINARY_OP_LSHIFT, mp_obj_new_int_from_uint((mp_uint_t)(v >> 32)), 32);
    return mp_binary_op(MP_BINARY_OP_OR, hi, mp_obj_new_int_from_uint((mp_uint_t)(v & 0xffffffffu)));
}

int msgpack_dyn_int_sign(mp_obj_t o) {
    if (mp_obj_is_small_int(o)) {
        mp_int_t v = MP_OBJ_SMALL_INT_VALUE(o);
        return v < 0 ? -1 : v > 0;
    }
    if (int_op(MP_BINARY_OP_LESS, o, 0) == mp_const_true) {
        return -1;
    }
    return int_op(MP_BINARY_OP_MORE, o, 0) == mp_const_true;
}

// The low 32 bits of an int (two's complement for a negative one): the
// firmware's mp_obj_get_int_truncated.
static uint32_t low32(mp_obj_t o) {
    return (uint32_t)mp_fun_table.native_from_obj(o, MP_NATIVE_TYPE_UINT);
}

bool mpx_bigint_to_le64(mp_obj_t o, bool is_signed, byte buf[8]) {
    // o >> 63 is -1 or 0 for [-2^63, 2^63 - 1] and 1 for [2^63, 2^64 - 1]:
    // a small int, whatever the size of o.
    mp_obj_t top = int_op(MP_BINARY_OP_RSHIFT, o, 63);
    mp_int_t t = mp_obj_is_small_int(top) ? MP_OBJ_SMALL_INT_VALUE(top) : 2;
    if (is_signed ? (t != 0 && t != -1) : (t != 0 && t != 1)) {
        return false;
    }
    uint32_t lo = low32(o);
    uint32_t hi = low32(int_op(MP_BINARY_OP_RSHIFT, o, 32));
    for (int i = 0; i < 4; i++) {
        buf[i] = (byte)(lo >> (8 * i));
        buf[4 + i] = (byte)(hi >> (8 * i));
    }
    return true;
}

mp_int_t msgpack_dyn_get_int(mp_obj_t o) {
    if (mp_obj_is_small_int(o)) {
        return MP_OBJ_SMALL_INT_VALUE(o);
    }
    if (mp_obj_is_exact_type(o, &mp_type_int)) {
        byte buf[8];
        if (mpx_bigint_to_le64(o, true, buf)) {
            int64_t v = 0;
            for (int i = 7; i >= 0; i--) {
                v = (int64_t)((uint64_t)v << 8 | buf[i]);
            }
            if (v >= INTPTR_MIN && v <= INTPTR_MAX) {
                return (mp_int_t)v;
            }
        }
        mp_raise_msg(&mp_type_OverflowError, "overflow converting long int to machine word");
    }
    // bool, or a TypeError from the firmware
    return (mp_int_t)mp_fun_table.native_from_obj(o, MP_NATIVE_TYPE_INT);
}

mp_obj_t msgpack_dyn_new_int_from_float(mp_float_t f) {
    return mp_call_function_1(MP_OBJ_FROM_PTR(&mp_type_int), mp_obj_new_float(f));
}

// ---------------------------------------------------------------------------
// Exceptions

typedef struct text_buf {
    char data[160];
    size_t len;
} text_buf_t;

static void text_add(void *env, const char *s, size_t n) {
    text_buf_t *b = env;
    while (n-- > 0 && b->len < sizeof b->data) {
        b->data[b->len++] = *s++;
    }
}

NORETURN void msgpack_dyn_raise_msg_varg(const mp_obj_type_t *type, const char *fmt, ...) {
    text_buf_t b;
    b.len = 0;
    mp_print_t print = { &b, text_add };
    va_list args;
    va_start(args, fmt);
    mp_vprintf(&print, fmt, args);
    va_end(args);
    mp_obj_t msg = mp_obj_new_str(b.data, b.len);
    nlr_raise(mp_call_function_n_kw(MP_OBJ_FROM_PTR(type), 1, 0, &msg));
}

NORETURN void msgpack_dyn_raise_OSError(int errcode) {
    mp_obj_t arg = MP_OBJ_NEW_SMALL_INT(errcode);
    nlr_raise(mp_call_function_n_kw(MP_OBJ_FROM_PTR(&mp_type_OSError), 1, 0, &arg));
}

// ---------------------------------------------------------------------------
// Streams and growable buffers

mp_uint_t msgpack_dyn_stream_rw(mp_obj_t stream, void *buf_in, mp_uint_t size, int *errcode, byte flags) {
    const mp_stream_p_t *p = MP_OBJ_TYPE_GET_SLOT(mp_obj_get_type(stream), protocol);
    mp_uint_t (*io)(mp_obj_t, void *, mp_uint_t, int *) =
        (flags & MP_STREAM_RW_WRITE) ? (mp_uint_t (*)(mp_obj_t, void *, mp_uint_t, int *))p->write : p->read;
    byte *buf = buf_in;
    mp_uint_t done = 0;
    *errcode = 0;
    while (size > 0) {
        mp_uint_t n = io(stream, buf, size, errcode);
        if (n == 0) {
            break;  // end of stream, or a write that took nothing
        }
        if (n == MP_STREAM_ERROR) {
            if (mp_is_nonblocking_error(*errcode) && done != 0) {
                *errcode = 0;  // what was read before EAGAIN counts
            }
            break;
        }
        if (flags & MP_STREAM_RW_ONCE) {
            return n;
        }
        buf += n;
        size -= n;
        done += n;
    }
    return done;
}

void msgpack_dyn_vstr_init(vstr_t *v, size_t alloc) {
    if (alloc < 1) {
        alloc = 1;
    }
    v->alloc = alloc;
    v->len = 0;
    v->buf = m_new(char, alloc);
    v->fixed_buf = false;
}

void msgpack_dyn_vstr_hint_size(vstr_t *v, size_t size) {
    if (v->len + size > v->alloc) {
        size_t alloc = v->len + size + 16;
        v->buf = m_renew(char, v->buf, v->alloc, alloc);
        v->alloc = alloc;
    }
}

mp_obj_t msgpack_dyn_bytes_from_vstr(vstr_t *v) {
    // The buffer becomes the bytes' data, as in the firmware's
    // mp_obj_new_bytes_from_vstr (a copy and a free instead leave a hole in
    // the heap at every call, which the next small allocations then walk
    // past). A hash of 0 means "not computed yet" (py/objstr.h).
    byte *data = (byte *)m_renew(char, v->buf, v->alloc, v->len + 1);
    data[v->len] = '\0';
    mp_obj_str_t *o = mp_obj_malloc(mp_obj_str_t, &mp_type_bytes);
    o->hash = 0;
    o->len = v->len;
    o->data = data;
    v->buf = NULL;
    v->alloc = 0;
    v->len = 0;
    return MP_OBJ_FROM_PTR(o);
}

void msgpack_dyn_arg_parse_all(size_t n_pos, const mp_obj_t *pos, mp_map_t *kws, size_t n_allowed,
    const mp_arg_t *allowed, mp_arg_val_t *out_vals) {
    while (n_allowed > 0 && allowed[n_allowed - 1].qst == MP_QSTRnull) {
        n_allowed--;  // MSGPACK_ARG_TABLE's unused entries
    }
    mp_fun_table.arg_parse_all(n_pos, pos, kws, n_allowed, allowed, out_vals);
}

// ---------------------------------------------------------------------------
// Import

static NORETURN void refuse(const char *why) {
    mp_raise_msg(MP_OBJ_TO_PTR(mp_load_global(MP_QSTR_ImportError)), why);
}

// builtins.NAME, or MP_OBJ_NULL.
static mp_obj_t builtin_maybe(mp_obj_t builtins, qstr name) {
    mp_obj_t dest[2];
    mp_load_method_maybe(builtins, name, dest);
    return dest[0];
}

static mp_obj_t builtin(mp_obj_t builtins, qstr name) {
    mp_obj_t o = builtin_maybe(builtins, name);
    if (o == MP_OBJ_NULL) {
        mp_raise_msg_varg(MP_OBJ_TO_PTR(mp_load_global(MP_QSTR_ImportError)),
            "msgpack.mpy: the firmware has no builtins.%q", name);
    }
    return o;
}

// Whether a class may have two bases (MICROPY_MULTIPLE_INHERITANCE): the
// firmware follows a tuple in a type's parent slot only then.
static bool has_multiple_inheritance(mp_obj_t builtins) {
    mp_obj_t type = MP_OBJ_FROM_PTR(&mp_type_type);
    mp_obj_t args[3] = { MP_OBJ_NEW_QSTR(MP_QSTR_A), mp_obj_new_tuple(0, NULL), mp_obj_new_dict(0) };
    mp_obj_t bases[2];
    bases[0] = mp_call_function_n_kw(type, 3, 0, args);
    args[0] = MP_OBJ_NEW_QSTR(MP_QSTR_B);
    bases[1] = mp_call_function_n_kw(type, 3, 0, args);
    args[0] = MP_OBJ_NEW_QSTR(MP_QSTR_C);
    args[1] = mp_obj_new_tuple(2, bases);
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_call_function_n_kw(type, 3, 0, args);
        nlr_pop();
        return true;
    }
    return false;  // NotImplementedError: multiple inheritance not supported
}

static void check_firmware(mp_obj_t builtins) {
    if (mp_fun_table.setjmp_ != NULL) {
        refuse("msgpack.mpy: this firmware's NLR is setjmp-based, which native modules in C cannot use");
    }
    // The object representation this module was compiled for (A): small
    // ints and qstrs tagged in the low bits, floats on the heap.
    if (mp_obj_new_int(5) != MP_OBJ_NEW_SMALL_INT(5) || !mp_obj_is_qstr(MP_OBJ_NEW_QSTR(MP_QSTR_msgpack))) {
        refuse("msgpack.mpy: the firmware's object representation is not MICROPY_OBJ_REPR_A");
    }
    if (msgpack_dyn.float_ != NULL) {
        mp_obj_t f = mp_obj_new_float_from_d(1.0 + 1.0 / 1073741824.0);
        if (!mp_obj_is_exact_type(f, msgpack_dyn.float_)) {
            refuse("msgpack.mpy: the firmware's object representation is not MICROPY_OBJ_REPR_A");
        }
        bool fw_double = mp_obj_get_float_to_d(f) != 1.0;
        if (fw_double != (MICROPY_FLOAT_IMPL == MICROPY_FLOAT_IMPL_DOUBLE)) {
            refuse(MICROPY_FLOAT_IMPL == MICROPY_FLOAT_IMPL_DOUBLE
                ? "msgpack.mpy: built for double-precision floats; this firmware's are single: install the build for its architecture"
                : "msgpack.mpy: built for single-precision floats; this firmware's are double: install the build for its architecture");
        }
    }
}

static void store_globals(mp_obj_dict_t *globals) {
    mp_map_t *map = &globals->map;
    for (size_t i = 0; i < map->alloc; i++) {
        if (mp_map_slot_is_filled(map, i)) {
            mp_store_global(MSGPACK_DYN_QSTR_VALUE(map->table[i].key), map->table[i].value);
        }
    }
}

static void init(void) {
    mp_obj_t builtins = mp_import_name(MP_QSTR_builtins, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    msgpack_dyn.int_ = MP_OBJ_TO_PTR(builtin(builtins, MP_QSTR_int));
    msgpack_dyn.bytes = MP_OBJ_TO_PTR(builtin(builtins, MP_QSTR_bytes));
    msgpack_dyn.bytearray = MP_OBJ_TO_PTR(builtin(builtins, MP_QSTR_bytearray));
    msgpack_dyn.tuple = MP_OBJ_TO_PTR(builtin(builtins, MP_QSTR_tuple));
    msgpack_dyn.float_ = MP_OBJ_TO_PTR(builtin_maybe(builtins, MP_QSTR_float));
    msgpack_dyn.memoryview = MP_OBJ_TO_PTR(builtin_maybe(builtins, MP_QSTR_memoryview));
    msgpack_dyn.OverflowError = MP_OBJ_TO_PTR(builtin(builtins, MP_QSTR_OverflowError));
    msgpack_dyn.MemoryError = MP_OBJ_TO_PTR(builtin(builtins, MP_QSTR_MemoryError));
    msgpack_dyn.OSError = MP_OBJ_TO_PTR(builtin(builtins, MP_QSTR_OSError));
    msgpack_dyn.AssertionError = MP_OBJ_TO_PTR(builtin(builtins, MP_QSTR_AssertionError));
    msgpack_dyn.IndexError = MP_OBJ_TO_PTR(builtin(builtins, MP_QSTR_IndexError));
    mp_obj_t unicode_error = builtin_maybe(builtins, MP_QSTR_UnicodeError);
    msgpack_dyn.UnicodeError = MP_OBJ_TO_PTR(unicode_error != MP_OBJ_NULL ? unicode_error
                                                                          : builtin(builtins, MP_QSTR_ValueError));
    msgpack_dyn.callable = builtin(builtins, MP_QSTR_callable);
    msgpack_dyn.repr = builtin(builtins, MP_QSTR_repr);
    msgpack_dyn.staticmethod = builtin(builtins, MP_QSTR_staticmethod);
    check_firmware(builtins);

    // FormatError and StackError: ValueError and UnpackException where the
    // firmware follows two parents, else ValueError only (as the built-in
    // module on such firmware).
    msgpack_type_UnpackException_init();
    if (has_multiple_inheritance(builtins)) {
        mp_obj_t bases[2] = { MP_OBJ_FROM_PTR(&mp_type_ValueError), MP_OBJ_FROM_PTR(&msgpack_type_UnpackException) };
        msgpack_dyn.value_and_unpack = mp_obj_new_tuple(2, bases);
    } else {
        msgpack_dyn.value_and_unpack = MP_OBJ_FROM_PTR(&mp_type_ValueError);
    }
    msgpack_type_BufferFull_init();
    msgpack_type_OutOfData_init();
    msgpack_type_FormatError_init();
    msgpack_type_StackError_init();
    msgpack_type_ExtraData_init();

    timestamp_locals_dict_init();
    packer_locals_dict_init();
    unpacker_locals_dict_init();
    msgpack_type_ExtType_init();
    msgpack_type_Timestamp_init();
    msgpack_type_Packer_init();
    msgpack_type_Unpacker_init();
    pack_allowed_args_init();
    unpack_allowed_args_init();

    store_globals(msgpack_module_globals_init());
    // What the firmware's module table holds and a native one cannot.
    mp_store_global(MP_QSTR_UnpackValueError, MP_OBJ_FROM_PTR(&mp_type_ValueError));
    mp_store_global(MP_QSTR_PackException, MP_OBJ_FROM_PTR(&mp_type_Exception));
    mp_store_global(MP_QSTR_PackValueError, MP_OBJ_FROM_PTR(&mp_type_ValueError));
    mp_store_global(MP_QSTR_PackOverflowError, MP_OBJ_FROM_PTR(&mp_type_OverflowError));
    mp_obj_t version[] = { MSGPACK_VERSION };
    mp_store_global(MP_QSTR_version, mp_obj_new_tuple(MP_ARRAY_SIZE(version), version));
}

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        init();
        nlr_pop();
    } else {
        mp_fun_table.swap_globals(old_globals);
        nlr_jump(nlr.ret_val);
    }
    MP_DYNRUNTIME_INIT_EXIT
}
