// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// mp_rlvgl for CPython: the display stack's Python API over the desktop
// simulator (sim/). A thin layer: dicts to ui_node_t / ui_event_t and back,
// lib/ui statuses to exceptions; everything else is lib/ui and the sim.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <pythread.h>

#include "ui_sim.h"

typedef struct {
    ui_sim_t *sim;
    ui_client_t client;
    PyObject *callback;
    unsigned long owner;          // the thread that called init
    _Atomic int dispatch_queued;  // a pending call is on its way
    unsigned generation;          // counts init/deinit: a callback may do either
    bool dispatching;             // in dispatch(): a pending call must not re-enter
} state_t;

static state_t st_;

static PyObject *raise_status(ui_status_t st) {
    if (st == UI_E_CALLBACK && PyErr_Occurred()) {
        return NULL;
    }
    const char *msg = ui_status_message(st);
    switch (ui_status_exception(st)) {
        case UI_EXC_KEY:
            PyErr_SetString(PyExc_KeyError, msg);
            break;
        case UI_EXC_TIMEOUT:
            PyErr_SetObject(PyExc_OSError, Py_BuildValue("(is)", ETIMEDOUT, msg));
            break;
        case UI_EXC_RUNTIME:
            PyErr_SetString(PyExc_RuntimeError, msg);
            break;
        default:
            PyErr_SetString(PyExc_ValueError, msg);
            break;
    }
    return NULL;
}

// ---- dict -> C ----

// The keys and kind names as interned str objects, made once at import. A
// dict literal's keys are interned by the compiler, so they match these by
// pointer; a lookup with them hashes nothing.
enum {
    KEY_KIND, KEY_X, KEY_Y, KEY_W, KEY_H, KEY_COLOR, KEY_TEXT, KEY_FG, KEY_BG, KEY_KEY, KEY_COUNT
};
static const char *const key_names[KEY_COUNT] = {
    "kind", "x", "y", "w", "h", "color", "text", "fg", "bg", "key",
};
static PyObject *keys_[KEY_COUNT];
static PyObject *node_kinds_[3];   // ui_kind_names; [0] stays NULL
static PyObject *event_kinds_[5];  // ui_event_names; [0] stays NULL

// Each node kind's keys as KEY_*, in the order ui_node_keys lists them (the
// order a literal usually has), and as a bit per key. Kind 0 is no kind.
static const int node_key_order[3][UI_NODE_KEYS] = {
    {KEY_KIND, KEY_KIND, KEY_KIND, KEY_KIND, KEY_KIND, KEY_KIND},
    {KEY_KIND, KEY_X, KEY_Y, KEY_W, KEY_H, KEY_COLOR},
    {KEY_KIND, KEY_X, KEY_Y, KEY_TEXT, KEY_FG, KEY_BG},
};
#define KEY_BIT(k) (1u << (k))
static const unsigned node_key_set[3] = {
    0,
    KEY_BIT(KEY_KIND) | KEY_BIT(KEY_X) | KEY_BIT(KEY_Y) | KEY_BIT(KEY_W) | KEY_BIT(KEY_H) |
        KEY_BIT(KEY_COLOR),
    KEY_BIT(KEY_KIND) | KEY_BIT(KEY_X) | KEY_BIT(KEY_Y) | KEY_BIT(KEY_TEXT) | KEY_BIT(KEY_FG) |
        KEY_BIT(KEY_BG),
};

static int intern_all(PyObject **objs, const char *const *names, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (names[i] != NULL && objs[i] == NULL) {
            // Kept for the process's life, as interned strs are.
            objs[i] = PyUnicode_InternFromString(names[i]);
            if (objs[i] == NULL) {
                return -1;
            }
        }
    }
    return 0;
}

static int intern_keys(void) {
    return intern_all(keys_, key_names, KEY_COUNT) ||
        intern_all(node_kinds_, ui_kind_names, 3) || intern_all(event_kinds_, ui_event_names, 5);
}

static int int_error(PyObject *v, const char *what, int key, long lo, long hi) {
    if (!PyLong_Check(v) || PyBool_Check(v)) {
        PyErr_Format(PyExc_TypeError, "%s['%s'] must be an int, not %s", what, key_names[key],
            Py_TYPE(v)->tp_name);
    } else {
        PyErr_Format(PyExc_ValueError, "%s['%s'] must be in %ld..%ld", what, key_names[key], lo,
            hi);
    }
    return -1;
}

