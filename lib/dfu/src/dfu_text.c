// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The library's own snprintf, so that the parsers and the protocol build
// without <stdio.h> (on a Cortex-M, newlib's vfprintf is kilobytes, uses
// the reentrancy struct and may allocate). It does what the messages need:
// %d %i %u %x %X %c %s %p %%, the flags '-' and '0', a width and a precision
// (digits or '*'), and the lengths hh h l ll z j t. There is no floating
// point; an unknown conversion ends the output with '?', because the size of
// its argument cannot be known.
#include "dfu_internal.h"

#include <stdint.h>

typedef struct {
    char *out;
    size_t size;
    size_t len;  // what the whole text needs, as snprintf returns
} sink;

static void put(sink *k, char c) {
    if (k->len + 1 < k->size) {
        k->out[k->len] = c;
    }
    k->len++;
}

static void put_padding(sink *k, char c, size_t n) {
    while (n-- > 0) {
        put(k, c);
    }
}

// One converted field: sign or prefix, then zeros or spaces up to the width.
static void put_field(sink *k, const char *prefix, const char *body, size_t body_len, size_t width,
    bool left, bool zero) {
    size_t prefix_len = 0;
    while (prefix[prefix_len]) {
        prefix_len++;
    }
    size_t fill = width > prefix_len + body_len ? width - prefix_len - body_len : 0;
    if (!left && !zero) {
        put_padding(k, ' ', fill);
    }
    for (size_t i = 0; i < prefix_len; i++) {
        put(k, prefix[i]);
    }
    if (!left && zero) {
        put_padding(k, '0', fill);
    }
    for (size_t i = 0; i < body_len; i++) {
        put(k, body[i]);
    }
    if (left) {
        put_padding(k, ' ', fill);
    }
}

enum { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX, LEN_PTRDIFF };

static uintmax_t take_unsigned(va_list *ap, int length) {
    switch (length) {
        case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned);
        case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned);
        case LEN_LONG: return va_arg(*ap, unsigned long);
        case LEN_LLONG: return va_arg(*ap, unsigned long long);
        case LEN_SIZE: return va_arg(*ap, size_t);
        case LEN_MAX: return va_arg(*ap, uintmax_t);
        case LEN_PTRDIFF: return (uintmax_t)va_arg(*ap, ptrdiff_t);
        default: return va_arg(*ap, unsigned);
    }
}

static intmax_t take_signed(va_list *ap, int length) {
    switch (length) {
        case LEN_CHAR: return (signed char)va_arg(*ap, int);
        case LEN_SHORT: return (short)va_arg(*ap, int);
        case LEN_LONG: return va_arg(*ap, long);
        case LEN_LLONG: return va_arg(*ap, long long);
        case LEN_SIZE: return (intmax_t)va_arg(*ap, size_t);
        case LEN_MAX: return va_arg(*ap, intmax_t);
        case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
        default: return va_arg(*ap, int);
    }
}

static size_t read_count(const char **p, va_list *ap, bool *given, bool *negative) {
    *given = false;
    *negative = false;
    if (**p == '*') {
        (*p)++;
        *given = true;
        int v = va_arg(*ap, int);
        *negative = v < 0;
        return v < 0 ? (size_t)-(long long)v : (size_t)v;
    }
    size_t n = 0;
    while (**p >= '0' && **p <= '9') {
        *given = true;
        if (n < 4096) {  // a width past a few kilobytes only fills the buffer
            n = n * 10 + (size_t)(**p - '0');
        }
        (*p)++;
    }
    return n;
}

size_t dfu_vfmt(char *out, size_t size, const char *fmt, va_list ap_in) {
    sink k = {out, size, 0};
    va_list ap;
    va_copy(ap, ap_in);
    for (const char *p = fmt; *p;) {
        if (*p != '%') {
            put(&k, *p++);
            continue;
        }
        p++;
        bool left = false, zero = false;
        for (;; p++) {
            if (*p == '-') {
                left = true;
            } else if (*p == '0') {
                zero = true;
            } else if (*p != ' ' && *p != '+' && *p != '#') {
                break;  // (' ', '+', '#' are accepted and ignored: no message uses them)
            }
        }
        bool given, negative;
        size_t width = read_count(&p, &ap, &given, &negative);
        left = left || negative;
        bool has_precision = false;
        size_t precision = 0;
        if (*p == '.') {
            p++;
            precision = read_count(&p, &ap, &has_precision, &negative);
            has_precision = !negative;  // a negative '*' precision counts as none
        }
        int length = LEN_INT;
        if (*p == 'h') {
            length = *++p == 'h' ? (p++, LEN_CHAR) : LEN_SHORT;
        } else if (*p == 'l') {
            length = *++p == 'l' ? (p++, LEN_LLONG) : LEN_LONG;
        } else if (*p == 'z' || *p == 'j' || *p == 't') {
            length = *p == 'z' ? LEN_SIZE : *p == 'j' ? LEN_MAX : LEN_PTRDIFF;
            p++;
        }
        char digits[24];  // 2^64 in decimal has 20 digits
        size_t n = sizeof(digits);
        const char *prefix = "";
        char conv = *p;
        switch (conv) {
            case '%': put(&k, '%'); break;
            case 'c': {
                char c = (char)va_arg(ap, int);
                put_field(&k, "", &c, 1, width, left, false);
                break;
            }
            case 's': {
                const char *s = va_arg(ap, const char *);
                if (s == NULL) {
                    s = "(null)";
                }
                size_t len = 0;
                while (s[len] && (!has_precision || len < precision)) {
                    len++;
                }
                put_field(&k, "", s, len, width, left, false);
                break;
            }
            case 'd':
            case 'i':
            case 'u':
            case 'x':
            case 'X':
            case 'p': {
                uintmax_t v;
                unsigned base = conv == 'x' || conv == 'X' || conv == 'p' ? 16u : 10u;
                if (conv == 'p') {
                    v = (uintptr_t)va_arg(ap, void *);
                    prefix = "0x";
                } else if (conv == 'd' || conv == 'i') {
                    intmax_t sv = take_signed(&ap, length);
                    v = sv < 0 ? (uintmax_t)0 - (uintmax_t)sv : (uintmax_t)sv;
                    prefix = sv < 0 ? "-" : "";
                } else {
                    v = take_unsigned(&ap, length);
                }
                const char *set = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
                do {
                    digits[--n] = set[v % base];
                    v /= base;
                } while (v != 0 && n > 0);
                if (has_precision && precision == 0 && digits[n] == '0' && n == sizeof(digits) - 1) {
                    n = sizeof(digits);  // "%.0u" of 0 prints nothing
                }
                while (has_precision && sizeof(digits) - n < precision && n > 0) {
                    digits[--n] = '0';
                }
                put_field(&k, prefix, digits + n, sizeof(digits) - n, width, left, zero && !has_precision);
                break;
            }
            default:
                // Unknown (or the format ends after '%'): the argument list
                // cannot be followed past this point.
                put(&k, '?');
                conv = '\0';
                break;
        }
        if (conv == '\0') {
            break;
        }
        p++;
    }
    va_end(ap);
    if (size > 0) {
        out[k.len < size ? k.len : size - 1] = '\0';
    }
    return k.len;
}

size_t dfu_fmt(char *out, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = dfu_vfmt(out, size, fmt, ap);
    va_end(ap);
    return n;
}
