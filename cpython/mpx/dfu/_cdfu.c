// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// mpx.dfu._cdfu: the CPython binding of libmpxdfu (lib/dfu). All protocol,
// file and layout work is the library's; this file converts arguments,
// releases the GIL around USB work (taking it back for the progress
// callback), and turns a dfu_error into an exception through a factory that
// mpx/dfu/__init__.py registers (set_error_factory).
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>
#include <time.h>

#include "dfu.h"
#include "dfu_sim.h"
#include "dfu_usb.h"

static PyObject *error_factory;  // callable(code, message, has_device, state, status, istring, device_string)

static PyObject *raise_dfu(dfu_status st, const dfu_error *err) {
    if (st == DFU_OK) {
        st = DFU_E_USB;
    }
    const char *message = err && err->message[0] ? err->message : dfu_strerror(st);
    if (error_factory == NULL) {
        PyErr_Format(PyExc_RuntimeError, "%s: %s", dfu_status_id(st), message);
        return NULL;
    }
    bool dev = err && err->has_device;
    PyObject *exc = PyObject_CallFunction(error_factory, "ssOiiis", dfu_status_id(st), message,
        dev ? Py_True : Py_False, dev ? err->dev_state : -1, dev ? err->dev_status : -1,
        dev ? err->dev_istring : 0, dev ? err->dev_string : "");
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

static PyObject *set_error_factory(PyObject *mod, PyObject *fn) {
    Py_XDECREF(error_factory);
    Py_INCREF(fn);
    error_factory = fn;
    Py_RETURN_NONE;
}

// ---------------------------------------------------------------------------
// Arguments: a Python int is never wrapped into 32 bits (an address taken
// modulo 2**32 would read or write somewhere else).

static int u32_conv(PyObject *o, void *out) {
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "an int is required, not %.100s", Py_TYPE(o)->tp_name);
        return 0;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) {
        return 0;
    }
    if (overflow || v < 0 || v > 0xFFFFFFFFLL) {
        PyErr_Format(PyExc_OverflowError, "%R is outside 0..0xFFFFFFFF (addresses and sizes are 32-bit)", o);
        return 0;
    }
    *(uint32_t *)out = (uint32_t)v;
    return 1;
}

static int alt_conv(PyObject *o, void *out) {
    uint32_t v;
    if (!u32_conv(o, &v) || v > 255) {
        if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_OverflowError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_OverflowError, "alt setting %R is outside 0..255", o);
        }
        return 0;
    }
    *(uint8_t *)out = (uint8_t)v;
    return 1;
}

