// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// mpx-dfu: flash STM32 boards over USB DFU (see mpx-dfu(1), docs/mpx-dfu.1).
// This file parses options, runs one command through libmpxdfu, prints, and
// picks the exit code. All protocol work is in lib/dfu.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dfu.h"
#include "dfu_usb.h"
#include "report.h"

#ifndef MPX_VERSION
#define MPX_VERSION "0.1.0"
#endif

// Exit codes (mpx-dfu(1), EXIT STATUS).
enum {
    EXIT_OK = 0,
    EXIT_OTHER = 1,
    EXIT_USAGE = 2,
    EXIT_FILE = 3,
    EXIT_NO_DEVICE = 4,
    EXIT_USB = 5,
    EXIT_DEVICE = 6,
    EXIT_VERIFY = 7,
    EXIT_REFUSED = 8,
    EXIT_CANCELLED = 130,
};

static int exit_code_for(dfu_status st) {
    switch (st) {
        case DFU_OK: return EXIT_OK;
        case DFU_E_ARG: return EXIT_USAGE;
        case DFU_E_IO: case DFU_E_FORMAT: case DFU_E_TRUNCATED: case DFU_E_CRC: case DFU_E_OVERLAP:
        case DFU_E_MISMATCH:
            return EXIT_FILE;
        case DFU_E_NO_DEVICE: case DFU_E_ACCESS: return EXIT_NO_DEVICE;
        case DFU_E_USB: case DFU_E_STALL: case DFU_E_TIMEOUT: return EXIT_USB;
        case DFU_E_STATE: case DFU_E_STATUS: case DFU_E_PROTECTED: case DFU_E_UNSUPPORTED: case DFU_E_LAYOUT:
            return EXIT_DEVICE;
        case DFU_E_VERIFY: return EXIT_VERIFY;
        case DFU_E_ADDRESS: case DFU_E_REFUSED: return EXIT_REFUSED;
        case DFU_E_CANCELLED: return EXIT_CANCELLED;
        default: return EXIT_OTHER;
    }
}

typedef struct {
    dfu_usb_filter filter;
    dfu_flash_options flash; // the flash options, also read by read, erase and leave
    bool json, quiet, has_address, yes;
    bool opened;             // a device was open: losing it is a USB failure
    unsigned timeout_ms;     // --timeout
    int verbose;
    int alt;                 // -1: default
    uint32_t address;
    uint16_t transfer_size;  // -t
    unsigned wait_s;
    unsigned pad;
    dfu_format format;
    report out;
    // The dfu-util command line (see dfu_util_main).
    bool dfu_util;
    bool list_dfu_util;      // -l: dfu-util's "Found DFU: ..." lines
    const char *alt_name;    // -a NAME: matched against the alt names once the device is open
    unsigned detach_wait_ms; // how long a detached runtime device may take to come back (-E)
    bool then_leave;         // after a read or an erase: leave DFU mode (-s ...:leave, -e)
    bool then_detach;        // after the work, if the device is still there: DETACH (-R)
    bool unprotect_no_wait;  // unprotect: do not wait for the device to come back (dfu-util)
} options;

static volatile sig_atomic_t interrupted;
static volatile int *cancel_flag;

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
    if (cancel_flag) {
        *cancel_flag = 1;  // the session stops at the next request boundary
    } else {
        // No session (waiting for a device, say, which can take long): stop here.
        static const char msg[] = "\nmpx-dfu: cancelled\n";
        ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)r;
        _exit(EXIT_CANCELLED);
    }
}

static const char usage_text[] =
    "usage: mpx-dfu [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Flash STM32 boards (and other DFU 1.1 / DfuSe devices) over USB.\n"
    "\n"
    "commands:\n"
    "  list                       DFU devices, their alt settings and memory layouts\n"
    "  flash FILE                 erase the pages FILE touches, write, verify, leave\n"
    "                             (FILE: .dfu, Intel .hex, ELF, or raw .bin)\n"
    "  read ADDRESS LENGTH OUT    read device memory to OUT ('-' for stdout)\n"
    "  erase ADDRESS LENGTH       erase the pages of that range (--mass-erase: all)\n"
    "  leave                      leave DFU mode and start the application\n"
    "  unprotect --yes            remove read protection (the device erases ALL flash)\n"
    "  info FILE                  what a .dfu, .hex or ELF file holds\n"
    "  convert IN OUT.dfu         build a DfuSe file from .bin (--address), .hex or ELF\n"
    "\n"
    "device selection:\n"
    "  -d, --device VID:PID[,VID:PID]  match these ids (the second: in DFU mode)\n"
    "  -S, --serial SERIAL        match this serial number\n"
    "  -p, --path BUS-PORT[.PORT] match this USB port (as `list` prints it)\n"
    "  -a, --alt N                alt setting for read/erase/.bin (default 0)\n"
    "  -t, --transfer-size N      override the device's wTransferSize\n"
    "  -w, --wait SECONDS         wait this long for the device to appear\n"
    "      --timeout MS           per-request timeout, and how long the device may stay\n"
    "                             busy (default 5000 and 60000; mass erase at least 40000)\n"
    "\n"
    "flash options:\n"
    "  -s, --address ADDRESS      where a raw .bin goes (default: start of the alt's memory)\n"
    "      --mass-erase           erase the whole flash instead of the touched pages\n"
    "      --no-verify            skip reading back what was written\n"
    "      --no-leave             stay in DFU mode afterwards\n"
    "      --jump ADDRESS         leave to ADDRESS (default: the image's start)\n"
    "      --force                allow addresses outside the device's layout\n"
    "      --option-bytes         allow writing an Option Bytes alt setting\n"
    "      --allow-rdp-level-2    allow option bytes that set RDP level 2 (irreversible)\n"
    "      --per-chunk-address    set the address before every chunk (slower, for odd bootloaders)\n"
    "      --no-check-id          flash a .dfu whose suffix names another VID:PID\n"
    "      --format dfu|hex|elf|bin  the file's format (default: from its contents)\n"
    "      --pad N                convert: pad elements to N bytes (default 8)\n"
    "\n"
    "output:\n"
    "  -j, --json                 one JSON object per line on stdout (progress events;\n"
    "                             the last: done, with requests and ms since opening)\n"
    "  -v, --verbose              more detail (twice: every USB request)\n"
    "  -q, --quiet                no progress\n"
    "  -h, --help                 this text;  -V, --version\n"
    "\n";

