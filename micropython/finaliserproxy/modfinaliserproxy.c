// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The MicroPython module `finaliserproxy`.
//
//   FinaliserProxy(callback)   native base class: when an instance of a
//                              subclass is garbage, the collector calls
//                              callback() once, and never again.
//   Queue(size)                small integers handed from finalisers to
//                              normal code without allocating.
//
// MicroPython runs __del__ only for objects allocated with the finaliser
// flag, which instances of Python classes never are. A Python subclass of
// FinaliserProxy gets a native sub-object when it calls
// super().__init__(callback); that sub-object is allocated with the flag, so
// when the instance (and with it the sub-object) becomes unreachable the
// collector runs the sub-object's __del__, which calls the callback.
//
// What a callback may do: it runs inside gc.collect() (or an allocation that
// triggered a collection) with the heap locked and the scheduler locked. It
// must not allocate (no new objects, no string formatting, no list.append
// past capacity): that raises MemoryError. It may read attributes, do small
// int arithmetic, store into preallocated lists and bytearrays, put() into a
// Queue, and print existing strings. Exceptions it raises are printed by the
// collector and otherwise ignored; the collection carries on. Work that
// needs to allocate belongs in normal code that drains a Queue.
//
// "Once": the sub-object records that it was finalised. An explicit
// obj.__del__() counts: if the subclass defines __del__ (the usual pattern,
// `super().__init__(self.__del__)`), that method is wrapped in a guard the
// first time an instance is made, so that an explicit call marks the object
// as finalised and the collector does not call the callback afterwards.

#include <string.h>

#include "py/gc.h"
#include "py/mphal.h"
#include "py/objtype.h"
#include "py/runtime.h"

// A callback reads its object's attributes: objects that die in the same
// collection. That is safe only when a sweep runs every finaliser before it
// frees any block, which MicroPython does since 1.25.0 (gc.c's
// gc_sweep_run_finalisers, micropython/micropython#16015). Before, a block
// earlier in the heap was freed before a later block's finaliser ran.
#if !defined(MICROPY_MAKE_VERSION) || MICROPY_VERSION < MICROPY_MAKE_VERSION(1, 25, 0)
#error "finaliserproxy needs MicroPython 1.25.0 or newer (finalisers before frees in a sweep)"
#endif

// ---------------------------------------------------------------------------
// FinaliserProxy

typedef enum {
    FP_ARMED = 0,    // not finalised yet
    FP_RUNNING,      // the collector (or the native __del__) is calling the callback
    FP_DONE,         // finalised: never again
} fp_state_t;

typedef struct _fp_obj_t {
    mp_obj_base_t base;
    mp_obj_t callback;
    uint8_t state;
} fp_obj_t;

extern const mp_obj_type_t finaliserproxy_type_FinaliserProxy;
static const mp_obj_type_t fp_type_guard;

// The guard that replaces a subclass's __del__ (see guard_call).
typedef struct _fp_guard_obj_t {
    mp_obj_base_t base;
    mp_obj_t fun;     // the subclass's own __del__
} fp_guard_obj_t;

// MicroPython keeps the layout of bound methods private, but it is built
// with the public mp_obj_new_bound_meth(): this view is checked against it
// once, and the __del__ guard is only installed if the check holds.
typedef struct _bound_meth_view_t {
    mp_obj_base_t base;
    mp_obj_t meth;
    mp_obj_t self;
} bound_meth_view_t;

static bool bound_meth_parts(mp_obj_t o, mp_obj_t *meth, mp_obj_t *self) {
    static int8_t layout_ok = -1;
    if (!mp_obj_is_type(o, &mp_type_bound_meth)) {
        return false;
    }
    if (layout_ok < 0) {
        bound_meth_view_t *probe = MP_OBJ_TO_PTR(
            mp_obj_new_bound_meth(MP_OBJ_NEW_SMALL_INT(11), MP_OBJ_NEW_SMALL_INT(22)));
        layout_ok = probe->meth == MP_OBJ_NEW_SMALL_INT(11) && probe->self == MP_OBJ_NEW_SMALL_INT(22);
    }
    if (!layout_ok) {
        return false;
    }
    const bound_meth_view_t *b = MP_OBJ_TO_PTR(o);
    *meth = b->meth;
    *self = b->self;
    return true;
}

// The FinaliserProxy sub-object of an instance of a subclass, or NULL.
static fp_obj_t *proxy_of(mp_obj_t instance) {
    if (!mp_obj_is_obj(instance) || !mp_obj_is_instance_type(mp_obj_get_type(instance))) {
        return NULL;
    }
    mp_obj_t sub = ((mp_obj_instance_t *)MP_OBJ_TO_PTR(instance))->subobj[0];
    if (mp_obj_is_obj(sub) && mp_obj_is_type(sub, &finaliserproxy_type_FinaliserProxy)) {
        return MP_OBJ_TO_PTR(sub);
    }
    return NULL;
}