// address + size must stay within the 32-bit address space.
static int check_span(uint32_t address, uint64_t size) {
    if ((uint64_t)address + size > 0x100000000ull) {
        PyErr_Format(PyExc_ValueError, "0x%08x + %llu bytes runs past the 4 GiB address space", (unsigned)address,
            (unsigned long long)size);
        return -1;
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Session: one open device (USB or the virtual bootloader)

typedef struct {
    PyObject_HEAD
    dfu_session s;
    dfu_usb *usb;
    dfu_sim *sim;
    dfu_transport sim_io;
    dfu_transport paced_io;          // sim_io, with sleeps that take real time
    dfu_usb_device info;
    bool open;
    int busy;
    PyObject *progress;              // the current operation's callback (or NULL)
    PyObject *cb_type, *cb_value, *cb_tb;  // what the callback raised
} SessionObject;

static PyTypeObject SessionType;

// The phase names as interned str objects, made at import: a progress call
// then builds only its three ints (it runs once per USB block).
#define PHASE_COUNT ((int)DFU_PHASE_LEAVE + 1)
static PyObject *phase_names[PHASE_COUNT];

static PyObject *call_progress(PyObject *fn, dfu_phase phase, uint32_t address, uint64_t done, uint64_t total) {
    PyObject *args[4] = {phase_names[phase], PyLong_FromUnsignedLong(address), PyLong_FromUnsignedLongLong(done),
        PyLong_FromUnsignedLongLong(total)};
    PyObject *r = NULL;
    if (args[1] != NULL && args[2] != NULL && args[3] != NULL) {
        r = PyObject_Vectorcall(fn, args, 4, NULL);
    }
    Py_XDECREF(args[1]);
    Py_XDECREF(args[2]);
    Py_XDECREF(args[3]);
    return r;
}

static int progress_trampoline(void *user, dfu_phase phase, uint32_t address, uint64_t done, uint64_t total) {
    SessionObject *self = user;
    int stop = 0;
    PyGILState_STATE g = PyGILState_Ensure();
    if (self->progress != NULL && self->cb_type == NULL) {
        PyObject *r = call_progress(self->progress, phase, address, done, total);
        if (r == NULL) {
            PyErr_Fetch(&self->cb_type, &self->cb_value, &self->cb_tb);
            stop = 1;
        } else {
            int t = PyObject_IsTrue(r);
            Py_DECREF(r);
            if (t < 0) {
                PyErr_Fetch(&self->cb_type, &self->cb_value, &self->cb_tb);
                stop = 1;
            } else if (t) {
                stop = 1;
            }
        }
    }
    PyGILState_Release(g);
    return stop;
}

static int begin(SessionObject *self, PyObject *progress) {
    if (!self->open) {
        PyErr_SetString(PyExc_ValueError, "the device is closed");
        return -1;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the device is busy with another operation");
        return -1;
    }
    if (progress != NULL && progress != Py_None && !PyCallable_Check(progress)) {
        PyErr_SetString(PyExc_TypeError, "progress must be callable");
        return -1;
    }
    self->busy = 1;
    if (progress != NULL && progress != Py_None) {
        Py_INCREF(progress);
        self->progress = progress;
        self->s.progress = progress_trampoline;
        self->s.progress_user = self;
    } else {
        self->s.progress = NULL;
    }
    return 0;
}

// Ends an operation: the callback's exception first, then the library's.
static int finish(SessionObject *self, dfu_status st, const dfu_error *err) {
    self->busy = 0;
    self->s.progress = NULL;
    self->s.cancel = 0;
    Py_CLEAR(self->progress);
    if (self->cb_type != NULL) {
        PyErr_Restore(self->cb_type, self->cb_value, self->cb_tb);
        self->cb_type = self->cb_value = self->cb_tb = NULL;
        return -1;
    }
    if (st != DFU_OK) {
        raise_dfu(st, err);
        return -1;
    }
    return 0;
}

// A closed virtual device stays readable through the sim_* hooks (what a
// test checks after pydfu's exit_dfu closed it); it is freed with the object.
static void session_close(SessionObject *self) {
    if (self->usb) {
        dfu_usb_close(self->usb);
        self->usb = NULL;
    }
    self->open = false;
}

static void Session_dealloc(SessionObject *self) {
    session_close(self);
    if (self->sim) {
        dfu_sim_free(self->sim);
        self->sim = NULL;
    }
    Py_CLEAR(self->progress);
    Py_CLEAR(self->cb_type);
    Py_CLEAR(self->cb_value);
    Py_CLEAR(self->cb_tb);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static SessionObject *session_new(void) {
    SessionObject *self = PyObject_New(SessionObject, &SessionType);
    if (self == NULL) {
        return NULL;
    }
    memset((char *)self + sizeof(PyObject), 0, sizeof(*self) - sizeof(PyObject));
    return self;
}

static PyObject *Session_close(SessionObject *self, PyObject *unused) {
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the device is busy; cancel() the operation first");
        return NULL;
    }
    session_close(self);
    Py_RETURN_NONE;
}

static PyObject *Session_cancel(SessionObject *self, PyObject *unused) {
    self->s.cancel = 1;  // seen at the next request boundary, from any thread
    Py_RETURN_NONE;
}

// A filled-in image from [(alt, address, data), ...] and an optional suffix.
static int build_image(PyObject *elements, PyObject *suffix, dfu_image *img) {
    memset(img, 0, sizeof(*img));
    PyObject *seq = PySequence_Fast(elements, "elements must be a sequence");
    if (seq == NULL) {
        return -1;
    }
    dfu_error err;
    dfu_error_clear(&err);
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        uint8_t alt;
        uint32_t address;
        Py_buffer data;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "O&O&y*", alt_conv, &alt, u32_conv, &address, &data)) {
            goto fail;
        }
        if (check_span(address, (uint64_t)data.len) < 0) {
            PyBuffer_Release(&data);
            goto fail;
        }
        dfu_status st = dfu_image_add(img, alt, address, data.buf, (uint32_t)data.len, &err);
        PyBuffer_Release(&data);
        if (st != DFU_OK) {
            raise_dfu(st, &err);
            goto fail;
        }
    }
    Py_DECREF(seq);
    if (suffix != NULL && suffix != Py_None) {
        unsigned bcd_device, pid, vid;
        if (!PyArg_ParseTuple(suffix, "III", &bcd_device, &pid, &vid)) {
            dfu_image_free(img);
            return -1;
        }
        if (bcd_device > 0xFFFF || pid > 0xFFFF || vid > 0xFFFF) {
            dfu_image_free(img);
            PyErr_SetString(PyExc_OverflowError, "suffix ids are 16-bit");
            return -1;
        }
        img->has_suffix = true;
        img->suffix = (dfu_suffix){.bcd_device = (uint16_t)bcd_device, .pid = (uint16_t)pid, .vid = (uint16_t)vid,
            .bcd_dfu = DFU_BCD_DFUSE};
    }
    dfu_status st = dfu_image_check(img, &err);
    if (st != DFU_OK) {
        dfu_image_free(img);
        raise_dfu(st, &err);
        return -1;
    }
    return 0;
fail:
    Py_DECREF(seq);
    dfu_image_free(img);
    return -1;
}

static void device_ids(const SessionObject *self, uint16_t *vid, uint16_t *pid) {
    if (self->sim) {
        const dfu_sim_config *c = dfu_sim_config_get(self->sim);
        *vid = c->vid;
        *pid = c->pid;
    } else {
        *vid = self->info.vid;
        *pid = self->info.pid;
    }
}

static PyObject *Session_flash(SessionObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"elements", "progress", "suffix", "mass_erase", "verify", "leave", "leave_address",
        "force", "allow_option_bytes", "allow_rdp_level2", "check_ids", "incrementing_blocks", "check_only", NULL};
    PyObject *elements, *progress = Py_None, *suffix = Py_None, *leave_address = Py_None;
    int mass = 0, verify = 1, leave = 1, force = 0, ob = 0, rdp2 = 0, check_ids = 1, incrementing = 1, only = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOpppOpppppp", kwlist, &elements, &progress, &suffix, &mass,
            &verify, &leave, &leave_address, &force, &ob, &rdp2, &check_ids, &incrementing, &only)) {
        return NULL;
    }
    dfu_flash_options o;
    dfu_flash_options_init(&o);
    o.mass_erase = mass;
    o.verify = verify;
    o.leave = leave;
    o.force = force;
    o.allow_option_bytes = ob;
    o.allow_rdp_level2 = rdp2;
    o.incrementing_blocks = incrementing;
    o.check_ids = check_ids;
    if (leave_address != Py_None) {
        if (!u32_conv(leave_address, &o.leave_address)) {
            return NULL;
        }
        o.has_leave_address = true;
    }
    device_ids(self, &o.vid, &o.pid);
    dfu_image img;
    if (build_image(elements, suffix, &img) < 0) {
        return NULL;
    }
    dfu_error err;
    dfu_error_clear(&err);
    if (only) {
        // What flash would refuse before its first request; no request.
        dfu_status st = self->open ? dfu_flash_check(&self->s, &img, &o, &err) : DFU_OK;
        dfu_image_free(&img);
        if (!self->open) {
            PyErr_SetString(PyExc_ValueError, "the device is closed");
            return NULL;
        }
        return st == DFU_OK ? (Py_INCREF(Py_None), Py_None) : raise_dfu(st, &err);
    }
    if (begin(self, progress) < 0) {
        dfu_image_free(&img);
        return NULL;
    }
    dfu_status st;
    Py_BEGIN_ALLOW_THREADS
    st = dfu_flash(&self->s, &img, &o, &err);
    Py_END_ALLOW_THREADS
    dfu_image_free(&img);
    if (finish(self, st, &err) < 0) {
        return NULL;
    }
    return PyBool_FromLong(self->s.option_bytes_written);
}

