// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The msgpack binding (micropython/msgpack/*.c) compiled as a native module:
// what MicroPython's dynamic runtime (py/dynruntime.h) does not offer, in
// terms of what it does. modmsgpack.h includes this when
// MICROPY_ENABLE_DYNRUNTIME is set; the definitions are in msgpack_natmod.c.
//
// A native module reaches the firmware only through mp_fun_table: no static
// types with slots, no qstrs known at compile time, no vstr, no stream or
// big-int internals. So:
//  - types are mp_obj_full_type_t in RAM, filled in at import from the same
//    MP_DEFINE_CONST_OBJ_TYPE lines (each becomes a function NAME_init);
//  - locals dicts and keyword tables are built at import from the same
//    tables (MP_ROM_QSTR(MP_QSTR_x) is the name's text until then);
//  - types the table does not carry (int, float, bytes, tuple, ...) and
//    exceptions are looked up once, at import;
//  - big ints, streams, vstr, formatted exceptions and the like are small
//    functions below over what the table does have.
//
// What this asks of the binding's files (so that they build both ways):
//  - keyword tables through MSGPACK_ARG_TABLE/_END (file scope) or
//    MSGPACK_ARG_TABLE_LOCAL (in a function), not `static const mp_arg_t`;
//  - no written `static` variables: mpy_ld.py reaches BSS only through the
//    GOT ("bss variables can't be static");
//  - a new type or locals dict: its NAME_init below and a call in
//    msgpack_natmod.c's init(); a new module name goes in by itself;
//  - a firmware function py/dynruntime.h does not map: mpy_ld.py stops with
//    "undefined symbol: NAME"; map it here.
// tools/natmod_test.py's differential run compares the names of the module
// and its types with the built-in module's, and every output.
#ifndef MPX_MSGPACK_NATMOD_H
#define MPX_MSGPACK_NATMOD_H

#include "py/dynruntime.h"
#include "py/objexcept.h"
#include "py/objlist.h"
#include "py/objstr.h"
#include "py/objtuple.h"
#include "py/smallint.h"
#include "py/stream.h"

// ---------------------------------------------------------------------------
// What import found out about the firmware (msgpack_natmod.c).

typedef struct msgpack_dyn {
    const mp_obj_type_t *int_;
    const mp_obj_type_t *float_;        // NULL: the firmware has no floats
    const mp_obj_type_t *bytes;
    const mp_obj_type_t *bytearray;
    const mp_obj_type_t *tuple;
    const mp_obj_type_t *memoryview;    // NULL: none
    const mp_obj_type_t *ordereddict;   // NULL: none
    const mp_obj_type_t *OverflowError;
    const mp_obj_type_t *MemoryError;
    const mp_obj_type_t *OSError;
    const mp_obj_type_t *AssertionError;
    const mp_obj_type_t *UnicodeError;  // ValueError where there is none
    const mp_obj_type_t *IndexError;
    mp_obj_t callable;                  // builtins.callable
    mp_obj_t repr;                      // builtins.repr
    mp_obj_t staticmethod;              // builtins.staticmethod
    mp_obj_t value_and_unpack;          // FormatError's and StackError's parent
    mp_obj_t found_str;                 // msgpack_dyn_qstr_find's str, for new_str
    const char *found_text;             // ... and its text
    struct msgpack_dyn_key {            // map keys seen: a qstr, or a str
        mp_obj_t obj;                   // MP_OBJ_NULL: empty
        const byte *text;
        size_t len;
    } keys[64];
} msgpack_dyn_t;

extern msgpack_dyn_t msgpack_dyn;

// ---------------------------------------------------------------------------
// The module's types: full types in RAM (MP_DEFINE_CONST_OBJ_TYPE below).

#define MSGPACK_DYN_TYPE(name) (*(const mp_obj_type_t *)&name##_full)
extern mp_obj_full_type_t msgpack_type_ExtType_full, msgpack_type_Timestamp_full,
    msgpack_type_UnpackException_full, msgpack_type_BufferFull_full, msgpack_type_OutOfData_full,
    msgpack_type_FormatError_full, msgpack_type_StackError_full, msgpack_type_ExtraData_full,
    msgpack_type_Packer_full, msgpack_type_Unpacker_full;
