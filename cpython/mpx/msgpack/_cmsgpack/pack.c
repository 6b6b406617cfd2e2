// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Packing Python objects with the lib/msgpack writer: packb(), pack() and
// the Packer type. The checks run in msgpack-python 1.2.1's order, so that
// the same options give byte-identical output:
//
//   None, True, False, int, float, bytes/bytearray, str, dict, ExtType,
//   Timestamp, list/tuple, memoryview, tz-aware datetime (datetime=True),
//   default(obj) once, else TypeError.
//
// With strict_types only exact types match (subclasses go to default, and a
// tuple is no longer an array).

#include "cmsgpack.h"

#define ITEM_LIMIT ((Py_ssize_t)0xffffffffLL)

typedef struct pack_ctx {
    cmsgpack_state *st;
    const cmsgpack_pack_opts *o;
    mpk_writer_t *w;
} pack_ctx;

static int pack_obj(pack_ctx *c, PyObject *obj, int nest);

// The value of an int that fits two digits (|v| < 2**60 with CPython's
// 30-bit digits), read without a call; false for larger ones.
static inline bool small_int(PyObject *obj, int64_t *v) {
    #if PY_VERSION_HEX >= 0x030C0000
    if (!PyUnstable_Long_IsCompact((PyLongObject *)obj)) {
        return false;
    }
    *v = (int64_t)PyUnstable_Long_CompactValue((PyLongObject *)obj);
    return true;
    #else
    // Up to 3.11: the digit count, with the sign, in ob_size.
    Py_ssize_t size = Py_SIZE(obj);
    const digit *d = ((PyLongObject *)obj)->ob_digit;
    int64_t m;
    switch (size < 0 ? -size : size) {
        case 0:
            *v = 0;
            return true;
        case 1:
            m = (int64_t)d[0];
            break;
        case 2:
            m = (int64_t)d[0] | ((int64_t)d[1] << PyLong_SHIFT);
            break;
        default:
            return false;
    }
    *v = size < 0 ? -m : m;
    return true;
    #endif
}

static inline void pack_float(pack_ctx *c, PyObject *obj) {
    if (c->o->use_single_float) {
        mpk_write_float32(c->w, (float)PyFloat_AS_DOUBLE(obj));
    } else {
        mpk_write_float64(c->w, PyFloat_AS_DOUBLE(obj));
    }
}

// The exact types most messages are made of, packed inline and without
// running any Python code: ASCII str, int below 2**60, float, None, bool.
// Returns 1 if obj was one of them, 0 if not (pack_obj then takes it). The
// writer's one error (no memory) is sticky: pack_obj and the containers
// check it before running Python code and at their end.
static inline int pack_fast(pack_ctx *c, PyObject *obj) {
    PyTypeObject *tp = Py_TYPE(obj);
    if (tp == &PyUnicode_Type) {
        if (!PyUnicode_IS_COMPACT_ASCII(obj) || PyUnicode_GET_LENGTH(obj) > ITEM_LIMIT) {
            return 0;
        }
        mpk_write_str(c->w, (const char *)PyUnicode_1BYTE_DATA(obj), (size_t)PyUnicode_GET_LENGTH(obj));
        return 1;
    }
    if (tp == &PyLong_Type) {
        int64_t v;
        if (!small_int(obj, &v)) {
            return 0;
        }
        mpk_write_int(c->w, v);
        return 1;
    }
    if (tp == &PyFloat_Type) {
        pack_float(c, obj);
        return 1;
    }
    if (obj == Py_None) {
        mpk_write_nil(c->w);
        return 1;
    }
    if (tp == &PyBool_Type) {
        mpk_write_bool(c->w, obj == Py_True);
        return 1;
    }
    return 0;
}

// Pack an element the caller only borrows from a list or dict: through
// pack_obj, Python code (default()) may mutate that container, so hold a
// reference meanwhile.
static inline int pack_borrowed(pack_ctx *c, PyObject *obj, int nest) {
    if (pack_fast(c, obj)) {
        return 0;
    }
    Py_INCREF(obj);
    int r = pack_obj(c, obj, nest);
    Py_DECREF(obj);
    return r;
}

// Turn a writer error into an exception, unless the sink already set one.
static int writer_failed(pack_ctx *c) {
    if (!PyErr_Occurred()) {
        if (c->w->status == MPK_ERR_MEMORY) {
            PyErr_NoMemory();
        } else {
            PyErr_Format(PyExc_ValueError, "pack failed: %s", mpk_status_str(c->w->status));
        }
    }
    return -1;
}

static int too_large(PyObject *obj) {
    PyErr_Format(PyExc_ValueError, "%.200s object is too large", Py_TYPE(obj)->tp_name);
    return -1;
}

static int pack_bytes(pack_ctx *c, PyObject *obj, const char *p, Py_ssize_t n) {
    if (n > ITEM_LIMIT) {
        return too_large(obj);
    }
    mpk_write_bin(c->w, p, (size_t)n);
    return 0;
}