static PyObject *Session_erase(SessionObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"alt", "address", "size", "mass", "force", "progress", NULL};
    uint8_t alt = 0;
    uint32_t address = 0, size = 0;
    int mass = 0, force = 0;
    PyObject *progress = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&O&O&|ppO", kwlist, alt_conv, &alt, u32_conv, &address, u32_conv,
            &size, &mass, &force, &progress) ||
        check_span(address, size) < 0) {
        return NULL;
    }
    if (begin(self, progress) < 0) {
        return NULL;
    }
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st;
    Py_BEGIN_ALLOW_THREADS
    st = dfu_erase(&self->s, alt, address, size, mass, force, &err);
    Py_END_ALLOW_THREADS
    if (finish(self, st, &err) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *Session_read(SessionObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"alt", "address", "size", "progress", NULL};
    uint8_t alt = 0;
    uint32_t address = 0, size = 0;
    PyObject *progress = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&O&O&|O", kwlist, alt_conv, &alt, u32_conv, &address, u32_conv,
            &size, &progress) ||
        check_span(address, size) < 0) {
        return NULL;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (out == NULL) {
        return NULL;
    }
    if (begin(self, progress) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    uint8_t *buf = (uint8_t *)PyBytes_AS_STRING(out);
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st;
    Py_BEGIN_ALLOW_THREADS
    st = dfu_read(&self->s, alt, address, buf, size, &err);
    Py_END_ALLOW_THREADS
    if (finish(self, st, &err) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyObject *Session_leave(SessionObject *self, PyObject *args) {
    PyObject *address = Py_None;
    if (!PyArg_ParseTuple(args, "|O", &address)) {
        return NULL;
    }
    uint32_t a = 0;
    if (address != Py_None && !u32_conv(address, &a)) {
        return NULL;
    }
    if (begin(self, NULL) < 0) {
        return NULL;
    }
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st;
    Py_BEGIN_ALLOW_THREADS
    st = dfu_leave(&self->s, address != Py_None, a, &err);
    Py_END_ALLOW_THREADS
    if (finish(self, st, &err) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

// The simple steps: (what, address) with the GIL released.
enum { OP_STATUS, OP_CLEAR, OP_ABORT, OP_IDLE, OP_SET_ADDRESS, OP_ERASE_PAGE, OP_MASS_ERASE, OP_UNPROTECT };

static PyObject *simple(SessionObject *self, int op, uint32_t address) {
    if (begin(self, NULL) < 0) {
        return NULL;
    }
    dfu_error err;
    dfu_error_clear(&err);
    dfu_devstatus ds = {0};
    dfu_status st = DFU_OK;
    char text[128] = "";
    Py_BEGIN_ALLOW_THREADS
    switch (op) {
        case OP_STATUS:
            st = dfu_get_status(&self->s, &ds, &err);
            if (st == DFU_OK && ds.istring && self->s.io->get_string &&
                self->s.io->get_string(self->s.io->ctx, ds.istring, text, sizeof(text)) < 0) {
                text[0] = '\0';
            }
            break;
        case OP_CLEAR: st = dfu_clear_status(&self->s, &err); break;
        case OP_ABORT: st = dfu_abort(&self->s, &err); break;
        case OP_IDLE: st = dfu_reach_idle(&self->s, &err); break;
        case OP_SET_ADDRESS: st = dfuse_set_address(&self->s, address, &err); break;
        case OP_ERASE_PAGE: st = dfuse_erase_page(&self->s, address, &err); break;
        case OP_MASS_ERASE: st = dfuse_mass_erase(&self->s, &err); break;
        case OP_UNPROTECT: st = dfuse_read_unprotect(&self->s, &err); break;
        default: break;
    }
    Py_END_ALLOW_THREADS
    if (finish(self, st, &err) < 0) {
        return NULL;
    }
    if (op == OP_STATUS) {
        return Py_BuildValue("(iIiis)", ds.status, (unsigned)ds.poll_timeout_ms, ds.state, ds.istring, text);
    }
    Py_RETURN_NONE;
}

static PyObject *Session_get_status(SessionObject *self, PyObject *unused) { return simple(self, OP_STATUS, 0); }
static PyObject *Session_clear_status(SessionObject *self, PyObject *unused) { return simple(self, OP_CLEAR, 0); }
static PyObject *Session_abort(SessionObject *self, PyObject *unused) { return simple(self, OP_ABORT, 0); }
static PyObject *Session_reach_idle(SessionObject *self, PyObject *unused) { return simple(self, OP_IDLE, 0); }
static PyObject *Session_mass_erase(SessionObject *self, PyObject *unused) { return simple(self, OP_MASS_ERASE, 0); }
static PyObject *Session_read_unprotect(SessionObject *self, PyObject *unused) {
    return simple(self, OP_UNPROTECT, 0);
}
static PyObject *Session_set_address(SessionObject *self, PyObject *arg) {
    uint32_t a;
    return u32_conv(arg, &a) ? simple(self, OP_SET_ADDRESS, a) : NULL;
}
static PyObject *Session_erase_page(SessionObject *self, PyObject *arg) {
    uint32_t a;
    return u32_conv(arg, &a) ? simple(self, OP_ERASE_PAGE, a) : NULL;
}

static PyObject *Session_write_raw(SessionObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"address", "data", "progress", NULL};
    uint32_t address;
    Py_buffer data;
    PyObject *progress = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&y*|O", kwlist, u32_conv, &address, &data, &progress)) {
        return NULL;
    }
    if (check_span(address, (uint64_t)data.len) < 0) {
        PyBuffer_Release(&data);
        return NULL;
    }
    if (begin(self, progress) < 0) {
        PyBuffer_Release(&data);
        return NULL;
    }
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st;
    // pydfu's write_memory: the library's write into erased memory.
    Py_BEGIN_ALLOW_THREADS
    st = dfu_write(&self->s, address, data.buf, (uint32_t)data.len, &err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    if (finish(self, st, &err) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *layout_to_py(const dfu_layout *l) {
    PyObject *segs = PyList_New((Py_ssize_t)l->count);
    if (segs == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < l->count; i++) {
        const dfu_mem_segment *g = &l->segments[i];
        PyObject *t = Py_BuildValue("(IIII)", (unsigned)g->start, (unsigned)g->page_size, (unsigned)g->pages,
            (unsigned)g->flags);
        if (t == NULL) {
            Py_DECREF(segs);
            return NULL;
        }
        PyList_SET_ITEM(segs, (Py_ssize_t)i, t);
    }
    return Py_BuildValue("(sN)", l->name, segs);
}

static PyObject *Session_describe(SessionObject *self, PyObject *unused) {
    if (!self->open) {
        PyErr_SetString(PyExc_ValueError, "the device is closed");
        return NULL;
    }
    PyObject *alts = PyList_New(0), *layouts = PyList_New(0);
    if (alts == NULL || layouts == NULL) {
        goto fail;
    }
    for (unsigned a = 0; a < self->s.alt_count && a < DFU_MAX_ALTS; a++) {
        PyObject *name = PyUnicode_DecodeUTF8(self->s.alt_names[a], (Py_ssize_t)strlen(self->s.alt_names[a]),
            "replace");
        PyObject *lay = self->s.has_layout[a] ? layout_to_py(&self->s.layouts[a]) : (Py_INCREF(Py_None), Py_None);
        if (name == NULL || lay == NULL || PyList_Append(alts, name) < 0 || PyList_Append(layouts, lay) < 0) {
            Py_XDECREF(name);
            Py_XDECREF(lay);
            goto fail;
        }
        Py_DECREF(name);
        Py_DECREF(lay);
    }
    uint16_t vid, pid;
    device_ids(self, &vid, &pid);
    const dfu_usb_device *d = &self->info;
    return Py_BuildValue("{s:i,s:i,s:i,s:i,s:s,s:s,s:s,s:s,s:i,s:i,s:O,s:O,s:N,s:N,s:O,s:k}", "vid", vid, "pid", pid,
        "bus", d->bus, "address", d->address, "path", self->sim ? "sim" : d->path, "manufacturer", d->manufacturer,
        "product", d->product, "serial", d->serial, "interface", self->s.interface, "transfer_size",
        self->s.transfer_size, "dfuse", self->s.dfuse ? Py_True : Py_False, "simulated",
        self->sim ? Py_True : Py_False, "alt_names", alts, "layouts", layouts, "runtime",
        (self->sim ? dfu_sim_is_runtime(self->sim) : d->runtime) ? Py_True : Py_False, "requests",
        (unsigned long)self->s.requests);
fail:
    Py_XDECREF(alts);
    Py_XDECREF(layouts);
    return NULL;
}

static PyObject *Session_set_timeouts(SessionObject *self, PyObject *args) {
    uint32_t timeout_ms, busy_limit_ms;
    if (!PyArg_ParseTuple(args, "O&O&", u32_conv, &timeout_ms, u32_conv, &busy_limit_ms)) {
        return NULL;
    }
    if (timeout_ms) {
        self->s.timeout_ms = timeout_ms;
    }
    if (busy_limit_ms) {
        self->s.busy_limit_ms = busy_limit_ms;
    }
    Py_RETURN_NONE;
}

// --- test and development hooks on the virtual device

static int need_sim(SessionObject *self) {
    if (self->sim == NULL) {
        PyErr_SetString(PyExc_TypeError, "only a simulated device has this");
        return -1;
    }
    return 0;
}

static PyObject *Session_sim_peek(SessionObject *self, PyObject *args) {
    uint32_t address, size;
    if (!PyArg_ParseTuple(args, "O&O&", u32_conv, &address, u32_conv, &size) || need_sim(self) < 0 ||
        check_span(address, size) < 0) {
        return NULL;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (out && dfu_sim_peek(self->sim, address, (uint8_t *)PyBytes_AS_STRING(out), size) != DFU_OK) {
        Py_DECREF(out);
        PyErr_Format(PyExc_ValueError, "0x%08x + %u is not in the device's memory", address, size);
        return NULL;
    }
    return out;
}

static PyObject *Session_sim_poke(SessionObject *self, PyObject *args) {
    uint32_t address;
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "O&y*", u32_conv, &address, &data)) {
        return NULL;
    }
    if (check_span(address, (uint64_t)data.len) < 0) {
        PyBuffer_Release(&data);
        return NULL;
    }
    dfu_status st = need_sim(self) < 0 ? DFU_E_ARG : dfu_sim_poke(self->sim, address, data.buf, (uint32_t)data.len);
    PyBuffer_Release(&data);
    if (st != DFU_OK) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_ValueError, "0x%08x is not in the device's memory", address);
        }
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *Session_sim_state(SessionObject *self, PyObject *unused) {
    if (need_sim(self) < 0) {
        return NULL;
    }
    uint32_t jump = 0;
    dfu_sim_presence p = dfu_sim_presence_get(self->sim, &jump);
    const dfu_sim_counters *c = dfu_sim_counters_get(self->sim);
    return Py_BuildValue("{s:s,s:I,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k}", "presence",
        p == DFU_SIM_PRESENT ? "present" : p == DFU_SIM_LEFT ? "left" : "reset", "jump", (unsigned)jump, "requests",
        c->requests, "dnloads", c->dnloads, "uploads", c->uploads, "getstatus", c->getstatus, "erases", c->erases,
        "mass_erases", c->mass_erases, "set_address", c->set_address, "early_polls", c->early_polls, "stalls",
        c->stalls);
}

static PyObject *Session_sim_reset(SessionObject *self, PyObject *args) {
    int runtime = 0;
    if (!PyArg_ParseTuple(args, "|p", &runtime) || need_sim(self) < 0) {
        return NULL;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the device is busy");
        return NULL;
    }
    dfu_sim_reset(self->sim, runtime);
    self->s.alt_current = -1;
    Py_RETURN_NONE;
}

static PyObject *Session_sim_protect(SessionObject *self, PyObject *args) {
    int level1 = 1;
    if (!PyArg_ParseTuple(args, "|p", &level1) || need_sim(self) < 0) {
        return NULL;
    }
    dfu_sim_protect(self->sim, level1);
    Py_RETURN_NONE;
}

static PyObject *device_to_py(const dfu_usb_device *d);

static PyObject *Session_sim_describe(SessionObject *self, PyObject *unused) {
    if (need_sim(self) < 0) {
        return NULL;
    }
    dfu_usb_device d;
    dfu_usb_describe_sim(self->sim, &d);
    if (dfu_sim_presence_get(self->sim, NULL) != DFU_SIM_PRESENT) {
        Py_RETURN_NONE;  // it left DFU mode: not on the bus
    }
    return device_to_py(&d);
}

// The flash image and the counters, in files (MPX_DFU_SIM_IMAGE, _STATS).
enum { SIM_LOAD, SIM_SAVE, SIM_COUNTERS };

static PyObject *sim_file(SessionObject *self, PyObject *args, int what) {
    PyObject *path;
    if (!PyArg_ParseTuple(args, "O&", PyUnicode_FSConverter, &path)) {
        return NULL;
    }
    if (need_sim(self) < 0) {
        Py_DECREF(path);
        return NULL;
    }
    dfu_error err;
    dfu_error_clear(&err);
    const char *p = PyBytes_AS_STRING(path);
    dfu_status st = what == SIM_LOAD ? dfu_sim_load(self->sim, p, &err)
                    : what == SIM_SAVE ? dfu_sim_save(self->sim, p, &err)
                                       : dfu_sim_save_counters(self->sim, p, 0, &err);
    Py_DECREF(path);
    return st == DFU_OK ? (Py_INCREF(Py_None), Py_None) : raise_dfu(st, &err);
}

static PyObject *Session_sim_load(SessionObject *self, PyObject *args) { return sim_file(self, args, SIM_LOAD); }
static PyObject *Session_sim_save(SessionObject *self, PyObject *args) { return sim_file(self, args, SIM_SAVE); }
static PyObject *Session_sim_save_counters(SessionObject *self, PyObject *args) {
    return sim_file(self, args, SIM_COUNTERS);
}

static PyMethodDef Session_methods[] = {
    {"close", (PyCFunction)Session_close, METH_NOARGS, NULL},
    {"cancel", (PyCFunction)Session_cancel, METH_NOARGS, NULL},
    {"flash", (PyCFunction)(void (*)(void))Session_flash, METH_VARARGS | METH_KEYWORDS, NULL},
    {"erase", (PyCFunction)(void (*)(void))Session_erase, METH_VARARGS | METH_KEYWORDS, NULL},
    {"read", (PyCFunction)(void (*)(void))Session_read, METH_VARARGS | METH_KEYWORDS, NULL},
    {"write_raw", (PyCFunction)(void (*)(void))Session_write_raw, METH_VARARGS | METH_KEYWORDS, NULL},
    {"leave", (PyCFunction)Session_leave, METH_VARARGS, NULL},
    {"get_status", (PyCFunction)Session_get_status, METH_NOARGS, NULL},
    {"clear_status", (PyCFunction)Session_clear_status, METH_NOARGS, NULL},
    {"abort", (PyCFunction)Session_abort, METH_NOARGS, NULL},
    {"reach_idle", (PyCFunction)Session_reach_idle, METH_NOARGS, NULL},
    {"mass_erase", (PyCFunction)Session_mass_erase, METH_NOARGS, NULL},
    {"read_unprotect", (PyCFunction)Session_read_unprotect, METH_NOARGS, NULL},
    {"set_address", (PyCFunction)Session_set_address, METH_O, NULL},
    {"erase_page", (PyCFunction)Session_erase_page, METH_O, NULL},
    {"describe", (PyCFunction)Session_describe, METH_NOARGS, NULL},
    {"set_timeouts", (PyCFunction)Session_set_timeouts, METH_VARARGS, NULL},
    {"sim_peek", (PyCFunction)Session_sim_peek, METH_VARARGS, NULL},
    {"sim_poke", (PyCFunction)Session_sim_poke, METH_VARARGS, NULL},
    {"sim_state", (PyCFunction)Session_sim_state, METH_NOARGS, NULL},
    {"sim_reset", (PyCFunction)Session_sim_reset, METH_VARARGS, NULL},
    {"sim_protect", (PyCFunction)Session_sim_protect, METH_VARARGS, NULL},
    {"sim_describe", (PyCFunction)Session_sim_describe, METH_NOARGS, NULL},
    {"sim_load", (PyCFunction)Session_sim_load, METH_VARARGS, NULL},
    {"sim_save", (PyCFunction)Session_sim_save, METH_VARARGS, NULL},
    {"sim_save_counters", (PyCFunction)Session_sim_save_counters, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SessionType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mpx.dfu._cdfu.Session",
    .tp_basicsize = sizeof(SessionObject),
    .tp_dealloc = (destructor)Session_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An open DFU interface (libmpxdfu session); use mpx.dfu.Device.",
    .tp_methods = Session_methods,
};

// ---------------------------------------------------------------------------
// Module functions

static int parse_filter(PyObject *args, PyObject *kw, dfu_usb_filter *f, unsigned *transfer_size,
    unsigned *detach_ms) {
    static char *kwlist[] = {"vid", "pid", "serial", "path", "transfer_size", "detach_timeout_ms", NULL};
    int vid = -1, pid = -1;
    const char *serial = NULL, *path = NULL;
    *transfer_size = 0;
    *detach_ms = 5000;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|iizzII", kwlist, &vid, &pid, &serial, &path, transfer_size,
            detach_ms)) {
        return -1;
    }
    memset(f, 0, sizeof(*f));
    if (vid >= 0 || pid >= 0) {
        // libmpxdfu matches both ids; one alone is matched in Python (scan) or refused here.
        if (vid < 0 || pid < 0 || vid > 0xFFFF || pid > 0xFFFF) {
            PyErr_SetString(PyExc_ValueError, "give both vid and pid (0..0xFFFF), or neither");
            return -1;
        }
        f->has_id = true;
        f->vid = (uint16_t)vid;
        f->pid = (uint16_t)pid;
    }
    f->serial = serial;
    f->path = path;
    return 0;
}

static PyObject *device_to_py(const dfu_usb_device *d) {
    static const char *const results[] = {"usable", "filtered", "no-access", "cant-open"};
    PyObject *alts = PyList_New(0);
    if (alts == NULL) {
        return NULL;
    }
    for (unsigned a = 0; a < d->alt_count && a < DFU_MAX_ALTS; a++) {
        PyObject *n = PyUnicode_DecodeUTF8(d->alt_names[a], (Py_ssize_t)strlen(d->alt_names[a]), "replace");
        if (n == NULL || PyList_Append(alts, n) < 0) {
            Py_XDECREF(n);
            Py_DECREF(alts);
            return NULL;
        }
        Py_DECREF(n);
    }
    return Py_BuildValue("{s:i,s:i,s:s,s:i,s:i,s:i,s:s,s:s,s:s,s:i,s:i,s:O,s:N,s:i,s:s,s:s}", "bus", d->bus,
        "address", d->address, "path", d->path, "vid", d->vid, "pid", d->pid, "bcd_device", d->bcd_device,
        "manufacturer", d->manufacturer, "product", d->product, "serial", d->serial, "configuration",
        d->configuration, "interface", d->interface, "runtime", d->runtime ? Py_True : Py_False, "alt_names", alts,
        "transfer_size", d->has_func ? d->func.transfer_size : 0, "result",
        (unsigned)d->result < 4 ? results[d->result] : "unknown", "why", d->why);
}

static PyObject *mod_scan(PyObject *mod, PyObject *args, PyObject *kw) {
    dfu_usb_filter f;
    unsigned ts, dm;
    if (parse_filter(args, kw, &f, &ts, &dm) < 0) {
        return NULL;
    }
    enum { MAX = 64 };
    dfu_usb_device *list = PyMem_Calloc(MAX, sizeof(*list));
    if (list == NULL) {
        return PyErr_NoMemory();
    }
    size_t n = 0;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st;
    Py_BEGIN_ALLOW_THREADS
    st = dfu_usb_scan(&f, list, MAX, &n, &err);
    Py_END_ALLOW_THREADS
    PyObject *out = NULL;
    if (st != DFU_OK) {
        raise_dfu(st, &err);
    } else if ((out = PyList_New(0)) != NULL) {
        for (size_t i = 0; i < n && i < MAX; i++) {
            PyObject *d = device_to_py(&list[i]);
            if (d == NULL || PyList_Append(out, d) < 0) {
                Py_XDECREF(d);
                Py_CLEAR(out);
                break;
            }
            Py_DECREF(d);
        }
    }
    PyMem_Free(list);
    return out;
}

static PyObject *mod_open_usb(PyObject *mod, PyObject *args, PyObject *kw) {
    dfu_usb_filter f;
    unsigned ts, detach_ms;
    if (parse_filter(args, kw, &f, &ts, &detach_ms) < 0) {
        return NULL;
    }
    // The filter's strings stay valid: args holds them.
    SessionObject *self = session_new();
    if (self == NULL) {
        return NULL;
    }
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st;
    Py_BEGIN_ALLOW_THREADS
    st = dfu_usb_open(&f, (uint16_t)ts, &self->usb, &self->info, &err);
    if (st == DFU_OK && self->info.runtime) {
        st = dfu_usb_enter_dfu(&self->usb, &f, (uint16_t)ts, detach_ms, &self->info, &err);
    }
    if (st == DFU_OK) {
        dfu_usb_session(self->usb, &self->s);
        if (ts) {
            self->s.transfer_size = (uint16_t)ts;
        }
    }
    Py_END_ALLOW_THREADS
    if (st != DFU_OK) {
        Py_DECREF(self);
        return raise_dfu(st, &err);
    }
    self->open = true;
    return (PyObject *)self;
}

// Config keys of dfu_sim_config that a Python dict may set.
static int sim_config_from_dict(PyObject *d, dfu_sim_config *c) {
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(d, &pos, &key, &value)) {
        const char *k = PyUnicode_AsUTF8(key);
        if (k == NULL) {
            return -1;
        }
        unsigned long v = PyLong_AsUnsignedLong(value);
        if (PyErr_Occurred()) {
            PyErr_Format(PyExc_TypeError, "simulated device option %s: a non-negative int or a bool", k);
            return -1;
        }
#define U(name) else if (strcmp(k, #name) == 0) c->name = (unsigned)v;
#define U16(name) else if (strcmp(k, #name) == 0) c->name = (uint16_t)v;
#define B(name) else if (strcmp(k, #name) == 0) c->name = v != 0;
        if (0) {
        }
        U16(vid) U16(pid) U16(bcd_device) U16(transfer_size)
        else if (strcmp(k, "attributes") == 0) c->attributes = (uint8_t)v;
        B(no_functional_descriptor) B(runtime) B(plain) B(read_protected) B(vanish_on_leave) B(stall_busy_polls)
        U(write_poll_ms) U(erase_poll_ms) U(mass_erase_poll_ms) U(erase_busy_polls) U(stall_write_at)
        U(error_write_at) U(vanish_at_request)
        else {
            PyErr_Format(PyExc_TypeError, "unknown simulated device option %s", k);
            return -1;
        }
#undef U
#undef U16
#undef B
    }
    return 0;
}

// A simulated device at a real board's pace: its poll timeouts are slept.
static int paced_control(void *ctx, uint8_t rt, uint8_t req, uint16_t value, uint16_t index, uint8_t *data,
    uint16_t length, unsigned timeout_ms) {
    SessionObject *self = ctx;
    return self->sim_io.control(self->sim_io.ctx, rt, req, value, index, data, length, timeout_ms);
}

static int paced_string(void *ctx, uint8_t index, char *out, size_t size) {
    SessionObject *self = ctx;
    return self->sim_io.get_string(self->sim_io.ctx, index, out, size);
}

static int paced_set_alt(void *ctx, uint8_t interface, uint8_t alt) {
    SessionObject *self = ctx;
    return self->sim_io.set_alt(self->sim_io.ctx, interface, alt);
}

static void paced_sleep(void *ctx, unsigned ms) {
    SessionObject *self = ctx;
    struct timespec ts = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
    self->sim_io.sleep_ms(self->sim_io.ctx, ms);
}

static PyObject *mod_open_sim(PyObject *mod, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"layouts", "config", "transfer_size", "real_time", NULL};
    PyObject *layouts = Py_None, *config = Py_None;
    uint32_t fallback = 0;
    int real_time = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOO&p", kwlist, &layouts, &config, u32_conv, &fallback,
            &real_time)) {
        return NULL;
    }
    if (fallback > 4096) {
        PyErr_Format(PyExc_ValueError, "transfer_size %u is outside 0..4096", (unsigned)fallback);
        return NULL;
    }
    dfu_sim_config c;
    dfu_sim_config_stm32f4(&c);
    PyObject *seq = NULL;
    if (layouts != Py_None) {
        seq = PySequence_Fast(layouts, "layouts must be a sequence of strings");
        if (seq == NULL) {
            return NULL;
        }
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        if (n < 1 || n > (Py_ssize_t)DFU_MAX_ALTS) {
            Py_DECREF(seq);
            PyErr_Format(PyExc_ValueError, "1 to %u layouts", (unsigned)DFU_MAX_ALTS);
            return NULL;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            c.alts[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i));
            if (c.alts[i] == NULL) {
                Py_DECREF(seq);
                return NULL;
            }
        }
        c.alt_count = (uint8_t)n;
    }
    if (config != Py_None && (!PyDict_Check(config) || sim_config_from_dict(config, &c) < 0)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "config must be a dict");
        }
        Py_XDECREF(seq);
        return NULL;
    }
    SessionObject *self = session_new();
    if (self == NULL) {
        Py_XDECREF(seq);
        return NULL;
    }
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = dfu_sim_new(&c, &self->sim, &err);
    if (st == DFU_OK) {
        // As dfu_usb_open fills a session and describes the device.
        self->sim_io = dfu_sim_transport(self->sim);
        self->paced_io = (dfu_transport){paced_control, paced_string, paced_set_alt, paced_sleep, self, NULL, NULL};
        st = dfu_sim_session(self->sim, real_time ? &self->paced_io : &self->sim_io, (uint16_t)fallback, &self->s,
            &err);
        dfu_usb_describe_sim(self->sim, &self->info);
    }
    Py_XDECREF(seq);  // the sim copied its layout strings (or failed)
    if (st != DFU_OK) {
        Py_DECREF(self);
        return raise_dfu(st, &err);
    }
    self->open = true;
    return (PyObject *)self;
}

