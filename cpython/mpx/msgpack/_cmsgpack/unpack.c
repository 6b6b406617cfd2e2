// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Unpacking with the lib/msgpack decoder: a visitor that builds Python
// objects, unpackb(), unpack(stream) (exactly one object), and Unpacker.
//
// The visitor follows msgpack-python 1.2.1: str keys are interned, map keys
// must be str or bytes under strict_map_key, ext -1 becomes a Timestamp (or
// float, int ns, datetime: the timestamp option), other exts go to ext_hook.

#include "cmsgpack.h"

#define INLINE_FRAMES 16

// The callbacks of the hot path are inlined into the decoder's loop
// (py_decoder_feed below); their rare cases are kept out of it.
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#define COLD static __attribute__((noinline))
#else
#define HOT static inline
#define COLD static
#endif

typedef struct unpack_opts {
    PyObject *object_hook;       // all borrowed (the caller keeps them alive)
    PyObject *object_pairs_hook;
    PyObject *list_hook;
    PyObject *ext_hook;          // NULL: ExtType
    const char *unicode_errors;
    int use_list;
    int raw;
    int strict_map_key;
    int timestamp;
    mpk_limits_t limits;
} unpack_opts;

typedef struct unpack_ctx {
    cmsgpack_state *st;
    const unpack_opts *o;
    mpk_frame_t *inline_frames;  // the decoder's first frames (not heap)
    bool plain_str;              // str is str: no raw, no unicode_errors
} unpack_ctx;

// ---------------------------------------------------------------------------
// The visitor

static PyObject *timestamp_object(unpack_ctx *c, const mpk_token_t *t) {
    int64_t sec;
    uint32_t nsec;
    mpk_status_t s = mpk_timestamp_decode(t->data, t->v.n, &sec, &nsec);
    if (s == MPK_ERR_TIMESTAMP) {
        PyErr_Format(PyExc_ValueError, "timestamp data must be 4, 8 or 12 bytes, not %u",
            (unsigned)t->v.n);
        return NULL;
    }
    if (s != MPK_OK) {
        PyErr_SetString(PyExc_ValueError, "timestamp nanoseconds must be less than 1000000000");
        return NULL;
    }
    switch (c->o->timestamp) {
        case 1:
            return PyFloat_FromDouble((double)sec + (double)nsec / 1e9);
        case 2: {
            PyObject *s_o = PyLong_FromLongLong(sec);
            PyObject *g = PyLong_FromLong(1000000000L);
            PyObject *prod = s_o && g ? PyNumber_Multiply(s_o, g) : NULL;
            PyObject *ns = PyLong_FromUnsignedLong(nsec);
            PyObject *sum = prod && ns ? PyNumber_Add(prod, ns) : NULL;
            Py_XDECREF(s_o);
            Py_XDECREF(g);
            Py_XDECREF(prod);
            Py_XDECREF(ns);
            return sum;
        }
        case 3: {
            PyObject *delta = PyObject_CallFunction(c->st->timedelta_type, "(iLk)", 0,
                (long long)sec, (unsigned long)(nsec / 1000));
            PyObject *dt = delta ? PyNumber_Add(c->st->epoch, delta) : NULL;
            Py_XDECREF(delta);
            return dt;
        }
        default:
            return PyObject_CallFunction(c->st->Timestamp, "(Lk)", (long long)sec, (unsigned long)nsec);
    }
}

static bool is_ascii(const uint8_t *p, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080u) {
            return false;
        }
    }
    if (n - i >= 4) {  // the rest as two overlapping words
        uint32_t a, b;
        memcpy(&a, p + i, 4);
        memcpy(&b, p + n - 4, 4);
        return ((a | b) & 0x80808080u) == 0;
    }
    for (; i < n; i++) {
        if (p[i] & 0x80) {
            return false;
        }
    }
    return true;
}

static PyObject *decode_str(const uint8_t *p, size_t n, const char *errors) {
    if (is_ascii(p, n)) {
        PyObject *o = PyUnicode_New((Py_ssize_t)n, 127);
        if (o != NULL) {
            if (n < 32) {
                mpk__copy_short(PyUnicode_1BYTE_DATA(o), p, n);
            } else {
                memcpy(PyUnicode_1BYTE_DATA(o), p, n);
            }
        }
        return o;
    }
    return PyUnicode_DecodeUTF8((const char *)p, (Py_ssize_t)n, errors);
}

// Two words that cover n <= 24 bytes (the first and last eight, four, or
// the bytes themselves): equal words mean equal bytes for n <= 16; above,
// key_equal also compares the middle word.
static inline uint64_t key_word(const uint8_t *p, size_t n, uint64_t *last) {
    uint64_t a = 0, b = 0;
    if (n >= 8) {
        memcpy(&a, p, 8);
        memcpy(&b, p + n - 8, 8);
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        a = x;
        b = y;
    } else if (n > 0) {
        a = (uint64_t)p[0] | ((uint64_t)p[n / 2] << 8) | ((uint64_t)p[n - 1] << 16);
    }
    *last = b;
    return a;
}

static inline bool key_equal(const key_entry *e, const uint8_t *p, size_t n, uint64_t a, uint64_t b) {
    if (e->len != n || e->first != a || e->last != b) {
        return false;
    }
    if (n > 16) {
        uint64_t x, y;
        memcpy(&x, p + 8, 8);
        memcpy(&y, e->bytes + 8, 8);
        return x == y;
    }
    return true;
}