#define msgpack_type_ExtType MSGPACK_DYN_TYPE(msgpack_type_ExtType)
#define msgpack_type_Timestamp MSGPACK_DYN_TYPE(msgpack_type_Timestamp)
#define msgpack_type_UnpackException MSGPACK_DYN_TYPE(msgpack_type_UnpackException)
#define msgpack_type_BufferFull MSGPACK_DYN_TYPE(msgpack_type_BufferFull)
#define msgpack_type_OutOfData MSGPACK_DYN_TYPE(msgpack_type_OutOfData)
#define msgpack_type_FormatError MSGPACK_DYN_TYPE(msgpack_type_FormatError)
#define msgpack_type_StackError MSGPACK_DYN_TYPE(msgpack_type_StackError)
#define msgpack_type_ExtraData MSGPACK_DYN_TYPE(msgpack_type_ExtraData)
#define msgpack_type_Packer MSGPACK_DYN_TYPE(msgpack_type_Packer)
#define msgpack_type_Unpacker MSGPACK_DYN_TYPE(msgpack_type_Unpacker)

// What builds them and the module's other tables at import (the
// MP_DEFINE_CONST_* and MSGPACK_ARG_TABLE lines of the binding).
void msgpack_type_ExtType_init(void);
void msgpack_type_Timestamp_init(void);
void msgpack_type_UnpackException_init(void);
void msgpack_type_BufferFull_init(void);
void msgpack_type_OutOfData_init(void);
void msgpack_type_FormatError_init(void);
void msgpack_type_StackError_init(void);
void msgpack_type_ExtraData_init(void);
void msgpack_type_Packer_init(void);
void msgpack_type_Unpacker_init(void);
mp_obj_dict_t *timestamp_locals_dict_init(void);
mp_obj_dict_t *packer_locals_dict_init(void);
mp_obj_dict_t *unpacker_locals_dict_init(void);
mp_obj_dict_t *msgpack_module_globals_init(void);
void pack_allowed_args_init(void);
void unpack_allowed_args_init(void);

// ---------------------------------------------------------------------------
// Types the dynamic runtime finds by name on every use, or not at all.

#undef mp_type_int
#define mp_type_int (*msgpack_dyn.int_)
#undef mp_type_bytes
#define mp_type_bytes (*msgpack_dyn.bytes)
#undef mp_type_bytearray
#define mp_type_bytearray (*msgpack_dyn.bytearray)
#undef mp_type_tuple
#define mp_type_tuple (*msgpack_dyn.tuple)
#define mp_type_float (*msgpack_dyn.float_)
#define mp_type_memoryview (*msgpack_dyn.memoryview)
#define mp_type_OverflowError (*msgpack_dyn.OverflowError)
#define mp_type_MemoryError (*msgpack_dyn.MemoryError)
#define mp_type_OSError (*msgpack_dyn.OSError)
#define mp_type_AssertionError (*msgpack_dyn.AssertionError)
#define mp_type_UnicodeError (*msgpack_dyn.UnicodeError)
#undef mp_type_IndexError
#define mp_type_IndexError (*msgpack_dyn.IndexError)

// py/obj.h's mp_obj_is_type checks at compile time that t is none of the
// types with a special representation; here those are run-time values.
#undef mp_obj_is_type
#define mp_obj_is_type(o, t) mp_obj_is_exact_type(o, t)

// ---------------------------------------------------------------------------
// Types, dicts and keyword tables, built at import.

// A full type in RAM, filled in by NAME_init() (the glue calls it) from
// MP_DEFINE_CONST_OBJ_TYPE's slot/value pairs.
void msgpack_dyn_type_begin(mp_obj_full_type_t *t, qstr name, uint16_t flags);