static int pack_str(pack_ctx *c, PyObject *obj) {
    Py_ssize_t n;
    if (c->o->unicode_errors == NULL) {
        const char *p = PyUnicode_AsUTF8AndSize(obj, &n);
        if (p == NULL) {
            return -1;
        }
        if (n > ITEM_LIMIT) {
            PyErr_SetString(PyExc_ValueError, "unicode string is too large");
            return -1;
        }
        mpk_write_str(c->w, p, (size_t)n);
        return 0;
    }
    PyObject *b = PyUnicode_AsEncodedString(obj, "utf-8", c->o->unicode_errors);
    if (b == NULL) {
        return -1;
    }
    n = PyBytes_GET_SIZE(b);
    if (n > ITEM_LIMIT) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_ValueError, "unicode string is too large");
        return -1;
    }
    mpk_write_str(c->w, PyBytes_AS_STRING(b), (size_t)n);
    Py_DECREF(b);
    return 0;
}

// Pack a key and a value that the caller only borrows: default() may mutate
// the container they come from, so hold references while packing.
static int pack_pair(pack_ctx *c, PyObject *k, PyObject *v, int nest) {
    Py_INCREF(k);
    Py_INCREF(v);
    int r = pack_obj(c, k, nest);
    if (r == 0) {
        r = pack_obj(c, v, nest);
    }
    Py_DECREF(k);
    Py_DECREF(v);
    return r;
}

static int changed_size(const char *what) {
    PyErr_Format(PyExc_RuntimeError, "%s changed size during packing", what);
    return -1;
}

static int recursion_limit(void) {
    PyErr_SetString(PyExc_ValueError, "recursion limit exceeded.");
    return -1;
}

static int pack_dict(pack_ctx *c, PyObject *obj, int nest) {
    Py_ssize_t n = PyDict_GET_SIZE(obj);
    if (n > ITEM_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "dict is too large");
        return -1;
    }
    mpk_write_map_header(c->w, (size_t)n);
    Py_ssize_t pos = 0, done = 0;
    PyObject *k, *v;
    if (PyDict_CheckExact(obj)) {
        if (nest < 0 && n > 0) {
            return recursion_limit();  // what pack_obj says of the first key
        }
        while (PyDict_Next(obj, &pos, &k, &v)) {
            if (++done > n) {
                return changed_size("dict");
            }
            if (pack_fast(c, k)) {
                if (pack_borrowed(c, v, nest) < 0) {  // the key needs v no more
                    return -1;
                }
            } else if (pack_pair(c, k, v, nest) < 0) {
                return -1;
            }
        }
    } else {
        // A dict subclass: its own items() decides what is packed.
        PyObject *items = PyObject_CallMethod(obj, "items", NULL);
        PyObject *it = items ? PyObject_GetIter(items) : NULL;
        Py_XDECREF(items);
        if (it == NULL) {
            return -1;
        }
        PyObject *pair;
        while ((pair = PyIter_Next(it)) != NULL) {
            int r = -1;
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
                PyErr_SetString(PyExc_ValueError, "items() must yield (key, value) pairs");
            } else if (++done > n) {
                changed_size("dict");
            } else {
                r = pack_pair(c, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1), nest);
            }
            Py_DECREF(pair);
            if (r < 0) {
                Py_DECREF(it);
                return -1;
            }
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) {
            return -1;
        }
    }
    return done == n ? 0 : changed_size("dict");
}

static int pack_array(pack_ctx *c, PyObject *obj, int nest) {
    Py_ssize_t n = Py_SIZE(obj);
    if (n > ITEM_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "list is too large");
        return -1;
    }
    mpk_write_array_header(c->w, (size_t)n);
    if (nest < 0 && n > 0) {
        return recursion_limit();  // what pack_obj says of the first item
    }
    if (PyTuple_Check(obj)) {  // immutable: items stay alive
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *item = PyTuple_GET_ITEM(obj, i);
            if (!pack_fast(c, item) && pack_obj(c, item, nest) < 0) {
                return -1;
            }
        }
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyList_GET_SIZE(obj) != n) {  // changed by default()
            return changed_size("list");
        }
        if (pack_borrowed(c, PyList_GET_ITEM(obj, i), nest) < 0) {
            return -1;
        }
    }
    return PyList_GET_SIZE(obj) == n ? 0 : changed_size("list");
}

static int pack_int(pack_ctx *c, PyObject *obj, bool *out_of_range) {
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow == 0) {
        if (v == -1 && PyErr_Occurred()) {
            return -1;
        }
        mpk_write_int(c->w, v);
        return 0;
    }
    if (overflow > 0) {
        unsigned long long u = PyLong_AsUnsignedLongLong(obj);
        if (!(u == (unsigned long long)-1 && PyErr_Occurred())) {
            mpk_write_uint(c->w, u);
            return 0;
        }
        if (!PyErr_ExceptionMatches(PyExc_OverflowError)) {
            return -1;
        }
        PyErr_Clear();
    }
    *out_of_range = true;
    return 0;
}