// A map key: from the key cache, or decoded, interned and remembered.
HOT PyObject *decode_key(cmsgpack_state *st, const uint8_t *p, size_t n) {
    uint64_t b, a = key_word(p, n, &b);
    uint64_t h = (a * 0x9e3779b97f4a7c15u) ^ ((b + n) * 0xc2b2ae3d27d4eb4fu);
    key_entry *e = &st->key_cache[(h >> 40) & (KEY_CACHE_SIZE - 1)];
    if (e->str != NULL && key_equal(e, p, n, a, b)) {
        return Py_NewRef(e->str);
    }
    PyObject *o = decode_str(p, n, NULL);
    if (o == NULL) {
        return NULL;
    }
    PyUnicode_InternInPlace(&o);
    Py_XSETREF(e->str, Py_NewRef(o));
    e->first = a;
    e->last = b;
    e->len = (uint8_t)n;
    memcpy(e->bytes, p, n);
    return o;
}

// The scalars of the cold path: float32, str with raw or unicode_errors,
// bin, ext.
COLD mpk_status_t py_scalar_other(unpack_ctx *c, const mpk_token_t *t, mpk_obj_t *out) {
    PyObject *o;
    switch (t->type) {
        case MPK_T_FLOAT32:
            o = PyFloat_FromDouble((double)t->v.f32);
            break;
        case MPK_T_STR:
            if (c->o->raw) {
                o = PyBytes_FromStringAndSize((const char *)t->data, t->v.n);
            } else {
                o = decode_str(t->data, t->v.n, c->o->unicode_errors);
            }
            break;
        case MPK_T_BIN:
            o = PyBytes_FromStringAndSize((const char *)t->data, t->v.n);
            break;
        case MPK_T_EXT:
            if (t->ext_type == -1) {
                o = timestamp_object(c, t);
            } else {
                PyObject *hook = c->o->ext_hook ? c->o->ext_hook : c->st->ExtType;
                o = PyObject_CallFunction(hook, "(iy#)", (int)t->ext_type, (const char *)t->data,
                    (Py_ssize_t)t->v.n);
            }
            break;
        default:
            PyErr_SetString(PyExc_RuntimeError, "unexpected token");
            o = NULL;
            break;
    }
    *out = o;
    return o ? MPK_OK : MPK_ERR_CALLBACK;
}

HOT mpk_status_t py_scalar(void *ctx, const mpk_token_t *t, mpk_obj_t *out) {
    unpack_ctx *c = ctx;
    PyObject *o;
    switch (t->type) {
        case MPK_T_NIL:
            o = Py_NewRef(Py_None);
            break;
        case MPK_T_BOOL:
            o = Py_NewRef(t->v.b ? Py_True : Py_False);
            break;
        case MPK_T_UINT:
            o = t->v.u <= (uint64_t)LONG_MAX ? PyLong_FromLong((long)t->v.u)
                                             : PyLong_FromUnsignedLongLong(t->v.u);
            break;
        case MPK_T_INT:
            o = PyLong_FromLongLong(t->v.i);
            break;
        case MPK_T_FLOAT64:
            o = PyFloat_FromDouble(t->v.f64);
            break;
        case MPK_T_STR:
            if (!c->plain_str) {
                return py_scalar_other(c, t, out);
            }
            o = t->map_key && t->v.n <= KEY_CACHE_MAXLEN ? decode_key(c->st, t->data, t->v.n)
                                                         : decode_str(t->data, t->v.n, NULL);
            break;
        default:
            return py_scalar_other(c, t, out);
    }
    *out = o;
    return o ? MPK_OK : MPK_ERR_CALLBACK;
}

HOT mpk_status_t py_begin(void *ctx, const mpk_token_t *t, uint32_t prealloc, mpk_obj_t *out) {
    unpack_ctx *c = ctx;
    PyObject *o;
    if (t->type == MPK_T_ARRAY) {
        // A tuple needs its final size up front: build a list when the count
        // could not be trusted yet, and convert it at the end.
        o = c->o->use_list || prealloc < t->v.n ? PyList_New(prealloc) : PyTuple_New(prealloc);
    } else if (c->o->object_pairs_hook != NULL) {
        o = PyList_New(prealloc);
    } else {
        o = _PyDict_NewPresized(prealloc);
    }
    *out = o;
    return o ? MPK_OK : MPK_ERR_CALLBACK;
}

// Store `item` (a new reference, stolen) at f->index of a list or tuple:
// into a preallocated slot while there is one, else appended. (A tuple is
// only made when all its slots could be preallocated.)
static mpk_status_t store(mpk_frame_t *f, PyObject *item) {
    PyObject *seq = f->obj;
    if (PyTuple_CheckExact(seq)) {
        PyTuple_SET_ITEM(seq, f->index, item);
        return MPK_OK;
    }
    if ((Py_ssize_t)f->index < PyList_GET_SIZE(seq)) {
        PyList_SET_ITEM(seq, f->index, item);
        return MPK_OK;
    }
    int r = PyList_Append(seq, item);
    Py_DECREF(item);
    return r == 0 ? MPK_OK : MPK_ERR_CALLBACK;
}

HOT mpk_status_t py_item(void *ctx, mpk_frame_t *f, mpk_obj_t item) {
    (void)ctx;
    return store(f, item);
}