// If `callback` is a subclass's own __del__ bound to the instance, put a
// guard around that __del__ in the class that defines it (once per class).
static void guard_subclass_del(mp_obj_t callback) {
    mp_obj_t meth, self;
    if (!bound_meth_parts(callback, &meth, &self) || !mp_obj_is_obj(self)) {
        return;
    }
    const mp_obj_type_t *type = mp_obj_get_type(self);
    while (type != NULL && mp_obj_is_instance_type(type)) {
        if (MP_OBJ_TYPE_HAS_SLOT(type, locals_dict)) {
            mp_map_t *map = &MP_OBJ_TYPE_GET_SLOT(type, locals_dict)->map;
            mp_map_elem_t *e = mp_map_lookup(map, MP_OBJ_NEW_QSTR(MP_QSTR___del__), MP_MAP_LOOKUP);
            if (e != NULL) {
                if (!mp_obj_is_type(e->value, &fp_type_guard) && !map->is_fixed) {
                    fp_guard_obj_t *guard = mp_obj_malloc(fp_guard_obj_t, &fp_type_guard);
                    guard->fun = e->value;
                    e->value = MP_OBJ_FROM_PTR(guard);
                }
                return;
            }
        }
        if (!MP_OBJ_TYPE_HAS_SLOT(type, parent)) {
            return;
        }
        const mp_obj_base_t *parent = MP_OBJ_TYPE_GET_SLOT(type, parent);
        if (parent->type != &mp_type_type) {
            return;  // several bases: leave it
        }
        type = (const mp_obj_type_t *)parent;
    }
}

static mp_obj_t fp_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    if (!mp_obj_is_callable(args[0])) {
        mp_raise_TypeError(MP_ERROR_TEXT("callback must be callable"));
    }
    guard_subclass_del(args[0]);
    fp_obj_t *self = mp_obj_malloc_with_finaliser(fp_obj_t, type);
    self->callback = args[0];
    self->state = FP_ARMED;
    return MP_OBJ_FROM_PTR(self);
}

// Call the callback once; the state is DONE afterwards even if it raised.
static void fp_finalise(fp_obj_t *self) {
    if (self->state != FP_ARMED) {
        return;
    }
    self->state = FP_RUNNING;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        // Not mp_call_function_0: with a NULL argument array, calling a bound
        // method memcpy()s from NULL (size 0) in py/objboundmeth.c, which
        // UBSan rejects. An empty array at a real address avoids that.
        mp_obj_t no_args[1] = { MP_OBJ_NULL };
        mp_call_function_n_kw(self->callback, 0, 0, no_args);
        nlr_pop();
        self->state = FP_DONE;
    } else {
        self->state = FP_DONE;
        nlr_jump(nlr.ret_val);
    }
}

// __del__ of the native sub-object: what the collector calls, and what an
// explicit obj.__del__() reaches when the subclass does not define one.
static mp_obj_t fp_del(mp_obj_t self_in) {
    fp_finalise(MP_OBJ_TO_PTR(self_in));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(fp_del_obj, fp_del);

static mp_obj_t fp_finalised(mp_obj_t self_in) {
    fp_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return mp_obj_new_bool(self->state == FP_DONE);
}
static MP_DEFINE_CONST_FUN_OBJ_1(fp_finalised_obj, fp_finalised);

static const mp_rom_map_elem_t fp_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&fp_del_obj) },
    { MP_ROM_QSTR(MP_QSTR_finalised), MP_ROM_PTR(&fp_finalised_obj) },
};
static MP_DEFINE_CONST_DICT(fp_locals_dict, fp_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    finaliserproxy_type_FinaliserProxy, MP_QSTR_FinaliserProxy, MP_TYPE_FLAG_NONE,
    make_new, fp_make_new,
    locals_dict, &fp_locals_dict
    );

// The guard around a subclass's __del__: binds self like a function. Called
// explicitly, it finalises the object (so the collector will not); called by
// the collector through the callback, it runs the method.
static mp_obj_t guard_call(mp_obj_t self_in, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    fp_guard_obj_t *guard = MP_OBJ_TO_PTR(self_in);
    mp_obj_t fun = guard->fun;
    fp_obj_t *fp = n_args >= 1 ? proxy_of(args[0]) : NULL;
    if (fp == NULL || fp->state == FP_RUNNING) {
        return mp_call_function_n_kw(fun, n_args, n_kw, args);
    }
    if (fp->state == FP_DONE) {
        return mp_const_none;  // finalised already: never a second time
    }
    fp->state = FP_DONE;
    return mp_call_function_n_kw(fun, n_args, n_kw, args);
}

static MP_DEFINE_CONST_OBJ_TYPE(
    fp_type_guard, MP_QSTR_function, MP_TYPE_FLAG_BINDS_SELF,
    call, guard_call
    );

