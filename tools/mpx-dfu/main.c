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
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
} options;

static volatile sig_atomic_t interrupted;
static volatile int *cancel_flag;

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
    if (cancel_flag) {
        *cancel_flag = 1;
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
    "  -j, --json                 one JSON object per line on stdout\n"
    "  -v, --verbose              more detail (twice: every USB request)\n"
    "  -q, --quiet                no progress\n"
    "  -h, --help                 this text;  -V, --version\n"
    "\n"
    "exit status: 0 ok, 1 other error, 2 usage, 3 bad file, 4 no device or no access,\n"
    "5 USB communication failed, 6 the device reported an error, 7 verification failed,\n"
    "8 refused (outside the layout, or needs an opt-in), 130 interrupted.\n"
    "See mpx-dfu(1).\n";

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

static bool parse_id(const char *s, uint16_t *vid, uint16_t *pid) {
    unsigned v, p;
    int used = 0;
    if (sscanf(s, "%4x:%4x%n", &v, &p, &used) != 2 || s[used] != '\0') {
        return false;
    }
    *vid = (uint16_t)v;
    *pid = (uint16_t)p;
    return true;
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
        if (!parse_id(comma + 1, &f->dfu_vid, &f->dfu_pid)) {
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
        fprintf(stderr, "mpx-dfu: (--force writes outside the layout anyway)\n");
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
} device;

static dfu_status open_device(options *o, device *d, dfu_error *err) {
    memset(d, 0, sizeof(*d));
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
        st = dfu_usb_enter_dfu(&d->usb, &o->filter, o->transfer_size, 10000, &d->info, err);
    }
    if (st != DFU_OK) {
        return st;
    }
    dfu_usb_session(d->usb, &d->s);
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
        d->log.io = (dfu_transport){log_control, log_string, log_set_alt, log_sleep, &d->log};
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

static void close_device(device *d) {
    cancel_flag = NULL;
    dfu_usb_close(d->usb);
    d->usb = NULL;
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
        report_device(d, o->json, o->verbose, shown == 0);
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
        return dfu_error_set(err, DFU_E_ARG, "--address is for raw .bin files; %s already says where its data goes",
            path);
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
    printf("{\"event\":\"done\",\"command\":\"%s\",\"requests\":%lu%s%s}\n", command, d->s.requests,
        extra ? "," : "", extra ? extra : "");
}

static uint32_t alt_start(const device *d, uint8_t alt, uint32_t fallback) {
    return alt < DFU_MAX_ALTS && d->s.has_layout[alt] ? d->s.layouts[alt].segments[0].start : fallback;
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
            fprintf(stderr, "mpx-dfu: writing %s at 0x%08" PRIx32 ", the start of alt %u (--address to change)\n",
                path, img.elements[0].address, alt);
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
    close_device(&d);
    return EXIT_OK;
}

static int cmd_read(options *o, const char *a, const char *l, const char *out) {
    uint32_t address, length;
    if (!parse_u32(a, &address)) {
        return usage_error("bad address '%s'", a);
    }
    if (!parse_u32(l, &length) || length == 0) {
        return usage_error("bad length '%s'", l);
    }
    if (o->json && strcmp(out, "-") == 0) {
        return usage_error("%s", "--json and OUT '-' would both write to standard output");
    }
    dfu_error err;
    dfu_error_clear(&err);
    device d;
    dfu_status st = open_device(o, &d, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    uint8_t alt = chosen_alt(o);
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
    if (st == DFU_OK && strcmp(out, "-") == 0) {
        if (fwrite(buf, 1, length, stdout) != length || fflush(stdout) != 0) {
            st = dfu_error_set(&err, DFU_E_IO, "standard output: %s", strerror(errno));
        }
    } else if (st == DFU_OK) {
        st = dfu_file_write(out, buf, length, &err);
    }
    free(buf);
    int code = st == DFU_OK ? EXIT_OK : fail(o, &err, st);
    if (st == DFU_OK && o->json && strcmp(out, "-") != 0) {
        char extra[64];
        snprintf(extra, sizeof(extra), "\"bytes\":%" PRIu32, length);
        done_json("read", &d, extra);
    } else if (st == DFU_OK && !o->quiet && !o->json) {
        fprintf(stderr, "mpx-dfu: read %" PRIu32 " bytes from 0x%08" PRIx32 " to %s\n", length, address, out);
    }
    close_device(&d);
    return code;
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
    close_device(&d);
    return EXIT_OK;
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
};

static const struct option long_options[] = {
    {"device", required_argument, NULL, 'd'}, {"serial", required_argument, NULL, 'S'},
    {"path", required_argument, NULL, 'p'}, {"alt", required_argument, NULL, 'a'},
    {"transfer-size", required_argument, NULL, 't'}, {"wait", required_argument, NULL, 'w'},
    {"address", required_argument, NULL, 's'}, {"mass-erase", no_argument, NULL, OPT_MASS},
    {"no-verify", no_argument, NULL, OPT_NO_VERIFY}, {"no-leave", no_argument, NULL, OPT_NO_LEAVE},
    {"jump", required_argument, NULL, OPT_JUMP}, {"force", no_argument, NULL, OPT_FORCE},
    {"option-bytes", no_argument, NULL, OPT_OPTION_BYTES}, {"allow-rdp-level-2", no_argument, NULL, OPT_RDP2},
    {"per-chunk-address", no_argument, NULL, OPT_PER_CHUNK}, {"no-check-id", no_argument, NULL, OPT_NO_CHECK_ID},
    {"format", required_argument, NULL, OPT_FORMAT}, {"pad", required_argument, NULL, OPT_PAD},
    {"yes", no_argument, NULL, OPT_YES}, {"timeout", required_argument, NULL, OPT_TIMEOUT}, {"json", no_argument, NULL, 'j'}, {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv) {
    options o;
    memset(&o, 0, sizeof(o));
    o.alt = -1;
    dfu_flash_options_init(&o.flash);  // page erase, verify, leave, incrementing blocks
    o.flash.check_ids = true;
    o.pad = 8;
    int c;
    uint32_t v;
    while ((c = getopt_long(argc, argv, "d:S:p:a:t:w:s:jvqhV", long_options, NULL)) != -1) {
        switch (c) {
            case 'd':
                if (!parse_device(optarg, &o.filter)) {
                    return usage_error("bad device '%s' (VID:PID or VID:PID,VID:PID in hex)", optarg);
                }
                break;
            case 'S': o.filter.serial = optarg; break;
            case 'p': o.filter.path = optarg; break;
            case 'a':
                if (!parse_u32(optarg, &v) || v >= DFU_MAX_ALTS) {
                    return usage_error("bad alt setting '%s' (0..7)", optarg);
                }
                o.alt = (int)v;
                break;
            case 't':
                if (!parse_u32(optarg, &v) || v < 8 || v > 4096) {
                    return usage_error("bad transfer size '%s' (8..4096)", optarg);
                }
                o.transfer_size = (uint16_t)v;
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
            case OPT_NO_VERIFY: o.flash.verify = false; break;
            case OPT_NO_LEAVE: o.flash.leave = false; break;
            case OPT_JUMP:
                if (!parse_u32(optarg, &o.flash.leave_address)) {
                    return usage_error("bad jump address '%s'", optarg);
                }
                o.flash.has_leave_address = true;
                break;
            case OPT_FORCE: o.flash.force = true; break;
            case OPT_OPTION_BYTES: o.flash.allow_option_bytes = true; break;
            case OPT_RDP2: o.flash.allow_rdp_level2 = true; break;
            case OPT_PER_CHUNK: o.flash.incrementing_blocks = false; break;
            case OPT_NO_CHECK_ID: o.flash.check_ids = false; break;
            case OPT_FORMAT:
                if (strcmp(optarg, "dfu") == 0 || strcmp(optarg, "dfuse") == 0) {
                    o.format = DFU_FORMAT_DFUSE;
                } else if (strcmp(optarg, "hex") == 0 || strcmp(optarg, "ihex") == 0) {
                    o.format = DFU_FORMAT_HEX;
                } else if (strcmp(optarg, "elf") == 0) {
                    o.format = DFU_FORMAT_ELF;
                } else if (strcmp(optarg, "bin") == 0) {
                    o.format = DFU_FORMAT_BIN;
                } else {
                    return usage_error("bad format '%s' (dfu, hex, elf or bin)", optarg);
                }
                break;
            case OPT_PAD:
                if (!parse_u32(optarg, &v) || v == 0 || v > 4096) {
                    return usage_error("bad padding '%s' (1..4096)", optarg);
                }
                o.pad = v;
                break;
            case OPT_YES: o.yes = true; break;
            case OPT_TIMEOUT:
                if (!parse_u32(optarg, &v) || v < 10 || v > 3600000) {
                    return usage_error("bad timeout '%s' (10..3600000 ms)", optarg);
                }
                o.timeout_ms = v;
                break;
            case 'j': o.json = true; break;
            case 'v': o.verbose++; break;
            case 'q': o.quiet = true; break;
            case 'h': fputs(usage_text, stdout); return EXIT_OK;
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
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
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
        int code;
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