// parse(data, format, address or None, name or None): the file rules of
// dfu_source (dfu.h), with the image's targets' names as bytes (raw, as in
// the file: ST's tools write Windows-1252).
static PyObject *mod_parse(PyObject *mod, PyObject *args) {
    Py_buffer data;
    const char *format = "auto", *name = NULL;
    PyObject *address = Py_None;
    if (!PyArg_ParseTuple(args, "y*|sOz", &data, &format, &address, &name)) {
        return NULL;
    }
    dfu_source src = {.name = name};
    if (dfu_format_from_string(format, &src.format, NULL) != DFU_OK) {
        PyBuffer_Release(&data);
        PyErr_Format(PyExc_ValueError, "unknown format %s (auto, dfu, hex, elf, bin)", format);
        return NULL;
    }
    if (address != Py_None) {
        if (!u32_conv(address, &src.address)) {
            PyBuffer_Release(&data);
            return NULL;
        }
        src.has_address = true;
    }
    dfu_image img;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = dfu_image_parse(data.buf, (size_t)data.len, &src, &img, &err);
    PyBuffer_Release(&data);
    if (st != DFU_OK) {
        return raise_dfu(st, &err);
    }
    PyObject *elements = PyList_New(0), *targets = PyList_New(0), *out = NULL;
    if (elements == NULL || targets == NULL) {
        goto done;
    }
    for (size_t k = 0; k < img.count; k++) {
        const dfu_element *e = &img.elements[k];
        PyObject *t = Py_BuildValue("(IIy#I)", (unsigned)e->alt, (unsigned)e->address, (const char *)e->data,
            (Py_ssize_t)e->size, (unsigned)e->target);
        if (t == NULL || PyList_Append(elements, t) < 0) {
            Py_XDECREF(t);
            goto done;
        }
        Py_DECREF(t);
    }
    for (size_t k = 0; k < img.target_count; k++) {
        const dfu_target *t = &img.targets[k];
        PyObject *o = Py_BuildValue("(IOy)", (unsigned)t->alt, t->named ? Py_True : Py_False, t->name);
        if (o == NULL || PyList_Append(targets, o) < 0) {
            Py_XDECREF(o);
            goto done;
        }
        Py_DECREF(o);
    }
    PyObject *suffix = img.has_suffix ? Py_BuildValue("(IIII)", img.suffix.bcd_device, img.suffix.pid, img.suffix.vid,
        img.suffix.bcd_dfu) : (Py_INCREF(Py_None), Py_None);
    PyObject *entry = img.has_entry ? PyLong_FromUnsignedLong(img.entry) : (Py_INCREF(Py_None), Py_None);
    if (suffix && entry) {
        out = Py_BuildValue("{s:s,s:O,s:O,s:O,s:O,s:O}", "format", dfu_format_name(img.format), "elements", elements,
            "targets", targets, "suffix", suffix, "entry", entry, "needs_address",
            img.needs_address ? Py_True : Py_False);
    }
    Py_XDECREF(suffix);
    Py_XDECREF(entry);
done:
    Py_XDECREF(elements);
    Py_XDECREF(targets);
    dfu_image_free(&img);
    return out;
}