// Convert v, the value of d[key], to an int within [lo, hi].
static inline int int_value(PyObject *v, const char *what, int key, long lo, long hi,
    long *out) {
    if (PyLong_Check(v) && !PyBool_Check(v)) {
        int overflow;
        long x = PyLong_AsLongAndOverflow(v, &overflow);
        if (!overflow && x >= lo && x <= hi) {
            *out = x;
            return 0;
        }
    }
    return int_error(v, what, key, lo, hi);
}

// d[key], borrowed: from `found` (the values one walk of d found) when given,
// else looked up. NULL if absent (or, with an error set, if that failed).
static PyObject *lookup(PyObject *d, PyObject *const *found, int key) {
    return found != NULL ? found[key] : PyDict_GetItemWithError(d, keys_[key]);
}

// Fetch d[key] as an int within [lo, hi]. *present (if given) says whether
// the key was there; without it a missing key is an error.
static int get_int(PyObject *d, const char *what, int key, long lo, long hi, long *out,
    bool *present) {
    PyObject *v = lookup(d, NULL, key);
    if (v == NULL) {
        if (PyErr_Occurred()) {
            return -1;
        }
        if (present) {
            *present = false;
            return 0;
        }
        PyErr_Format(PyExc_KeyError, "%s has no '%s'", what, key_names[key]);
        return -1;
    }
    if (present) {
        *present = true;
    }
    return int_value(v, what, key, lo, hi, out);
}

static int get_kind(PyObject *d, const char *what, const char *const *names,
    PyObject *const *objs, int count) {
    if (!PyDict_Check(d)) {
        PyErr_Format(PyExc_TypeError, "%s must be a dict, not %s", what, Py_TYPE(d)->tp_name);
        return -1;
    }
    PyObject *k = lookup(d, NULL, KEY_KIND);
    if (k == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_KeyError, "%s has no 'kind'", what);
        }
        return -1;
    }
    if (!PyUnicode_Check(k)) {
        PyErr_Format(PyExc_TypeError, "%s['kind'] must be a str", what);
        return -1;
    }
    for (int i = 1; i < count; i++) {
        if (k == objs[i]) {  // the usual case: a literal, interned
            return i;
        }
    }
    for (int i = 1; i < count; i++) {
        if (PyUnicode_CompareWithASCIIString(k, names[i]) == 0) {
            return i;
        }
    }
    PyErr_Format(PyExc_ValueError, "%s['kind'] must be one of the known kinds, not %R", what, k);
    return -1;
}

// Refuse a key the dict should not have (a misspelt one would be ignored).
static int check_keys(PyObject *d, const char *what, const char *const *keys, size_t n) {
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(d, &pos, &k, &v)) {
        Py_ssize_t len = 0;
        const char *s = PyUnicode_Check(k) ? PyUnicode_AsUTF8AndSize(k, &len) : NULL;
        if (s == NULL || !ui_key_known(keys, n, s, (size_t)len)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "%s has an unknown key %R", what, k);
            return -1;
        }
    }
    return 0;
}

// The usual node, a dict literal with exactly its kind's keys and an
// interned kind name: one walk of the dict puts each value in found[KEY_*]
// and no key is looked up. Returns the kind, or 0 for anything else (not a
// dict, a key made at run time, one missing or extra, an unknown kind),
// which the general path then judges with its own messages.
static int node_walk(PyObject *d, PyObject **found) {
    if (!PyDict_Check(d) || PyDict_GET_SIZE(d) != UI_NODE_KEYS) {
        return 0;
    }
    unsigned seen = 0;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    for (int entry = 0; entry < UI_NODE_KEYS && PyDict_Next(d, &pos, &k, &v); entry++) {
        int i = node_key_order[UI_KIND_RECT][entry];
        if (k != keys_[i]) {
            i = node_key_order[UI_KIND_TEXT][entry];
            if (k != keys_[i]) {
                for (i = 0; i < KEY_KEY && k != keys_[i]; i++) {
                }
                if (i == KEY_KEY) {
                    return 0;
                }
            }
        }
        found[i] = v;
        seen |= KEY_BIT(i);
    }
    if (!(seen & KEY_BIT(KEY_KIND))) {
        return 0;
    }
    int kind = found[KEY_KIND] == node_kinds_[UI_KIND_RECT] ? UI_KIND_RECT
        : found[KEY_KIND] == node_kinds_[UI_KIND_TEXT]      ? UI_KIND_TEXT
                                                            : 0;
    return kind != 0 && seen == node_key_set[kind] ? kind : 0;
}