static const char usage_dfu_util_text[] =
    "dfu-util's command line (mpx-dfu reads a command line as dfu-util 0.11's when it\n"
    "has one of -l -D -U -e -E -R -Z or --dfuse-address, or an -s with a ':' in it, or\n"
    "when it runs as `dfu-util` through a symlink; it then takes no COMMAND):\n"
    "  -l                         list, as dfu-util's \"Found DFU: ...\" lines\n"
    "  -D FILE                    flash FILE ('-': stdin): a .dfu (or .hex, ELF) where it\n"
    "                             says, a raw file at -s ADDRESS; stays in DFU mode\n"
    "  -U FILE                    read to a new FILE: -s ADDRESS:LENGTH, else to the end of\n"
    "                             ADDRESS's memory segment (no -s: 0x4000 bytes)\n"
    "  -s [ADDRESS][:LENGTH][:leave][:mass-erase][:force][:unprotect][:will-reset]\n"
    "                             leave DFU mode after; erase all (needs force); allow\n"
    "                             writes outside the layout; read unprotect alone (needs\n"
    "                             force); allow option bytes (the device resets)\n"
    "  -e                         leave DFU mode (a runtime device: detach into DFU mode)\n"
    "  -E SECONDS                 how long a detached device may take to come back (10)\n"
    "  -R                         DETACH, then a USB reset, when done\n"
    "  -Z N                       accepted (dfu-util uses it for progress only)\n"
    "  -w                         wait for the device, with no time limit\n"
    "  -d VID:PID[,VID:PID] (0x allowed), -S SERIAL[,SERIAL], -p, -a N|NAME (the alt's\n"
    "  whole name string), -t, -v, -h, -V as above. Pages are still erased one by one,\n"
    "  writes verified and the jump address set; the long options above without a\n"
    "  dfu-util counterpart (--no-verify, --jump, --json, ...) and -q, -j still work.\n"
    "  Not taken: -c, -i, -n, and the wildcards * and - in -d.\n"
    "\n"
    "exit status: 0 ok, 1 other error, 2 usage, 3 bad file, 4 no device or no access,\n"
    "5 USB communication failed, 6 the device reported an error, 7 verification failed,\n"
    "8 refused (outside the layout, or needs an opt-in), 130 interrupted.\n"
    "See mpx-dfu(1).\n";

static void usage(void) {
    fputs(usage_text, stdout);
    fputs(usage_dfu_util_text, stdout);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mpx-dfu: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'mpx-dfu --help'.\n");
    va_end(ap);
    return EXIT_USAGE;
}

