// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// mpx._urpc: lib/urpc's frames for CPython (the same API as MicroPython's
// `_urpc` module, which the shared urpc package uses on both runtimes).
//
//   frame(kind, id, body) -> bytes
//   Deframer(max_body=4096): feed(data) -> [(kind, id, body), ...],
//       need, buffered, frames, dropped, skipped, max_body, clear()
//   crc32(data, crc=0) -> int

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "urpc.h"

static PyObject *mod_frame(PyObject *module, PyObject *args) {
    (void)module;
    int kind, id;
    Py_buffer body;
    if (!PyArg_ParseTuple(args, "iiy*:frame", &kind, &id, &body)) {
        return NULL;
    }
    uint8_t check[URPC_HEADER_SIZE];   // the arguments are checked before allocating
    PyObject *out = NULL;
    if (id < 0 || id > 0xffff || kind < 0
        || urpc_header(check, (unsigned)kind, (uint16_t)id, (size_t)body.len) != URPC_OK) {
        PyErr_SetString(PyExc_ValueError, "frame: kind 1..15, id 0..65535, body up to 16 MiB");
    } else if ((out = PyBytes_FromStringAndSize(NULL, body.len + URPC_OVERHEAD)) != NULL) {
        urpc_frame_write((uint8_t *)PyBytes_AS_STRING(out), (unsigned)kind, (uint16_t)id,
            body.buf, (size_t)body.len);
    }
    PyBuffer_Release(&body);
    return out;
}

static PyObject *mod_crc32(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer data;
    unsigned long crc = 0;
    if (!PyArg_ParseTuple(args, "y*|k:crc32", &data, &crc)) {
        return NULL;
    }
    uint32_t r = urpc_crc32((uint32_t)crc, data.buf, (size_t)data.len);
    PyBuffer_Release(&data);
    return PyLong_FromUnsignedLong(r);
}

typedef struct deframer_obj {
    PyObject_HEAD
    urpc_deframer_t d;
    uint8_t *buf;
} deframer_obj;

static int deframer_init(PyObject *op, PyObject *args, PyObject *kwargs) {
    deframer_obj *self = (deframer_obj *)op;
    static char *kwlist[] = { "max_body", NULL };
    Py_ssize_t max_body = 4096;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|n:Deframer", kwlist, &max_body)) {
        return -1;
    }
    if (max_body < 16 || (size_t)max_body > URPC_MAX_BODY) {
        PyErr_SetString(PyExc_ValueError, "max_body must be 16..16777215");
        return -1;
    }
    size_t cap = (size_t)max_body + URPC_OVERHEAD;
    uint8_t *buf = PyMem_Realloc(self->buf, cap);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->buf = buf;
    urpc_deframer_init(&self->d, buf, cap, (size_t)max_body);
    return 0;
}

static void deframer_dealloc(PyObject *op) {
    deframer_obj *self = (deframer_obj *)op;
    PyTypeObject *tp = Py_TYPE(op);
    PyMem_Free(self->buf);
    tp->tp_free(op);
    Py_DECREF(tp);
}