#define MSGPACK_DYN_SLOT(t, slot, value, n) MP_OBJ_TYPE_SET_SLOT(t, slot, value, n);
#define MSGPACK_DYN_SLOTS_0(t)
#define MSGPACK_DYN_SLOTS_2(t, s0, v0) MSGPACK_DYN_SLOT(t, s0, v0, 0)
#define MSGPACK_DYN_SLOTS_4(t, s0, v0, s1, v1) MSGPACK_DYN_SLOTS_2(t, s0, v0) MSGPACK_DYN_SLOT(t, s1, v1, 1)
#define MSGPACK_DYN_SLOTS_6(t, s0, v0, s1, v1, s2, v2) \
    MSGPACK_DYN_SLOTS_4(t, s0, v0, s1, v1) MSGPACK_DYN_SLOT(t, s2, v2, 2)
#define MSGPACK_DYN_SLOTS_8(t, s0, v0, s1, v1, s2, v2, s3, v3) \
    MSGPACK_DYN_SLOTS_6(t, s0, v0, s1, v1, s2, v2) MSGPACK_DYN_SLOT(t, s3, v3, 3)
#define MSGPACK_DYN_SLOTS_10(t, s0, v0, s1, v1, s2, v2, s3, v3, s4, v4) \
    MSGPACK_DYN_SLOTS_8(t, s0, v0, s1, v1, s2, v2, s3, v3) MSGPACK_DYN_SLOT(t, s4, v4, 4)
#define MSGPACK_DYN_SLOTS_12(t, s0, v0, s1, v1, s2, v2, s3, v3, s4, v4, s5, v5) \
    MSGPACK_DYN_SLOTS_10(t, s0, v0, s1, v1, s2, v2, s3, v3, s4, v4) MSGPACK_DYN_SLOT(t, s5, v5, 5)
#define MSGPACK_DYN_SLOTS_14(t, s0, v0, s1, v1, s2, v2, s3, v3, s4, v4, s5, v5, s6, v6) \
    MSGPACK_DYN_SLOTS_12(t, s0, v0, s1, v1, s2, v2, s3, v3, s4, v4, s5, v5) MSGPACK_DYN_SLOT(t, s6, v6, 6)
#define MSGPACK_DYN_SLOTS_16(t, s0, v0, s1, v1, s2, v2, s3, v3, s4, v4, s5, v5, s6, v6, s7, v7) \
    MSGPACK_DYN_SLOTS_14(t, s0, v0, s1, v1, s2, v2, s3, v3, s4, v4, s5, v5, s6, v6) MSGPACK_DYN_SLOT(t, s7, v7, 7)
#define MSGPACK_DYN_NTH(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, n, ...) n
#define MSGPACK_DYN_SLOTS(t, ...) \
    MSGPACK_DYN_NTH(__VA_ARGS__, MSGPACK_DYN_SLOTS_16, error, MSGPACK_DYN_SLOTS_14, error, \
    MSGPACK_DYN_SLOTS_12, error, MSGPACK_DYN_SLOTS_10, error, MSGPACK_DYN_SLOTS_8, error, \
    MSGPACK_DYN_SLOTS_6, error, MSGPACK_DYN_SLOTS_4, error, MSGPACK_DYN_SLOTS_2, error)(t, __VA_ARGS__)

#undef MP_DEFINE_CONST_OBJ_TYPE
#define MP_DEFINE_CONST_OBJ_TYPE(name, qname, flags_, ...) \
    mp_obj_full_type_t name##_full; \
    void name##_init(void) { \
        mp_obj_full_type_t *t_ = &name##_full; \
        msgpack_dyn_type_begin(t_, qname, flags_); \
        MSGPACK_DYN_SLOTS(t_, __VA_ARGS__) \
    }

// A name in a ROM table: its text, turned into the qstr at import.
#undef MP_ROM_QSTR
#define MP_ROM_QSTR(q) ((mp_rom_obj_t)(#q))
#define MSGPACK_DYN_QSTR_PREFIX "MP_QSTR_"

// A dict in RAM, filled in by NAME_init() from its ROM table.
void msgpack_dyn_dict_init(mp_obj_dict_t *dict, const mp_rom_map_elem_t *table, size_t n);
#undef MP_DEFINE_CONST_DICT
// (mpy_ld.py reaches BSS only through the GOT, so the dict may not be
// static: a `static` in front of the macro applies to the tag.)
#define MP_DEFINE_CONST_DICT(name, table) \
    const char name##_tag __attribute__((unused)); \
    mp_obj_dict_t name; \
    mp_obj_dict_t *name##_init(void) { \
        msgpack_dyn_dict_init(&name, table, MP_ARRAY_SIZE(table)); \
        return &name; \
    }

