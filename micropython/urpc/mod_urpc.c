// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The MicroPython module `_urpc`: lib/urpc's frames for the urpc package.
//
//   frame(kind, id, body) -> bytes        header + body + CRC trailer
//   Deframer(max_body=4096)
//       .feed(data) -> [(kind, id, body), ...]   the frames this data completed
//       .need, .buffered, .frames, .dropped, .skipped, .max_body, .clear()
//   crc32(data, crc=0) -> int
//   REQUEST, REPLY, ERROR, OVERHEAD, MAX_BODY

#include <string.h>

#include "py/runtime.h"
#include "urpc.h"

static mp_obj_t urpc_mod_frame(mp_obj_t kind_in, mp_obj_t id_in, mp_obj_t body_in) {
    mp_buffer_info_t body;
    mp_get_buffer_raise(body_in, &body, MP_BUFFER_READ);
    mp_int_t kind = mp_obj_get_int(kind_in);
    mp_int_t id = mp_obj_get_int(id_in);
    uint8_t check[URPC_HEADER_SIZE];   // the arguments are checked before allocating
    if (id < 0 || id > 0xffff || kind < 0
        || urpc_header(check, (unsigned)kind, (uint16_t)id, body.len) != URPC_OK) {
        mp_raise_ValueError(MP_ERROR_TEXT("frame: kind 1..15, id 0..65535, body up to 16 MiB"));
    }
    vstr_t v;
    vstr_init_len(&v, body.len + URPC_OVERHEAD);
    urpc_frame_write((uint8_t *)v.buf, (unsigned)kind, (uint16_t)id, body.buf, body.len);
    return mp_obj_new_bytes_from_vstr(&v);
}
static MP_DEFINE_CONST_FUN_OBJ_3(urpc_mod_frame_obj, urpc_mod_frame);

static mp_obj_t urpc_mod_crc32(size_t n_args, const mp_obj_t *args) {
    mp_buffer_info_t b;
    mp_get_buffer_raise(args[0], &b, MP_BUFFER_READ);
    uint32_t crc = n_args > 1 ? (uint32_t)mp_obj_get_int_truncated(args[1]) : 0;
    return mp_obj_new_int_from_uint(urpc_crc32(crc, b.buf, b.len));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(urpc_mod_crc32_obj, 1, 2, urpc_mod_crc32);

typedef struct _urpc_deframer_obj_t {
    mp_obj_base_t base;
    urpc_deframer_t d;
    uint8_t *buf;          // GC block holding the frames being assembled
} urpc_deframer_obj_t;

static mp_obj_t deframer_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    enum { ARG_max_body };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_max_body, MP_ARG_INT, {.u_int = 4096} },
    };
    mp_arg_val_t vals[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all_kw_array(n_args, n_kw, args, MP_ARRAY_SIZE(allowed_args), allowed_args, vals);
    mp_int_t max_body = vals[ARG_max_body].u_int;
    if (max_body < 16 || (mp_uint_t)max_body > URPC_MAX_BODY) {
        mp_raise_ValueError(MP_ERROR_TEXT("max_body must be 16..16777215"));
    }
    urpc_deframer_obj_t *self = mp_obj_malloc(urpc_deframer_obj_t, type);
    size_t cap = (size_t)max_body + URPC_OVERHEAD;
    self->buf = m_new(uint8_t, cap);
    urpc_deframer_init(&self->d, self->buf, cap, (size_t)max_body);
    return MP_OBJ_FROM_PTR(self);
}

// Take every frame that is complete now.
static void collect_frames(urpc_deframer_obj_t *self, mp_obj_t list) {
    urpc_frame_t f;
    while (urpc_deframer_next(&self->d, &f) == URPC_OK) {
        mp_obj_t t[3] = {
            MP_OBJ_NEW_SMALL_INT(f.kind), MP_OBJ_NEW_SMALL_INT(f.id), mp_obj_new_bytes(f.body, f.len),
        };
        mp_obj_list_append(list, mp_obj_new_tuple(3, t));
    }
}