// The general pair: any key, object_pairs_hook.
COLD mpk_status_t py_pair_other(unpack_ctx *c, mpk_frame_t *f, PyObject *key, PyObject *value) {
    if (c->o->strict_map_key && !PyUnicode_CheckExact(key) && !PyBytes_CheckExact(key)) {
        PyErr_Format(PyExc_ValueError, "%.100s is not allowed for map key when strict_map_key=True",
            Py_TYPE(key)->tp_name);
        Py_DECREF(key);
        Py_DECREF(value);
        return MPK_ERR_CALLBACK;
    }
    if (PyUnicode_CheckExact(key) && !PyUnicode_CHECK_INTERNED(key)) {
        PyUnicode_InternInPlace(&key);  // keys from the key cache are interned already
    }
    if (c->o->object_pairs_hook != NULL) {
        PyObject *pair = PyTuple_Pack(2, key, value);
        Py_DECREF(key);
        Py_DECREF(value);
        return pair ? store(f, pair) : MPK_ERR_CALLBACK;
    }
    int r = PyDict_SetItem(f->obj, key, value);
    Py_DECREF(key);
    Py_DECREF(value);
    return r == 0 ? MPK_OK : MPK_ERR_CALLBACK;
}

HOT mpk_status_t py_pair(void *ctx, mpk_frame_t *f, mpk_obj_t key_, mpk_obj_t value_) {
    unpack_ctx *c = ctx;
    PyObject *key = key_, *value = value_;
    // Most keys: an interned str (from the key cache) into a dict.
    if (!Py_IS_TYPE(key, &PyUnicode_Type) || !PyUnicode_CHECK_INTERNED(key) || c->o->object_pairs_hook != NULL) {
        return py_pair_other(c, f, key, value);
    }
    int r = PyDict_SetItem(f->obj, key, value);
    Py_DECREF(key);
    Py_DECREF(value);
    return r == 0 ? MPK_OK : MPK_ERR_CALLBACK;
}

static mpk_status_t call_hook(PyObject *hook, mpk_obj_t *out) {
    PyObject *old = *out;
    PyObject *r = PyObject_CallOneArg(hook, old);
    Py_DECREF(old);
    *out = r;
    return r ? MPK_OK : MPK_ERR_CALLBACK;
}

HOT mpk_status_t py_end(void *ctx, mpk_frame_t *f, mpk_obj_t *out) {
    unpack_ctx *c = ctx;
    const unpack_opts *o = c->o;
    if (f->kind == MPK_FRAME_ARRAY) {
        if (!o->use_list && PyList_CheckExact(*out)) {
            PyObject *list = *out;
            *out = PyList_AsTuple(list);
            Py_DECREF(list);
            if (*out == NULL) {
                return MPK_ERR_CALLBACK;
            }
        }
        return o->list_hook ? call_hook(o->list_hook, out) : MPK_OK;
    }
    if (o->object_pairs_hook) {
        return call_hook(o->object_pairs_hook, out);
    }
    return o->object_hook ? call_hook(o->object_hook, out) : MPK_OK;
}

static void py_discard(void *ctx, mpk_obj_t obj) {
    (void)ctx;
    Py_XDECREF((PyObject *)obj);
}