// node[key] as an int within [lo, hi], from what node_walk found if it could.
static inline int node_int(PyObject *d, PyObject *const *found, int key, long lo, long hi,
    long *out) {
    return found != NULL ? int_value(found[key], "node", key, lo, hi, out)
                         : get_int(d, "node", key, lo, hi, out, NULL);
}

static int node_from_dict(PyObject *d, ui_node_t *n) {
    PyObject *values[KEY_COUNT];
    PyObject **found = values;
    int kind = node_walk(d, values);
    if (kind == 0) {
        found = NULL;
        kind = get_kind(d, "node", ui_kind_names, node_kinds_, 3);
        // Every key of a node is required: with as many keys as that, none is
        // unknown, and the (slower) search only runs when there are more.
        if (kind < 0 || (PyDict_GET_SIZE(d) != UI_NODE_KEYS &&
                            check_keys(d, "node", ui_node_keys[kind], UI_NODE_KEYS))) {
            return -1;
        }
    }
    long x, y, a, b, c;
    memset(n, 0, offsetof(ui_node_t, text));
    n->kind = (uint8_t)kind;
    if (node_int(d, found, KEY_X, UI_COORD_MIN, UI_COORD_MAX, &x) ||
        node_int(d, found, KEY_Y, UI_COORD_MIN, UI_COORD_MAX, &y)) {
        return -1;
    }
    n->x = (int16_t)x;
    n->y = (int16_t)y;
    if (kind == UI_KIND_RECT) {
        if (node_int(d, found, KEY_W, 0, UI_SIZE_MAX, &a) ||
            node_int(d, found, KEY_H, 0, UI_SIZE_MAX, &b) ||
            node_int(d, found, KEY_COLOR, 0, UI_COLOR_MAX, &c)) {
            return -1;
        }
        n->w = (uint16_t)a;
        n->h = (uint16_t)b;
        n->color = (uint32_t)c;
        return 0;
    }
    PyObject *t = lookup(d, found, KEY_TEXT);
    if (t == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_KeyError, "node has no 'text'");
        }
        return -1;
    }
    if (!PyUnicode_Check(t)) {
        PyErr_Format(PyExc_TypeError, "node['text'] must be a str, not %s", Py_TYPE(t)->tp_name);
        return -1;
    }
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(t, &len);
    if (s == NULL) {
        return -1;
    }
    if (len > (Py_ssize_t)UI_TEXT_MAX) {
        PyErr_Format(PyExc_ValueError, "node['text'] is %zd bytes of UTF-8, at most %u fit",
            len, UI_TEXT_MAX);
        return -1;
    }
    if (node_int(d, found, KEY_FG, 0, UI_COLOR_MAX, &a) ||
        node_int(d, found, KEY_BG, 0, UI_COLOR_MAX, &b)) {
        return -1;
    }
    n->color = (uint32_t)a;
    n->bg = (uint32_t)b;
    n->text_len = (uint16_t)len;
    memcpy(n->text, s, (size_t)len);
    return 0;
}

static int event_from_dict(PyObject *d, ui_event_t *e) {
    int kind = get_kind(d, "event", ui_event_names, event_kinds_, 5);
    if (kind < 0 || check_keys(d, "event", ui_event_keys, UI_EVENT_KEYS)) {
        return -1;
    }
    long x = -1, y = -1, key = 0;
    bool has;
    bool pointer = kind != UI_EV_KEY;
    if (get_int(d, "event", KEY_X, UI_COORD_MIN, UI_COORD_MAX, &x, pointer ? NULL : &has) ||
        get_int(d, "event", KEY_Y, UI_COORD_MIN, UI_COORD_MAX, &y, pointer ? NULL : &has) ||
        get_int(d, "event", KEY_KEY, UI_KEY_MIN, UI_KEY_MAX, &key, pointer ? &has : NULL)) {
        return -1;
    }
    e->kind = (uint8_t)kind;
    e->x = (int16_t)x;
    e->y = (int16_t)y;
    e->key = (int32_t)key;
    e->target = UI_TARGET_NONE;
    return 0;
}