static int pack_ext(pack_ctx *c, PyObject *obj) {
    PyObject *code, *data;
    // ExtType is a namedtuple (code, data); a subclass may redefine the fields.
    if (Py_TYPE(obj) == (PyTypeObject *)c->st->ExtType && PyTuple_GET_SIZE(obj) == 2) {
        code = Py_NewRef(PyTuple_GET_ITEM(obj, 0));
        data = Py_NewRef(PyTuple_GET_ITEM(obj, 1));
    } else {
        code = PyObject_GetAttrString(obj, "code");
        data = code ? PyObject_GetAttrString(obj, "data") : NULL;
    }
    int r = -1;
    if (data != NULL) {
        long code_v = PyLong_AsLong(code);
        char *p;
        Py_ssize_t n;
        if (!(code_v == -1 && PyErr_Occurred()) && PyBytes_AsStringAndSize(data, &p, &n) == 0) {
            if (code_v < -128 || code_v > 127) {
                PyErr_Format(PyExc_ValueError, "ext type code %ld is outside -128..127", code_v);
            } else if (n > ITEM_LIMIT) {
                PyErr_SetString(PyExc_ValueError, "EXT data is too large");
            } else {
                mpk_write_ext(c->w, (int8_t)code_v, p, (size_t)n);
                r = 0;
            }
        }
    }
    Py_XDECREF(code);
    Py_XDECREF(data);
    return r;
}

static int pack_timestamp_parts(pack_ctx *c, PyObject *sec_o, PyObject *nsec_o) {
    long long sec = PyLong_AsLongLong(sec_o);
    if (sec == -1 && PyErr_Occurred()) {
        return -1;
    }
    unsigned long nsec = PyLong_AsUnsignedLong(nsec_o);
    if (nsec == (unsigned long)-1 && PyErr_Occurred()) {
        return -1;
    }
    if (nsec > MPK_NSEC_MAX) {
        PyErr_SetString(PyExc_ValueError, "nanoseconds must be less than 1000000000");
        return -1;
    }
    mpk_write_timestamp(c->w, sec, (uint32_t)nsec);
    return 0;
}

static int pack_timestamp(pack_ctx *c, PyObject *obj) {
    PyObject *sec = PyObject_GetAttrString(obj, "seconds");
    PyObject *nsec = sec ? PyObject_GetAttrString(obj, "nanoseconds") : NULL;
    int r = nsec ? pack_timestamp_parts(c, sec, nsec) : -1;
    Py_XDECREF(sec);
    Py_XDECREF(nsec);
    return r;
}

// A tz-aware datetime as a Timestamp: exact, from the timedelta to the epoch.
static int pack_datetime(pack_ctx *c, PyObject *obj) {
    PyObject *delta = PyNumber_Subtract(obj, c->st->epoch);
    if (delta == NULL) {
        return -1;
    }
    int r = -1;
    PyObject *days = PyObject_GetAttrString(delta, "days");
    PyObject *secs = days ? PyObject_GetAttrString(delta, "seconds") : NULL;
    PyObject *us = secs ? PyObject_GetAttrString(delta, "microseconds") : NULL;
    if (us != NULL) {
        long long d = PyLong_AsLongLong(days), s = PyLong_AsLongLong(secs), u = PyLong_AsLongLong(us);
        if (!PyErr_Occurred()) {
            mpk_write_timestamp(c->w, d * 86400 + s, (uint32_t)(u * 1000));
            r = 0;
        }
    }
    Py_XDECREF(days);
    Py_XDECREF(secs);
    Py_XDECREF(us);
    Py_DECREF(delta);
    return r;
}

static int is_aware_datetime(pack_ctx *c, PyObject *obj, int *aware) {
    *aware = 0;
    if (Py_TYPE(obj) != (PyTypeObject *)c->st->datetime_type) {
        return 0;
    }
    PyObject *tz = PyObject_GetAttrString(obj, "tzinfo");
    if (tz == NULL) {
        return -1;
    }
    *aware = tz != Py_None ? 1 : 2;  // 2: a naive datetime
    Py_DECREF(tz);
    return 0;
}