static mpk_frame_t *py_grow(void *ctx, mpk_frame_t *frames, size_t old_cap, size_t new_cap) {
    unpack_ctx *c = ctx;
    mpk_frame_t *f = PyMem_Malloc(new_cap * sizeof *f);
    if (f == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(f, frames, old_cap * sizeof *f);
    if (frames != c->inline_frames) {
        PyMem_Free(frames);
    }
    return f;
}

static const mpk_visitor_t py_visitor = {
    py_scalar, py_begin, py_item, py_pair, py_end, py_discard, py_grow,
};

// lib/msgpack's decoder loop with this visitor inlined (no call through a
// function pointer per value); for decoders whose d->vis is py_visitor.
#define MPK_DL_FN py_decoder_feed
#define MPK_DL_LINKAGE static
#define MPK_DL_SCALAR(d, t, out) py_scalar((d)->ctx, t, out)
#define MPK_DL_BEGIN(d, t, prealloc, out) py_begin((d)->ctx, t, prealloc, out)
#define MPK_DL_ITEM(d, f, x) py_item((d)->ctx, f, x)
#define MPK_DL_PAIR(d, f, key, value) py_pair((d)->ctx, f, key, value)
#define MPK_DL_END(d, f, out) py_end((d)->ctx, f, out)
#define MPK_DL_DISCARD(d, obj) py_discard((d)->ctx, obj)
#include "mpk_decode_loop.h"

// The visitor of skip(): checks everything, builds nothing.
static const mpk_visitor_t skip_visitor = {
    mpk_skip_scalar, mpk_skip_begin, mpk_skip_item, mpk_skip_pair, mpk_skip_end, NULL, py_grow,
};

// Free the decoder's heap frames (the inline ones belong to the caller).
static void free_frames(mpk_decoder_t *d, const unpack_ctx *c) {
    if (d->frames != c->inline_frames) {
        PyMem_Free(d->frames);
        d->frames = c->inline_frames;
        d->frames_cap = INLINE_FRAMES;
    }
}

// ---------------------------------------------------------------------------
// Options

PyObject *cmsgpack_raise(cmsgpack_state *st, mpk_status_t status, const mpk_decoder_t *d) {
    mpk_error_t e;
    mpk_error_get(&e, status, d);
    PyObject *type;
    switch (e.kind) {
        case MPK_EXC_VALUE: type = PyExc_ValueError; break;
        case MPK_EXC_FORMAT: type = st->FormatError; break;
        case MPK_EXC_STACK: type = st->StackError; break;
        case MPK_EXC_OUT_OF_DATA: type = st->OutOfData; break;
        case MPK_EXC_BUFFER_FULL: type = st->BufferFull; break;
        case MPK_EXC_OVERFLOW: type = PyExc_OverflowError; break;
        case MPK_EXC_OS: type = PyExc_OSError; break;
        case MPK_EXC_AGAIN: type = PyExc_BlockingIOError; break;
        case MPK_EXC_MEMORY:
            if (!PyErr_Occurred()) {
                PyErr_NoMemory();
            }
            return NULL;
        case MPK_EXC_PENDING:
            if (PyErr_Occurred()) {
                return NULL;  // the callback's own exception
            }
            type = PyExc_RuntimeError;
            break;
        default: type = PyExc_RuntimeError; break;
    }
    PyErr_Format(type, e.fmt, e.a, e.name, e.b);
    return NULL;
}

typedef struct unpack_args {
    PyObject *object_hook, *list_hook, *unicode_errors, *object_pairs_hook, *ext_hook;
    int use_list, raw, timestamp, strict_map_key;
    Py_ssize_t max_str_len, max_bin_len, max_array_len, max_map_len, max_ext_len;
} unpack_args;

static void unpack_args_defaults(unpack_args *a) {
    memset(a, 0, sizeof *a);
    a->use_list = 1;
    a->strict_map_key = 1;
    a->max_str_len = a->max_bin_len = a->max_array_len = a->max_map_len = a->max_ext_len = -1;
}

static int check_callable(PyObject **hook, const char *name) {
    if (*hook == Py_None) {
        *hook = NULL;
    }
    if (*hook != NULL && !PyCallable_Check(*hook)) {
        PyErr_Format(PyExc_TypeError, "%s must be a callable.", name);
        return -1;
    }
    return 0;
}

// Validate arguments and fill opts (borrowing from a); `size` is what -1
// limits default to (the input length, or max_buffer_size).
static int unpack_opts_init(unpack_opts *o, unpack_args *a, Py_ssize_t size) {
    if (check_callable(&a->object_hook, "object_hook") < 0
        || check_callable(&a->object_pairs_hook, "object_pairs_hook") < 0
        || check_callable(&a->list_hook, "list_hook") < 0
        || check_callable(&a->ext_hook, "ext_hook") < 0) {
        return -1;
    }
    if (a->object_hook && a->object_pairs_hook) {
        PyErr_SetString(PyExc_TypeError, "object_pairs_hook and object_hook are mutually exclusive.");
        return -1;
    }
    if (a->timestamp < 0 || a->timestamp > 3) {
        PyErr_SetString(PyExc_ValueError, "timestamp must be 0..3");
        return -1;
    }
    o->object_hook = a->object_hook;
    o->object_pairs_hook = a->object_pairs_hook;
    o->list_hook = a->list_hook;
    o->ext_hook = a->ext_hook;
    o->unicode_errors = NULL;
    if (a->unicode_errors != NULL && a->unicode_errors != Py_None) {
        o->unicode_errors = PyUnicode_AsUTF8(a->unicode_errors);
        if (o->unicode_errors == NULL) {
            return -1;
        }
    }
    o->use_list = a->use_list;
    o->raw = a->raw;
    o->strict_map_key = a->strict_map_key;
    o->timestamp = a->timestamp;
    mpk_limits_for_size(&o->limits, (size_t)size);
    mpk_limits_set(&o->limits, MPK_LIMIT_STR, a->max_str_len);
    mpk_limits_set(&o->limits, MPK_LIMIT_BIN, a->max_bin_len);
    mpk_limits_set(&o->limits, MPK_LIMIT_EXT, a->max_ext_len);
    mpk_limits_set(&o->limits, MPK_LIMIT_ARRAY, a->max_array_len);
    mpk_limits_set(&o->limits, MPK_LIMIT_MAP, a->max_map_len);
    o->limits.max_depth = CMSGPACK_UNPACK_DEPTH;
    return 0;
}

#define UNPACK_KWLIST \
    "object_hook", "list_hook", "use_list", "raw", "timestamp", "strict_map_key", \
    "unicode_errors", "object_pairs_hook", "ext_hook", "max_str_len", "max_bin_len", \
    "max_array_len", "max_map_len", "max_ext_len"
#define UNPACK_FMT "OOppipOOOnnnnn"
#define UNPACK_REFS(a) \
    &(a)->object_hook, &(a)->list_hook, &(a)->use_list, &(a)->raw, &(a)->timestamp, \
    &(a)->strict_map_key, &(a)->unicode_errors, &(a)->object_pairs_hook, &(a)->ext_hook, \
    &(a)->max_str_len, &(a)->max_bin_len, &(a)->max_array_len, &(a)->max_map_len, &(a)->max_ext_len

// ---------------------------------------------------------------------------
// unpackb

static PyObject *unpackb_impl(cmsgpack_state *st, PyObject *packed, unpack_args *a);

PyObject *cmsgpack_unpackb_plain(PyObject *module, PyObject *packed) {
    return unpackb_impl(cmsgpack_get_state(module), packed, NULL);
}

PyObject *cmsgpack_unpackb(PyObject *module, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = { "packed", UNPACK_KWLIST, NULL };
    PyObject *packed;
    unpack_args a;
    unpack_args_defaults(&a);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$" UNPACK_FMT ":unpackb", kwlist,
        &packed, UNPACK_REFS(&a))) {
        return NULL;
    }
    return unpackb_impl(cmsgpack_get_state(module), packed, &a);
}