static PyObject *event_to_dict(const ui_event_t *e) {
    PyObject *target = e->target == UI_TARGET_NONE ? Py_NewRef(Py_None) : PyLong_FromLong(e->target);
    PyObject *d = Py_BuildValue("{s:s,s:i,s:i,s:l,s:N}", "kind", ui_event_names[e->kind], "x",
        e->x, "y", e->y, "key", (long)e->key, "target", target);
    return d;
}

// ---- the simulator as the client's port ----

static void port_wait(void *ctx, uint32_t ms) {
    Py_BEGIN_ALLOW_THREADS
    ui_sim_wait(ctx, ms);
    Py_END_ALLOW_THREADS
}

// Deliver waiting events to the callback (or drop them when there is none).
// A callback that calls deinit() or init() ends the loop: the events and the
// link it was reading are gone, and a caller waiting inside ui_client learns
// so from UI_E_NO_RENDERER instead of touching them.
static ui_status_t dispatch_loop(void) {
    unsigned generation = st_.generation;
    for (;;) {
        ui_event_t e;
        bool got;
        ui_status_t st = ui_client_next_event(&st_.client, &e, &got);
        if (st != UI_OK || !got) {
            return st;
        }
        if (st_.callback == NULL) {
            continue;
        }
        PyObject *d = event_to_dict(&e);
        if (d == NULL) {
            return UI_E_CALLBACK;
        }
        PyObject *cb = Py_NewRef(st_.callback);
        PyObject *r = PyObject_CallOneArg(cb, d);
        Py_DECREF(cb);
        Py_DECREF(d);
        if (r == NULL) {
            return UI_E_CALLBACK;
        }
        Py_DECREF(r);
        if (st_.generation != generation) {
            return UI_E_NO_RENDERER;
        }
    }
}

static ui_status_t dispatch(void) {
    // A pending call may run inside a callback: delivering from there would
    // reorder events. The loop already running delivers them.
    if (st_.dispatching) {
        return UI_OK;
    }
    st_.dispatching = true;
    ui_status_t st = dispatch_loop();
    st_.dispatching = false;
    return st;
}

// Deliver events from an API call or a pending call: a callback's deinit()
// is then no error.
static ui_status_t dispatch_here(void) {
    unsigned generation = st_.generation;
    ui_status_t st = dispatch();
    return st == UI_E_NO_RENDERER && st_.generation != generation ? UI_OK : st;
}

static ui_status_t port_drain(void *ctx) {
    (void)ctx;
    return dispatch();
}

// Runs on the main thread through Py_AddPendingCall: CPython's scheduler.
static int pending_dispatch(void *arg) {
    (void)arg;
    atomic_store(&st_.dispatch_queued, 0);
    if (st_.sim == NULL) {
        return 0;
    }
    ui_status_t st = dispatch_here();
    if (st != UI_OK) {
        raise_status(st);
        return -1;
    }
    return 0;
}

// Renderer thread: events are on their way. Never blocks.
static void bell_hook(void *ctx) {
    (void)ctx;
    if (ring_used(&st_.client.evt) != 0 && atomic_exchange(&st_.dispatch_queued, 1) == 0) {
        if (Py_AddPendingCall(pending_dispatch, NULL) != 0) {
            atomic_store(&st_.dispatch_queued, 0);
        }
    }
}

static void stop(void) {
    if (st_.sim) {
        ui_sim_set_bell_hook(st_.sim, NULL, NULL);
        Py_BEGIN_ALLOW_THREADS
        ui_sim_close(st_.sim);
        Py_END_ALLOW_THREADS
        st_.sim = NULL;
        st_.generation++;
    }
}

static const char *format_names[3] = {NULL, "RGB565", "ARGB8888"};

