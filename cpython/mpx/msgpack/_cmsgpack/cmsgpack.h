// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// mpx.msgpack._cmsgpack: the CPython binding of lib/msgpack.
// Shared declarations of module.c, pack.c and unpack.c.
#ifndef MPX_CMSGPACK_H
#define MPX_CMSGPACK_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "mpk.h"

// msgpack-python 1.2.1's limits.
#define CMSGPACK_PACK_NEST_LIMIT 1024
#define CMSGPACK_UNPACK_DEPTH 1024
#define CMSGPACK_MAX_BUFFER_DEFAULT (100 * 1024 * 1024)

// Decoded map keys, interned, by their bytes: messages repeat their keys,
// and decoding and interning them again is most of the cost of small maps.
#define KEY_CACHE_SIZE 512
#define KEY_CACHE_MAXLEN 24

typedef struct key_entry {
    PyObject *str;             // interned str, or NULL
    uint64_t first, last;      // key_word() of the bytes
    uint8_t len;
    uint8_t bytes[KEY_CACHE_MAXLEN];
} key_entry;

typedef struct cmsgpack_state {
    PyObject *ExtType;         // mpx.msgpack.ext.ExtType
    PyObject *Timestamp;       // mpx.msgpack.ext.Timestamp
    PyObject *ExtraData;       // mpx.msgpack.exceptions.*
    PyObject *FormatError;
    PyObject *StackError;
    PyObject *OutOfData;
    PyObject *BufferFull;
    PyObject *datetime_type;   // datetime.datetime
    PyObject *timedelta_type;  // datetime.timedelta
    PyObject *epoch;           // datetime(1970, 1, 1, tzinfo=timezone.utc)
    PyTypeObject *Packer;
    PyTypeObject *Unpacker;
    key_entry key_cache[KEY_CACHE_SIZE];
} cmsgpack_state;

extern PyModuleDef cmsgpack_module;

static inline cmsgpack_state *cmsgpack_get_state(PyObject *module) {
    return (cmsgpack_state *)PyModule_GetState(module);
}

// The state of the module that defined `type` (for methods of our types).
cmsgpack_state *cmsgpack_state_of_type(PyTypeObject *type);

// Raise what lib/msgpack's table (mpk_error_get) assigns to `status`,
// unless the callback that failed left its own exception pending. `d`
// (may be NULL) is the decoder that failed, for the limit details.
// Always returns NULL.
PyObject *cmsgpack_raise(cmsgpack_state *st, mpk_status_t status, const mpk_decoder_t *d);

// ---------------------------------------------------------------------------
// Packing (pack.c)

typedef struct cmsgpack_pack_opts {
    PyObject *default_;        // borrowed; NULL if none
    const char *unicode_errors;  // NULL: strict
    int use_single_float;
    int use_bin_type;
    int strict_types;
    int datetime;
} cmsgpack_pack_opts;

// Parse Packer/packb keyword options (borrowed references into kwargs).
int cmsgpack_pack_opts_parse(cmsgpack_pack_opts *o, PyObject *default_, int use_single_float,
    int use_bin_type, int strict_types, int datetime, PyObject *unicode_errors);

// Pack one object with the writer; returns 0, or -1 with an exception set.
int cmsgpack_pack(cmsgpack_state *st, const cmsgpack_pack_opts *o, mpk_writer_t *w, PyObject *obj);

PyObject *cmsgpack_packb(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *cmsgpack_packb_plain(PyObject *module, PyObject *obj);  // no options
PyObject *cmsgpack_pack_to_stream(PyObject *module, PyObject *args, PyObject *kwargs);
extern PyType_Spec cmsgpack_packer_spec;

// ---------------------------------------------------------------------------
// Unpacking (unpack.c)

PyObject *cmsgpack_unpackb(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *cmsgpack_unpackb_plain(PyObject *module, PyObject *packed);  // no options
PyObject *cmsgpack_unpack_from_stream(PyObject *module, PyObject *args, PyObject *kwargs);
extern PyType_Spec cmsgpack_unpacker_spec;

#endif // MPX_CMSGPACK_H
