// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The module object of mpx.msgpack._cmsgpack: functions, types and state.
//
//   packb(o, **options) -> bytes
//   pack(o, stream, **options)            stream.write(packb(o)), looping on short writes
//   unpackb(packed, **options) -> object  ExtraData if bytes follow the object
//   unpack(stream, **options) -> object   reads exactly one object from stream.read
//   Packer, Unpacker                      as msgpack-python 1.2.1
//   _timestamp_to_bytes(sec, nsec), _timestamp_from_bytes(data)   for ext.Timestamp

#include "cmsgpack.h"

cmsgpack_state *cmsgpack_state_of_type(PyTypeObject *type) {
    PyObject *module = PyType_GetModuleByDef(type, &cmsgpack_module);
    return module ? cmsgpack_get_state(module) : NULL;
}

static PyObject *timestamp_to_bytes(PyObject *module, PyObject *args) {
    (void)module;
    long long sec;
    unsigned long nsec;
    if (!PyArg_ParseTuple(args, "Lk:_timestamp_to_bytes", &sec, &nsec)) {
        return NULL;
    }
    uint8_t data[12];
    size_t n = nsec > MPK_NSEC_MAX ? 0 : mpk_timestamp_encode(sec, (uint32_t)nsec, data);
    if (n == 0) {
        PyErr_SetString(PyExc_ValueError, "nanoseconds must be less than 1000000000");
        return NULL;
    }
    return PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)n);
}

static PyObject *timestamp_from_bytes(PyObject *module, PyObject *arg) {
    (void)module;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    int64_t sec;
    uint32_t nsec;
    mpk_status_t s = mpk_timestamp_decode(view.buf, (size_t)view.len, &sec, &nsec);
    Py_ssize_t len = view.len;
    PyBuffer_Release(&view);
    if (s == MPK_ERR_TIMESTAMP) {
        PyErr_Format(PyExc_ValueError,
            "Timestamp type can only be created from 32, 64, or 96-bit byte objects, not %zd bytes", len);
        return NULL;
    }
    if (s != MPK_OK) {
        PyErr_SetString(PyExc_ValueError, "timestamp nanoseconds must be less than 1000000000");
        return NULL;
    }
    return Py_BuildValue("(Lk)", (long long)sec, (unsigned long)nsec);
}

// packb and unpackb are called once per message: take the vectorcall
// convention, and go through keyword parsing only when there are options.
static PyObject *call_with_kwargs(PyCFunctionWithKeywords fn, PyObject *module, PyObject *const *args,
    Py_ssize_t nargs, PyObject *kwnames) {
    PyObject *tuple = PyTuple_New(nargs);
    PyObject *kwargs = kwnames ? PyDict_New() : NULL;
    PyObject *result = NULL;
    if (tuple == NULL || (kwnames && kwargs == NULL)) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) {
        PyTuple_SET_ITEM(tuple, i, Py_NewRef(args[i]));
    }
    if (kwnames != NULL) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); i++) {
            if (PyDict_SetItem(kwargs, PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) < 0) {
                goto done;
            }
        }
    }
    result = fn(module, tuple, kwargs);
done:
    Py_XDECREF(tuple);
    Py_XDECREF(kwargs);
    return result;
}

static PyObject *packb_vectorcall(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    if (kwnames == NULL && nargs == 1) {
        return cmsgpack_packb_plain(module, args[0]);
    }
    return call_with_kwargs(cmsgpack_packb, module, args, nargs, kwnames);
}

static PyObject *unpackb_vectorcall(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    if (kwnames == NULL && nargs == 1) {
        return cmsgpack_unpackb_plain(module, args[0]);
    }
    return call_with_kwargs(cmsgpack_unpackb, module, args, nargs, kwnames);
}

static PyMethodDef module_methods[] = {
    { "packb", (PyCFunction)(void (*)(void))packb_vectorcall, METH_FASTCALL | METH_KEYWORDS,
      PyDoc_STR("packb(o, *, default=None, use_single_float=False, use_bin_type=True,\n"
                "      strict_types=False, datetime=False, unicode_errors=None)\n"
                "--\n\nPack o and return the bytes.") },
    { "pack", (PyCFunction)(void (*)(void))cmsgpack_pack_to_stream, METH_VARARGS | METH_KEYWORDS,
      PyDoc_STR("pack(o, stream, **options)\n--\n\n"
                "Pack o and write it to stream (stream.write, looping on short writes).") },
    { "unpackb", (PyCFunction)(void (*)(void))unpackb_vectorcall, METH_FASTCALL | METH_KEYWORDS,
      PyDoc_STR("unpackb(packed, **options)\n--\n\n"
                "Unpack one object from a bytes-like object; ExtraData if bytes remain.") },
    { "unpack", (PyCFunction)(void (*)(void))cmsgpack_unpack_from_stream, METH_VARARGS | METH_KEYWORDS,
      PyDoc_STR("unpack(stream, **options)\n--\n\n"
                "Read exactly one object from stream.read(n) and return it; OutOfData if the\n"
                "stream ends first. (msgpack-python reads the whole stream instead.)") },
    { "_timestamp_to_bytes", timestamp_to_bytes, METH_VARARGS, NULL },
    { "_timestamp_from_bytes", timestamp_from_bytes, METH_O, NULL },
    { NULL, NULL, 0, NULL },
};