// ---------------------------------------------------------------------------
// Queue(size): a fixed ring of small ints. put() never allocates, so it is
// safe in a finaliser (and in a hard interrupt handler); a full queue counts
// the overflow instead of growing.

typedef struct _fp_queue_obj_t {
    mp_obj_base_t base;
    size_t size;
    size_t head;      // next to get
    size_t count;
    mp_uint_t overflow;
    mp_int_t items[];
} fp_queue_obj_t;

static mp_obj_t queue_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    mp_int_t size = mp_obj_get_int(args[0]);
    if (size < 1) {
        mp_raise_ValueError(MP_ERROR_TEXT("size must be at least 1"));
    }
    fp_queue_obj_t *self = mp_obj_malloc_var(fp_queue_obj_t, items, mp_int_t, (size_t)size, type);
    self->size = (size_t)size;
    self->head = 0;
    self->count = 0;
    self->overflow = 0;
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t queue_put(mp_obj_t self_in, mp_obj_t value) {
    fp_queue_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (!mp_obj_is_small_int(value)) {
        mp_raise_TypeError(MP_ERROR_TEXT("Queue holds small ints"));
    }
    bool stored = false;
    mp_uint_t atomic = MICROPY_BEGIN_ATOMIC_SECTION();
    if (self->count < self->size) {
        self->items[(self->head + self->count) % self->size] = MP_OBJ_SMALL_INT_VALUE(value);
        self->count++;
        stored = true;
    } else {
        self->overflow++;
    }
    MICROPY_END_ATOMIC_SECTION(atomic);
    return mp_obj_new_bool(stored);
}
static MP_DEFINE_CONST_FUN_OBJ_2(queue_put_obj, queue_put);

// The oldest value, or MP_OBJ_NULL if empty.
static mp_obj_t queue_take(fp_queue_obj_t *self) {
    mp_obj_t out = MP_OBJ_NULL;
    mp_uint_t atomic = MICROPY_BEGIN_ATOMIC_SECTION();
    if (self->count > 0) {
        out = MP_OBJ_NEW_SMALL_INT(self->items[self->head]);
        self->head = (self->head + 1) % self->size;
        self->count--;
    }
    MICROPY_END_ATOMIC_SECTION(atomic);
    return out;
}

static mp_obj_t queue_get(mp_obj_t self_in) {
    mp_obj_t v = queue_take(MP_OBJ_TO_PTR(self_in));
    if (v == MP_OBJ_NULL) {
        mp_raise_msg(&mp_type_IndexError, MP_ERROR_TEXT("Queue is empty"));
    }
    return v;
}
static MP_DEFINE_CONST_FUN_OBJ_1(queue_get_obj, queue_get);

// Iterating drains the queue.
static mp_obj_t queue_iternext(mp_obj_t self_in) {
    mp_obj_t v = queue_take(MP_OBJ_TO_PTR(self_in));
    return v == MP_OBJ_NULL ? MP_OBJ_STOP_ITERATION : v;
}

static mp_obj_t queue_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    fp_queue_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (op) {
        case MP_UNARY_OP_LEN:
            return MP_OBJ_NEW_SMALL_INT(self->count);
        case MP_UNARY_OP_BOOL:
            return mp_obj_new_bool(self->count != 0);
        default:
            return MP_OBJ_NULL;
    }
}

static void queue_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    fp_queue_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL) {
        if (attr == MP_QSTR_overflow) {
            dest[0] = mp_obj_new_int_from_uint(self->overflow);
            return;
        }
        if (attr == MP_QSTR_size) {
            dest[0] = MP_OBJ_NEW_SMALL_INT(self->size);
            return;
        }
    }
    dest[1] = MP_OBJ_SENTINEL;  // on to the methods
}

static const mp_rom_map_elem_t queue_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_put), MP_ROM_PTR(&queue_put_obj) },
    { MP_ROM_QSTR(MP_QSTR_get), MP_ROM_PTR(&queue_get_obj) },
};
static MP_DEFINE_CONST_DICT(queue_locals_dict, queue_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    finaliserproxy_type_Queue, MP_QSTR_Queue, MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    make_new, queue_make_new,
    unary_op, queue_unary_op,
    attr, queue_attr,
    iter, queue_iternext,
    locals_dict, &queue_locals_dict
    );

// ---------------------------------------------------------------------------

static const mp_rom_map_elem_t finaliserproxy_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_finaliserproxy) },
    { MP_ROM_QSTR(MP_QSTR_FinaliserProxy), MP_ROM_PTR(&finaliserproxy_type_FinaliserProxy) },
    { MP_ROM_QSTR(MP_QSTR_Queue), MP_ROM_PTR(&finaliserproxy_type_Queue) },
};
static MP_DEFINE_CONST_DICT(finaliserproxy_module_globals, finaliserproxy_module_globals_table);

const mp_obj_module_t finaliserproxy_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&finaliserproxy_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_finaliserproxy, finaliserproxy_user_cmodule);