// The options of a call without any: every default, limits = the input size.
static void unpack_opts_default(unpack_opts *o, Py_ssize_t size) {
    memset(o, 0, sizeof *o);
    o->use_list = 1;
    o->strict_map_key = 1;
    mpk_limits_for_size(&o->limits, (size_t)size);
    o->limits.max_depth = CMSGPACK_UNPACK_DEPTH;
}

// The bytes of a bytes-like object, taken as msgpack-python 1.2.1 takes
// them: items of one byte only; a buffer that is not contiguous (a strided
// memoryview) is copied into one that is.
static int get_input(PyObject *obj, Py_buffer *view) {
    if (PyBytes_CheckExact(obj)) {  // the usual case, without the buffer protocol
        view->obj = NULL;           // (PyBuffer_Release does nothing then)
        view->buf = PyBytes_AS_STRING(obj);
        view->len = PyBytes_GET_SIZE(obj);
        return 0;
    }
    if (PyObject_GetBuffer(obj, view, PyBUF_FULL_RO) < 0) {
        return -1;
    }
    if (view->itemsize != 1) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_BufferError, "cannot unpack from multi-byte object");
        return -1;
    }
    if (!PyBuffer_IsContiguous(view, 'A')) {
        PyBuffer_Release(view);
        PyObject *copy = PyMemoryView_GetContiguous(obj, PyBUF_READ, 'C');
        if (copy == NULL) {
            return -1;
        }
        int r = PyObject_GetBuffer(copy, view, PyBUF_SIMPLE);  // the view keeps copy alive
        Py_DECREF(copy);
        return r;
    }
    return 0;
}

// a == NULL: no options.
static PyObject *unpackb_impl(cmsgpack_state *st, PyObject *packed, unpack_args *a) {
    unpack_opts o;
    Py_buffer view;
    if (get_input(packed, &view) < 0) {
        return NULL;
    }
    if (a == NULL) {
        unpack_opts_default(&o, view.len);
    } else if (unpack_opts_init(&o, a, view.len) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    mpk_frame_t frames[INLINE_FRAMES];
    unpack_ctx c = { st, &o, frames, !o.raw && o.unicode_errors == NULL };
    mpk_decoder_t d;
    mpk_obj_t obj = NULL;
    size_t used = 0;
    mpk_decoder_init(&d, &py_visitor, &c, &o.limits, frames, INLINE_FRAMES);
    mpk_status_t s = py_decoder_feed(&d, view.buf, (size_t)view.len, true, &used, &obj);
    PyObject *result = NULL;
    if (s != MPK_OK) {
        cmsgpack_raise(st, s, &d);
        mpk_decoder_reset(&d);
    } else if ((Py_ssize_t)used < view.len) {
        PyObject *extra = PyBytes_FromStringAndSize((const char *)view.buf + used,
            view.len - (Py_ssize_t)used);
        if (extra != NULL) {
            PyObject *exc = PyObject_CallFunctionObjArgs(st->ExtraData, (PyObject *)obj, extra, NULL);
            if (exc != NULL) {
                PyErr_SetObject(st->ExtraData, exc);
                Py_DECREF(exc);
            }
            Py_DECREF(extra);
        }
        Py_DECREF((PyObject *)obj);
    } else {
        result = obj;
    }
    free_frames(&d, &c);
    PyBuffer_Release(&view);
    return result;
}

// ---------------------------------------------------------------------------
// Streams: lib/msgpack's unpacker, with its buffer in PyMem memory and a
// fill callback that calls read(n).

static uint8_t *pymem_realloc(void *ctx, uint8_t *old, size_t old_cap, size_t new_cap) {
    (void)ctx;
    (void)old_cap;
    uint8_t *p = PyMem_Realloc(old, new_cap);
    if (p == NULL) {
        PyErr_NoMemory();
    }
    return p;
}

// Call read(n) and append what it returns (*got: 0 at the end of the
// stream). Nothing points into the buffer while read() runs: the chunk is
// appended only after it returned, as msgpack-python does, so a read() that
// changed the buffer cannot make the copy land outside it.
static mpk_status_t read_chunk(mpk_unpacker_t *u, PyObject *read, size_t n, size_t *got) {
    PyObject *chunk = PyObject_CallFunction(read, "n", (Py_ssize_t)n);
    if (chunk == NULL) {
        return MPK_ERR_CALLBACK;
    }
    if (chunk == Py_None) {
        Py_DECREF(chunk);
        return MPK_NEED_MORE;  // a non-blocking stream with nothing now
    }
    Py_buffer view;
    if (PyObject_GetBuffer(chunk, &view, PyBUF_SIMPLE) < 0) {
        Py_DECREF(chunk);
        return MPK_ERR_CALLBACK;
    }
    mpk_status_t s = MPK_OK;
    if ((size_t)view.len > n) {
        // The extra bytes would belong to what follows: refuse to drop them.
        PyErr_Format(PyExc_ValueError, "read(%zd) returned %zd bytes", (Py_ssize_t)n, view.len);
        s = MPK_ERR_CALLBACK;
    } else {
        s = mpk_unpacker_append(u, view.buf, (size_t)view.len);
        *got = (size_t)view.len;
    }
    PyBuffer_Release(&view);
    Py_DECREF(chunk);
    return s;
}

// The fill callback of unpack(stream): io_ctx is stream.read.
static mpk_status_t stream_fill(mpk_unpacker_t *u, size_t n, size_t *got) {
    return read_chunk(u, u->io_ctx, n, got);
}

// ---------------------------------------------------------------------------
// unpack(stream): exactly one object. Each read asks for no more than the
// decoder needs, so nothing after the object is taken from the stream.

#define STREAM_READ_SIZE 65536

PyObject *cmsgpack_unpack_from_stream(PyObject *module, PyObject *args, PyObject *kwargs) {
    cmsgpack_state *st = cmsgpack_get_state(module);
    static char *kwlist[] = { "stream", UNPACK_KWLIST, "max_buffer_size", NULL };
    PyObject *stream;
    unpack_args a;
    unpack_opts o;
    Py_ssize_t max_buffer_size = CMSGPACK_MAX_BUFFER_DEFAULT;
    unpack_args_defaults(&a);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$" UNPACK_FMT "n:unpack", kwlist, &stream,
        UNPACK_REFS(&a), &max_buffer_size)) {
        return NULL;
    }
    if (max_buffer_size <= 0) {
        max_buffer_size = PY_SSIZE_T_MAX;
    }
    if (unpack_opts_init(&o, &a, max_buffer_size) < 0) {
        return NULL;
    }
    PyObject *read = PyObject_GetAttrString(stream, "read");
    if (read == NULL) {
        return NULL;
    }
    mpk_frame_t frames[INLINE_FRAMES];
    unpack_ctx c = { st, &o, frames, !o.raw && o.unicode_errors == NULL };
    mpk_unpacker_t u;
    mpk_obj_t obj = NULL;
    mpk_unpacker_init(&u, &py_visitor, &skip_visitor, &c, &o.limits, frames, INLINE_FRAMES,
        (size_t)max_buffer_size, pymem_realloc, read);
    mpk_unpacker_set_stream(&u, stream_fill, STREAM_READ_SIZE, STREAM_READ_SIZE, true);
    mpk_status_t s = mpk_unpacker_next(&u, false, &obj);
    if (s != MPK_OK) {
        cmsgpack_raise(st, s, &u.dec);
    }
    mpk_unpacker_drop(&u);  // a partial object
    free_frames(&u.dec, &c);
    PyMem_Free(u.buf.data);
    Py_DECREF(read);
    return s == MPK_OK ? obj : NULL;
}