static int pack_obj(pack_ctx *c, PyObject *obj, int nest) {
    if (nest < 0) {
        return recursion_limit();
    }
    if (c->w->status != MPK_OK) {  // from pack_fast: stop before running Python code
        return writer_failed(c);
    }
    const cmsgpack_pack_opts *o = c->o;
    const int strict = o->strict_types;
    PyObject *owned = NULL;  // a result of default(), released at the end
    int r = 0;
    for (;;) {
        PyTypeObject *tp = Py_TYPE(obj);
        bool fallback = false;  // not packable as is: try default()
        if (tp == &PyUnicode_Type) {
            r = pack_str(c, obj);
        } else if (tp == &PyLong_Type) {
            r = pack_int(c, obj, &fallback);
        } else if (obj == Py_None) {
            mpk_write_nil(c->w);
        } else if (obj == Py_True || obj == Py_False) {
            mpk_write_bool(c->w, obj == Py_True);
        } else if (tp == &PyFloat_Type) {
            pack_float(c, obj);
        } else if (tp == &PyDict_Type) {
            r = pack_dict(c, obj, nest - 1);
        } else if (tp == &PyList_Type || (!strict && tp == &PyTuple_Type)) {
            r = pack_array(c, obj, nest - 1);
        } else if (tp == &PyBytes_Type) {
            r = pack_bytes(c, obj, PyBytes_AS_STRING(obj), PyBytes_GET_SIZE(obj));
        // The exact types are done; from here on, msgpack-python's order.
        } else if (strict ? 0 : PyLong_Check(obj)) {
            r = pack_int(c, obj, &fallback);
        } else if (strict ? 0 : PyFloat_Check(obj)) {
            pack_float(c, obj);
        } else if (strict ? 0 : PyBytes_Check(obj)) {
            r = pack_bytes(c, obj, PyBytes_AS_STRING(obj), PyBytes_GET_SIZE(obj));
        } else if (strict ? PyByteArray_CheckExact(obj) : PyByteArray_Check(obj)) {
            r = pack_bytes(c, obj, PyByteArray_AS_STRING(obj), PyByteArray_GET_SIZE(obj));
        } else if (strict ? 0 : PyUnicode_Check(obj)) {
            r = pack_str(c, obj);
        } else if (strict ? 0 : PyDict_Check(obj)) {
            r = pack_dict(c, obj, nest - 1);
        } else if (strict ? tp == (PyTypeObject *)c->st->ExtType
                          : PyObject_TypeCheck(obj, (PyTypeObject *)c->st->ExtType)) {
            r = pack_ext(c, obj);
        } else if (tp == (PyTypeObject *)c->st->Timestamp) {
            r = pack_timestamp(c, obj);
        } else if (strict ? 0 : (PyTuple_Check(obj) || PyList_Check(obj))) {
            r = pack_array(c, obj, nest - 1);
        } else if (PyMemoryView_Check(obj)) {
            Py_buffer view;
            if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0) {
                r = -1;  // BufferError for a view that is not contiguous, as 1.2.1
            } else {
                r = pack_bytes(c, obj, view.buf, view.len);
                PyBuffer_Release(&view);
            }
        } else {
            int aware = 0;
            if (o->datetime && is_aware_datetime(c, obj, &aware) < 0) {
                r = -1;
            } else if (aware == 1) {
                r = pack_datetime(c, obj);
            } else if (owned == NULL && o->default_ != NULL) {
                fallback = true;
            } else if (aware == 2) {
                PyErr_Format(PyExc_ValueError, "can not serialize '%.200s' object where tzinfo=None",
                    tp->tp_name);
                r = -1;
            } else {
                PyErr_Format(PyExc_TypeError, "can not serialize '%.200s' object", tp->tp_name);
                r = -1;
            }
        }
        if (fallback && r == 0) {
            if (owned == NULL && o->default_ != NULL) {
                owned = PyObject_CallOneArg(o->default_, obj);
                if (owned == NULL) {
                    return -1;
                }
                obj = owned;
                continue;
            }
            PyErr_SetString(PyExc_OverflowError, "Integer value out of range");
            r = -1;
        }
        break;
    }
    Py_XDECREF(owned);
    if (r == 0 && c->w->status != MPK_OK) {
        return writer_failed(c);
    }
    return r;
}

int cmsgpack_pack(cmsgpack_state *st, const cmsgpack_pack_opts *o, mpk_writer_t *w, PyObject *obj) {
    pack_ctx c = { st, o, w };
    return pack_obj(&c, obj, CMSGPACK_PACK_NEST_LIMIT);
}

int cmsgpack_pack_opts_parse(cmsgpack_pack_opts *o, PyObject *default_, int use_single_float,
    int use_bin_type, int strict_types, int datetime, PyObject *unicode_errors) {
    if (default_ == Py_None) {
        default_ = NULL;
    }
    if (default_ != NULL && !PyCallable_Check(default_)) {
        PyErr_SetString(PyExc_TypeError, "default must be a callable.");
        return -1;
    }
    o->default_ = default_;
    o->use_single_float = use_single_float;
    o->use_bin_type = use_bin_type;
    o->strict_types = strict_types;
    o->datetime = datetime;
    o->unicode_errors = NULL;
    if (unicode_errors != NULL && unicode_errors != Py_None) {
        o->unicode_errors = PyUnicode_AsUTF8(unicode_errors);
        if (o->unicode_errors == NULL) {
            return -1;
        }
    }
    return 0;
}

