// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The MicroPython module `ioctl`: a stream's C-level ioctl, from Python.
//
//   ioctl(stream, request, arg=0) -> int
//
// Only requests whose argument is an integer pass: POLL (arg: POLLIN |
// POLLOUT | ..., returns the flags that are ready), TIMEOUT, FLUSH, CLOSE,
// GET_FILENO, GET_BUFFER_SIZE. Requests whose argument is a pointer (SEEK,
// the option requests, ...) are refused with ValueError: passed an integer
// from Python, a driver would read or write whatever address it names.
// A failing request raises OSError with the stream's errno.
//
// Works with built-in streams (sockets, UART, files) and with io.IOBase
// subclasses, whose ioctl(request, arg) method answers (a value, or -errno).

#include "py/mperrno.h"
#include "py/objtype.h"
#include "py/runtime.h"
#include "py/stream.h"

static bool integer_request(mp_int_t request) {
    switch (request) {
        case MP_STREAM_FLUSH:
        case MP_STREAM_POLL:
        case MP_STREAM_CLOSE:
        case MP_STREAM_TIMEOUT:
        case MP_STREAM_GET_FILENO:
        case MP_STREAM_GET_BUFFER_SIZE:
            return true;
        default:
            return false;
    }
}

static mp_obj_t ioctl_ioctl(size_t n_args, const mp_obj_t *args) {
    mp_obj_t stream = args[0];
    mp_int_t request = mp_obj_get_int(args[1]);
    mp_int_t arg = n_args > 2 ? mp_obj_get_int(args[2]) : 0;
    if (!integer_request(request)) {
        mp_raise_msg_varg(&mp_type_ValueError,
            MP_ERROR_TEXT("ioctl request %d is refused: it takes a pointer or is unknown"), (int)request);
    }
    const mp_obj_type_t *type = mp_obj_get_type(stream);
    if (!MP_OBJ_TYPE_HAS_SLOT(type, protocol)) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("'%s' object is not a stream"),
            mp_obj_get_type_str(stream));
    }
    const mp_stream_p_t *p = MP_OBJ_TYPE_GET_SLOT(type, protocol);
    if (p->ioctl == NULL) {
        mp_raise_OSError(MP_EOPNOTSUPP);
    }
    if (mp_obj_is_instance_type(type)) {
        // An io.IOBase subclass answers through its ioctl() method; without
        // one it has no ioctl (rather than an AttributeError from inside).
        mp_obj_t dest[2];
        mp_load_method_maybe(stream, MP_QSTR_ioctl, dest);
        if (dest[0] == MP_OBJ_NULL) {
            mp_raise_OSError(MP_EOPNOTSUPP);
        }
    }
    int errcode = 0;  // a driver may fail without setting it
    mp_uint_t ret = p->ioctl(stream, (mp_uint_t)request, (uintptr_t)arg, &errcode);
    if (ret == MP_STREAM_ERROR) {
        mp_raise_OSError(errcode != 0 ? errcode : MP_EIO);
    }
    return mp_obj_new_int_from_uint(ret);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(ioctl_ioctl_obj, 2, 3, ioctl_ioctl);

static const mp_rom_map_elem_t ioctl_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_ioctl) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&ioctl_ioctl_obj) },
    { MP_ROM_QSTR(MP_QSTR_FLUSH), MP_ROM_INT(MP_STREAM_FLUSH) },
    { MP_ROM_QSTR(MP_QSTR_POLL), MP_ROM_INT(MP_STREAM_POLL) },
    { MP_ROM_QSTR(MP_QSTR_CLOSE), MP_ROM_INT(MP_STREAM_CLOSE) },
    { MP_ROM_QSTR(MP_QSTR_TIMEOUT), MP_ROM_INT(MP_STREAM_TIMEOUT) },
    { MP_ROM_QSTR(MP_QSTR_GET_FILENO), MP_ROM_INT(MP_STREAM_GET_FILENO) },
    { MP_ROM_QSTR(MP_QSTR_GET_BUFFER_SIZE), MP_ROM_INT(MP_STREAM_GET_BUFFER_SIZE) },
    { MP_ROM_QSTR(MP_QSTR_POLLIN), MP_ROM_INT(MP_STREAM_POLL_RD) },
    { MP_ROM_QSTR(MP_QSTR_POLLOUT), MP_ROM_INT(MP_STREAM_POLL_WR) },
    { MP_ROM_QSTR(MP_QSTR_POLLERR), MP_ROM_INT(MP_STREAM_POLL_ERR) },
    { MP_ROM_QSTR(MP_QSTR_POLLHUP), MP_ROM_INT(MP_STREAM_POLL_HUP) },
    { MP_ROM_QSTR(MP_QSTR_POLLNVAL), MP_ROM_INT(MP_STREAM_POLL_NVAL) },
};
static MP_DEFINE_CONST_DICT(ioctl_module_globals, ioctl_module_globals_table);

const mp_obj_module_t ioctl_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&ioctl_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_ioctl, ioctl_user_cmodule);