static PyObject *mod_write_dfuse(PyObject *mod, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"elements", "suffix", "names", "pad", NULL};
    PyObject *elements, *suffix = Py_None, *names = Py_None;
    unsigned pad = 8;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOI", kwlist, &elements, &suffix, &names, &pad)) {
        return NULL;
    }
    dfu_image img;
    if (build_image(elements, suffix, &img) < 0) {
        return NULL;
    }
    if (names != Py_None) {
        if (!PyDict_Check(names)) {
            dfu_image_free(&img);
            PyErr_SetString(PyExc_TypeError, "names must be a dict {alt: name}");
            return NULL;
        }
        for (size_t t = 0; t < img.target_count; t++) {
            PyObject *k = PyLong_FromLong(img.targets[t].alt);
            PyObject *v = k ? PyDict_GetItemWithError(names, k) : NULL;
            Py_XDECREF(k);
            // str (written as UTF-8) or bytes (as they are); at most 255
            // bytes, never cut inside a UTF-8 character.
            const char *s = NULL;
            Py_ssize_t len = 0;
            if (v != NULL && PyBytes_Check(v)) {
                s = PyBytes_AS_STRING(v);
                len = PyBytes_GET_SIZE(v);
            } else if (v != NULL) {
                s = PyUnicode_AsUTF8AndSize(v, &len);
            }
            if (PyErr_Occurred()) {
                dfu_image_free(&img);
                return NULL;
            }
            if (s) {
                size_t n = strnlen(s, (size_t)len);  // a name ends at its first NUL, as in the file
                dfu_target_set_name(&img.targets[t], s, n);
            }
        }
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = dfu_image_write_dfuse(&img, pad ? pad : 1, &buf, &len, &err);
    dfu_image_free(&img);
    if (st != DFU_OK) {
        return raise_dfu(st, &err);
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)len);
    free(buf);
    return out;
}