static PyObject *start(const ui_sim_config_t *cfg, uint32_t timeout_ms) {
    stop();
    char err[200] = "";
    ui_status_t st;
    ui_sim_t *sim = NULL;
    Py_BEGIN_ALLOW_THREADS
    st = ui_sim_open(&sim, cfg, err, sizeof(err));
    Py_END_ALLOW_THREADS
    if (st != UI_OK) {
        PyErr_Format(st == UI_E_CONFIG ? PyExc_ValueError : PyExc_RuntimeError, "init: %s", err);
        return NULL;
    }
    uint32_t size;
    void *region = ui_sim_region(sim, &size);
    ui_client_port_t port = {ui_sim_now_ms, ui_sim_notify, port_wait, port_drain, sim};
    st = ui_client_attach(&st_.client, region, size, &port, timeout_ms);
    if (st != UI_OK) {
        ui_sim_close(sim);
        return raise_status(st);
    }
    st_.sim = sim;
    st_.generation++;
    st_.owner = PyThread_get_thread_ident();
    ui_sim_set_bell_hook(sim, bell_hook, NULL);
    Py_RETURN_NONE;
}

static bool ready(void) {
    if (st_.sim == NULL) {
        ui_sim_config_t cfg;
        ui_sim_config_default(&cfg);
        if (start(&cfg, UI_DEFAULT_TIMEOUT_MS) == NULL) {
            return false;
        }
        Py_DECREF(Py_None);
    }
    if (PyThread_get_thread_ident() != st_.owner) {
        PyErr_SetString(PyExc_RuntimeError, "mp_rlvgl is used from the thread that called init()");
        return false;
    }
    return true;
}

// ---- the API ----

static PyObject *m_init(PyObject *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"width", "height", "format", "window", "max_nodes", "ring_size",
        "background", "timeout_ms", "title", NULL};
    ui_sim_config_t cfg;
    ui_sim_config_default(&cfg);
    long width = cfg.width, height = cfg.height;
    int window = 0;
    const char *format = "RGB565", *title = cfg.title;
    long max_nodes = (long)cfg.max_nodes, ring = (long)cfg.cmd_ring;
    long timeout_ms = UI_DEFAULT_TIMEOUT_MS, background = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$llsplllls:init", names, &width, &height,
            &format, &window, &max_nodes, &ring, &background, &timeout_ms, &title)) {
        return NULL;
    }
    // Checked here: the C fields are unsigned and narrower than a Python int.
    if (width < 1 || width > UI_DISPLAY_MAX || height < 1 || height > UI_DISPLAY_MAX) {
        return PyErr_Format(PyExc_ValueError, "init: width and height must be 1..4096");
    }
    if (max_nodes < 1 || max_nodes > 65535 || ring < 1024 || ring > 0x1000000 ||
        timeout_ms < 0 || timeout_ms > 3600000) {
        return PyErr_Format(PyExc_ValueError, "max_nodes must be in 1..65535, ring_size a power "
            "of two in 1024..16777216, timeout_ms in 0..3600000");
    }
    if (strcmp(format, "RGB565") == 0) {
        cfg.format = UI_FMT_RGB565;
    } else if (strcmp(format, "ARGB8888") == 0) {
        cfg.format = UI_FMT_ARGB8888;
    } else {
        return PyErr_Format(PyExc_ValueError, "format must be 'RGB565' or 'ARGB8888', not '%s'",
            format);
    }
    if (background < 0 || background > (long)UI_COLOR_MAX) {
        return PyErr_Format(PyExc_ValueError, "background must be in 0..0xffffff");
    }
    cfg.width = (int32_t)width;
    cfg.height = (int32_t)height;
    cfg.window = window;
    cfg.max_nodes = (uint32_t)max_nodes;
    cfg.cmd_ring = (uint32_t)ring;
    cfg.background = (uint32_t)background;
    cfg.title = title;
    return start(&cfg, timeout_ms ? (uint32_t)timeout_ms : 1u);
}

static PyObject *m_deinit(PyObject *self, PyObject *unused) {
    stop();
    Py_RETURN_NONE;
}

static PyObject *m_api_version(PyObject *self, PyObject *unused) {
    return Py_BuildValue("(iii)", UI_API_MAJOR, UI_API_MINOR, UI_API_PATCH);
}

static int parse_z(PyObject *o, int32_t *z) {
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "z must be an int, not %s", Py_TYPE(o)->tp_name);
        return -1;
    }
    int overflow;
    long v = PyLong_AsLongAndOverflow(o, &overflow);
    if (overflow || v < INT16_MIN || v > INT16_MAX) {
        PyErr_SetString(PyExc_ValueError, "z must be in -32768..32767");
        return -1;
    }
    *z = (int32_t)v;
    return 0;
}

