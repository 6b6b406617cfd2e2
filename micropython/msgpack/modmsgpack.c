// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The MicroPython module `msgpack`: MessagePack with msgpack-python 1.2.1's API
// on the mpx C core (lib/msgpack).
//
//   pack(obj, stream, **options)   write one object to a stream (buffered, looping on short writes)
//   packb(obj, **options) -> bytes
//   unpack(stream, **options)      read exactly one object from a stream
//   unpackb(data, **options)       one object from bytes; ExtraData if bytes follow
//   Packer, Unpacker, ExtType, Timestamp, and msgpack-python's exceptions
//
// See README.md (MicroPython firmware) for the options and the differences.

#include "modmsgpack.h"

#if !MICROPY_ENABLE_DYNRUNTIME
static const mp_rom_obj_tuple_t msgpack_version_obj = {
    {&mp_type_tuple}, 3, { MSGPACK_VERSION }
};
#endif

static const mp_rom_map_elem_t msgpack_module_globals_table[] = {
    #if !MICROPY_ENABLE_DYNRUNTIME
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_msgpack) },
    #endif
    { MP_ROM_QSTR(MP_QSTR_pack), MP_ROM_PTR(&msgpack_pack_obj) },
    { MP_ROM_QSTR(MP_QSTR_packb), MP_ROM_PTR(&msgpack_packb_obj) },
    { MP_ROM_QSTR(MP_QSTR_unpack), MP_ROM_PTR(&msgpack_unpack_obj) },
    { MP_ROM_QSTR(MP_QSTR_unpackb), MP_ROM_PTR(&msgpack_unpackb_obj) },
    // Aliases, as in msgpack-python (simplejson/pickle style names).
    { MP_ROM_QSTR(MP_QSTR_dump), MP_ROM_PTR(&msgpack_pack_obj) },
    { MP_ROM_QSTR(MP_QSTR_dumps), MP_ROM_PTR(&msgpack_packb_obj) },
    { MP_ROM_QSTR(MP_QSTR_load), MP_ROM_PTR(&msgpack_unpack_obj) },
    { MP_ROM_QSTR(MP_QSTR_loads), MP_ROM_PTR(&msgpack_unpackb_obj) },
    { MP_ROM_QSTR(MP_QSTR_Packer), MP_ROM_PTR(&msgpack_type_Packer) },
    { MP_ROM_QSTR(MP_QSTR_Unpacker), MP_ROM_PTR(&msgpack_type_Unpacker) },
    { MP_ROM_QSTR(MP_QSTR_ExtType), MP_ROM_PTR(&msgpack_type_ExtType) },
    { MP_ROM_QSTR(MP_QSTR_Timestamp), MP_ROM_PTR(&msgpack_type_Timestamp) },
    { MP_ROM_QSTR(MP_QSTR_UnpackException), MP_ROM_PTR(&msgpack_type_UnpackException) },
    { MP_ROM_QSTR(MP_QSTR_BufferFull), MP_ROM_PTR(&msgpack_type_BufferFull) },
    { MP_ROM_QSTR(MP_QSTR_OutOfData), MP_ROM_PTR(&msgpack_type_OutOfData) },
    { MP_ROM_QSTR(MP_QSTR_FormatError), MP_ROM_PTR(&msgpack_type_FormatError) },
    { MP_ROM_QSTR(MP_QSTR_StackError), MP_ROM_PTR(&msgpack_type_StackError) },
    { MP_ROM_QSTR(MP_QSTR_ExtraData), MP_ROM_PTR(&msgpack_type_ExtraData) },
    #if !MICROPY_ENABLE_DYNRUNTIME  // natmod/msgpack_natmod.c stores these at import
    // msgpack-python's deprecated names: the built-in classes themselves.
    { MP_ROM_QSTR(MP_QSTR_UnpackValueError), MP_ROM_PTR(&mp_type_ValueError) },
    { MP_ROM_QSTR(MP_QSTR_PackException), MP_ROM_PTR(&mp_type_Exception) },
    { MP_ROM_QSTR(MP_QSTR_PackValueError), MP_ROM_PTR(&mp_type_ValueError) },
    { MP_ROM_QSTR(MP_QSTR_PackOverflowError), MP_ROM_PTR(&mp_type_OverflowError) },
    { MP_ROM_QSTR(MP_QSTR_version), MP_ROM_PTR(&msgpack_version_obj) },
    #endif
};
static MP_DEFINE_CONST_DICT(msgpack_module_globals, msgpack_module_globals_table);

#if !MICROPY_ENABLE_DYNRUNTIME
const mp_obj_module_t msgpack_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&msgpack_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_msgpack, msgpack_user_cmodule);
#endif