// ---------------------------------------------------------------------------
// packb(): a writer that starts in a stack buffer and moves to a bytes object
// that grows in place (realloc), so a large payload is copied only once.

#define PACKB_STACK 512

typedef struct bytes_sink {
    PyObject *bytes;
    uint8_t stack[PACKB_STACK];
} bytes_sink;

static mpk_status_t bytes_flush(mpk_writer_t *w, size_t need) {
    bytes_sink *s = w->ctx;
    if (need == 0) {
        return MPK_OK;
    }
    size_t cap = w->cap * 2;
    if (cap < w->pos + need) {
        cap = w->pos + need;
    }
    if (cap > (size_t)PY_SSIZE_T_MAX) {
        PyErr_NoMemory();
        return MPK_ERR_MEMORY;
    }
    if (s->bytes == NULL) {
        s->bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)cap);
        if (s->bytes == NULL) {
            return MPK_ERR_MEMORY;
        }
        memcpy(PyBytes_AS_STRING(s->bytes), s->stack, w->pos);
    } else if (_PyBytes_Resize(&s->bytes, (Py_ssize_t)cap) < 0) {
        return MPK_ERR_MEMORY;  // s->bytes is NULL now, the exception is set
    }
    w->buf = (uint8_t *)PyBytes_AS_STRING(s->bytes);
    w->cap = cap;
    return MPK_OK;
}

static PyObject *packb_impl(cmsgpack_state *st, const cmsgpack_pack_opts *o, PyObject *obj) {
    bytes_sink s;
    mpk_writer_t w;
    s.bytes = NULL;
    mpk_writer_init(&w, s.stack, sizeof s.stack, bytes_flush, &s);
    mpk_writer_set_compat(&w, !o->use_bin_type);
    if (cmsgpack_pack(st, o, &w, obj) < 0) {
        Py_XDECREF(s.bytes);
        return NULL;
    }
    if (s.bytes == NULL) {
        return PyBytes_FromStringAndSize((const char *)s.stack, (Py_ssize_t)w.pos);
    }
    if (_PyBytes_Resize(&s.bytes, (Py_ssize_t)w.pos) < 0) {
        return NULL;
    }
    return s.bytes;
}

static char *pack_kwlist[] = {
    "o", "default", "use_single_float", "autoreset", "use_bin_type", "strict_types", "datetime",
    "unicode_errors", "buf_size", NULL
};

static int parse_pack_args(const char *fmt, PyObject *args, PyObject *kwargs, PyObject **obj,
    cmsgpack_pack_opts *o, PyObject **stream) {
    PyObject *default_ = NULL, *unicode_errors = NULL, *buf_size = NULL;
    int use_single_float = 0, autoreset = 1, use_bin_type = 1, strict_types = 0, datetime = 0;
    static char *stream_kwlist[] = {
        "o", "stream", "default", "use_single_float", "autoreset", "use_bin_type", "strict_types",
        "datetime", "unicode_errors", "buf_size", NULL
    };
    int ok = stream
        ? PyArg_ParseTupleAndKeywords(args, kwargs, fmt, stream_kwlist, obj, stream, &default_,
            &use_single_float, &autoreset, &use_bin_type, &strict_types, &datetime, &unicode_errors,
            &buf_size)
        : PyArg_ParseTupleAndKeywords(args, kwargs, fmt, pack_kwlist, obj, &default_,
            &use_single_float, &autoreset, &use_bin_type, &strict_types, &datetime, &unicode_errors,
            &buf_size);
    if (!ok) {
        return -1;
    }
    return cmsgpack_pack_opts_parse(o, default_, use_single_float, use_bin_type, strict_types,
        datetime, unicode_errors);
}

PyObject *cmsgpack_packb_plain(PyObject *module, PyObject *obj) {
    static const cmsgpack_pack_opts defaults = { NULL, NULL, 0, 1, 0, 0 };
    return packb_impl(cmsgpack_get_state(module), &defaults, obj);
}

PyObject *cmsgpack_packb(PyObject *module, PyObject *args, PyObject *kwargs) {
    cmsgpack_pack_opts o;
    PyObject *obj;
    if (parse_pack_args("O|$OpppppOO:packb", args, kwargs, &obj, &o, NULL) < 0) {
        return NULL;
    }
    return packb_impl(cmsgpack_get_state(module), &o, obj);
}