static bool parse_u32(const char *s, uint32_t *out) {
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

static bool parse_device(const char *s, dfu_usb_filter *f) {
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

static int fail(options *o, const dfu_error *err, dfu_status st) {
    report_end_phase(&o->out);
    int code = st == DFU_E_NO_DEVICE && o->opened ? EXIT_USB : exit_code_for(st);
    dfu_error e = *err;
    if (e.code == DFU_OK) {
        e.code = st;
    }
    if (o->json) {
        json_error(&e, code);
    }
    fprintf(stderr, "mpx-dfu: error: %s\n", e.message[0] ? e.message : dfu_strerror(st));
    if (e.has_device && o->verbose) {
        fprintf(stderr, "mpx-dfu: device state %s, status %s, iString %u%s%s\n", dfu_state_name(e.dev_state),
            dfu_status_name(e.dev_status), e.dev_istring, e.dev_string[0] ? ": " : "", e.dev_string);
    }
    if (st == DFU_E_ADDRESS && !o->flash.force) {
        fprintf(stderr, "mpx-dfu: (%s writes outside the layout anyway)\n", o->dfu_util ? "-s ...:force" : "--force");
    }
    return code;
}

// ---------------------------------------------------------------------------
// A transport that logs each request (-vv) around the real one.

typedef struct {
    const dfu_transport *inner;
    dfu_transport io;
} logging_transport;

static int log_control(void *ctx, uint8_t rt, uint8_t req, uint16_t value, uint16_t index, uint8_t *data,
    uint16_t length, unsigned timeout_ms) {
    logging_transport *l = ctx;
    int r = l->inner->control(l->inner->ctx, rt, req, value, index, data, length, timeout_ms);
    fprintf(stderr, "usb: %-9s wValue=%-5u wLength=%-4u -> ", dfu_request_name(req), value, length);
    if (r < 0) {
        fprintf(stderr, "%s\n", dfu_strerror((dfu_status)-r));
    } else if (req == DFU_REQ_GETSTATUS && r == 6) {
        fprintf(stderr, "%s %s poll %u ms\n", dfu_status_name(data[0]), dfu_state_name(data[4]),
            data[1] | data[2] << 8 | data[3] << 16);
    } else {
        fprintf(stderr, "%d bytes\n", r);
    }
    return r;
}

static int log_string(void *ctx, uint8_t index, char *out, size_t size) {
    logging_transport *l = ctx;
    return l->inner->get_string ? l->inner->get_string(l->inner->ctx, index, out, size) : -DFU_E_UNSUPPORTED;
}

static int log_set_alt(void *ctx, uint8_t interface, uint8_t alt) {
    logging_transport *l = ctx;
    fprintf(stderr, "usb: SET_INTERFACE %u alt %u\n", interface, alt);
    return l->inner->set_alt(l->inner->ctx, interface, alt);
}

static void log_sleep(void *ctx, unsigned ms) {
    logging_transport *l = ctx;
    l->inner->sleep_ms(l->inner->ctx, ms);
}

// ---------------------------------------------------------------------------
// Opening the device

typedef struct {
    dfu_usb *usb;
    dfu_session s;
    dfu_usb_device info;
    logging_transport log;
    uint64_t opened_us;  // when the command began to open it (--json's "ms")
} device;

static uint64_t monotonic_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void close_device(device *d) {
    cancel_flag = NULL;
    dfu_usb_close(d->usb);
    d->usb = NULL;
}

// dfu-util's -a NAME: the alt setting whose name string is exactly NAME.
static dfu_status resolve_alt_name(options *o, device *d, dfu_error *err) {
    for (unsigned a = 0; a < d->s.alt_count && a < DFU_MAX_ALTS; a++) {
        if (strcmp(d->s.alt_names[a], o->alt_name) == 0) {
            o->alt = (int)a;
            return DFU_OK;
        }
    }
    char names[320] = "";
    size_t n = 0;
    for (unsigned a = 0; a < d->s.alt_count && a < DFU_MAX_ALTS && n < sizeof(names); a++) {
        int w = snprintf(names + n, sizeof(names) - n, "%s%u \"%s\"", a ? ", " : "", a, d->s.alt_names[a]);
        n += w > 0 ? (size_t)w : 0;
    }
    return dfu_error_set(err, DFU_E_NO_DEVICE, "no alt setting named \"%s\" (the device has %s)", o->alt_name,
        names[0] ? names : "none");
}

static dfu_status open_device(options *o, device *d, dfu_error *err) {
    memset(d, 0, sizeof(*d));
    d->opened_us = monotonic_us();
    dfu_status st = DFU_OK;
    if (o->wait_s) {
        st = dfu_usb_wait(&o->filter, false, o->wait_s * 1000u, NULL, err);
    }
    if (st == DFU_OK) {
        st = dfu_usb_open(&o->filter, o->transfer_size, &d->usb, &d->info, err);
    }
    if (st == DFU_OK && d->info.runtime) {
        if (!o->quiet && !o->json) {
            fprintf(stderr, "mpx-dfu: %04x:%04x at %s is in runtime mode; detaching\n", d->info.vid, d->info.pid,
                d->info.path);
        }
        st = dfu_usb_enter_dfu(&d->usb, &o->filter, o->transfer_size, o->detach_wait_ms, &d->info, err);
    }
    if (st != DFU_OK) {
        return st;
    }
    dfu_usb_session(d->usb, &d->s);
    if (o->alt_name && (st = resolve_alt_name(o, d, err)) != DFU_OK) {
        close_device(d);
        return st;
    }
    o->opened = true;
    if (o->timeout_ms) {
        d->s.timeout_ms = o->timeout_ms;
        d->s.busy_limit_ms = o->timeout_ms;
    }
    if (o->transfer_size) {
        d->s.transfer_size = o->transfer_size;
    }
    if (o->verbose >= 2) {
        d->log.inner = d->s.io;
        // No queues: -v shows every request, one at a time.
        d->log.io = (dfu_transport){log_control, log_string, log_set_alt, log_sleep, &d->log, NULL, NULL};
        d->s.io = &d->log.io;
    }
    d->s.progress = report_progress;
    d->s.progress_user = &o->out;
    cancel_flag = &d->s.cancel;
    if (o->verbose && !o->json) {
        fprintf(stderr, "mpx-dfu: %04x:%04x at %s, interface %u, transfer size %u, %s\n", d->info.vid, d->info.pid,
            d->info.path, d->info.interface, d->s.transfer_size, d->s.dfuse ? "DfuSe" : "DFU 1.1");
    }
    return DFU_OK;
}

static uint8_t chosen_alt(const options *o) {
    return o->alt < 0 ? 0 : (uint8_t)o->alt;
}

// ---------------------------------------------------------------------------
// list

static int cmd_list(options *o) {
    dfu_usb_device list[32];
    size_t n = 0;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = DFU_OK;
    if (o->wait_s) {
        st = dfu_usb_wait(&o->filter, false, o->wait_s * 1000u, NULL, &err);
    }
    if (st == DFU_OK) {
        st = dfu_usb_scan(&o->filter, list, 32, &n, &err);
    }
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    size_t shown = 0;
    if (o->json) {
        printf("{\"devices\":[");
    }
    for (size_t i = 0; i < n && i < 32; i++) {
        const dfu_usb_device *d = &list[i];
        if (d->result == DFU_USB_FILTERED) {
            continue;
        }
        if (o->list_dfu_util && !o->json) {
            if (d->result == DFU_USB_USABLE) {
                report_device_dfu_util(d);
            } else {
                fprintf(stderr, "mpx-dfu: %04x:%04x at %s: %s\n", d->vid, d->pid, d->path, d->why);
            }
        } else {
            report_device(d, o->json, o->verbose, shown == 0);
        }
        shown++;
    }
    if (o->json) {
        printf("]}\n");
    } else if (shown == 0) {
        fprintf(stderr, "mpx-dfu: no DFU devices found%s\n",
            n ? " that match the filter" : " (board in DFU mode? permissions: see mpx-dfu(1))");
    }
    return shown ? EXIT_OK : EXIT_NO_DEVICE;
}

// ---------------------------------------------------------------------------
// info, convert

static dfu_status load(options *o, const char *path, uint32_t default_address, dfu_image *img, dfu_error *err) {
    dfu_status st = dfu_image_load(path, o->format, o->has_address ? o->address : default_address, img, err);
    if (st == DFU_OK && o->has_address && img->format != DFU_FORMAT_BIN) {
        dfu_image_free(img);
        return dfu_error_set(err, DFU_E_ARG, "%s is for raw .bin files; %s already says where its data goes",
            o->dfu_util ? "-s ADDRESS" : "--address", path);
    }
    return st;
}

static int cmd_info(options *o, const char *path) {
    dfu_image img;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = load(o, path, 0x08000000u, &img, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    report_image(path, &img, o->json);
    dfu_image_free(&img);
    return EXIT_OK;
}

static int cmd_convert(options *o, const char *in, const char *out) {
    dfu_image img;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = load(o, in, 0x08000000u, &img, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    if (img.format == DFU_FORMAT_BIN && !o->has_address) {
        fprintf(stderr, "mpx-dfu: %s is raw binary; placing it at 0x08000000 (--address to change)\n", in);
    }
    if (o->filter.has_id || !img.has_suffix) {
        img.has_suffix = true;
        img.suffix = (dfu_suffix){.bcd_device = 0, .vid = o->filter.has_id ? o->filter.vid : 0x0483,
            .pid = o->filter.has_id ? o->filter.pid : 0xDF11};
    }
    for (size_t t = 0; t < img.target_count; t++) {
        if (!img.targets[t].name[0]) {
            snprintf(img.targets[t].name, sizeof(img.targets[t].name), "ST...");
            img.targets[t].named = true;
        }
    }
    size_t len;
    st = dfu_image_save(&img, o->pad, out, &len, &err);
    dfu_image_free(&img);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    if (o->json) {
        printf("{\"event\":\"done\",\"command\":\"convert\",\"file\":");
        json_string(stdout, out);
        printf(",\"bytes\":%zu}\n", len);
    } else if (!o->quiet) {
        fprintf(stderr, "mpx-dfu: wrote %s (%zu bytes)\n", out, len);
    }
    return EXIT_OK;
}

// ---------------------------------------------------------------------------
// Device commands

static void done_json(const char *command, const device *d, const char *extra) {
    // ms: from opening the device to now (the work, without process start).
    printf("{\"event\":\"done\",\"command\":\"%s\",\"requests\":%lu,\"ms\":%.1f%s%s}\n", command,
        d->s.requests, (double)(monotonic_us() - d->opened_us) / 1000.0, extra ? "," : "", extra ? extra : "");
}

static uint32_t alt_start(const device *d, uint8_t alt, uint32_t fallback) {
    return alt < DFU_MAX_ALTS && d->s.has_layout[alt] ? d->s.layouts[alt].segments[0].start : fallback;
}

// What the dfu-util command line asks for after a read, an erase or a flash
// that did not leave: leave (-s ...:leave, -e), or DETACH (-R).
static dfu_status then_step(options *o, device *d, dfu_error *err) {
    if (o->then_leave) {
        uint32_t jump = o->flash.has_leave_address ? o->flash.leave_address : alt_start(d, 0, 0x08000000u);
        dfu_status st = dfu_leave(&d->s, d->s.dfuse, jump, err);
        report_end_phase(&o->out);
        if (st == DFU_OK && !o->quiet && !o->json) {
            fprintf(stderr, "mpx-dfu: left DFU mode, jumping to 0x%08" PRIx32 "\n", jump);
        }
        return st;
    }
    if (o->then_detach) {
        // dfu-util's -R: DETACH, then a USB bus reset, as dfu-util does. A
        // DFU-mode device may refuse the DETACH (dfu-util: "can't detach") and
        // that is no error; the reset is sent either way, and a device that
        // re-enumerates or vanishes after it has done what -R asks.
        dfu_error e;
        dfu_error_clear(&e);
        dfu_status st = dfu_detach(&d->s, 1000, &e);
        if (!o->quiet && !o->json && st != DFU_OK) {
            fprintf(stderr, "mpx-dfu: -R: the device does not take DETACH in DFU mode\n");
        }
        if (d->usb != NULL) {
            if (!o->quiet && !o->json) {
                fprintf(stderr, "mpx-dfu: -R: resetting the USB device\n");
            }
            return dfu_usb_reset(d->usb, err);
        }
    }
    return DFU_OK;
}

static int cmd_flash(options *o, const char *path) {
    dfu_error err;
    dfu_error_clear(&err);
    // Read and check the file before touching any device.
    dfu_image img;
    dfu_status st = load(o, path, 0, &img, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    device d;
    st = open_device(o, &d, &err);
    if (st != DFU_OK) {
        dfu_image_free(&img);
        return fail(o, &err, st);
    }
    if (img.format == DFU_FORMAT_BIN) {
        uint8_t alt = chosen_alt(o);
        img.elements[0].address = o->has_address ? o->address : alt_start(&d, alt, 0x08000000u);
        img.elements[0].alt = alt;
        img.targets[0].alt = alt;
        if (!o->has_address && !o->quiet && !o->json) {
            fprintf(stderr, "mpx-dfu: writing %s at 0x%08" PRIx32 ", the start of alt %u (%s to change)\n", path,
                img.elements[0].address, alt, o->dfu_util ? "-s ADDRESS" : "--address");
        }
    }
    o->flash.vid = d.info.vid;
    o->flash.pid = d.info.pid;
    st = dfu_flash(&d.s, &img, &o->flash, &err);
    report_end_phase(&o->out);
    uint32_t jump = o->flash.leave_address;
    if (!o->flash.has_leave_address) {
        dfu_image_start(&img, &jump);
    }
    size_t bytes = dfu_image_total(&img);
    dfu_image_free(&img);
    if (st != DFU_OK) {
        int code = fail(o, &err, st);
        close_device(&d);
        return code;
    }
    bool ob = d.s.option_bytes_written, left = o->flash.leave && !ob;
    if (o->json) {
        char extra[128];
        snprintf(extra, sizeof(extra),
            "\"bytes\":%zu,\"verified\":%s,\"left\":%s,\"jump\":%" PRIu32 ",\"option_bytes\":%s", bytes,
            o->flash.verify ? "true" : "false", left ? "true" : "false", jump, ob ? "true" : "false");
        done_json("flash", &d, extra);
    } else if (!o->quiet) {
        fprintf(stderr, "mpx-dfu: wrote %zu bytes%s", bytes, o->flash.verify ? ", verified" : "");
        if (ob) {
            fprintf(stderr, "; the device resets to load its option bytes");
        } else if (left) {
            fprintf(stderr, "; left DFU mode, jumping to 0x%08" PRIx32, jump);
        }
        fprintf(stderr, " (%lu USB requests)\n", d.s.requests);
    }
    st = left || ob ? DFU_OK : then_step(o, &d, &err);
    int code = st == DFU_OK ? EXIT_OK : fail(o, &err, st);
    close_device(&d);
    return code;
}

// Reads length bytes at address of the alt setting into out ('-': stdout).
// For dfu-util's -U: without an address, from the start of the alt's memory;
// with length 0, 0x4000 bytes without an address, else up to the end of the
// memory segment (the NN*SIZE group of the layout) that holds the address.
static int read_memory(options *o, bool has_address, uint32_t address, uint32_t length, const char *out) {
    bool to_stdout = strcmp(out, "-") == 0, created = false;
    if (o->json && to_stdout) {
        return usage_error("%s", "--json and OUT '-' would both write to standard output");
    }
    dfu_error err;
    dfu_error_clear(&err);
    if (o->dfu_util && !to_stdout) {
        // dfu-util's -U does not overwrite a file; and a bad path is found before the device is touched.
        int fd = open(out, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0) {
            int e = errno;
            return fail(o, &err, dfu_error_set(&err, DFU_E_IO, "%s: %s%s", out, strerror(e),
                e == EEXIST ? " (-U does not overwrite a file, as in dfu-util)" : ""));
        }
        close(fd);
        created = true;
    }
    device d;
    dfu_status st = open_device(o, &d, &err);
    if (st != DFU_OK) {
        if (created) {
            unlink(out);
        }
        return fail(o, &err, st);
    }
    uint8_t alt = chosen_alt(o);
    if (!has_address) {
        address = alt_start(&d, alt, 0x08000000u);
    }
    if (length == 0) {
        const dfu_mem_segment *seg = has_address && d.s.has_layout[alt] ? dfu_layout_find(&d.s.layouts[alt], address)
                                                                       : NULL;
        uint64_t n = seg ? dfu_segment_end(seg) - address : 0x4000u;
        length = n > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)n;
        if (o->verbose && !o->json) {
            fprintf(stderr, "mpx-dfu: reading %" PRIu32 " bytes (%s; -s ADDRESS:LENGTH to change)\n", length,
                seg ? "to the end of the memory segment" : "dfu-util's default");
        }
    }
    if (!o->flash.force) {
        if (!d.s.has_layout[alt]) {
            st = dfu_error_set(&err, DFU_E_ADDRESS, "alt %u has no memory layout to check the range against", alt);
        } else {
            st = dfu_layout_check(&d.s.layouts[alt], address, length, DFU_MEM_READABLE, &err);
        }
    }
    uint8_t *buf = st == DFU_OK ? malloc(length) : NULL;
    if (st == DFU_OK && buf == NULL) {
        st = dfu_error_set(&err, DFU_E_NOMEM, "out of memory for %" PRIu32 " bytes", length);
    }
    if (st == DFU_OK) {
        st = dfu_read(&d.s, alt, address, buf, length, &err);
        report_end_phase(&o->out);
    }
    if (st == DFU_OK && to_stdout) {
        if (fwrite(buf, 1, length, stdout) != length || fflush(stdout) != 0) {
            st = dfu_error_set(&err, DFU_E_IO, "standard output: %s", strerror(errno));
        }
    } else if (st == DFU_OK) {
        st = dfu_file_write(out, buf, length, &err);
    }
    free(buf);
    if (st != DFU_OK && created) {
        unlink(out);
    }
    if (st == DFU_OK && o->json && !to_stdout) {
        char extra[64];
        snprintf(extra, sizeof(extra), "\"bytes\":%" PRIu32, length);
        done_json("read", &d, extra);
    } else if (st == DFU_OK && !o->quiet && !o->json) {
        fprintf(stderr, "mpx-dfu: read %" PRIu32 " bytes from 0x%08" PRIx32 " to %s\n", length, address, out);
    }
    if (st == DFU_OK) {
        st = then_step(o, &d, &err);
    }
    int code = st == DFU_OK ? EXIT_OK : fail(o, &err, st);
    close_device(&d);
    return code;
}

static int cmd_read(options *o, const char *a, const char *l, const char *out) {
    uint32_t address, length;
    if (!parse_u32(a, &address)) {
        return usage_error("bad address '%s'", a);
    }
    if (!parse_u32(l, &length) || length == 0) {
        return usage_error("bad length '%s'", l);
    }
    return read_memory(o, true, address, length, out);
}

static int cmd_erase(options *o, int argc, char **argv) {
    uint32_t address = 0, length = 0;
    if (!o->flash.mass_erase) {
        if (argc != 2) {
            return usage_error("%s", "erase needs ADDRESS LENGTH, or --mass-erase");
        }
        if (!parse_u32(argv[0], &address)) {
            return usage_error("bad address '%s'", argv[0]);
        }
        if (!parse_u32(argv[1], &length) || length == 0) {
            return usage_error("bad length '%s'", argv[1]);
        }
    } else if (argc != 0) {
        return usage_error("%s", "erase --mass-erase takes no range");
    }
    dfu_error err;
    dfu_error_clear(&err);
    device d;
    dfu_status st = open_device(o, &d, &err);
    if (st == DFU_OK) {
        st = dfu_erase(&d.s, chosen_alt(o), address, length, o->flash.mass_erase, o->flash.force, &err);
        report_end_phase(&o->out);
    }
    if (st != DFU_OK) {
        int code = fail(o, &err, st);
        if (d.usb) {
            close_device(&d);
        }
        return code;
    }
    if (o->json) {
        done_json("erase", &d, NULL);
    } else if (!o->quiet) {
        fprintf(stderr, "mpx-dfu: erased %s\n", o->flash.mass_erase ? "the whole flash" : "the pages of the range");
    }
    st = then_step(o, &d, &err);
    int code = st == DFU_OK ? EXIT_OK : fail(o, &err, st);
    close_device(&d);
    return code;
}

static int cmd_leave(options *o) {
    dfu_error err;
    dfu_error_clear(&err);
    device d;
    dfu_status st = open_device(o, &d, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    uint32_t jump = o->flash.has_leave_address ? o->flash.leave_address : alt_start(&d, 0, 0x08000000u);
    st = dfu_leave(&d.s, d.s.dfuse, jump, &err);
    report_end_phase(&o->out);
    if (st != DFU_OK) {
        int code = fail(o, &err, st);
        close_device(&d);
        return code;
    }
    if (o->json) {
        char extra[32];
        snprintf(extra, sizeof(extra), "\"jump\":%" PRIu32, jump);
        done_json("leave", &d, extra);
    } else if (!o->quiet) {
        fprintf(stderr, "mpx-dfu: left DFU mode, jumping to 0x%08" PRIx32 "\n", jump);
    }
    close_device(&d);
    return EXIT_OK;
}

static int cmd_unprotect(options *o) {
    if (!o->yes) {
        fprintf(stderr, "mpx-dfu: unprotect removes read protection by erasing ALL of the device's flash.\n"
                        "mpx-dfu: run it again with --yes if that is what you want.\n");
        return EXIT_REFUSED;
    }
    dfu_error err;
    dfu_error_clear(&err);
    device d;
    dfu_status st = open_device(o, &d, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    st = d.s.dfuse ? dfuse_read_unprotect(&d.s, &err)
                   : dfu_error_set(&err, DFU_E_UNSUPPORTED, "read unprotect needs a DfuSe device");
    dfu_usb_filter same = {.path = d.info.path};
    char path[sizeof(d.info.path)];
    memcpy(path, d.info.path, sizeof(path));
    same.path = path;
    close_device(&d);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    if (o->unprotect_no_wait) {
        if (o->json) {
            printf("{\"event\":\"done\",\"command\":\"unprotect\"}\n");
        } else if (!o->quiet) {
            fprintf(stderr, "mpx-dfu: read protection removed: the device erases its flash and resets\n");
        }
        return EXIT_OK;
    }
    if (!o->quiet && !o->json) {
        fprintf(stderr, "mpx-dfu: the device erases its flash and resets; waiting for it to come back\n");
    }
    st = dfu_usb_wait(&same, true, 30000, NULL, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    if (o->json) {
        printf("{\"event\":\"done\",\"command\":\"unprotect\"}\n");
    } else if (!o->quiet) {
        fprintf(stderr, "mpx-dfu: read protection removed; the device is back in DFU mode\n");
    }
    return EXIT_OK;
}

// ---------------------------------------------------------------------------

enum {
    OPT_MASS = 256, OPT_NO_VERIFY, OPT_NO_LEAVE, OPT_JUMP, OPT_FORCE, OPT_OPTION_BYTES, OPT_RDP2, OPT_PER_CHUNK,
    OPT_NO_CHECK_ID, OPT_FORMAT, OPT_PAD, OPT_YES, OPT_TIMEOUT,
    OPT_NOT_TAKEN,  // dfu-util options that mpx-dfu does not take (-c, -i, -n)
};

// Long options without a dfu-util counterpart: both command lines take them.
#define COMMON_LONG_OPTIONS                                                                                       \
    {"no-verify", no_argument, NULL, OPT_NO_VERIFY}, {"jump", required_argument, NULL, OPT_JUMP},                 \
        {"option-bytes", no_argument, NULL, OPT_OPTION_BYTES}, {"allow-rdp-level-2", no_argument, NULL, OPT_RDP2}, \
        {"per-chunk-address", no_argument, NULL, OPT_PER_CHUNK},                                                   \
        {"no-check-id", no_argument, NULL, OPT_NO_CHECK_ID}, {"format", required_argument, NULL, OPT_FORMAT},     \
        {"timeout", required_argument, NULL, OPT_TIMEOUT}, {"json", no_argument, NULL, 'j'},                      \
        {"quiet", no_argument, NULL, 'q'}, {"verbose", no_argument, NULL, 'v'},                                   \
        {"device", required_argument, NULL, 'd'}, {"path", required_argument, NULL, 'p'},                        \
        {"transfer-size", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},                        \
        {"version", no_argument, NULL, 'V'}

static const struct option long_options[] = {
    COMMON_LONG_OPTIONS, {"serial", required_argument, NULL, 'S'}, {"alt", required_argument, NULL, 'a'},
    {"wait", required_argument, NULL, 'w'}, {"address", required_argument, NULL, 's'},
    {"mass-erase", no_argument, NULL, OPT_MASS}, {"no-leave", no_argument, NULL, OPT_NO_LEAVE},
    {"force", no_argument, NULL, OPT_FORCE}, {"pad", required_argument, NULL, OPT_PAD},
    {"yes", no_argument, NULL, OPT_YES}, {NULL, 0, NULL, 0},
};

// The options both command lines share (same letter or long name, same
// meaning). Returns -1 if c is not one of them, else EXIT_OK or EXIT_USAGE.
static int common_option(options *o, int c, const char *arg) {
    uint32_t v;
    switch (c) {
        case 'd':
            if (!parse_device(arg, &o->filter)) {
                return usage_error("bad device '%s' (VID:PID or VID:PID,VID:PID in hex%s)", arg,
                    o->dfu_util ? "; dfu-util's wildcards * and - are not taken" : "");
            }
            return EXIT_OK;
        case 'p': o->filter.path = arg; return EXIT_OK;
        case 't':
            if (!parse_u32(arg, &v) || v < 8 || v > 4096) {
                return usage_error("bad transfer size '%s' (8..4096)", arg);
            }
            o->transfer_size = (uint16_t)v;
            return EXIT_OK;
        case OPT_NO_VERIFY: o->flash.verify = false; return EXIT_OK;
        case OPT_JUMP:
            if (!parse_u32(arg, &o->flash.leave_address)) {
                return usage_error("bad jump address '%s'", arg);
            }
            o->flash.has_leave_address = true;
            return EXIT_OK;
        case OPT_OPTION_BYTES: o->flash.allow_option_bytes = true; return EXIT_OK;
        case OPT_RDP2: o->flash.allow_rdp_level2 = true; return EXIT_OK;
        case OPT_PER_CHUNK: o->flash.incrementing_blocks = false; return EXIT_OK;
        case OPT_NO_CHECK_ID: o->flash.check_ids = false; return EXIT_OK;
        case OPT_FORMAT:
            if (strcmp(arg, "dfu") == 0 || strcmp(arg, "dfuse") == 0) {
                o->format = DFU_FORMAT_DFUSE;
            } else if (strcmp(arg, "hex") == 0 || strcmp(arg, "ihex") == 0) {
                o->format = DFU_FORMAT_HEX;
            } else if (strcmp(arg, "elf") == 0) {
                o->format = DFU_FORMAT_ELF;
            } else if (strcmp(arg, "bin") == 0) {
                o->format = DFU_FORMAT_BIN;
            } else {
                return usage_error("bad format '%s' (dfu, hex, elf or bin)", arg);
            }
            return EXIT_OK;
        case OPT_TIMEOUT:
            if (!parse_u32(arg, &v) || v < 10 || v > 3600000) {
                return usage_error("bad timeout '%s' (10..3600000 ms)", arg);
            }
            o->timeout_ms = v;
            return EXIT_OK;
        case 'j': o->json = true; return EXIT_OK;
        case 'v': o->verbose++; return EXIT_OK;
        case 'q': o->quiet = true; return EXIT_OK;
        default: return -1;
    }
}

static void catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

// dfu-util's -e: a device in runtime mode is detached and waited for in DFU
// mode (up to -E seconds); one already in DFU mode leaves it, as `leave` does.
static int cmd_detach(options *o) {
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = DFU_OK;
    if (o->wait_s) {
        st = dfu_usb_wait(&o->filter, false, o->wait_s * 1000u, NULL, &err);
    }
    dfu_usb *usb = NULL;
    dfu_usb_device info;
    if (st == DFU_OK) {
        st = dfu_usb_open(&o->filter, o->transfer_size, &usb, &info, &err);
    }
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    if (!info.runtime) {
        dfu_usb_close(usb);
        return cmd_leave(o);
    }
    o->opened = true;
    st = dfu_usb_enter_dfu(&usb, &o->filter, o->transfer_size, o->detach_wait_ms, &info, &err);
    if (usb) {
        dfu_usb_close(usb);
    }
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    if (o->json) {
        printf("{\"event\":\"done\",\"command\":\"detach\"}\n");
    } else if (!o->quiet) {
        fprintf(stderr, "mpx-dfu: detached; %04x:%04x at %s is in DFU mode\n", info.vid, info.pid, info.path);
    }
    return EXIT_OK;
}

// ---------------------------------------------------------------------------
// dfu-util's command line

// Which command line this is (the rule in the usage text, mpx-dfu(1) and the
// README): dfu-util's if the program runs as `dfu-util`, or if it has one of
// dfu-util's action options -l -D -U -e -E -R -Z (or their long names), or
// --dfuse-address, or an -s whose value holds a ':'. None of these exist in
// mpx-dfu's own command line, whose -s is a plain address. The scan skips
// the values of mpx-dfu's options, so `-S -Dx` is a serial number.
static bool is_dfu_util_command_line(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (strcmp(base, "dfu-util") == 0) {
        return true;
    }
    static const char *const dfu_util_only[] = {"list", "download", "upload", "detach", "detach-delay", "reset",
        "upload-size", "dfuse-address"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            continue;
        }
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            bool native = false;
            for (const struct option *lo = long_options; lo->name; lo++) {
                if (strncmp(lo->name, name, n) == 0) {
                    native = true;
                    if (!eq && lo->has_arg == required_argument && i + 1 < argc &&
                        (lo->val != 'w' || argv[i + 1][0] != '-')) {
                        i++;  // its value (dfu-util's --wait has none)
                    }
                    break;
                }
            }
            for (size_t k = 0; !native && n >= 2 && k < sizeof(dfu_util_only) / sizeof(dfu_util_only[0]); k++) {
                if (strncmp(dfu_util_only[k], name, n) == 0) {
                    return true;
                }
            }
            continue;
        }
        for (const char *c = a + 1; *c; c++) {
            if (strchr("lDUeERZ", *c)) {
                return true;
            }
            if (strchr("dSpatws", *c)) {  // mpx-dfu's options with a value
                const char *value = c[1] ? c + 1 : i + 1 < argc ? argv[i + 1] : "";
                if (!c[1] && (*c != 'w' || value[0] != '-')) {
                    i++;
                }
                if (*c == 's' && strchr(value, ':')) {
                    return true;
                }
                break;
            }
        }
    }
    return false;
}

typedef struct {
    bool list, detach, reset;
    const char *download, *upload;
    bool has_address, has_length;
    uint32_t address, length;
    bool leave, mass_erase, force, unprotect, will_reset;
} dfu_util_args;

// -s [ADDRESS][:LENGTH][:leave][:mass-erase][:force][:unprotect][:will-reset]
static int parse_dfuse_address(const char *arg, dfu_util_args *u) {
    char buf[256];
    if (strlen(arg) >= sizeof(buf)) {
        return usage_error("-s '%.40s...' is too long", arg);
    }
    strcpy(buf, arg);
    char *field = buf, *next;
    for (int i = 0; field; i++, field = next) {
        next = strchr(field, ':');
        if (next) {
            *next++ = '\0';
        }
        if (i == 0) {
            if (*field && !parse_u32(field, &u->address)) {
                return usage_error("bad address '%s' in -s '%s'", field, arg);
            }
            u->has_address = *field != '\0';
        } else if (strcmp(field, "leave") == 0) {
            u->leave = true;
        } else if (strcmp(field, "mass-erase") == 0) {
            u->mass_erase = true;
        } else if (strcmp(field, "force") == 0) {
            u->force = true;
        } else if (strcmp(field, "unprotect") == 0) {
            u->unprotect = true;
        } else if (strcmp(field, "will-reset") == 0) {
            u->will_reset = true;
        } else if (*field >= '0' && *field <= '9') {
            if (u->has_length) {
                return usage_error("two lengths in -s '%s'", arg);
            }
            if (!parse_u32(field, &u->length) || u->length == 0) {
                return usage_error("bad length '%s' in -s '%s'", field, arg);
            }
            u->has_length = true;
        } else {
            return usage_error("unknown modifier '%s' in -s '%s' (LENGTH, leave, mass-erase, force, unprotect, "
                               "will-reset)", field, arg);
        }
    }
    return EXIT_OK;
}

static const struct option dfu_util_long_options[] = {
    COMMON_LONG_OPTIONS, {"list", no_argument, NULL, 'l'}, {"detach", no_argument, NULL, 'e'},
    {"detach-delay", required_argument, NULL, 'E'}, {"serial", required_argument, NULL, 'S'},
    {"alt", required_argument, NULL, 'a'}, {"upload", required_argument, NULL, 'U'},
    {"upload-size", required_argument, NULL, 'Z'}, {"download", required_argument, NULL, 'D'},
    {"reset", no_argument, NULL, 'R'}, {"wait", no_argument, NULL, 'w'},
    {"dfuse-address", required_argument, NULL, 's'}, {"cfg", required_argument, NULL, 'c'},
    {"intf", required_argument, NULL, 'i'}, {"devnum", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0},
};

static int dfu_util_main(options *o, int argc, char **argv) {
    o->dfu_util = true;
    o->flash.leave = false;  // dfu-util stays in DFU mode unless :leave or -e
    dfu_util_args u;
    memset(&u, 0, sizeof(u));
    int c, code;
    uint32_t v;
    opterr = 0;  // the messages below name the option as it was given
    while ((c = getopt_long(argc, argv, ":hVvlejqE:d:p:S:a:t:U:Z:D:Rws:c:i:n:", dfu_util_long_options, NULL)) != -1) {
        if ((code = common_option(o, c, optarg)) >= 0) {
            if (code != EXIT_OK) {
                return code;
            }
            continue;
        }
        switch (c) {
            case 'l': u.list = true; break;
            case 'e': u.detach = true; break;
            case 'R': u.reset = true; break;
            case 'w': o->wait_s = 4000000; break;  // no limit, as dfu-util (Ctrl-C stops it)
            case 'D': u.download = optarg; break;
            case 'U': u.upload = optarg; break;
            case 'E':
                if (!parse_u32(optarg, &v) || v > 3600) {
                    return usage_error("bad -E '%s' (seconds, up to 3600)", optarg);
                }
                o->detach_wait_ms = v * 1000u;
                break;
            case 'Z':  // as in dfu-util, only for the progress: -s ADDRESS:LENGTH sets what is read
                if (!parse_u32(optarg, &v)) {
                    return usage_error("bad -Z '%s' (bytes)", optarg);
                }
                break;
            case 'S': {
                // dfu-util's SERIAL[,SERIAL_DFU]: one serial number for both modes.
                const char *comma = strchr(optarg, ',');
                if (comma && *optarg && comma[1] && (strlen(comma + 1) != (size_t)(comma - optarg) ||
                                                        strncmp(optarg, comma + 1, (size_t)(comma - optarg)) != 0)) {
                    return usage_error("-S '%s': different run-time and DFU-mode serial numbers are not taken", optarg);
                }
                if (comma) {
                    static char serial[128];
                    const char *one = *optarg ? optarg : comma + 1;
                    size_t n = one == optarg ? (size_t)(comma - optarg) : strlen(one);
                    if (n >= sizeof(serial)) {
                        return usage_error("%s", "-S: serial number too long");
                    }
                    memcpy(serial, one, n);
                    serial[n] = '\0';
                    o->filter.serial = n ? serial : NULL;
                } else {
                    o->filter.serial = *optarg ? optarg : NULL;
                }
                break;
            }
            case 'a': {
                char *end;
                errno = 0;
                unsigned long n = strtoul(optarg, &end, 0);
                if (*optarg >= '0' && *optarg <= '9' && *end == '\0' && errno == 0) {
                    if (n >= DFU_MAX_ALTS) {
                        return usage_error("bad alt setting '%s' (0..7, or a name)", optarg);
                    }
                    o->alt = (int)n;
                    o->alt_name = NULL;
                } else {
                    o->alt_name = optarg;  // matched once the device is open
                }
                break;
            }
            case 's':
                if ((code = parse_dfuse_address(optarg, &u)) != EXIT_OK) {
                    return code;
                }
                break;
            case 'c': return usage_error("dfu-util's option -c (--cfg) is not taken: mpx-dfu uses the device's "
                                         "active configuration");
            case 'i': return usage_error("dfu-util's option -i (--intf) is not taken: mpx-dfu finds the DFU "
                                         "interface itself");
            case 'n': return usage_error("dfu-util's option -n (--devnum) is not taken: use -p BUS-PORT "
                                         "(from -l) or -S SERIAL");
            case 'h': usage(); return EXIT_OK;
            case 'V': printf("mpx-dfu %s (taking dfu-util 0.11's command line)\n", MPX_VERSION); return EXIT_OK;
            case ':':
                if (optopt && !(optind > 0 && strncmp(argv[optind - 1], "--", 2) == 0)) {
                    return usage_error("option '-%c' needs a value", optopt);
                }
                return usage_error("option '%s' needs a value", argv[optind - 1]);
            default:
                if (optopt) {
                    return usage_error("unknown option '-%c' (in a dfu-util command line)", optopt);
                }
                return usage_error("unknown option '%s' (in a dfu-util command line)", argv[optind - 1]);
        }
    }
    report_init(&o->out, o->json, o->verbose, o->quiet);
    if (optind < argc) {
        return usage_error("'%s': a dfu-util command line (see --help) takes no COMMAND or other argument",
            argv[optind]);
    }
    int actions = u.list + (u.download != NULL) + (u.upload != NULL);
    if (actions > 1) {
        return usage_error("%s", "-l, -D and -U: one at a time");
    }
    bool has_s = u.has_address || u.has_length || u.leave || u.mass_erase || u.force || u.unprotect || u.will_reset;
    if (u.list && (has_s || u.detach || u.reset)) {
        return usage_error("-l lists devices; it does not go with %s", has_s ? "-s" : u.detach ? "-e" : "-R");
    }
    if ((u.mass_erase || u.unprotect) && !u.force) {
        return usage_error("-s ...:%s needs :force as well, as in dfu-util", u.mass_erase ? "mass-erase" : "unprotect");
    }
    if (u.unprotect && (actions || u.mass_erase || u.leave || u.detach || u.reset)) {
        return usage_error("%s", "-s ...:unprotect goes alone: the device erases all of its flash and resets "
                                 "(flash it in a second run)");
    }
    if (u.has_length && !u.upload) {
        return usage_error("%s", "-s ADDRESS:LENGTH: the LENGTH is how much -U reads");
    }
    if (u.mass_erase && u.upload) {
        return usage_error("%s", "-s ...:mass-erase does not go with -U");
    }
    o->flash.force = u.force;
    o->flash.mass_erase = u.mass_erase;
    if (u.will_reset) {
        o->flash.allow_option_bytes = true;  // writing option bytes is what makes an STM32 reset
    }
    o->then_detach = u.reset;
    catch_signals();
    if (u.list) {
        o->list_dfu_util = true;
        code = cmd_list(o);
    } else if (u.download) {
        o->has_address = u.has_address;
        o->address = u.address;
        o->flash.leave = u.leave || u.detach;
        code = cmd_flash(o, strcmp(u.download, "-") == 0 ? "/dev/stdin" : u.download);
    } else if (u.upload) {
        o->then_leave = u.leave || u.detach;
        code = read_memory(o, u.has_address, u.address, u.has_length ? u.length : 0, u.upload);
    } else if (u.unprotect) {
        o->yes = true;
        o->unprotect_no_wait = true;
        code = cmd_unprotect(o);
    } else if (u.mass_erase) {
        o->then_leave = u.leave || u.detach;
        code = cmd_erase(o, 0, NULL);
    } else if (u.leave || u.detach) {
        if (u.has_address && !o->flash.has_leave_address) {
            o->flash.has_leave_address = true;
            o->flash.leave_address = u.address;
        }
        code = u.detach ? cmd_detach(o) : cmd_leave(o);
    } else {
        return usage_error("%s", "nothing to do: give -l, -D FILE, -U FILE, -e, or -s with :leave, :mass-erase or "
                                 ":unprotect");
    }
    return interrupted && code != EXIT_OK ? EXIT_CANCELLED : code;
}

// ---------------------------------------------------------------------------

int main(int argc, char **argv) {
    options o;
    memset(&o, 0, sizeof(o));
    o.alt = -1;
    dfu_flash_options_init(&o.flash);  // page erase, verify, leave, incrementing blocks
    o.flash.check_ids = true;
    o.pad = 8;
    o.detach_wait_ms = 10000;
    if (is_dfu_util_command_line(argc, argv)) {
        return dfu_util_main(&o, argc, argv);
    }
    int c, code;
    uint32_t v;
    while ((c = getopt_long(argc, argv, "d:S:p:a:t:w:s:jvqhV", long_options, NULL)) != -1) {
        if ((code = common_option(&o, c, optarg)) >= 0) {
            if (code != EXIT_OK) {
                return code;
            }
            continue;
        }
        switch (c) {
            case 'S': o.filter.serial = optarg; break;
            case 'a':
                if (!parse_u32(optarg, &v) || v >= DFU_MAX_ALTS) {
                    return usage_error("bad alt setting '%s' (0..7)", optarg);
                }
                o.alt = (int)v;
                break;
            case 'w':
                if (!parse_u32(optarg, &v) || v > 3600) {
                    return usage_error("bad wait '%s' (seconds, up to 3600)", optarg);
                }
                o.wait_s = v;
                break;
            case 's':
                if (!parse_u32(optarg, &o.address)) {
                    return usage_error("bad address '%s'", optarg);
                }
                o.has_address = true;
                break;
            case OPT_MASS: o.flash.mass_erase = true; break;
            case OPT_NO_LEAVE: o.flash.leave = false; break;
            case OPT_FORCE: o.flash.force = true; break;
            case OPT_PAD:
                if (!parse_u32(optarg, &v) || v == 0 || v > 4096) {
                    return usage_error("bad padding '%s' (1..4096)", optarg);
                }
                o.pad = v;
                break;
            case OPT_YES: o.yes = true; break;
            case 'h': usage(); return EXIT_OK;
            case 'V': printf("mpx-dfu %s\n", MPX_VERSION); return EXIT_OK;
            default: fprintf(stderr, "Try 'mpx-dfu --help'.\n"); return EXIT_USAGE;
        }
    }
    report_init(&o.out, o.json, o.verbose, o.quiet);
    if (optind >= argc) {
        return usage_error("%s", "no command (list, flash, read, erase, leave, unprotect, info, convert)");
    }
    const char *cmd = argv[optind];
    int nargs = argc - optind - 1;
    char **args = argv + optind + 1;
    catch_signals();
    struct {
        const char *name;
        int args;   // -1: checked by the command
    } table[] = {{"list", 0}, {"flash", 1}, {"read", 3}, {"erase", -1}, {"leave", 0}, {"unprotect", 0}, {"info", 1},
        {"convert", 2}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(cmd, table[i].name) != 0) {
            continue;
        }
        if (table[i].args >= 0 && nargs != table[i].args) {
            fprintf(stderr, "mpx-dfu: %s takes %d argument%s, %d given\nTry 'mpx-dfu --help'.\n", cmd, table[i].args,
                table[i].args == 1 ? "" : "s", nargs);
            return EXIT_USAGE;
        }
        switch (i) {
            case 0: code = cmd_list(&o); break;
            case 1: code = cmd_flash(&o, args[0]); break;
            case 2: code = cmd_read(&o, args[0], args[1], args[2]); break;
            case 3: code = cmd_erase(&o, nargs, args); break;
            case 4: code = cmd_leave(&o); break;
            case 5: code = cmd_unprotect(&o); break;
            case 6: code = cmd_info(&o, args[0]); break;
            default: code = cmd_convert(&o, args[0], args[1]); break;
        }
        return interrupted && code != EXIT_OK ? EXIT_CANCELLED : code;
    }
    return usage_error("unknown command '%s'", cmd);
}