// A static method: marked with a type of ours, made a real staticmethod
// object when its dict is built.
extern const mp_obj_type_t msgpack_dyn_staticmethod_mark;
#undef MP_DEFINE_CONST_STATICMETHOD_OBJ
#define MP_DEFINE_CONST_STATICMETHOD_OBJ(name, fun) \
    const mp_rom_obj_static_class_method_t name = { {&msgpack_dyn_staticmethod_mark}, fun }

// Keyword tables (modmsgpack.h, MSGPACK_ARG_TABLE): a table of
// MSGPACK_DYN_MAX_ARGS entries in RAM, copied by NAME_init() from the same
// initialiser evaluated at import; the unused entries have no name and
// match no keyword.
#define MSGPACK_DYN_MAX_ARGS (20)
#define MSGPACK_ARG_TABLE(name) \
    mp_arg_t name[MSGPACK_DYN_MAX_ARGS]; \
    void name##_init(void) { \
        const mp_arg_t src_[] =
#define MSGPACK_ARG_TABLE_END(name) \
    _Static_assert(MP_ARRAY_SIZE(src_) <= MSGPACK_DYN_MAX_ARGS, "raise MSGPACK_DYN_MAX_ARGS"); \
    memcpy(name, src_, sizeof src_); \
    }
// In a function: an automatic table, evaluated at each call.
#define MSGPACK_ARG_TABLE_LOCAL(name) const mp_arg_t name[] =
// mp_arg_parse_all over the used entries only.
void msgpack_dyn_arg_parse_all(size_t n_pos, const mp_obj_t *pos, mp_map_t *kws, size_t n_allowed,
    const mp_arg_t *allowed, mp_arg_val_t *out_vals);
#undef mp_arg_parse_all
#define mp_arg_parse_all(n_pos, pos, kws, n_allowed, allowed, out_vals) \
    msgpack_dyn_arg_parse_all((n_pos), (pos), (kws), (n_allowed), (allowed), (out_vals))
#undef MP_ROM_NONE
#define MP_ROM_NONE (mp_const_none)

// ---------------------------------------------------------------------------
// Calls, iteration, equality.

mp_obj_t msgpack_dyn_call1(mp_obj_t fun, mp_obj_t arg);
mp_obj_t msgpack_dyn_call2(mp_obj_t fun, mp_obj_t a, mp_obj_t b);
#define mp_call_function_1(f, a) msgpack_dyn_call1((f), (a))
#define mp_call_function_2(f, a, b) msgpack_dyn_call2((f), (a), (b))
#define mp_call_method_n_kw(n_args, n_kw, args) (mp_fun_table.call_method_n_kw((n_args), (n_kw), (args)))
// The native emitter's iteration entries; with no buffer they hand out the
// iterator object, which their iternext accepts in place of a buffer.
#define mp_getiter(o, iter_buf) ((void)(iter_buf), mp_fun_table.getiter((o), NULL))
#define mp_iternext(it) (mp_fun_table.iternext((mp_obj_iter_buf_t *)MP_OBJ_TO_PTR(it)))
#define mp_obj_equal(a, b) (mp_binary_op(MP_BINARY_OP_EQUAL, (a), (b)) == mp_const_true)
bool msgpack_dyn_is_callable(mp_obj_t o);
#define mp_obj_is_callable(o) msgpack_dyn_is_callable(o)

// ---------------------------------------------------------------------------
// Objects.

static inline void msgpack_dyn_tuple_get(mp_obj_t o, size_t *len, mp_obj_t **items) {
    mp_obj_tuple_t *t = MP_OBJ_TO_PTR(o);
    *len = t->len;
    *items = t->items;
}
#define mp_obj_tuple_get(o, len, items) msgpack_dyn_tuple_get((o), (len), (items))

static inline void msgpack_dyn_list_get(mp_obj_t o, size_t *len, mp_obj_t **items) {
    mp_obj_list_t *l = MP_OBJ_TO_PTR(o);
    *len = l->len;
    *items = l->items;
}
#define mp_obj_list_get(o, len, items) msgpack_dyn_list_get((o), (len), (items))