// Write all of data to stream.write, looping on partial writes.
static int write_all(PyObject *stream, PyObject *data) {
    Py_ssize_t total = PyBytes_GET_SIZE(data), done = 0;
    PyObject *view = PyMemoryView_FromObject(data);
    if (view == NULL) {
        return -1;
    }
    while (done < total) {
        PyObject *chunk = done == 0 ? Py_NewRef(view) : PySequence_GetSlice(view, done, total);
        PyObject *n = chunk ? PyObject_CallMethod(stream, "write", "O", chunk) : NULL;
        Py_XDECREF(chunk);
        if (n == NULL) {
            Py_DECREF(view);
            return -1;
        }
        if (n == Py_None) {  // streams that return None wrote everything
            Py_DECREF(n);
            break;
        }
        Py_ssize_t k = PyLong_AsSsize_t(n);
        Py_DECREF(n);
        if (k == -1 && PyErr_Occurred()) {
            Py_DECREF(view);
            return -1;
        }
        if (k <= 0) {
            Py_DECREF(view);
            PyErr_SetString(PyExc_OSError, "stream.write() accepted no bytes");
            return -1;
        }
        done += k;
    }
    Py_DECREF(view);
    return 0;
}

PyObject *cmsgpack_pack_to_stream(PyObject *module, PyObject *args, PyObject *kwargs) {
    cmsgpack_state *st = cmsgpack_get_state(module);
    cmsgpack_pack_opts o;
    PyObject *obj, *stream;
    if (parse_pack_args("OO|$OpppppOO:pack", args, kwargs, &obj, &o, &stream) < 0) {
        return NULL;
    }
    PyObject *data = packb_impl(st, &o, obj);
    if (data == NULL) {
        return NULL;
    }
    int r = write_all(stream, data);
    Py_DECREF(data);
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

// ---------------------------------------------------------------------------
// Packer

typedef struct packer_obj {
    PyObject_HEAD
    cmsgpack_state *st;
    cmsgpack_pack_opts opts;
    PyObject *default_;         // strong references behind opts' borrowed ones
    PyObject *unicode_errors;
    int autoreset;
    int busy;                   // packing: default() may not re-enter
    uint8_t *buf;
    size_t len;
    size_t cap;
    Py_ssize_t exports;
} packer_obj;

static mpk_status_t packer_flush(mpk_writer_t *w, size_t need) {
    if (need == 0) {
        return MPK_OK;
    }
    size_t cap = w->cap * 2;
    if (cap < w->pos + need) {
        cap = w->pos + need;
    }
    uint8_t *buf = PyMem_Realloc(w->buf, cap);
    if (buf == NULL) {
        PyErr_NoMemory();
        return MPK_ERR_MEMORY;
    }
    w->buf = buf;
    w->cap = cap;
    packer_obj *self = w->ctx;  // bytes() from default() must not read the old block
    self->buf = buf;
    self->cap = cap;
    return MPK_OK;
}

// Refuse to change the buffer while default() runs or a view of it exists.
static int packer_check_unlocked(packer_obj *self) {
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "Packer is busy (re-entered from default)");
        return -1;
    }
    if (self->exports > 0) {
        PyErr_SetString(PyExc_BufferError, "Existing exports of data: Packer cannot be changed");
        return -1;
    }
    return 0;
}

static int packer_init(PyObject *op, PyObject *args, PyObject *kwargs) {
    packer_obj *self = (packer_obj *)op;
    static char *kwlist[] = {
        "default", "use_single_float", "autoreset", "use_bin_type", "strict_types", "datetime",
        "unicode_errors", "buf_size", NULL
    };
    PyObject *default_ = NULL, *unicode_errors = NULL;
    int use_single_float = 0, autoreset = 1, use_bin_type = 1, strict_types = 0, datetime = 0;
    Py_ssize_t buf_size = 256 * 1024;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$OpppppOn:Packer", kwlist, &default_,
        &use_single_float, &autoreset, &use_bin_type, &strict_types, &datetime, &unicode_errors,
        &buf_size)) {
        return -1;
    }
    if (packer_check_unlocked(self) < 0) {
        return -1;
    }
    Py_XINCREF(default_);
    Py_XINCREF(unicode_errors);
    Py_CLEAR(self->default_);
    Py_CLEAR(self->unicode_errors);
    self->default_ = default_;
    self->unicode_errors = unicode_errors;
    if (cmsgpack_pack_opts_parse(&self->opts, default_, use_single_float, use_bin_type, strict_types,
        datetime, unicode_errors) < 0) {
        return -1;
    }
    self->autoreset = autoreset;
    if (buf_size < MPK_WRITER_MIN_BUFFER) {
        buf_size = MPK_WRITER_MIN_BUFFER;
    }
    if (self->buf == NULL) {
        self->buf = PyMem_Malloc((size_t)buf_size);
        if (self->buf == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        self->cap = (size_t)buf_size;
    }
    self->len = 0;
    return 0;
}