static PyObject *node_op(PyObject *const *args, Py_ssize_t nargs,
    ui_status_t (*op)(ui_client_t *, int32_t, const ui_node_t *), const char *name) {
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "%s() takes 2 arguments (z, node), %zd given", name, nargs);
        return NULL;
    }
    PyObject *zo = args[0], *d = args[1];
    if (!ready()) {
        return NULL;
    }
    int32_t z;
    ui_node_t n;
    if (parse_z(zo, &z) || node_from_dict(d, &n)) {
        return NULL;
    }
    ui_status_t st = op(&st_.client, z, &n);
    return st == UI_OK ? Py_NewRef(Py_None) : raise_status(st);
}

static PyObject *m_stack_add(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    return node_op(args, nargs, ui_client_add, "stack_add");
}

static PyObject *m_stack_replace(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    return node_op(args, nargs, ui_client_replace, "stack_replace");
}

static PyObject *m_stack_remove(PyObject *self, PyObject *zo) {
    int32_t z;
    if (!ready() || parse_z(zo, &z)) {
        return NULL;
    }
    ui_status_t st = ui_client_remove(&st_.client, z);
    return st == UI_OK ? Py_NewRef(Py_None) : raise_status(st);
}

static PyObject *m_stack_clear(PyObject *self, PyObject *unused) {
    if (!ready()) {
        return NULL;
    }
    ui_status_t st = ui_client_clear(&st_.client);
    return st == UI_OK ? Py_NewRef(Py_None) : raise_status(st);
}

static PyObject *m_present(PyObject *self, PyObject *unused) {
    if (!ready()) {
        return NULL;
    }
    uint32_t frame;
    ui_status_t st = ui_client_present(&st_.client, &frame);
    return st == UI_OK ? PyLong_FromUnsignedLong(frame) : raise_status(st);
}

static ui_status_t sync_and_dispatch(void) {
    ui_status_t st = ui_client_sync(&st_.client);
    return st == UI_OK ? dispatch_here() : st;
}

static PyObject *m_sync(PyObject *self, PyObject *unused) {
    if (!ready()) {
        return NULL;
    }
    ui_status_t st = sync_and_dispatch();
    return st == UI_OK ? Py_NewRef(Py_None) : raise_status(st);
}

static PyObject *m_notify_input(PyObject *self, PyObject *d) {
    ui_event_t e;
    if (!ready() || event_from_dict(d, &e)) {
        return NULL;
    }
    ui_status_t st = ui_client_input(&st_.client, &e);
    return st == UI_OK ? Py_NewRef(Py_None) : raise_status(st);
}

static PyObject *m_on_input(PyObject *self, PyObject *cb) {
    if (cb != Py_None && !PyCallable_Check(cb)) {
        return PyErr_Format(PyExc_TypeError, "on_input needs a callable or None");
    }
    Py_CLEAR(st_.callback);
    if (cb != Py_None) {
        st_.callback = Py_NewRef(cb);
    }
    Py_RETURN_NONE;
}

static PyObject *m_stats(PyObject *self, PyObject *unused) {
    if (!ready()) {
        return NULL;
    }
    ui_status_t st = ui_client_sync(&st_.client);
    if (st != UI_OK) {
        return raise_status(st);
    }
    ui_client_t *c = &st_.client;
    ui_link_header_t *h = c->hdr;
    return Py_BuildValue("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
        "frames", c->frame, "ops", c->ops, "nodes", atomic_load(&h->nodes),
        "max_nodes", c->max_nodes, "ring_capacity", c->cmd.size, "ring_high_water",
        c->cmd.high_water, "producer_waits", c->waits, "render_us", atomic_load(&h->render_us),
        "pixels_drawn", atomic_load(&h->pixels_last), "errors", atomic_load(&h->errors),
        "events", atomic_load(&h->events_sent), "input_dropped", atomic_load(&h->input_dropped));
}

static PyObject *m_display(PyObject *self, PyObject *unused) {
    if (!ready()) {
        return NULL;
    }
    ui_client_t *c = &st_.client;
    return Py_BuildValue("{s:I,s:I,s:s,s:O}", "width", c->width, "height", c->height, "format",
        format_names[c->format], "window", ui_sim_has_window(st_.sim) ? Py_True : Py_False);
}