// dynruntime.h's version finds the tuple type by allocating an empty tuple.
void msgpack_dyn_get_array(mp_obj_t o, size_t *len, mp_obj_t **items);
#undef mp_obj_get_array
#define mp_obj_get_array(o, len, items) msgpack_dyn_get_array((o), (len), (items))
void msgpack_dyn_get_array_fixed_n(mp_obj_t o, size_t n, mp_obj_t **items);
#define mp_obj_get_array_fixed_n(o, n, items) msgpack_dyn_get_array_fixed_n((o), (n), (items))

#define mp_obj_dict_get_map(o) (&((mp_obj_dict_t *)MP_OBJ_TO_PTR(o))->map)
bool msgpack_dyn_is_dict_or_ordereddict(mp_obj_t o);
#define mp_obj_is_dict_or_ordereddict(o) msgpack_dyn_is_dict_or_ordereddict(o)

// dynruntime.h's version follows one level of subclassing only.
mp_obj_t msgpack_dyn_cast_to_native_base(mp_obj_t o, mp_const_obj_t native_type);
#undef mp_obj_cast_to_native_base
#define mp_obj_cast_to_native_base(o, t) msgpack_dyn_cast_to_native_base((o), (t))

const char *msgpack_dyn_type_str(mp_obj_t o);
#define mp_obj_get_type_str(o) msgpack_dyn_type_str(o)
void msgpack_dyn_print_repr(const mp_print_t *print, mp_obj_t o);
#define mp_obj_print_helper(print, o, kind) msgpack_dyn_print_repr((print), (o))
size_t msgpack_dyn_get_index(const mp_obj_type_t *type, size_t len, mp_obj_t index);
#define mp_get_index(type, len, index, is_slice) msgpack_dyn_get_index((type), (len), (index))

#define mp_print_str(print, s) mp_printf((print), "%s", (s))

// The keyword arguments of a type's make_new as a map.
static inline void msgpack_dyn_map_init_fixed_table(mp_map_t *map, size_t n, const mp_obj_t *table) {
    map->alloc = n;
    map->used = n;
    map->all_keys_are_qstrs = 1;
    map->is_fixed = 1;
    map->is_ordered = 1;
    map->table = (mp_map_elem_t *)table;
}
#define mp_map_init_fixed_table(map, n, table) msgpack_dyn_map_init_fixed_table((map), (n), (table))

// Strings: a str object's data directly (the table's get_buffer otherwise).
static inline void *msgpack_dyn_str_get_data(mp_obj_t o, size_t *len) {
    if (mp_obj_is_exact_type(o, &mp_type_str)) {
        mp_obj_str_t *s = MP_OBJ_TO_PTR(o);
        *len = s->len;
        return (void *)s->data;
    }
    return mp_obj_str_get_data_dyn(o, len);
}
#undef mp_obj_str_get_data
#define mp_obj_str_get_data(o, len) ((const char *)msgpack_dyn_str_get_data((o), (len)))
// unpack.c's new_str: a map key that names a qstr is that qstr, any other
// text a new str. A native module cannot look qstrs up; the firmware's
// mp_obj_new_str can, and makes the str when there is none: that str waits
// for the mp_obj_new_str_copy that follows (msgpack_natmod.c). Map keys go
// through a small cache first (the firmware's qstr search also walks the
// qstrs this module brought, one by one). Other text becomes a str here,
// without the firmware's qstr search.
#define MP_QSTRnull (0)
qstr msgpack_dyn_qstr_find(const char *p, size_t n);
mp_obj_t msgpack_dyn_new_str(const byte *p, size_t n);
#define qstr_find_strn(p, n) msgpack_dyn_qstr_find((p), (n))
#define mp_obj_new_str_copy(type, p, n) msgpack_dyn_new_str((const byte *)(p), (n))

mp_obj_t msgpack_dyn_new_memoryview(size_t n, void *items, bool writable);
#define mp_obj_new_memoryview(typecode, n, items) \
    msgpack_dyn_new_memoryview((n), (items), ((typecode) & MP_OBJ_ARRAY_TYPECODE_FLAG_RW) != 0)