static int packer_traverse(PyObject *op, visitproc visit, void *arg) {
    packer_obj *self = (packer_obj *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(self->default_);
    return 0;
}

static int packer_clear(PyObject *op) {
    packer_obj *self = (packer_obj *)op;
    Py_CLEAR(self->default_);
    Py_CLEAR(self->unicode_errors);
    self->opts.default_ = NULL;
    return 0;
}

static void packer_dealloc(PyObject *op) {
    packer_obj *self = (packer_obj *)op;
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    packer_clear(op);
    PyMem_Free(self->buf);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyObject *packer_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    (void)args;
    (void)kwargs;
    packer_obj *self = (packer_obj *)type->tp_alloc(type, 0);
    if (self != NULL) {
        self->st = cmsgpack_state_of_type(type);
        self->opts.use_bin_type = 1;
        self->autoreset = 1;
    }
    return (PyObject *)self;
}

// Run fn with a writer over the Packer's buffer, as msgpack-python 1.2.1
// does: pack() empties the buffer on error; the other methods leave what
// was there before the call (msgpack-python leaves a partial map too, which
// would corrupt the next output: we drop it). Every method returns the
// buffer's bytes and empties it if autoreset, else None (pack_ext_type()
// too: 1.0.3 only appended).
typedef int (*packer_step)(packer_obj *self, mpk_writer_t *w, void *arg);

enum { RUN_PACK, RUN_PART };

static PyObject *packer_run(packer_obj *self, packer_step fn, void *arg, int mode) {
    if (packer_check_unlocked(self) < 0) {
        return NULL;
    }
    if (self->buf == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Packer.__init__() was not called");
        return NULL;
    }
    mpk_writer_t w;
    mpk_writer_init(&w, self->buf, self->cap, packer_flush, self);
    mpk_writer_set_compat(&w, !self->opts.use_bin_type);
    w.pos = self->len;
    self->busy = 1;
    int r = fn(self, &w, arg);
    self->busy = 0;
    self->buf = w.buf;
    self->cap = w.cap;
    if (r < 0) {
        if (mode == RUN_PACK) {
            self->len = 0;
        }
        return NULL;
    }
    self->len = w.pos;
    if (!self->autoreset) {
        Py_RETURN_NONE;
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)self->buf, (Py_ssize_t)self->len);
    self->len = 0;
    return out;
}

static int step_pack(packer_obj *self, mpk_writer_t *w, void *arg) {
    return cmsgpack_pack(self->st, &self->opts, w, arg);
}

static PyObject *packer_pack(PyObject *op, PyObject *obj) {
    return packer_run((packer_obj *)op, step_pack, obj, RUN_PACK);
}

typedef struct header_arg {
    long long n;
    int map;
} header_arg;

static int step_header(packer_obj *self, mpk_writer_t *w, void *arg) {
    (void)self;
    header_arg *h = arg;
    if (h->n < 0 || h->n > 0xffffffffLL) {
        PyErr_SetString(PyExc_ValueError, h->map ? "map too large" : "array too large");
        return -1;
    }
    if (h->map) {
        mpk_write_map_header(w, (size_t)h->n);
    } else {
        mpk_write_array_header(w, (size_t)h->n);
    }
    return 0;
}

static PyObject *packer_pack_array_header(PyObject *op, PyObject *arg) {
    header_arg h = { PyLong_AsLongLong(arg), 0 };
    if (h.n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return packer_run((packer_obj *)op, step_header, &h, RUN_PART);
}

static PyObject *packer_pack_map_header(PyObject *op, PyObject *arg) {
    header_arg h = { PyLong_AsLongLong(arg), 1 };
    if (h.n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return packer_run((packer_obj *)op, step_header, &h, RUN_PART);
}

static int step_pairs(packer_obj *self, mpk_writer_t *w, void *arg) {
    PyObject *pairs = arg;
    pack_ctx c = { self->st, &self->opts, w };
    Py_ssize_t n = PyObject_Size(pairs);
    if (n < 0) {
        return -1;
    }
    if (n > ITEM_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "map too large");
        return -1;
    }
    mpk_write_map_header(w, (size_t)n);
    PyObject *it = PyObject_GetIter(pairs);
    if (it == NULL) {
        return -1;
    }
    PyObject *pair;
    Py_ssize_t done = 0;
    int r = 0;
    while (r == 0 && (pair = PyIter_Next(it)) != NULL) {
        PyObject *seq = PySequence_Fast(pair, "pairs must hold (key, value) sequences");
        Py_DECREF(pair);
        if (seq == NULL || PySequence_Fast_GET_SIZE(seq) != 2) {
            if (seq != NULL) {
                PyErr_SetString(PyExc_ValueError, "pairs must hold (key, value) sequences");
            }
            r = -1;
        } else if (++done > n) {
            r = changed_size("pairs");
        } else {
            r = pack_pair(&c, PySequence_Fast_GET_ITEM(seq, 0), PySequence_Fast_GET_ITEM(seq, 1),
                CMSGPACK_PACK_NEST_LIMIT);
        }
        Py_XDECREF(seq);
    }
    Py_DECREF(it);
    if (r < 0 || PyErr_Occurred()) {
        return -1;
    }
    return done == n ? 0 : changed_size("pairs");
}

static PyObject *packer_pack_map_pairs(PyObject *op, PyObject *pairs) {
    return packer_run((packer_obj *)op, step_pairs, pairs, RUN_PART);
}

typedef struct ext_arg {
    long code;
    Py_buffer data;
} ext_arg;

static int step_ext(packer_obj *self, mpk_writer_t *w, void *arg) {
    (void)self;
    ext_arg *e = arg;
    if (e->code < -128 || e->code > 127) {
        PyErr_Format(PyExc_ValueError, "ext type code %ld is outside -128..127", e->code);
        return -1;
    }
    if (e->data.len > ITEM_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "ext data too large");
        return -1;
    }
    mpk_write_ext(w, (int8_t)e->code, e->data.buf, (size_t)e->data.len);
    return 0;
}

