// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// What mpx-dfu's two command lines parse alike: numbers, USB ids, the
// options they share, usage errors, and the simulated device's choice.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpx_dfu.h"

void options_init(options *o) {
    memset(o, 0, sizeof(*o));
    o->alt = -1;
    dfu_flash_options_init(&o->flash);  // page erase, verify, leave, incrementing blocks
    o->flash.check_ids = true;
    o->pad = 8;
    o->detach_wait_ms = 10000;
}

void usage(void) {
    fputs(native_usage_text, stdout);
    fputs(dfu_util_usage_text, stdout);
}

int usage_error(const options *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mpx-dfu: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'mpx-dfu --help'.\n");
    va_end(ap);
    return o->dfu_util ? EX_USAGE : EXIT_USAGE;
}

bool parse_u32(const char *s, uint32_t *out) {
    if (s == NULL || *s == '\0' || *s == '-') {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    unsigned long long scale = 1;
    if (*end == 'K' || *end == 'k') {
        scale = 1024;
        end++;
    } else if (*end == 'M') {
        scale = 1024 * 1024;
        end++;
    }
    if (errno || *end != '\0' || v * scale > 0xFFFFFFFFull || (scale > 1 && v > 0xFFFFFFFFull / scale)) {
        return false;
    }
    *out = (uint32_t)(v * scale);
    return true;
}

// One hexadecimal id of at most 4 digits, with or without 0x (MicroPython's
// Makefile passes -d 0x0483:0xDF11).
static bool parse_hex16(const char *s, size_t n, uint16_t *out) {
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        n -= 2;
    }
    if (n == 0 || n > 4) {
        return false;
    }
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
        if (d > 15) {
            return false;
        }
        v = v * 16 + d;
    }
    *out = (uint16_t)v;
    return true;
}

// "VID:PID"
static bool parse_id(const char *s, uint16_t *vid, uint16_t *pid) {
    const char *colon = strchr(s, ':');
    return colon && parse_hex16(s, (size_t)(colon - s), vid) && parse_hex16(colon + 1, strlen(colon + 1), pid);
}

bool parse_device(const char *s, dfu_usb_filter *f) {
    char first[16];
    const char *comma = strchr(s, ',');
    size_t n = comma ? (size_t)(comma - s) : strlen(s);
    if (n >= sizeof(first)) {
        return false;
    }
    memcpy(first, s, n);
    first[n] = '\0';
    if (n && !parse_id(first, &f->vid, &f->pid)) {
        return false;
    }
    f->has_id = n != 0;
    if (comma) {
        // dfu-util's "VID:PID,:PID": a missing DFU-mode part is the run-time one.
        const char *d = comma + 1, *colon = strchr(d, ':');
        if (colon == NULL || (!f->has_id && (colon == d || colon[1] == '\0'))) {
            return false;
        }
        f->dfu_vid = f->vid;
        f->dfu_pid = f->pid;
        if ((colon != d && !parse_hex16(d, (size_t)(colon - d), &f->dfu_vid)) ||
            (colon[1] != '\0' && !parse_hex16(colon + 1, strlen(colon + 1), &f->dfu_pid))) {
            return false;
        }
        f->has_dfu_id = true;
    }
    return f->has_id || f->has_dfu_id;
}

// A layout given to --sim or MPX_DFU_SIM: a DfuSe layout string ('@...');
// anything else ("1", "yes") asks for the STM32F4.
static void choose_sim(options *o, const char *arg) {
    o->sim.on = true;
    o->sim.layout = arg && arg[0] == '@' ? arg : NULL;
}

void sim_from_environment(options *o) {
    const char *v = getenv("MPX_DFU_SIM");
    if (v && *v && strcmp(v, "0") != 0) {
        choose_sim(o, v);
    }
    const char *image = getenv("MPX_DFU_SIM_IMAGE"), *stats = getenv("MPX_DFU_SIM_STATS");
    o->sim.image = image && *image ? image : NULL;
    o->sim.stats = stats && *stats ? stats : NULL;
}

int common_option(options *o, int c, const char *arg) {
    uint32_t v;
    switch (c) {
        case 'd':
            if (!parse_device(arg, &o->filter)) {
                return usage_error(o, "bad device '%s' (VID:PID or VID:PID,VID:PID in hex%s)", arg,
                    o->dfu_util ? "; dfu-util's wildcards * and - are not taken" : "");
            }
            return EXIT_OK;
        case 'p': o->filter.path = arg; return EXIT_OK;
        case 't':
            if (!parse_u32(arg, &v) || v < 8 || v > 4096) {
                return usage_error(o, "bad transfer size '%s' (8..4096)", arg);
            }
            o->transfer_size = (uint16_t)v;
            return EXIT_OK;
        case OPT_NO_VERIFY: o->flash.verify = false; return EXIT_OK;
        case OPT_JUMP:
            if (!parse_u32(arg, &o->flash.leave_address)) {
                return usage_error(o, "bad jump address '%s'", arg);
            }
            o->flash.has_leave_address = true;
            return EXIT_OK;
        case OPT_OPTION_BYTES: o->flash.allow_option_bytes = true; return EXIT_OK;
        case OPT_RDP2: o->flash.allow_rdp_level2 = true; return EXIT_OK;
        case OPT_PER_CHUNK: o->flash.incrementing_blocks = false; return EXIT_OK;
        case OPT_NO_CHECK_ID: o->flash.check_ids = false; return EXIT_OK;
        case OPT_FORMAT:
            if (dfu_format_from_string(arg, &o->format, NULL) != DFU_OK) {
                return usage_error(o, "bad format '%s' (dfu, hex, elf or bin)", arg);
            }
            return EXIT_OK;
        case OPT_TIMEOUT:
            if (!parse_u32(arg, &v) || v < 10 || v > 3600000) {
                return usage_error(o, "bad timeout '%s' (10..3600000 ms)", arg);
            }
            o->timeout_ms = v;
            return EXIT_OK;
        case OPT_SIM:
            if (arg && arg[0] != '@') {
                return usage_error(o, "bad --sim=%s: a DfuSe layout string (\"@Internal Flash /0x08000000/04*016Kg\"), "
                                      "or --sim alone for an STM32F4", arg);
            }
            choose_sim(o, arg);
            return EXIT_OK;
        case 'j': o->json = true; return EXIT_OK;
        case 'v': o->verbose++; return EXIT_OK;
        case 'q': o->quiet = true; return EXIT_OK;
        default: return -1;
    }
}
