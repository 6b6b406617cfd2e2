// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// mp_rlvgl for MicroPython: the same API as the CPython module
// (cpython/mp_rlvgl.c), over a backend (rlvgl_backend.h). Input events come
// back through the scheduler: the backend's doorbell (a thread on unix, the
// HSEM interrupt on the board) only schedules the dispatch, which runs the
// Python callback in the VM's own context.
#include <errno.h>
#include <string.h>

#include "py/mperrno.h"
#include "py/runtime.h"
#include "rlvgl_backend.h"

#if MP_RLVGL_BACKEND_SIM
#include "ui_sim.h"
#endif

// The module's state: an object on the heap, reached only through the root
// pointer mp_rlvgl_state (no C static: after a soft reset a static would
// point into the new heap). It has a finaliser, so the soft reset's sweep
// (gc_sweep_all) closes the link and silences the doorbell before the heap
// goes; the module's __init__, run at the first import of each VM, starts
// from nothing as well.
typedef struct {
    mp_obj_base_t base;
    bool open;
    unsigned generation;           // counts init/deinit: a callback may do either
    bool dispatching;              // in dispatch(): a scheduled one must not re-enter
    ui_client_t client;
    volatile int dispatch_queued;
} rlvgl_state_t;

MP_REGISTER_ROOT_POINTER(void *mp_rlvgl_state);
MP_REGISTER_ROOT_POINTER(mp_obj_t mp_rlvgl_callback);
#define st ((rlvgl_state_t *)MP_STATE_VM(mp_rlvgl_state))

#if !MICROPY_MODULE_BUILTIN_INIT || !MICROPY_ENABLE_FINALISER
#error "mp_rlvgl needs MICROPY_MODULE_BUILTIN_INIT and MICROPY_ENABLE_FINALISER (soft reset)"
#endif

// Close the link (the renderer keeps running; the next init lays the region
// out afresh) and forget the state.
static void forget_state(void) {
    rlvgl_backend_set_bell_hook(NULL, NULL);
    rlvgl_backend_close();
    MP_STATE_VM(mp_rlvgl_state) = NULL;
    MP_STATE_VM(mp_rlvgl_callback) = MP_OBJ_NULL;
}

static mp_obj_t state_del(mp_obj_t self_in) {
    rlvgl_state_t *self = MP_OBJ_TO_PTR(self_in);
    if ((void *)self == MP_STATE_VM(mp_rlvgl_state)) {
        self->open = false;
        forget_state();
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(state_del_obj, state_del);

static const mp_rom_map_elem_t state_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&state_del_obj) },
};
static MP_DEFINE_CONST_DICT(state_locals, state_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(rlvgl_state_type, MP_QSTR_mp_rlvgl_state, MP_TYPE_FLAG_NONE,
    locals_dict, &state_locals);

static MP_NORETURN void raise_status(ui_status_t s) {
    const char *msg = ui_status_message(s);
    switch (ui_status_exception(s)) {
        case UI_EXC_KEY:
            mp_raise_type_arg(&mp_type_KeyError, mp_obj_new_str(msg, strlen(msg)));
        case UI_EXC_TIMEOUT:
            mp_raise_OSError(MP_ETIMEDOUT);
        case UI_EXC_RUNTIME:
            mp_raise_msg(&mp_type_RuntimeError, (mp_rom_error_text_t)msg);
        default:
            mp_raise_ValueError((mp_rom_error_text_t)msg);
    }
}

static void check(ui_status_t s) {
    if (s != UI_OK) {
        raise_status(s);
    }
}

// ---- dict -> C ----

static mp_obj_t lookup(mp_obj_t d, const char *what, qstr key, bool required) {
    mp_map_elem_t *e = mp_map_lookup(mp_obj_dict_get_map(d), MP_OBJ_NEW_QSTR(key), MP_MAP_LOOKUP);
    if (e == NULL) {
        if (required) {
            mp_raise_msg_varg(&mp_type_KeyError, MP_ERROR_TEXT("%s has no '%q'"), what, key);
        }
        return MP_OBJ_NULL;
    }
    return e->value;
}

static mp_int_t get_int(mp_obj_t d, const char *what, qstr key, mp_int_t lo, mp_int_t hi,
    bool required, mp_int_t dflt) {
    mp_obj_t v = lookup(d, what, key, required);
    if (v == MP_OBJ_NULL) {
        return dflt;
    }
    if (!mp_obj_is_int(v)) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("%s['%q'] must be an int, not %s"),
            what, key, mp_obj_get_type_str(v));
    }
    bool in_range;
    if (mp_obj_is_small_int(v)) {
        mp_int_t x = MP_OBJ_SMALL_INT_VALUE(v);
        in_range = x >= lo && x <= hi;
    } else {
        // A big int (beyond 2**30 on a 32-bit port): compare as objects.
        in_range = !mp_obj_is_true(mp_binary_op(MP_BINARY_OP_LESS, v, mp_obj_new_int(lo))) &&
                   !mp_obj_is_true(mp_binary_op(MP_BINARY_OP_MORE, v, mp_obj_new_int(hi)));
    }
    if (!in_range) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s['%q'] must be in %d..%d"),
            what, key, (int)lo, (int)hi);
    }
    // In range, so exact (mp_obj_get_int refuses -2**31 on a 32-bit port).
    return mp_obj_int_get_truncated(v);
}