// ---------------------------------------------------------------------------
// Integers beyond a machine word, through the firmware's int operations.

mp_obj_t msgpack_dyn_new_int64(int64_t v);
mp_obj_t msgpack_dyn_new_uint64(uint64_t v);
#define mp_obj_new_int_from_ll(v) msgpack_dyn_new_int64(v)
#define mp_obj_new_int_from_ull(v) msgpack_dyn_new_uint64(v)
int msgpack_dyn_int_sign(mp_obj_t o);
#define mp_obj_int_sign(o) msgpack_dyn_int_sign(o)
// A qstr object's qstr (the representation is checked at import).
#define MSGPACK_DYN_QSTR_VALUE(o) ((qstr)(((mp_uint_t)(o)) >> 3))
// The little-endian bytes of an int, as mpx_compat.h's mpx_bigint_to_le64.
bool mpx_bigint_to_le64(mp_obj_t o, bool is_signed, byte buf[8]);
// dynruntime.h's mp_obj_get_int truncates big ints; the firmware's raises.
mp_int_t msgpack_dyn_get_int(mp_obj_t o);
#undef mp_obj_get_int
#define mp_obj_get_int(o) msgpack_dyn_get_int(o)
mp_obj_t msgpack_dyn_new_int_from_float(mp_float_t f);
#define mp_obj_new_int_from_float(f) msgpack_dyn_new_int_from_float(f)

// ---------------------------------------------------------------------------
// Exceptions.

NORETURN void msgpack_dyn_raise_msg_varg(const mp_obj_type_t *type, const char *fmt, ...);
#define mp_raise_msg_varg(type, ...) msgpack_dyn_raise_msg_varg((type), __VA_ARGS__)
#undef mp_raise_type
#define mp_raise_type(type) nlr_raise(mp_call_function_n_kw(MP_OBJ_FROM_PTR(type), 0, 0, NULL))
NORETURN void msgpack_dyn_raise_OSError(int errcode);
#undef mp_raise_OSError
#define mp_raise_OSError(errcode) msgpack_dyn_raise_OSError(errcode)
#define mp_obj_new_exception_args(type, n, args) \
    mp_call_function_n_kw(MP_OBJ_FROM_PTR(type), (n), 0, (args))

// Non-local returns through the firmware's nlr_push/nlr_pop. The buffer is
// larger than any port's nlr_buf_t (registers, FPU registers, pystack);
// firmware whose NLR is setjmp-based is refused at import.
typedef struct msgpack_dyn_nlr_buf {
    void *prev;
    void *ret_val;
    uintptr_t regs[40];
} msgpack_dyn_nlr_buf_t;
#define nlr_buf_t msgpack_dyn_nlr_buf_t
#undef nlr_push
#define nlr_push(buf) (mp_fun_table.nlr_push((struct _nlr_buf_t *)(buf)))
#undef nlr_pop
#define nlr_pop() (mp_fun_table.nlr_pop())
#undef nlr_jump
#define nlr_jump(val) mp_raise_dyn(MP_OBJ_FROM_PTR(val))

// ---------------------------------------------------------------------------
// Streams and growable buffers.

mp_uint_t msgpack_dyn_stream_rw(mp_obj_t stream, void *buf, mp_uint_t size, int *errcode, byte flags);
#define mp_stream_rw(stream, buf, size, err, flags) msgpack_dyn_stream_rw((stream), (buf), (size), (err), (flags))

void msgpack_dyn_vstr_init(vstr_t *v, size_t alloc);
void msgpack_dyn_vstr_hint_size(vstr_t *v, size_t size);
mp_obj_t msgpack_dyn_bytes_from_vstr(vstr_t *v);
#define vstr_init(v, alloc) msgpack_dyn_vstr_init((v), (alloc))
#define vstr_hint_size(v, size) msgpack_dyn_vstr_hint_size((v), (size))
#define mp_obj_new_bytes_from_vstr(v) msgpack_dyn_bytes_from_vstr(v)

#endif // MPX_MSGPACK_NATMOD_H