static PyObject *mod_parse_layout(PyObject *mod, PyObject *arg) {
    const char *text = PyUnicode_AsUTF8(arg);
    if (text == NULL) {
        return NULL;
    }
    dfu_layout l;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = dfu_layout_parse(text, &l, &err);
    return st == DFU_OK ? layout_to_py(&l) : raise_dfu(st, &err);
}

static PyObject *mod_crc32(PyObject *mod, PyObject *args) {
    Py_buffer data;
    unsigned crc = DFU_CRC_INIT;
    if (!PyArg_ParseTuple(args, "y*|I", &data, &crc)) {
        return NULL;
    }
    uint32_t r = dfu_crc32(crc, data.buf, (size_t)data.len);
    PyBuffer_Release(&data);
    return PyLong_FromUnsignedLong(r);
}

static PyObject *mod_state_name(PyObject *mod, PyObject *arg) {
    long v = PyLong_AsLong(arg);
    return PyErr_Occurred() ? NULL : PyUnicode_FromString(dfu_state_name((uint8_t)v));
}

static PyObject *mod_status_name(PyObject *mod, PyObject *arg) {
    long v = PyLong_AsLong(arg);
    return PyErr_Occurred() ? NULL : PyUnicode_FromString(dfu_status_name((uint8_t)v));
}