// Refuse a key the dict should not have (a misspelt one would be ignored).
static void check_keys(mp_obj_t d, const char *what, const char *const *keys, size_t n) {
    mp_map_t *map = mp_obj_dict_get_map(d);
    for (size_t i = 0; i < map->alloc; i++) {
        if (!mp_map_slot_is_filled(map, i)) {
            continue;
        }
        mp_obj_t k = map->table[i].key;
        size_t len = 0;
        const char *s = mp_obj_is_str(k) ? mp_obj_str_get_data(k, &len) : NULL;
        if (s == NULL) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s has a key of type %s"),
                what, mp_obj_get_type_str(k));
        }
        if (!ui_key_known(keys, n, s, len)) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s has an unknown key '%.*s'"),
                what, (int)len, s);
        }
    }
}

static int get_kind(mp_obj_t d, const char *what, const char *const *names, int count) {
    if (!mp_obj_is_type(d, &mp_type_dict)) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("%s must be a dict, not %s"), what,
            mp_obj_get_type_str(d));
    }
    mp_obj_t k = lookup(d, what, MP_QSTR_kind, true);
    if (!mp_obj_is_str(k)) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("%s['kind'] must be a str"), what);
    }
    size_t len;
    const char *s = mp_obj_str_get_data(k, &len);
    for (int i = 1; i < count; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
            return i;
        }
    }
    mp_raise_msg_varg(&mp_type_ValueError,
        MP_ERROR_TEXT("%s['kind'] must be one of the known kinds, not '%.*s'"), what, (int)len, s);
}