// The frames held now, appended to list; -1 with an exception set.
static int collect(deframer_obj *self, PyObject *list) {
    urpc_frame_t f;
    while (urpc_deframer_next(&self->d, &f) == URPC_OK) {
        PyObject *t = Py_BuildValue("(iiy#)", (int)f.kind, (int)f.id, (const char *)f.body, (Py_ssize_t)f.len);
        if (t == NULL || PyList_Append(list, t) < 0) {
            Py_XDECREF(t);
            return -1;
        }
        Py_DECREF(t);
    }
    return 0;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static PyObject *deframer_feed(PyObject *op, PyObject *arg) {
    deframer_obj *self = (deframer_obj *)op;
    if (self->buf == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Deframer.__init__() was not called");
        return NULL;
    }
    Py_buffer data;
    if (PyObject_GetBuffer(arg, &data, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    PyObject *list = PyList_New(0);
    const uint8_t *p = data.buf;
    size_t n = (size_t)data.len;
    while (list != NULL) {
        size_t took = urpc_deframer_feed(&self->d, p, n);
        p += took;
        n -= took;
        if (collect(self, list) < 0) {
            Py_CLEAR(list);
            break;
        }
        if (n == 0) {
            break;
        }
    }
    PyBuffer_Release(&data);
    return list;
}

// Wait until fd is readable, or until the deadline when timeout_ms >= 0 (the
// GIL released meanwhile): 1 readable, 0 the time is up, -1 an exception.
static int wait_readable(int fd, int timeout_ms, int64_t deadline) {
    for (;;) {
        int left = -1;
        if (timeout_ms >= 0) {
            int64_t l = deadline - now_ms();
            left = l < 0 ? 0 : l > INT_MAX ? INT_MAX : (int)l;
        }
        struct pollfd pfd = { .fd = fd, .events = POLLIN, .revents = 0 };
        int r;
        Py_BEGIN_ALLOW_THREADS
        r = poll(&pfd, 1, left);
        Py_END_ALLOW_THREADS
        if (r >= 0) {
            return r > 0;
        }
        if (errno != EINTR) {
            PyErr_SetFromErrno(PyExc_OSError);
            return -1;
        }
        if (PyErr_CheckSignals() < 0) {
            return -1;
        }
    }
}

// read_from(fd, timeout_ms, nonblocking) -> (frames, bytes read)
//
// Reads from a file descriptor straight into the deframer's buffer until
// at least one frame is complete or timeout_ms passes (a negative timeout:
// no limit). While a frame is arriving on a non-blocking descriptor its bytes
// are read as they come, without a poll before each read; a blocking
// descriptor with no time limit is read without polling at all. The GIL is
// released while waiting. The stream's end raises OSError(ECONNRESET).
static PyObject *deframer_read_from(PyObject *op, PyObject *args) {
    deframer_obj *self = (deframer_obj *)op;
    int fd, timeout_ms, nonblocking;
    if (!PyArg_ParseTuple(args, "iip:read_from", &fd, &timeout_ms, &nonblocking)) {
        return NULL;
    }
    if (self->buf == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Deframer.__init__() was not called");
        return NULL;
    }
    PyObject *list = PyList_New(0);
    if (list == NULL) {
        return NULL;
    }
    urpc_deframer_t *d = &self->d;
    int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;
    Py_ssize_t total = 0;
    bool polled = false, again = false;
    while (PyList_GET_SIZE(list) == 0) {
        bool arriving = urpc_deframer_held(d) > 0;
        bool read_now = nonblocking ? arriving : timeout_ms < 0;
        if (!read_now || again) {
            if (polled && timeout_ms >= 0 && now_ms() >= deadline) {
                break;
            }
            int r = wait_readable(fd, timeout_ms, deadline);
            polled = true;
            if (r < 0) {
                goto fail;
            }
            if (r == 0) {
                break;
            }
            again = false;
        }
        size_t room;
        uint8_t *p = urpc_deframer_space(d, &room);
        ssize_t n;
        Py_BEGIN_ALLOW_THREADS
        n = read(fd, p, room);
        Py_END_ALLOW_THREADS
        if (n > 0) {
            urpc_deframer_commit(d, (size_t)n);
            total += n;
            if (collect(self, list) < 0) {
                goto fail;
            }
        } else if (n == 0) {
            PyObject *e = PyObject_CallFunction(PyExc_OSError, "is", ECONNRESET, "urpc: the stream has ended");
            if (e != NULL) {
                PyErr_SetObject((PyObject *)Py_TYPE(e), e);
                Py_DECREF(e);
            }
            goto fail;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            again = true;  // nothing there yet: wait for it, within the time
        } else if (errno == EINTR) {
            if (PyErr_CheckSignals() < 0) {
                goto fail;
            }
        } else {
            PyErr_SetFromErrno(PyExc_OSError);
            goto fail;
        }
    }
    return Py_BuildValue("(Nn)", list, total);
fail:
    Py_DECREF(list);
    return NULL;
}

static PyObject *deframer_clear(PyObject *op, PyObject *unused) {
    (void)unused;
    urpc_deframer_clear(&((deframer_obj *)op)->d);
    Py_RETURN_NONE;
}

static PyObject *get_need(PyObject *op, void *closure) {
    (void)closure;
    return PyLong_FromSize_t(urpc_deframer_need(&((deframer_obj *)op)->d));
}

static PyObject *get_buffered(PyObject *op, void *closure) {
    (void)closure;
    return PyLong_FromSize_t(urpc_deframer_held(&((deframer_obj *)op)->d));
}

static PyObject *get_counter(PyObject *op, void *closure) {
    const urpc_deframer_t *d = &((deframer_obj *)op)->d;
    switch ((intptr_t)closure) {
        case 0: return PyLong_FromUnsignedLong(d->frames);
        case 1: return PyLong_FromUnsignedLong(d->dropped);
        case 2: return PyLong_FromUnsignedLong(d->skipped);
        default: return PyLong_FromSize_t(d->max_body);
    }
}

static PyGetSetDef deframer_getset[] = {
    { "need", get_need, NULL, PyDoc_STR("bytes needed at least before the next frame can be complete"), NULL },
    { "buffered", get_buffered, NULL, PyDoc_STR("bytes held of a frame not yet complete"), NULL },
    { "frames", get_counter, NULL, PyDoc_STR("good frames returned"), (void *)0 },
    { "dropped", get_counter, NULL, PyDoc_STR("frames refused (bad CRC, too long, unknown kind)"), (void *)1 },
    { "skipped", get_counter, NULL, PyDoc_STR("bytes thrown away looking for a frame"), (void *)2 },
    { "max_body", get_counter, NULL, PyDoc_STR("the longest body accepted"), (void *)3 },
    { NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef deframer_methods[] = {
    { "feed", deframer_feed, METH_O,
      PyDoc_STR("feed(data)\n--\n\nAdd bytes; return the frames they completed, as (kind, id, body).") },
    { "read_from", deframer_read_from, METH_VARARGS,
      PyDoc_STR("read_from(fd, timeout_ms, nonblocking)\n--\n\nRead into the deframer until a frame "
                "is complete or timeout_ms passes (negative: no limit); return (frames, bytes read).") },
    { "clear", deframer_clear, METH_NOARGS,
      PyDoc_STR("clear()\n--\n\nForget the bytes held (the counters stay).") },
    { NULL, NULL, 0, NULL },
};

static PyType_Slot deframer_slots[] = {
    { Py_tp_doc, (void *)PyDoc_STR("Deframer(max_body=4096)\n--\n\nFinds urpc frames in a byte stream.") },
    { Py_tp_new, PyType_GenericNew },
    { Py_tp_init, deframer_init },
    { Py_tp_dealloc, deframer_dealloc },
    { Py_tp_methods, deframer_methods },
    { Py_tp_getset, deframer_getset },
    { 0, NULL },
};

static PyType_Spec deframer_spec = {
    .name = "mpx._urpc.Deframer",
    .basicsize = sizeof(deframer_obj),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = deframer_slots,
};

static PyMethodDef module_methods[] = {
    { "frame", mod_frame, METH_VARARGS,
      PyDoc_STR("frame(kind, id, body)\n--\n\nA whole frame: header, body, CRC trailer.") },
    { "crc32", mod_crc32, METH_VARARGS, PyDoc_STR("crc32(data, crc=0)\n--\n\nCRC-32 as zlib.crc32.") },
    { NULL, NULL, 0, NULL },
};

static int module_exec(PyObject *module) {
    PyObject *type = PyType_FromModuleAndSpec(module, &deframer_spec, NULL);
    if (type == NULL || PyModule_AddType(module, (PyTypeObject *)type) < 0) {
        Py_XDECREF(type);
        return -1;
    }
    Py_DECREF(type);
    if (PyModule_AddIntConstant(module, "REQUEST", URPC_REQUEST) < 0
        || PyModule_AddIntConstant(module, "REPLY", URPC_REPLY) < 0
        || PyModule_AddIntConstant(module, "ERROR", URPC_ERROR) < 0
        || PyModule_AddIntConstant(module, "OVERHEAD", URPC_OVERHEAD) < 0
        || PyModule_AddIntConstant(module, "MAX_BODY", URPC_MAX_BODY) < 0) {
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot module_slots[] = {
    { Py_mod_exec, module_exec },
    { 0, NULL },
};

static PyModuleDef urpc_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "mpx._urpc",
    .m_doc = "urpc frames (lib/urpc) for the urpc package.",
    .m_size = 0,
    .m_methods = module_methods,
    .m_slots = module_slots,
};

PyMODINIT_FUNC PyInit__urpc(void) {
    return PyModuleDef_Init(&urpc_module);
}
