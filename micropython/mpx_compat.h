// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Where MicroPython's C API differs between the versions the mpx modules
// support (the latest three releases and master: 1.26, 1.27, 1.28, 1.29
// preview), one helper per difference, chosen by MICROPY_VERSION. Nothing
// here copies MicroPython code; each helper calls what that version has.

#ifndef MPX_COMPAT_H
#define MPX_COMPAT_H

#include "py/mpconfig.h"
#include "py/obj.h"
#include "py/objint.h"

#ifndef MICROPY_MAKE_VERSION
#define MICROPY_MAKE_VERSION(major, minor, patch) ((major) << 16 | (minor) << 8 | (patch))
#endif

// A native module (.mpy) reaches no int internals: msgpack/natmod/natmod.h
// has its own mpx_bigint_to_le64.
#if MICROPY_LONGINT_IMPL != MICROPY_LONGINT_IMPL_NONE && !MICROPY_ENABLE_DYNRUNTIME

// The 8 little-endian bytes of a big int `o` (exact int type, not a small
// int) as an int64 (is_signed) or a uint64. False when it does not fit.
//
// 1.29 (master since June 2026) replaced mp_obj_int_to_bytes_impl (returns
// whether it fitted) by mp_obj_int_to_bytes (raises OverflowError). The
// master path catches that in a function of its own (never inlined, so no
// caller's register-held locals live across the non-local return).
#if MICROPY_VERSION >= MICROPY_MAKE_VERSION(1, 29, 0)
#include "py/nlr.h"
MP_NOINLINE __attribute__((unused)) static bool mpx_bigint_to_le64(mp_obj_t o, bool is_signed, byte buf[8]) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) != 0) {
        return false;
    }
    mp_obj_int_to_bytes(o, 8, buf, false, is_signed, true);
    nlr_pop();
    return true;
}
#else
static inline bool mpx_bigint_to_le64(mp_obj_t o, bool is_signed, byte buf[8]) {
    bool negative = mp_obj_int_sign(o) < 0;
    if (negative && !is_signed) {
        return false;
    }
    // Writes two's complement for a negative value, plain bytes otherwise:
    // up to 2^64 - 1 fits, so a signed result also needs the top bit clear.
    if (!mp_obj_int_to_bytes_impl(o, false, 8, buf)) {
        return false;
    }
    return !(is_signed && !negative && (buf[7] & 0x80));
}
#endif

#endif // MICROPY_LONGINT_IMPL != MICROPY_LONGINT_IMPL_NONE && !MICROPY_ENABLE_DYNRUNTIME

#endif // MPX_COMPAT_H