static int import_attr(PyObject **out, const char *module, const char *name) {
    PyObject *mod = PyImport_ImportModule(module);
    if (mod == NULL) {
        return -1;
    }
    *out = PyObject_GetAttrString(mod, name);
    Py_DECREF(mod);
    return *out ? 0 : -1;
}

static int module_exec(PyObject *module) {
    cmsgpack_state *st = cmsgpack_get_state(module);
    if (import_attr(&st->ExtType, "mpx.msgpack.ext", "ExtType") < 0
        || import_attr(&st->Timestamp, "mpx.msgpack.ext", "Timestamp") < 0
        || import_attr(&st->ExtraData, "mpx.msgpack.exceptions", "ExtraData") < 0
        || import_attr(&st->FormatError, "mpx.msgpack.exceptions", "FormatError") < 0
        || import_attr(&st->StackError, "mpx.msgpack.exceptions", "StackError") < 0
        || import_attr(&st->OutOfData, "mpx.msgpack.exceptions", "OutOfData") < 0
        || import_attr(&st->BufferFull, "mpx.msgpack.exceptions", "BufferFull") < 0
        || import_attr(&st->datetime_type, "datetime", "datetime") < 0
        || import_attr(&st->timedelta_type, "datetime", "timedelta") < 0) {
        return -1;
    }
    PyObject *timezone = NULL, *utc = NULL;
    if (import_attr(&timezone, "datetime", "timezone") < 0) {
        return -1;
    }
    utc = PyObject_GetAttrString(timezone, "utc");
    Py_DECREF(timezone);
    if (utc == NULL) {
        return -1;
    }
    st->epoch = PyObject_CallFunction(st->datetime_type, "(iiiiiiiO)", 1970, 1, 1, 0, 0, 0, 0, utc);
    Py_DECREF(utc);
    if (st->epoch == NULL) {
        return -1;
    }
    st->Packer = (PyTypeObject *)PyType_FromModuleAndSpec(module, &cmsgpack_packer_spec, NULL);
    if (st->Packer == NULL || PyModule_AddType(module, st->Packer) < 0) {
        return -1;
    }
    st->Unpacker = (PyTypeObject *)PyType_FromModuleAndSpec(module, &cmsgpack_unpacker_spec, NULL);
    if (st->Unpacker == NULL || PyModule_AddType(module, st->Unpacker) < 0) {
        return -1;
    }
    return 0;
}

static int module_traverse(PyObject *module, visitproc visit, void *arg) {
    cmsgpack_state *st = cmsgpack_get_state(module);
    Py_VISIT(st->ExtType);
    Py_VISIT(st->Timestamp);
    Py_VISIT(st->ExtraData);
    Py_VISIT(st->FormatError);
    Py_VISIT(st->StackError);
    Py_VISIT(st->OutOfData);
    Py_VISIT(st->BufferFull);
    Py_VISIT(st->datetime_type);
    Py_VISIT(st->timedelta_type);
    Py_VISIT(st->epoch);
    Py_VISIT(st->Packer);
    Py_VISIT(st->Unpacker);
    for (int i = 0; i < KEY_CACHE_SIZE; i++) {
        Py_VISIT(st->key_cache[i].str);
    }
    return 0;
}

static int module_clear(PyObject *module) {
    cmsgpack_state *st = cmsgpack_get_state(module);
    Py_CLEAR(st->ExtType);
    Py_CLEAR(st->Timestamp);
    Py_CLEAR(st->ExtraData);
    Py_CLEAR(st->FormatError);
    Py_CLEAR(st->StackError);
    Py_CLEAR(st->OutOfData);
    Py_CLEAR(st->BufferFull);
    Py_CLEAR(st->datetime_type);
    Py_CLEAR(st->timedelta_type);
    Py_CLEAR(st->epoch);
    Py_CLEAR(st->Packer);
    Py_CLEAR(st->Unpacker);
    for (int i = 0; i < KEY_CACHE_SIZE; i++) {
        Py_CLEAR(st->key_cache[i].str);
    }
    return 0;
}

static void module_free(void *module) {
    module_clear((PyObject *)module);
}

static PyModuleDef_Slot module_slots[] = {
    { Py_mod_exec, module_exec },
    { 0, NULL },
};

PyModuleDef cmsgpack_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "mpx.msgpack._cmsgpack",
    .m_doc = "MessagePack for CPython on the mpx C core (lib/msgpack).",
    .m_size = sizeof(cmsgpack_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC PyInit__cmsgpack(void) {
    return PyModuleDef_Init(&cmsgpack_module);
}