static void node_from_dict(mp_obj_t d, ui_node_t *n) {
    int kind = get_kind(d, "node", ui_kind_names, 3);
    // Every key of a node is required: with as many keys as that, none is
    // unknown, and the (slower) search only runs when there are more.
    if (mp_obj_dict_len(d) != UI_NODE_KEYS) {
        check_keys(d, "node", ui_node_keys[kind], UI_NODE_KEYS);
    }
    memset(n, 0, offsetof(ui_node_t, text));
    n->kind = (uint8_t)kind;
    n->x = (int16_t)get_int(d, "node", MP_QSTR_x, UI_COORD_MIN, UI_COORD_MAX, true, 0);
    n->y = (int16_t)get_int(d, "node", MP_QSTR_y, UI_COORD_MIN, UI_COORD_MAX, true, 0);
    if (kind == UI_KIND_RECT) {
        n->w = (uint16_t)get_int(d, "node", MP_QSTR_w, 0, UI_SIZE_MAX, true, 0);
        n->h = (uint16_t)get_int(d, "node", MP_QSTR_h, 0, UI_SIZE_MAX, true, 0);
        n->color = (uint32_t)get_int(d, "node", MP_QSTR_color, 0, UI_COLOR_MAX, true, 0);
        return;
    }
    mp_obj_t t = lookup(d, "node", MP_QSTR_text, true);
    if (!mp_obj_is_str(t)) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("node['text'] must be a str, not %s"),
            mp_obj_get_type_str(t));
    }
    size_t len;
    const char *s = mp_obj_str_get_data(t, &len);
    if (len > UI_TEXT_MAX) {
        mp_raise_msg_varg(&mp_type_ValueError,
            MP_ERROR_TEXT("node['text'] is %d bytes of UTF-8, at most %d fit"), (int)len,
            (int)UI_TEXT_MAX);
    }
    n->color = (uint32_t)get_int(d, "node", MP_QSTR_fg, 0, UI_COLOR_MAX, true, 0);
    n->bg = (uint32_t)get_int(d, "node", MP_QSTR_bg, 0, UI_COLOR_MAX, true, 0);
    n->text_len = (uint16_t)len;
    memcpy(n->text, s, len);
}

static void event_from_dict(mp_obj_t d, ui_event_t *e) {
    int kind = get_kind(d, "event", ui_event_names, 5);
    check_keys(d, "event", ui_event_keys, UI_EVENT_KEYS);
    bool pointer = kind != UI_EV_KEY;
    e->kind = (uint8_t)kind;
    e->x = (int16_t)get_int(d, "event", MP_QSTR_x, UI_COORD_MIN, UI_COORD_MAX, pointer, -1);
    e->y = (int16_t)get_int(d, "event", MP_QSTR_y, UI_COORD_MIN, UI_COORD_MAX, pointer, -1);
    e->key = (int32_t)get_int(d, "event", MP_QSTR_key, UI_KEY_MIN, UI_KEY_MAX, !pointer, 0);
    e->target = UI_TARGET_NONE;
}

static mp_obj_t event_to_dict(const ui_event_t *e) {
    mp_obj_t d = mp_obj_new_dict(5);
    const char *k = ui_event_names[e->kind];
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_kind), mp_obj_new_str(k, strlen(k)));
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_x), MP_OBJ_NEW_SMALL_INT(e->x));
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_y), MP_OBJ_NEW_SMALL_INT(e->y));
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_key), mp_obj_new_int(e->key));
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_target),
        e->target == UI_TARGET_NONE ? mp_const_none : MP_OBJ_NEW_SMALL_INT(e->target));
    return d;
}

// ---- events ----

// Deliver waiting events to the callback (dropped when there is none). A
// callback's exception propagates; the events after it stay queued. A
// callback that calls deinit() or init() ends the loop: the link it was
// reading is gone. Returns false then.
static bool dispatch_loop(void) {
    unsigned generation = st->generation;
    for (;;) {
        ui_event_t e;
        bool got;
        check(ui_client_next_event(&st->client, &e, &got));
        if (!got) {
            return true;
        }
        mp_obj_t cb = MP_STATE_VM(mp_rlvgl_callback);
        if (cb != MP_OBJ_NULL && cb != mp_const_none) {
            mp_call_function_1(cb, event_to_dict(&e));
            if (st->generation != generation) {
                return false;
            }
        }
    }
}

// The scheduler may run a dispatch inside a callback: delivering from there
// would reorder events, so only the outer loop delivers.
static MP_NOINLINE bool dispatch(void) {
    if (st->dispatching) {
        return true;
    }
    st->dispatching = true;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        bool ok = dispatch_loop();
        nlr_pop();
        st->dispatching = false;
        return ok;
    }
    st->dispatching = false;
    nlr_jump(nlr.ret_val);
}