// ---------------------------------------------------------------------------
// Unpacker

typedef struct unpacker_obj {
    PyObject_HEAD
    cmsgpack_state *st;
    unpack_args args;          // strong references to the hooks it names
    unpack_opts opts;
    unpack_ctx ctx;
    mpk_unpacker_t u;          // decoder, buffer, tell(), busy and skip state
    mpk_frame_t frames[INLINE_FRAMES];
    PyObject *file_like;
    PyObject *file_like_read;
    int ready;                 // __init__ done
} unpacker_obj;

static void unpacker_drop_refs(unpacker_obj *self) {
    Py_CLEAR(self->args.object_hook);
    Py_CLEAR(self->args.list_hook);
    Py_CLEAR(self->args.unicode_errors);
    Py_CLEAR(self->args.object_pairs_hook);
    Py_CLEAR(self->args.ext_hook);
    Py_CLEAR(self->file_like);
    Py_CLEAR(self->file_like_read);
}

// Drop the object in progress and the heap frames.
static void unpacker_reset_decoder(unpacker_obj *self) {
    mpk_unpacker_drop(&self->u);
    free_frames(&self->u.dec, &self->ctx);
}

// The fill callback of Unpacker: io_ctx is the Unpacker. At the end of the
// stream file_like is forgotten (feed() works again).
static mpk_status_t unpacker_fill(mpk_unpacker_t *u, size_t n, size_t *got) {
    unpacker_obj *self = u->io_ctx;
    mpk_status_t s = read_chunk(u, self->file_like_read, n, got);
    if (s == MPK_OK && *got == 0) {
        Py_CLEAR(self->file_like);
        Py_CLEAR(self->file_like_read);
    }
    return s;
}