static mp_obj_t deframer_feed(mp_obj_t self_in, mp_obj_t data_in) {
    urpc_deframer_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_buffer_info_t data;
    mp_get_buffer_raise(data_in, &data, MP_BUFFER_READ);
    mp_obj_t list = mp_obj_new_list(0, NULL);
    const uint8_t *p = data.buf;
    size_t n = data.len;
    for (;;) {
        size_t took = urpc_deframer_feed(&self->d, p, n);
        p += took;
        n -= took;
        collect_frames(self, list);
        if (n == 0) {
            return list;
        }
    }
}
static MP_DEFINE_CONST_FUN_OBJ_2(deframer_feed_obj, deframer_feed);

static mp_obj_t deframer_clear(mp_obj_t self_in) {
    urpc_deframer_obj_t *self = MP_OBJ_TO_PTR(self_in);
    urpc_deframer_clear(&self->d);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(deframer_clear_obj, deframer_clear);

static void deframer_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    urpc_deframer_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL) {
        switch (attr) {
            case MP_QSTR_need:
                dest[0] = mp_obj_new_int_from_uint(urpc_deframer_need(&self->d));
                return;
            case MP_QSTR_buffered:
                dest[0] = mp_obj_new_int_from_uint(urpc_deframer_held(&self->d));
                return;
            case MP_QSTR_frames:
                dest[0] = mp_obj_new_int_from_uint(self->d.frames);
                return;
            case MP_QSTR_dropped:
                dest[0] = mp_obj_new_int_from_uint(self->d.dropped);
                return;
            case MP_QSTR_skipped:
                dest[0] = mp_obj_new_int_from_uint(self->d.skipped);
                return;
            case MP_QSTR_max_body:
                dest[0] = mp_obj_new_int_from_uint(self->d.max_body);
                return;
            default:
                break;
        }
    }
    dest[1] = MP_OBJ_SENTINEL;  // on to the methods
}

static const mp_rom_map_elem_t deframer_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_feed), MP_ROM_PTR(&deframer_feed_obj) },
    { MP_ROM_QSTR(MP_QSTR_clear), MP_ROM_PTR(&deframer_clear_obj) },
};
static MP_DEFINE_CONST_DICT(deframer_locals_dict, deframer_locals_dict_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    urpc_type_Deframer, MP_QSTR_Deframer, MP_TYPE_FLAG_NONE,
    make_new, deframer_make_new,
    attr, deframer_attr,
    locals_dict, &deframer_locals_dict
    );

static const mp_rom_map_elem_t urpc_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__urpc) },
    { MP_ROM_QSTR(MP_QSTR_frame), MP_ROM_PTR(&urpc_mod_frame_obj) },
    { MP_ROM_QSTR(MP_QSTR_crc32), MP_ROM_PTR(&urpc_mod_crc32_obj) },
    { MP_ROM_QSTR(MP_QSTR_Deframer), MP_ROM_PTR(&urpc_type_Deframer) },
    { MP_ROM_QSTR(MP_QSTR_REQUEST), MP_ROM_INT(URPC_REQUEST) },
    { MP_ROM_QSTR(MP_QSTR_REPLY), MP_ROM_INT(URPC_REPLY) },
    { MP_ROM_QSTR(MP_QSTR_ERROR), MP_ROM_INT(URPC_ERROR) },
    { MP_ROM_QSTR(MP_QSTR_OVERHEAD), MP_ROM_INT(URPC_OVERHEAD) },
    { MP_ROM_QSTR(MP_QSTR_MAX_BODY), MP_ROM_INT(URPC_MAX_BODY) },
};
static MP_DEFINE_CONST_DICT(urpc_module_globals, urpc_module_globals_table);

const mp_obj_module_t urpc_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&urpc_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR__urpc, urpc_user_cmodule);