static PyObject *packer_pack_ext_type(PyObject *op, PyObject *args) {
    ext_arg e;
    if (!PyArg_ParseTuple(args, "ly*:pack_ext_type", &e.code, &e.data)) {
        return NULL;
    }
    PyObject *r = packer_run((packer_obj *)op, step_ext, &e, RUN_PART);
    PyBuffer_Release(&e.data);
    return r;
}

static PyObject *packer_bytes(PyObject *op, PyObject *unused) {
    (void)unused;
    packer_obj *self = (packer_obj *)op;
    return PyBytes_FromStringAndSize((const char *)self->buf, (Py_ssize_t)self->len);
}

static PyObject *packer_reset(PyObject *op, PyObject *unused) {
    (void)unused;
    packer_obj *self = (packer_obj *)op;
    if (packer_check_unlocked(self) < 0) {
        return NULL;
    }
    self->len = 0;
    Py_RETURN_NONE;
}

static PyObject *packer_getbuffer(PyObject *op, PyObject *unused) {
    (void)unused;
    return PyMemoryView_FromObject(op);
}

static int packer_getbuf(PyObject *op, Py_buffer *view, int flags) {
    packer_obj *self = (packer_obj *)op;
    if (self->busy) {  // the writer may still move the buffer
        PyErr_SetString(PyExc_BufferError, "Packer is busy (re-entered from default)");
        return -1;
    }
    if (PyBuffer_FillInfo(view, op, self->buf, (Py_ssize_t)self->len, 1, flags) < 0) {
        return -1;
    }
    self->exports++;
    return 0;
}

static void packer_releasebuf(PyObject *op, Py_buffer *view) {
    (void)view;
    ((packer_obj *)op)->exports--;
}

static PyMethodDef packer_methods[] = {
    { "pack", packer_pack, METH_O,
      PyDoc_STR("pack(obj)\n--\n\nPack obj; return bytes if autoreset, else None.") },
    { "pack_array_header", packer_pack_array_header, METH_O,
      PyDoc_STR("pack_array_header(n)\n--\n\nPack an array header for n elements.") },
    { "pack_map_header", packer_pack_map_header, METH_O,
      PyDoc_STR("pack_map_header(n)\n--\n\nPack a map header for n pairs.") },
    { "pack_map_pairs", packer_pack_map_pairs, METH_O,
      PyDoc_STR("pack_map_pairs(pairs)\n--\n\nPack a sequence of (key, value) pairs as a map.") },
    { "pack_ext_type", packer_pack_ext_type, METH_VARARGS,
      PyDoc_STR("pack_ext_type(typecode, data)\n--\n\n"
          "Pack an extension of the given type; return bytes if autoreset, else None.") },
    { "bytes", packer_bytes, METH_NOARGS,
      PyDoc_STR("bytes()\n--\n\nThe internal buffer's contents as bytes.") },
    { "reset", packer_reset, METH_NOARGS,
      PyDoc_STR("reset()\n--\n\nEmpty the internal buffer (useful with autoreset=False).") },
    { "getbuffer", packer_getbuffer, METH_NOARGS,
      PyDoc_STR("getbuffer()\n--\n\nA memoryview of the internal buffer.") },
    { NULL, NULL, 0, NULL },
};

static PyType_Slot packer_slots[] = {
    { Py_tp_doc, (void *)PyDoc_STR(
        "Packer(*, default=None, use_single_float=False, autoreset=True, use_bin_type=True,\n"
        "       strict_types=False, datetime=False, unicode_errors=None, buf_size=262144)\n"
        "--\n\n"
        "MessagePack packer, compatible with msgpack-python 1.2.1's Packer.") },
    { Py_tp_new, packer_new },
    { Py_tp_init, packer_init },
    { Py_tp_dealloc, packer_dealloc },
    { Py_tp_traverse, packer_traverse },
    { Py_tp_clear, packer_clear },
    { Py_tp_methods, packer_methods },
    { Py_bf_getbuffer, packer_getbuf },
    { Py_bf_releasebuffer, packer_releasebuf },
    { 0, NULL },
};

PyType_Spec cmsgpack_packer_spec = {
    .name = "mpx.msgpack.Packer",
    .basicsize = sizeof(packer_obj),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = packer_slots,
};