static int unpacker_init(PyObject *op, PyObject *args, PyObject *kwargs) {
    unpacker_obj *self = (unpacker_obj *)op;
    static char *kwlist[] = { "file_like", "read_size", UNPACK_KWLIST, "max_buffer_size", NULL };
    PyObject *file_like = NULL;
    Py_ssize_t read_size = 0, max_buffer_size = CMSGPACK_MAX_BUFFER_DEFAULT;
    unpack_args a;
    unpack_args_defaults(&a);
    if (self->ready && mpk_unpacker_busy(&self->u)) {
        cmsgpack_raise(self->st, MPK_ERR_BUSY, NULL);
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O$n" UNPACK_FMT "n:Unpacker", kwlist,
        &file_like, &read_size, UNPACK_REFS(&a), &max_buffer_size)) {
        return -1;
    }
    if (max_buffer_size <= 0) {
        max_buffer_size = INT32_MAX;
    }
    if (read_size > max_buffer_size) {
        PyErr_SetString(PyExc_ValueError, "read_size should be less or equal to max_buffer_size");
        return -1;
    }
    PyObject *read = NULL;
    if (file_like != NULL && file_like != Py_None) {
        read = PyObject_GetAttrString(file_like, "read");
        if (read == NULL) {
            return -1;
        }
        if (!PyCallable_Check(read)) {
            Py_DECREF(read);
            PyErr_SetString(PyExc_TypeError, "`file_like.read` must be a callable.");
            return -1;
        }
    } else {
        file_like = NULL;
    }
    unpack_opts o;
    if (unpack_opts_init(&o, &a, max_buffer_size) < 0) {
        Py_XDECREF(read);
        return -1;
    }
    // Calling __init__ again starts over (msgpack-python 1.2 behaviour).
    if (self->ready) {
        unpacker_reset_decoder(self);
    }
    unpacker_drop_refs(self);
    self->args = a;
    Py_XINCREF(a.object_hook);
    Py_XINCREF(a.list_hook);
    Py_XINCREF(a.unicode_errors);
    Py_XINCREF(a.object_pairs_hook);
    Py_XINCREF(a.ext_hook);
    self->opts = o;
    self->file_like = Py_XNewRef(file_like);
    self->file_like_read = read;
    if (self->ready) {
        PyMem_Free(self->u.buf.data);
    }
    self->ctx.st = self->st;
    self->ctx.o = &self->opts;
    self->ctx.plain_str = !self->opts.raw && self->opts.unicode_errors == NULL;
    self->ctx.inline_frames = self->frames;
    mpk_unpacker_init(&self->u, &py_visitor, &skip_visitor, &self->ctx, &self->opts.limits,
        self->frames, INLINE_FRAMES, (size_t)max_buffer_size, pymem_realloc, self);
    mpk_unpacker_set_stream(&self->u, read != NULL ? unpacker_fill : NULL,
        read_size > 0 ? (size_t)read_size : 0, 1024 * 1024, false);
    self->ready = 1;
    return 0;
}

static PyObject *unpacker_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    (void)args;
    (void)kwargs;
    unpacker_obj *self = (unpacker_obj *)type->tp_alloc(type, 0);
    if (self != NULL) {
        self->st = cmsgpack_state_of_type(type);
    }
    return (PyObject *)self;
}