static mp_obj_t scheduled_dispatch(mp_obj_t unused) {
    (void)unused;
    if (st == NULL) {
        return mp_const_none;  // forgotten (soft reset) since it was scheduled
    }
    st->dispatch_queued = 0;
    if (st->open) {
        dispatch();
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(scheduled_dispatch_obj, scheduled_dispatch);

// The doorbell from the renderer: schedule, never run Python here.
static void bell_hook(void *ctx) {
    (void)ctx;
    #if MICROPY_ENABLE_SCHEDULER
    rlvgl_state_t *s = st;
    if (s != NULL && s->open && !s->dispatch_queued && ring_used(&s->client.evt) != 0) {
        s->dispatch_queued = 1;
        if (!mp_sched_schedule(MP_OBJ_FROM_PTR(&scheduled_dispatch_obj), mp_const_none)) {
            s->dispatch_queued = 0;  // queue full: the next sync delivers them
        }
    }
    #endif
}

// Called by ui_client while it waits for room and the renderer waits for
// room for events: deliver them now.
static ui_status_t drain(void *ctx) {
    (void)ctx;
    return dispatch() ? UI_OK : UI_E_NO_RENDERER;
}

// ---- lifecycle ----

static void start(rlvgl_config_t *cfg, uint32_t timeout_ms) {
    cfg->timeout_ms = timeout_ms;
    if (st == NULL) {
        rlvgl_state_t *fresh = mp_obj_malloc_with_finaliser(rlvgl_state_t, &rlvgl_state_type);
        memset((char *)fresh + sizeof(mp_obj_base_t), 0, sizeof(*fresh) - sizeof(mp_obj_base_t));
        MP_STATE_VM(mp_rlvgl_state) = fresh;
    }
    st->open = false;
    void *region;
    uint32_t size;
    ui_client_port_t port = {0};
    char err[160] = "";
    ui_status_t s = rlvgl_backend_open(cfg, &region, &size, &port, err, sizeof(err));
    if (s != UI_OK) {
        mp_raise_msg_varg(s == UI_E_CONFIG ? &mp_type_ValueError : &mp_type_RuntimeError,
            MP_ERROR_TEXT("init: %s"), err);
    }
    port.drain = drain;
    s = ui_client_attach(&st->client, region, size, &port, timeout_ms);
    if (s != UI_OK) {
        rlvgl_backend_close();
        raise_status(s);
    }
    st->open = true;
    st->generation++;
    st->dispatch_queued = 0;
    rlvgl_backend_set_bell_hook(bell_hook, NULL);
}

static void default_config(rlvgl_config_t *cfg) {
    cfg->width = UI_DEFAULT_WIDTH;
    cfg->height = UI_DEFAULT_HEIGHT;
    cfg->format = UI_FMT_RGB565;
    cfg->max_nodes = UI_DEFAULT_MAX_NODES;
    cfg->ring_size = UI_DEFAULT_CMD_RING;
    cfg->background = 0;
    cfg->window = false;
}

static ui_client_t *client(void) {
    if (st == NULL || !st->open) {
        rlvgl_config_t cfg;
        default_config(&cfg);
        start(&cfg, UI_DEFAULT_TIMEOUT_MS);
    }
    return &st->client;
}

static mp_obj_t m_init(size_t n_args, const mp_obj_t *pos, mp_map_t *kw) {
    enum { ARG_width, ARG_height, ARG_format, ARG_window, ARG_max_nodes, ARG_ring_size,
           ARG_background, ARG_timeout_ms };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_width, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = UI_DEFAULT_WIDTH} },
        { MP_QSTR_height, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = UI_DEFAULT_HEIGHT} },
        { MP_QSTR_format, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL} },
        { MP_QSTR_window, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false} },
        { MP_QSTR_max_nodes, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = UI_DEFAULT_MAX_NODES} },
        { MP_QSTR_ring_size, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = UI_DEFAULT_CMD_RING} },
        { MP_QSTR_background, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_timeout_ms, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = UI_DEFAULT_TIMEOUT_MS} },
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all(n_args, pos, kw, MP_ARRAY_SIZE(allowed), allowed, a);
    rlvgl_config_t cfg;
    default_config(&cfg);
    if (a[ARG_format].u_obj != MP_OBJ_NULL) {
        const char *f = mp_obj_str_get_str(a[ARG_format].u_obj);
        if (strcmp(f, "RGB565") == 0) {
            cfg.format = UI_FMT_RGB565;
        } else if (strcmp(f, "ARGB8888") == 0) {
            cfg.format = UI_FMT_ARGB8888;
        } else {
            mp_raise_msg_varg(&mp_type_ValueError,
                MP_ERROR_TEXT("format must be 'RGB565' or 'ARGB8888', not '%s'"), f);
        }
    }
    mp_int_t max_nodes = a[ARG_max_nodes].u_int, ring = a[ARG_ring_size].u_int;
    mp_int_t bg = a[ARG_background].u_int, timeout = a[ARG_timeout_ms].u_int;
    mp_int_t width = a[ARG_width].u_int, height = a[ARG_height].u_int;
    // Checked here, the same ranges as on CPython: the C fields are narrower.
    if (width < 1 || width > UI_DISPLAY_MAX || height < 1 || height > UI_DISPLAY_MAX) {
        mp_raise_ValueError(MP_ERROR_TEXT("init: width and height must be 1..4096"));
    }
    if (max_nodes < 1 || max_nodes > 65535 || ring < 1024 || ring > 0x1000000 ||
        timeout < 0 || timeout > 3600000 || bg < 0 || bg > (mp_int_t)UI_COLOR_MAX) {
        mp_raise_ValueError(MP_ERROR_TEXT("max_nodes must be in 1..65535, ring_size a power of "
            "two in 1024..16777216, timeout_ms in 0..3600000, background in 0..0xffffff"));
    }
    cfg.width = (int32_t)width;
    cfg.height = (int32_t)height;
    cfg.window = a[ARG_window].u_bool;
    cfg.max_nodes = (uint32_t)max_nodes;
    cfg.ring_size = (uint32_t)ring;
    cfg.background = (uint32_t)bg;
    start(&cfg, timeout ? (uint32_t)timeout : 1u);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(m_init_obj, 0, m_init);