static PyMethodDef module_methods[] = {
    {"set_error_factory", set_error_factory, METH_O, NULL},
    {"scan", (PyCFunction)(void (*)(void))mod_scan, METH_VARARGS | METH_KEYWORDS, NULL},
    {"open_usb", (PyCFunction)(void (*)(void))mod_open_usb, METH_VARARGS | METH_KEYWORDS, NULL},
    {"open_sim", (PyCFunction)(void (*)(void))mod_open_sim, METH_VARARGS | METH_KEYWORDS, NULL},
    {"parse", mod_parse, METH_VARARGS, NULL},
    {"write_dfuse", (PyCFunction)(void (*)(void))mod_write_dfuse, METH_VARARGS | METH_KEYWORDS, NULL},
    {"parse_layout", mod_parse_layout, METH_O, NULL},
    {"crc32", mod_crc32, METH_VARARGS, NULL},
    {"state_name", mod_state_name, METH_O, NULL},
    {"status_name", mod_status_name, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef cdfu_module = {
    PyModuleDef_HEAD_INIT, "mpx.dfu._cdfu", "libmpxdfu binding (use mpx.dfu)", -1, module_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__cdfu(void) {
    if (PyType_Ready(&SessionType) < 0) {
        return NULL;
    }
    for (int i = 0; i < PHASE_COUNT; i++) {
        if (phase_names[i] == NULL && (phase_names[i] = PyUnicode_InternFromString(dfu_phase_name((dfu_phase)i))) ==
            NULL) {
            return NULL;
        }
    }
    PyObject *m = PyModule_Create(&cdfu_module);
    if (m == NULL) {
        return NULL;
    }
    Py_INCREF(&SessionType);
    if (PyModule_AddObject(m, "Session", (PyObject *)&SessionType) < 0) {
        Py_DECREF(&SessionType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