static PyObject *m_framebuffer(PyObject *self, PyObject *unused) {
    if (!ready()) {
        return NULL;
    }
    ui_status_t st = ui_client_sync(&st_.client);
    if (st != UI_OK) {
        return raise_status(st);
    }
    const ui_fb_t *fb = ui_sim_fb(st_.sim);
    return PyBytes_FromStringAndSize((const char *)fb->pixels,
        (Py_ssize_t)fb->stride * fb->height);
}

static PyObject *m_snapshot(PyObject *self, PyObject *path) {
    PyObject *bytes;
    if (!ready() || !PyUnicode_FSConverter(path, &bytes)) {
        return NULL;
    }
    ui_status_t st = ui_client_sync(&st_.client);
    if (st != UI_OK) {
        Py_DECREF(bytes);
        return raise_status(st);
    }
    int err;
    const char *p = PyBytes_AS_STRING(bytes);
    Py_BEGIN_ALLOW_THREADS
    err = ui_png_save(p, ui_sim_fb(st_.sim));
    Py_END_ALLOW_THREADS
    if (err) {
        errno = err;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
        Py_DECREF(bytes);
        return NULL;
    }
    Py_DECREF(bytes);
    Py_RETURN_NONE;
}

static PyObject *m_pause(PyObject *self, PyObject *flag) {
    if (!ready()) {
        return NULL;
    }
    ui_sim_pause(st_.sim, PyObject_IsTrue(flag));
    Py_RETURN_NONE;
}

static PyObject *m_window_event(PyObject *self, PyObject *d) {
    ui_event_t e;
    if (!ready() || event_from_dict(d, &e)) {
        return NULL;
    }
    int err = ui_sim_window_inject(st_.sim, (ui_event_kind_t)e.kind, e.x, e.y, e.key);
    if (err) {
        errno = err;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"init", (PyCFunction)(void (*)(void))m_init, METH_VARARGS | METH_KEYWORDS,
     "init(*, width=800, height=480, format='RGB565', window=False, max_nodes=1024,\n"
     "     ring_size=65536, background=0, timeout_ms=1000, title=...)\n"
     "Start (or restart) the simulated renderer. Other calls start it with the defaults."},
    {"deinit", m_deinit, METH_NOARGS, "Stop the renderer and free the display."},
    {"api_version", m_api_version, METH_NOARGS, "(major, minor, patch) of the API."},
    {"stack_add", (PyCFunction)(void (*)(void))m_stack_add, METH_FASTCALL, "stack_add(z, node): add a node at a free z."},
    {"stack_remove", m_stack_remove, METH_O, "stack_remove(z): remove the node at z."},
    {"stack_replace", (PyCFunction)(void (*)(void))m_stack_replace, METH_FASTCALL, "stack_replace(z, node): replace the node at z."},
    {"stack_clear", m_stack_clear, METH_NOARGS, "Remove every node."},
    {"present", m_present, METH_NOARGS,
     "End a frame: everything sent before shows together. Returns the frame number."},
    {"sync", m_sync, METH_NOARGS,
     "Wait until the renderer has done everything sent, then deliver waiting input events."},
    {"stats", m_stats, METH_NOARGS, "Counters of the producer and the renderer, as a dict."},
    {"notify_input", m_notify_input, METH_O,
     "notify_input(event): inject an input event as if from the touch panel."},
    {"on_input", m_on_input, METH_O,
     "on_input(callback): callback(event) for each input event (None: stop)."},
    {"display", m_display, METH_NOARGS, "The display: width, height, format, window."},
    {"framebuffer", m_framebuffer, METH_NOARGS, "The framebuffer's bytes (native pixel format)."},
    {"snapshot", m_snapshot, METH_O, "snapshot(path): write the framebuffer as a PNG."},
    {"_pause", m_pause, METH_O, "Test hook: stall (True) or resume the renderer."},
    {"_window_event", m_window_event, METH_O, "Test hook: put an event in the SDL window's queue."},
    {NULL, NULL, 0, NULL},
};

static void module_free(void *m) {
    (void)m;
    stop();
    Py_CLEAR(st_.callback);
}

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "mp_rlvgl",
    "The mpx display stack (z-ordered nodes, present, input) on a desktop simulator.", -1,
    methods, NULL, NULL, NULL, module_free,
};

PyMODINIT_FUNC PyInit_mp_rlvgl(void) {
    if (intern_keys()) {
        return NULL;
    }
    return PyModule_Create(&module);
}