static mp_obj_t m_deinit(void) {
    if (st != NULL && st->open) {
        st->open = false;
        st->generation++;
        rlvgl_backend_close();
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(m_deinit_obj, m_deinit);

static mp_obj_t m_api_version(void) {
    mp_obj_t v[3] = {MP_OBJ_NEW_SMALL_INT(UI_API_MAJOR), MP_OBJ_NEW_SMALL_INT(UI_API_MINOR),
                     MP_OBJ_NEW_SMALL_INT(UI_API_PATCH)};
    return mp_obj_new_tuple(3, v);
}
static MP_DEFINE_CONST_FUN_OBJ_0(m_api_version_obj, m_api_version);

// ---- the stack ----

static int32_t get_z(mp_obj_t o) {
    if (!mp_obj_is_int(o)) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("z must be an int, not %s"),
            mp_obj_get_type_str(o));
    }
    mp_int_t z;
    if (!mp_obj_is_small_int(o) || (z = MP_OBJ_SMALL_INT_VALUE(o)) < INT16_MIN || z > INT16_MAX) {
        mp_raise_ValueError(MP_ERROR_TEXT("z must be in -32768..32767"));
    }
    return (int32_t)z;
}

static mp_obj_t node_op(mp_obj_t zo, mp_obj_t d,
    ui_status_t (*op)(ui_client_t *, int32_t, const ui_node_t *)) {
    ui_client_t *c = client();
    int32_t z = get_z(zo);
    ui_node_t n;
    node_from_dict(d, &n);
    check(op(c, z, &n));
    return mp_const_none;
}

static mp_obj_t m_stack_add(mp_obj_t zo, mp_obj_t d) {
    return node_op(zo, d, ui_client_add);
}
static MP_DEFINE_CONST_FUN_OBJ_2(m_stack_add_obj, m_stack_add);

