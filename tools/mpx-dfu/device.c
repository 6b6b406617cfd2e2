// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The device the actions talk to: one on USB (libmpxdfu's libusb
// transport), or the in-process virtual STM32 bootloader (--sim,
// MPX_DFU_SIM: dfu_sim.h), found, opened and listed the same way, so a
// rehearsal prints what the board would give. Also -vv's request log and
// Ctrl-C.
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mpx_dfu.h"

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

void catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool interrupted_by_signal(void) {
    return interrupted != 0;
}

uint64_t monotonic_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

// ---------------------------------------------------------------------------
// A transport that logs each request (-vv) around the real one.

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
// The simulated device

static dfu_status sim_get(options *o, dfu_sim **out, dfu_error *err) {
    if (o->sim.sim == NULL) {
        dfu_sim_config c;
        dfu_sim_config_stm32f4(&c);
        if (o->sim.layout) {
            c.alts[0] = o->sim.layout;
            c.alt_count = 1;
        }
        dfu_status st = dfu_sim_new(&c, &o->sim.sim, err);
        if (st == DFU_OK && o->sim.image) {
            st = dfu_sim_load(o->sim.sim, o->sim.image, err);
        }
        if (st != DFU_OK) {
            dfu_sim_free(o->sim.sim);
            o->sim.sim = NULL;
            return st;
        }
        if (o->verbose && !o->json) {
            fprintf(stderr, "mpx-dfu: using the simulated %s (--sim)\n",
                o->sim.layout ? "DfuSe bootloader" : "STM32F4 system bootloader");
        }
    }
    *out = o->sim.sim;
    return DFU_OK;
}

int sim_finish(options *o, int code) {
    dfu_error err;
    dfu_error_clear(&err);
    if (o->sim.on && o->sim.stats && o->sim.sim == NULL) {
        // Refused before any device was opened: the counters say so (all 0).
        dfu_sim *sim;
        (void)sim_get(o, &sim, &err);
        dfu_error_clear(&err);
    }
    if (o->sim.sim == NULL) {
        return code;
    }
    if ((o->sim.image && dfu_sim_save(o->sim.sim, o->sim.image, &err) != DFU_OK) ||
        (o->sim.stats && dfu_sim_save_counters(o->sim.sim, o->sim.stats, o->sim.bus_resets, &err) != DFU_OK)) {
        fprintf(stderr, "mpx-dfu: simulated device: %s\n", err.message);
        code = code ? code : EXIT_OTHER;
    }
    dfu_sim_free(o->sim.sim);
    o->sim.sim = NULL;
    return code;
}

// The simulated device as a bus scan sees it: nothing once it left DFU mode.
static size_t sim_scan(options *o, const dfu_usb_filter *filter, dfu_usb_device *out, dfu_error *err) {
    dfu_sim *sim;
    if (sim_get(o, &sim, err) != DFU_OK || dfu_sim_presence_get(sim, NULL) != DFU_SIM_PRESENT) {
        return 0;
    }
    dfu_usb_describe_sim(sim, out);
    if (!dfu_usb_filter_matches(filter, out)) {
        out->result = DFU_USB_FILTERED;
        snprintf(out->why, sizeof(out->why), "does not match the filter");
    }
    return 1;
}

// ---------------------------------------------------------------------------

dfu_status device_scan(options *o, dfu_usb_device *out, size_t max, size_t *count, dfu_error *err) {
    if (!o->sim.on) {
        return dfu_usb_scan(&o->filter, out, max, count, err);
    }
    dfu_error_clear(err);
    *count = max ? sim_scan(o, &o->filter, out, err) : 0;
    return err->code;
}

dfu_status device_wait(options *o, const dfu_usb_filter *filter, bool want_dfu, unsigned timeout_ms,
    dfu_error *err) {
    if (!o->sim.on) {
        return dfu_usb_wait(filter, want_dfu, timeout_ms, NULL, err);
    }
    dfu_usb_device d;
    dfu_error_clear(err);
    dfu_sim *sim;
    if (sim_get(o, &sim, err) == DFU_OK && dfu_sim_presence_get(sim, NULL) == DFU_SIM_RESET) {
        dfu_sim_reset(sim, false);  // back on the bus in DFU mode, as a board with BOOT0 high
    }
    if (sim_scan(o, filter, &d, err) && d.result == DFU_USB_USABLE) {
        return DFU_OK;
    }
    return err->code ? err->code
                     : dfu_error_set(err, DFU_E_TIMEOUT, "no matching %sdevice appeared within %u ms",
                           want_dfu ? "DFU-mode " : "", timeout_ms);
}