static int unpacker_traverse(PyObject *op, visitproc visit, void *arg) {
    unpacker_obj *self = (unpacker_obj *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(self->args.object_hook);
    Py_VISIT(self->args.list_hook);
    Py_VISIT(self->args.object_pairs_hook);
    Py_VISIT(self->args.ext_hook);
    Py_VISIT(self->file_like);
    Py_VISIT(self->file_like_read);
    if (self->ready && mpk_unpacker_building(&self->u)) {
        const mpk_decoder_t *d = &self->u.dec;
        for (size_t i = 0; i < d->depth; i++) {
            Py_VISIT((PyObject *)d->frames[i].obj);
            if (d->frames[i].kind == MPK_FRAME_MAP_VALUE) {
                Py_VISIT((PyObject *)d->frames[i].key);
            }
        }
    }
    return 0;
}

static int unpacker_clear(PyObject *op) {
    unpacker_obj *self = (unpacker_obj *)op;
    if (self->ready && !mpk_unpacker_busy(&self->u)) {
        unpacker_reset_decoder(self);
    }
    unpacker_drop_refs(self);
    self->opts.object_hook = self->opts.object_pairs_hook = NULL;
    self->opts.list_hook = self->opts.ext_hook = NULL;
    return 0;
}

static void unpacker_dealloc(PyObject *op) {
    unpacker_obj *self = (unpacker_obj *)op;
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    unpacker_clear(op);
    if (self->ready) {
        PyMem_Free(self->u.buf.data);
    }
    tp->tp_free(op);
    Py_DECREF(tp);
}

static int unpacker_check(unpacker_obj *self) {
    if (!self->ready) {
        PyErr_SetString(PyExc_RuntimeError, "Unpacker.__init__() was not called");
        return -1;
    }
    if (mpk_unpacker_busy(&self->u)) {
        cmsgpack_raise(self->st, MPK_ERR_BUSY, NULL);
        return -1;
    }
    return 0;
}

static PyObject *unpacker_feed(PyObject *op, PyObject *data) {
    unpacker_obj *self = (unpacker_obj *)op;
    if (unpacker_check(self) < 0) {
        return NULL;
    }
    if (self->file_like != NULL) {
        PyErr_SetString(PyExc_AssertionError, "unpacker.feed() is not be able to use with `file_like`.");
        return NULL;
    }
    Py_buffer view;
    if (get_input(data, &view) < 0) {
        return NULL;
    }
    mpk_status_t s = mpk_unpacker_feed(&self->u, view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    if (s != MPK_OK) {
        return cmsgpack_raise(self->st, s, NULL);
    }
    Py_RETURN_NONE;
}

// unpack(), skip() and next(): the data ending is OutOfData, or
// StopIteration for next().
static PyObject *unpacker_next(unpacker_obj *self, bool skip, bool iter) {
    if (unpacker_check(self) < 0) {
        return NULL;
    }
    mpk_obj_t obj = NULL;
    mpk_status_t s = mpk_unpacker_next(&self->u, skip, &obj);
    if (s == MPK_OK) {
        if (skip) {
            Py_RETURN_NONE;
        }
        return obj;
    }
    if (s == MPK_NEED_MORE && iter) {
        PyErr_SetNone(PyExc_StopIteration);
        return NULL;
    }
    cmsgpack_raise(self->st, s, &self->u.dec);
    if (mpk_decoder_idle(&self->u.dec)) {
        free_frames(&self->u.dec, &self->ctx);
    }
    return NULL;
}

static PyObject *unpacker_unpack(PyObject *op, PyObject *unused) {
    (void)unused;
    return unpacker_next((unpacker_obj *)op, false, false);
}

static PyObject *unpacker_skip(PyObject *op, PyObject *unused) {
    (void)unused;
    return unpacker_next((unpacker_obj *)op, true, false);
}

static PyObject *unpacker_iternext(PyObject *op) {
    PyObject *r = unpacker_next((unpacker_obj *)op, false, true);
    if (r == NULL && PyErr_ExceptionMatches(PyExc_StopIteration)) {
        PyErr_Clear();  // tp_iternext signals the end by NULL without an exception
    }
    return r;
}

// read_array_header() / read_map_header(): one header, between objects.
static PyObject *read_header(unpacker_obj *self, mpk_type_t want) {
    if (unpacker_check(self) < 0) {
        return NULL;
    }
    uint32_t count;
    mpk_status_t s = mpk_unpacker_read_header(&self->u, want, &count);
    if (s != MPK_OK) {
        return cmsgpack_raise(self->st, s, NULL);
    }
    return PyLong_FromUnsignedLong(count);
}

static PyObject *unpacker_read_array_header(PyObject *op, PyObject *unused) {
    (void)unused;
    return read_header((unpacker_obj *)op, MPK_T_ARRAY);
}

static PyObject *unpacker_read_map_header(PyObject *op, PyObject *unused) {
    (void)unused;
    return read_header((unpacker_obj *)op, MPK_T_MAP);
}

static PyObject *unpacker_read_bytes(PyObject *op, PyObject *arg) {
    unpacker_obj *self = (unpacker_obj *)op;
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (unpacker_check(self) < 0) {
        return NULL;
    }
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "read_bytes() needs a non-negative count");
        return NULL;
    }
    if (!mpk_decoder_idle(&self->u.dec) || self->u.skipping) {
        return cmsgpack_raise(self->st, MPK_ERR_PARTIAL, NULL);
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (out == NULL) {
        return NULL;
    }
    size_t got;
    mpk_status_t s = mpk_unpacker_read_bytes(&self->u, (uint8_t *)PyBytes_AS_STRING(out), (size_t)n, &got);
    if (s != MPK_OK) {
        Py_DECREF(out);
        return cmsgpack_raise(self->st, s, NULL);
    }
    if ((Py_ssize_t)got < n && _PyBytes_Resize(&out, (Py_ssize_t)got) < 0) {
        return NULL;
    }
    return out;
}

static PyObject *unpacker_tell(PyObject *op, PyObject *unused) {
    (void)unused;
    unpacker_obj *self = (unpacker_obj *)op;
    return PyLong_FromUnsignedLongLong(self->ready ? mpk_unpacker_tell(&self->u) : 0);
}

static PyObject *unpacker_iter(PyObject *op) {
    return Py_NewRef(op);
}

static PyMethodDef unpacker_methods[] = {
    { "feed", unpacker_feed, METH_O,
      PyDoc_STR("feed(next_bytes)\n--\n\nAppend bytes to the internal buffer (not with file_like).") },
    { "unpack", unpacker_unpack, METH_NOARGS,
      PyDoc_STR("unpack()\n--\n\nUnpack one object; raise OutOfData when the data ends first.") },
    { "skip", unpacker_skip, METH_NOARGS,
      PyDoc_STR("skip()\n--\n\nRead and discard one object without building it.") },
    { "read_array_header", unpacker_read_array_header, METH_NOARGS,
      PyDoc_STR("read_array_header()\n--\n\nRead an array header; return its element count.") },
    { "read_map_header", unpacker_read_map_header, METH_NOARGS,
      PyDoc_STR("read_map_header()\n--\n\nRead a map header; return its pair count.") },
    { "read_bytes", unpacker_read_bytes, METH_O,
      PyDoc_STR("read_bytes(n)\n--\n\nRead up to n raw bytes from the buffer (and the file).") },
    { "tell", unpacker_tell, METH_NOARGS,
      PyDoc_STR("tell()\n--\n\nThe number of bytes consumed from the stream so far.") },
    { NULL, NULL, 0, NULL },
};

static PyType_Slot unpacker_slots[] = {
    { Py_tp_doc, (void *)PyDoc_STR(
        "Unpacker(file_like=None, *, read_size=0, use_list=True, raw=False, timestamp=0,\n"
        "         strict_map_key=True, object_hook=None, object_pairs_hook=None, list_hook=None,\n"
        "         unicode_errors=None, max_buffer_size=104857600, ext_hook=ExtType,\n"
        "         max_str_len=-1, max_bin_len=-1, max_array_len=-1, max_map_len=-1,\n"
        "         max_ext_len=-1)\n"
        "--\n\n"
        "Streaming unpacker, compatible with msgpack-python 1.2.1's Unpacker: feed() it bytes\n"
        "(or give it a file-like object) and iterate over the objects.") },
    { Py_tp_new, unpacker_new },
    { Py_tp_init, unpacker_init },
    { Py_tp_dealloc, unpacker_dealloc },
    { Py_tp_traverse, unpacker_traverse },
    { Py_tp_clear, unpacker_clear },
    { Py_tp_iter, unpacker_iter },
    { Py_tp_iternext, unpacker_iternext },
    { Py_tp_methods, unpacker_methods },
    { 0, NULL },
};

PyType_Spec cmsgpack_unpacker_spec = {
    .name = "mpx.msgpack.Unpacker",
    .basicsize = sizeof(unpacker_obj),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = unpacker_slots,
};
