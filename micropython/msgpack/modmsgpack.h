// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The MicroPython module `msgpack` on lib/msgpack: shared declarations.
#ifndef MPX_MODMSGPACK_H
#define MPX_MODMSGPACK_H

#include "py/mperrno.h"
#include "py/obj.h"
#include "py/smallint.h"
#include "py/objexcept.h"
#include "py/runtime.h"
#include "mpk.h"

#if MICROPY_ENABLE_DYNRUNTIME
// The native module (.mpy): the types live in RAM and what the dynamic
// runtime lacks is in natmod/ (see natmod/natmod.h).
#include "natmod/natmod.h"
#else
// Keyword tables: in ROM here; natmod.h builds them at import.
#define MSGPACK_ARG_TABLE(name) static const mp_arg_t name[] =
#define MSGPACK_ARG_TABLE_END(name)
#define MSGPACK_ARG_TABLE_LOCAL(name) static const mp_arg_t name[] =
#endif

#if MICROPY_OBJ_REPR == MICROPY_OBJ_REPR_D
#error "msgpack: the decoder passes objects as pointers; MICROPY_OBJ_REPR_D (nan-boxing) is not supported"
#endif

// msgpack-python 1.2.1's limits. A board with a small heap may lower the
// unpack depth (each open level holds a frame and a partial container, about
// 50 bytes on a 32-bit port) in its mpconfigboard.h.
#define MSGPACK_PACK_NEST_LIMIT (1024)
#ifndef MSGPACK_UNPACK_DEPTH
#define MSGPACK_UNPACK_DEPTH (1024)
#endif
#define MSGPACK_MAX_BUFFER_DEFAULT (100 * 1024 * 1024)

// msgpack-python's version this module follows (msgpack.version).
#define MSGPACK_VERSION MP_ROM_INT(1), MP_ROM_INT(2), MP_ROM_INT(1)

// Types and exceptions (types.c).
#if !MICROPY_ENABLE_DYNRUNTIME
extern const mp_obj_type_t msgpack_type_ExtType;
extern const mp_obj_type_t msgpack_type_Timestamp;
extern const mp_obj_type_t msgpack_type_UnpackException;
extern const mp_obj_type_t msgpack_type_BufferFull;
extern const mp_obj_type_t msgpack_type_OutOfData;
extern const mp_obj_type_t msgpack_type_FormatError;
extern const mp_obj_type_t msgpack_type_StackError;
extern const mp_obj_type_t msgpack_type_ExtraData;
#endif

typedef struct _msgpack_ext_obj_t {
    mp_obj_base_t base;
    mp_obj_t code;   // small int 0..127 (or what unpack read, -128..127)
    mp_obj_t data;   // bytes
} msgpack_ext_obj_t;

typedef struct _msgpack_timestamp_obj_t {
    mp_obj_base_t base;
    mp_obj_t seconds;      // int (may be big on 32-bit ports)
    mp_obj_t nanoseconds;  // small int 0..999999999
} msgpack_timestamp_obj_t;

mp_obj_t msgpack_ext_new(int code, const uint8_t *data, size_t len);
mp_obj_t msgpack_timestamp_new(int64_t sec, uint32_t nsec);

// Convert an int object to int64 / uint64. Return false if it does not fit.
bool msgpack_int64(mp_obj_t o, int64_t *out);

// Raise what lib/msgpack's table (mpk_error_get) assigns to a status; `d`
// (may be NULL) is the decoder that failed, for the limit details.
NORETURN void msgpack_raise(mpk_status_t st, const mpk_decoder_t *d);

// Packing (pack.c).
#if !MICROPY_ENABLE_DYNRUNTIME
extern const mp_obj_type_t msgpack_type_Packer;
#endif
MP_DECLARE_CONST_FUN_OBJ_KW(msgpack_pack_obj);
MP_DECLARE_CONST_FUN_OBJ_KW(msgpack_packb_obj);

// Unpacking (unpack.c).
#if !MICROPY_ENABLE_DYNRUNTIME
extern const mp_obj_type_t msgpack_type_Unpacker;
#endif
MP_DECLARE_CONST_FUN_OBJ_KW(msgpack_unpack_obj);
MP_DECLARE_CONST_FUN_OBJ_KW(msgpack_unpackb_obj);

#endif // MPX_MODMSGPACK_H