dfu_status device_open_raw(options *o, device *d, dfu_error *err) {
    memset(d, 0, sizeof(*d));
    d->opened_us = monotonic_us();
    if (!o->sim.on) {
        dfu_status st = dfu_usb_open(&o->filter, o->transfer_size, &d->usb, &d->info, err);
        if (st == DFU_OK) {
            dfu_usb_session(d->usb, &d->s);
        }
        return st;
    }
    // As dfu_usb_open: the one usable device, or what was seen and why not.
    dfu_usb_device seen;
    dfu_error_clear(err);
    if (!sim_scan(o, &o->filter, &seen, err) || seen.result != DFU_USB_USABLE) {
        if (err->code) {
            return err->code;
        }
        if (dfu_sim_presence_get(o->sim.sim, NULL) != DFU_SIM_PRESENT) {
            return dfu_error_set(err, DFU_E_NO_DEVICE, "no usable DFU device (the simulated one left DFU mode)");
        }
        return dfu_error_set(err, DFU_E_NO_DEVICE, "no usable DFU device; seen: %04x:%04x at %s (DFU mode): %s",
            seen.vid, seen.pid, seen.path, seen.why);
    }
    d->sim = o->sim.sim;
    d->bus_resets = &o->sim.bus_resets;
    d->info = seen;
    d->sim_io = dfu_sim_transport(d->sim);
    dfu_status st = dfu_sim_session(d->sim, &d->sim_io, o->transfer_size, &d->s, err);
    if (st == DFU_OK && d->s.transfer_size == 0) {
        st = dfu_error_set(err, DFU_E_UNSUPPORTED,
            "sim has no DFU functional descriptor, so its transfer size is unknown; give one with -t");
    }
    if (st != DFU_OK) {
        d->sim = NULL;
    }
    return st;
}

dfu_status device_enter_dfu(options *o, device *d, dfu_error *err) {
    if (!d->info.runtime) {
        return DFU_OK;
    }
    if (d->sim) {
        return dfu_error_set(err, DFU_E_UNSUPPORTED, "the simulated device does not start in runtime mode");
    }
    dfu_status st = dfu_usb_enter_dfu(&d->usb, &o->filter, o->transfer_size, o->detach_wait_ms, &d->info, err);
    if (st == DFU_OK) {
        dfu_usb_session(d->usb, &d->s);
    }
    return st;
}

dfu_status device_open(options *o, device *d, dfu_error *err) {
    dfu_status st = DFU_OK;
    if (o->wait_s) {
        st = device_wait(o, &o->filter, false, o->wait_s * 1000u, err);
    }
    if (st == DFU_OK) {
        st = device_open_raw(o, d, err);
    }
    if (st == DFU_OK && d->info.runtime) {
        if (!o->quiet && !o->json) {
            fprintf(stderr, "mpx-dfu: %04x:%04x at %s is in runtime mode; detaching\n", d->info.vid, d->info.pid,
                d->info.path);
        }
        st = device_enter_dfu(o, d, err);
    }
    if (st != DFU_OK) {
        device_close(d);
        return st;
    }
    // The alt setting the user named: checked before any DFU request, and
    // never replaced by alt 0 (dfu-util refuses it too).
    uint8_t alt = 0;
    if (o->alt_name) {
        st = dfu_session_find_alt(&d->s, o->alt_name, &alt, err);
        o->alt = alt;
    } else if (o->alt >= 0) {
        st = dfu_session_check_alt(&d->s, (unsigned)o->alt, err);
    }
    if (st != DFU_OK) {
        device_close(d);
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

void device_close(device *d) {
    cancel_flag = NULL;
    dfu_usb_close(d->usb);
    d->usb = NULL;
    d->sim = NULL;  // options.sim keeps it for the next open and sim_finish
}

dfu_status device_reset(device *d, dfu_error *err) {
    if (d->usb) {
        return dfu_usb_reset(d->usb, err);
    }
    if (d->sim && dfu_sim_presence_get(d->sim, NULL) == DFU_SIM_PRESENT) {
        dfu_sim_reset(d->sim, false);  // a DFU-mode device comes back in DFU mode
    }
    if (d->sim) {
        (*d->bus_resets)++;
    }
    return DFU_OK;
}