static mp_obj_t m_stack_replace(mp_obj_t zo, mp_obj_t d) {
    return node_op(zo, d, ui_client_replace);
}
static MP_DEFINE_CONST_FUN_OBJ_2(m_stack_replace_obj, m_stack_replace);

static mp_obj_t m_stack_remove(mp_obj_t zo) {
    ui_client_t *c = client();
    check(ui_client_remove(c, get_z(zo)));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(m_stack_remove_obj, m_stack_remove);

static mp_obj_t m_stack_clear(void) {
    check(ui_client_clear(client()));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(m_stack_clear_obj, m_stack_clear);

static mp_obj_t m_present(void) {
    uint32_t frame;
    check(ui_client_present(client(), &frame));
    return mp_obj_new_int_from_uint(frame);
}
static MP_DEFINE_CONST_FUN_OBJ_0(m_present_obj, m_present);

static mp_obj_t m_sync(void) {
    check(ui_client_sync(client()));
    dispatch();
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(m_sync_obj, m_sync);

// ---- input ----

static mp_obj_t m_notify_input(mp_obj_t d) {
    ui_client_t *c = client();
    ui_event_t e;
    event_from_dict(d, &e);
    check(ui_client_input(c, &e));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(m_notify_input_obj, m_notify_input);

static mp_obj_t m_on_input(mp_obj_t cb) {
    if (cb != mp_const_none && !mp_obj_is_callable(cb)) {
        mp_raise_TypeError(MP_ERROR_TEXT("on_input needs a callable or None"));
    }
    MP_STATE_VM(mp_rlvgl_callback) = cb;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(m_on_input_obj, m_on_input);

// ---- inspection ----

static void store_uint(mp_obj_t d, qstr k, uint32_t v) {
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(k), mp_obj_new_int_from_uint(v));
}

static mp_obj_t m_stats(void) {
    ui_client_t *c = client();
    check(ui_client_sync(c));
    ui_link_header_t *h = c->hdr;
    mp_obj_t d = mp_obj_new_dict(12);
    store_uint(d, MP_QSTR_frames, c->frame);
    store_uint(d, MP_QSTR_ops, c->ops);
    store_uint(d, MP_QSTR_nodes, atomic_load(&h->nodes));
    store_uint(d, MP_QSTR_max_nodes, c->max_nodes);
    store_uint(d, MP_QSTR_ring_capacity, c->cmd.size);
    store_uint(d, MP_QSTR_ring_high_water, c->cmd.high_water);
    store_uint(d, MP_QSTR_producer_waits, c->waits);
    store_uint(d, MP_QSTR_render_us, atomic_load(&h->render_us));
    store_uint(d, MP_QSTR_pixels_drawn, atomic_load(&h->pixels_last));
    store_uint(d, MP_QSTR_errors, atomic_load(&h->errors));
    store_uint(d, MP_QSTR_events, atomic_load(&h->events_sent));
    store_uint(d, MP_QSTR_input_dropped, atomic_load(&h->input_dropped));
    return d;
}
static MP_DEFINE_CONST_FUN_OBJ_0(m_stats_obj, m_stats);

static mp_obj_t m_display(void) {
    ui_client_t *c = client();
    mp_obj_t d = mp_obj_new_dict(4);
    store_uint(d, MP_QSTR_width, c->width);
    store_uint(d, MP_QSTR_height, c->height);
    const char *f = c->format == UI_FMT_RGB565 ? "RGB565" : "ARGB8888";
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_format), mp_obj_new_str(f, strlen(f)));
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_window), mp_obj_new_bool(rlvgl_backend_has_window()));
    return d;
}
static MP_DEFINE_CONST_FUN_OBJ_0(m_display_obj, m_display);

static const ui_fb_t *synced_fb(void) {
    check(ui_client_sync(client()));
    const ui_fb_t *fb = rlvgl_backend_fb();
    if (fb == NULL) {
        mp_raise_OSError(MP_ENODEV);
    }
    return fb;
}

static mp_obj_t m_framebuffer(void) {
    const ui_fb_t *fb = synced_fb();
    return mp_obj_new_bytes(fb->pixels, (size_t)fb->stride * (size_t)fb->height);
}
static MP_DEFINE_CONST_FUN_OBJ_0(m_framebuffer_obj, m_framebuffer);

static mp_obj_t m_snapshot(mp_obj_t path) {
    const char *p = mp_obj_str_get_str(path);
    const ui_fb_t *fb = synced_fb();
    #if MP_RLVGL_BACKEND_SIM
    int err = ui_png_save(p, fb);
    if (err) {
        mp_raise_OSError(err);
    }
    #else
    (void)p;
    (void)fb;
    mp_raise_OSError(MP_EOPNOTSUPP);
    #endif
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(m_snapshot_obj, m_snapshot);

static mp_obj_t m_pause(mp_obj_t flag) {
    client();
    rlvgl_backend_pause(mp_obj_is_true(flag));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(m_pause_obj, m_pause);

static mp_obj_t m_window_event(mp_obj_t d) {
    client();
    ui_event_t e;
    event_from_dict(d, &e);
    int err = rlvgl_backend_window_event(&e);
    if (err) {
        mp_raise_OSError(err);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(m_window_event_obj, m_window_event);

// Run at the first import in each VM (after a soft reset too): whatever the
// root pointers held belongs to a heap that is gone.
static mp_obj_t m___init__(void) {
    forget_state();
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(m___init___obj, m___init__);

static const mp_rom_map_elem_t globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_mp_rlvgl) },
    { MP_ROM_QSTR(MP_QSTR___init__), MP_ROM_PTR(&m___init___obj) },
    { MP_ROM_QSTR(MP_QSTR_init), MP_ROM_PTR(&m_init_obj) },
    { MP_ROM_QSTR(MP_QSTR_deinit), MP_ROM_PTR(&m_deinit_obj) },
    { MP_ROM_QSTR(MP_QSTR_api_version), MP_ROM_PTR(&m_api_version_obj) },
    { MP_ROM_QSTR(MP_QSTR_stack_add), MP_ROM_PTR(&m_stack_add_obj) },
    { MP_ROM_QSTR(MP_QSTR_stack_remove), MP_ROM_PTR(&m_stack_remove_obj) },
    { MP_ROM_QSTR(MP_QSTR_stack_replace), MP_ROM_PTR(&m_stack_replace_obj) },
    { MP_ROM_QSTR(MP_QSTR_stack_clear), MP_ROM_PTR(&m_stack_clear_obj) },
    { MP_ROM_QSTR(MP_QSTR_present), MP_ROM_PTR(&m_present_obj) },
    { MP_ROM_QSTR(MP_QSTR_sync), MP_ROM_PTR(&m_sync_obj) },
    { MP_ROM_QSTR(MP_QSTR_stats), MP_ROM_PTR(&m_stats_obj) },
    { MP_ROM_QSTR(MP_QSTR_notify_input), MP_ROM_PTR(&m_notify_input_obj) },
    { MP_ROM_QSTR(MP_QSTR_on_input), MP_ROM_PTR(&m_on_input_obj) },
    { MP_ROM_QSTR(MP_QSTR_display), MP_ROM_PTR(&m_display_obj) },
    { MP_ROM_QSTR(MP_QSTR_framebuffer), MP_ROM_PTR(&m_framebuffer_obj) },
    { MP_ROM_QSTR(MP_QSTR_snapshot), MP_ROM_PTR(&m_snapshot_obj) },
    { MP_ROM_QSTR(MP_QSTR__pause), MP_ROM_PTR(&m_pause_obj) },
    { MP_ROM_QSTR(MP_QSTR__window_event), MP_ROM_PTR(&m_window_event_obj) },
};
static MP_DEFINE_CONST_DICT(globals, globals_table);

const mp_obj_module_t mp_module_mp_rlvgl = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&globals,
};

MP_REGISTER_MODULE(MP_QSTR_mp_rlvgl, mp_module_mp_rlvgl);
