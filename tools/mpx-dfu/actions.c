// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// What both command lines run: list, flash, read, erase, leave, unprotect,
// detach, info, convert. Each action reads and checks its file before it
// opens a device, prints, and returns its exit code (the table of the
// command line in use: mpx-dfu's, or dfu-util's sysexits codes).
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpx_dfu.h"

int exit_code_for(const options *o, dfu_status st) {
    if (o->dfu_util) {
        switch (st) {
            case DFU_OK: return EXIT_OK;
            case DFU_E_ARG: case DFU_E_FORMAT: case DFU_E_TRUNCATED: case DFU_E_CRC: case DFU_E_OVERLAP:
            case DFU_E_MISMATCH: case DFU_E_ADDRESS: case DFU_E_REFUSED:
                return EX_USAGE;
            case DFU_E_IO: return o->output_file ? EX_CANTCREAT : EX_NOINPUT;
            case DFU_E_NOMEM: return EX_SOFTWARE;
            case DFU_E_CANCELLED: return EXIT_CANCELLED;
            default: return EX_IOERR;  // no device or alt setting, USB, the device's errors, verify
        }
    }
    switch (st) {
        case DFU_OK: return EXIT_OK;
        case DFU_E_ARG: case DFU_E_NO_ALT: return EXIT_USAGE;
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

int fail(options *o, const dfu_error *err, dfu_status st) {
    report_end_phase(&o->out);
    int code = st == DFU_E_NO_DEVICE && o->opened ? exit_code_for(o, DFU_E_USB) : exit_code_for(o, st);
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
    if (st == DFU_E_ARG && o->raw_without_address) {
        fprintf(stderr, "mpx-dfu: (%s)\n", o->dfu_util ? "give the address with -s ADDRESS, as dfu-util asks"
                                                       : "give the address with --address ADDRESS, or --format bin "
                                                         "for the start of the alt setting's memory");
    }
    return code;
}

// Ends a command on an open device: its failure (if any) told, the device
// closed; returns the exit code.
static int finish(options *o, device *d, const dfu_error *err, dfu_status st) {
    int code = st == DFU_OK ? EXIT_OK : fail(o, err, st);
    device_close(d);
    return code;
}

static const char *stdin_name(const char *path) {
    return strcmp(path, "-") == 0 ? "/dev/stdin" : path;
}

// Reads and checks a file by libmpxdfu's rules (dfu.h, dfu_source): what its
// name says, what its content is, and what the user said.
static dfu_status load(options *o, const char *path, dfu_image *img, dfu_error *err) {
    dfu_source src = {.name = strcmp(path, "-") == 0 ? "standard input" : path, .format = o->format,
        .has_address = o->has_address, .address = o->address};
    dfu_status st = dfu_image_load(stdin_name(path), &src, img, err);
    o->raw_without_address = st == DFU_E_ARG && img->format == DFU_FORMAT_BIN;
    return st;
}

// ---------------------------------------------------------------------------
// list

int cmd_list(options *o) {
    dfu_usb_device list[32];
    size_t n = 0;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = DFU_OK;
    if (o->wait_s) {
        st = device_wait(o, &o->filter, false, o->wait_s * 1000u, &err);
    }
    if (st == DFU_OK) {
        st = device_scan(o, list, 32, &n, &err);
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
    // dfu-util's -l finds nothing and exits 0; `mpx-dfu list` says so with 4.
    return shown || o->dfu_util ? EXIT_OK : EXIT_NO_DEVICE;
}

// ---------------------------------------------------------------------------
// info, convert

int cmd_info(options *o, const char *path) {
    dfu_image img;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = load(o, path, &img, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    report_image(path, &img, o->json);
    dfu_image_free(&img);
    return EXIT_OK;
}

int cmd_convert(options *o, const char *in, const char *out) {
    dfu_image img;
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = load(o, in, &img, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    if (img.needs_address) {
        dfu_image_free(&img);
        return usage_error(o, "%s: raw binary needs --address ADDRESS: the .dfu file says where its data goes", in);
    }
    if (o->filter.has_id || !img.has_suffix) {
        img.has_suffix = true;
        img.suffix = (dfu_suffix){.bcd_device = 0, .vid = o->filter.has_id ? o->filter.vid : 0x0483,
            .pid = o->filter.has_id ? o->filter.pid : 0xDF11};
    }
    for (size_t t = 0; t < img.target_count; t++) {
        if (!img.targets[t].name[0]) {
            dfu_target_set_name(&img.targets[t], "ST...", 5);  // the name tools/dfu.py gives
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

static uint8_t chosen_alt(const options *o) {
    return o->alt < 0 ? 0 : (uint8_t)o->alt;
}

static void said_left(const options *o, uint32_t jump) {
    if (!o->quiet && !o->json) {
        fprintf(stderr, "mpx-dfu: left DFU mode, jumping to 0x%08" PRIx32 "\n", jump);
    }
}

// What the dfu-util command line asks for after a read, an erase or a flash
// that did not leave: leave (-s ...:leave, -e), or DETACH (-R).
static dfu_status then_step(options *o, device *d, dfu_error *err) {
    if (o->then_leave) {
        uint32_t jump = o->flash.has_leave_address ? o->flash.leave_address : alt_start(d, 0, 0x08000000u);
        dfu_status st = dfu_leave(&d->s, d->s.dfuse, jump, err);
        report_end_phase(&o->out);
        if (st == DFU_OK) {
            said_left(o, jump);
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
        if (!o->quiet && !o->json) {
            fprintf(stderr, "mpx-dfu: -R: resetting the USB device\n");
        }
        return device_reset(d, err);
    }
    return DFU_OK;
}

int cmd_flash(options *o, const char *path) {
    dfu_error err;
    dfu_error_clear(&err);
    // Read and check the file before touching any device.
    dfu_image img;
    dfu_status st = load(o, path, &img, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    device d;
    st = device_open(o, &d, &err);
    if (st != DFU_OK) {
        dfu_image_free(&img);
        return fail(o, &err, st);
    }
    if (img.format == DFU_FORMAT_BIN) {
        uint8_t alt = chosen_alt(o);
        if (img.needs_address) {
            img.elements[0].address = alt_start(&d, alt, 0x08000000u);
            if (!o->quiet && !o->json) {
                fprintf(stderr, "mpx-dfu: writing %s at 0x%08" PRIx32 ", the start of alt %u\n", path,
                    img.elements[0].address, alt);
            }
        }
        img.elements[0].alt = alt;
        img.targets[0].alt = alt;
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
        return finish(o, &d, &err, st);
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
    return finish(o, &d, &err, st);
}

// Reads length bytes at address of the alt setting into out ('-': stdout).
// For dfu-util's -U: without an address, from the start of the alt's memory;
// with length 0, 0x4000 bytes without an address, else up to the end of the
// memory segment (the NN*SIZE group of the layout) that holds the address.
int cmd_read(options *o, bool has_address, uint32_t address, uint32_t length, const char *out) {
    bool to_stdout = strcmp(out, "-") == 0, created = false;
    if (o->json && to_stdout) {
        return usage_error(o, "%s", "--json and OUT '-' would both write to standard output");
    }
    dfu_error err;
    dfu_error_clear(&err);
    if (o->dfu_util && !to_stdout) {
        // dfu-util's -U does not overwrite a file; and a bad path is found before the device is touched.
        int fd = open(out, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0) {
            int e = errno;
            o->output_file = true;
            return fail(o, &err, dfu_error_set(&err, DFU_E_IO, "%s: %s%s", out, strerror(e),
                e == EEXIST ? " (-U does not overwrite a file, as in dfu-util)" : ""));
        }
        close(fd);
        created = true;
    }
    device d;
    dfu_status st = device_open(o, &d, &err);
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
    o->output_file = st == DFU_E_IO;
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
    return finish(o, &d, &err, st);
}

int cmd_erase(options *o, uint32_t address, uint32_t length) {
    dfu_error err;
    dfu_error_clear(&err);
    device d;
    dfu_status st = device_open(o, &d, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    st = dfu_erase(&d.s, chosen_alt(o), address, length, o->flash.mass_erase, o->flash.force, &err);
    report_end_phase(&o->out);
    if (st != DFU_OK) {
        return finish(o, &d, &err, st);
    }
    if (o->json) {
        done_json("erase", &d, NULL);
    } else if (!o->quiet) {
        fprintf(stderr, "mpx-dfu: erased %s\n", o->flash.mass_erase ? "the whole flash" : "the pages of the range");
    }
    st = then_step(o, &d, &err);
    return finish(o, &d, &err, st);
}

int cmd_leave(options *o) {
    dfu_error err;
    dfu_error_clear(&err);
    device d;
    dfu_status st = device_open(o, &d, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    uint32_t jump = o->flash.has_leave_address ? o->flash.leave_address : alt_start(&d, 0, 0x08000000u);
    st = dfu_leave(&d.s, d.s.dfuse, jump, &err);
    report_end_phase(&o->out);
    if (st != DFU_OK) {
        return finish(o, &d, &err, st);
    }
    if (o->json) {
        char extra[32];
        snprintf(extra, sizeof(extra), "\"jump\":%" PRIu32, jump);
        done_json("leave", &d, extra);
    } else {
        said_left(o, jump);
    }
    device_close(&d);
    return EXIT_OK;
}

int cmd_unprotect(options *o) {
    if (!o->yes) {
        fprintf(stderr, "mpx-dfu: unprotect removes read protection by erasing ALL of the device's flash.\n"
                        "mpx-dfu: run it again with --yes if that is what you want.\n");
        return EXIT_REFUSED;
    }
    dfu_error err;
    dfu_error_clear(&err);
    device d;
    dfu_status st = device_open(o, &d, &err);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    st = d.s.dfuse ? dfuse_read_unprotect(&d.s, &err)
                   : dfu_error_set(&err, DFU_E_UNSUPPORTED, "read unprotect needs a DfuSe device");
    char path[sizeof(d.info.path)];
    memcpy(path, d.info.path, sizeof(path));
    dfu_usb_filter same = {.path = path};
    device_close(&d);
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
    st = device_wait(o, &same, true, 30000, &err);
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

// dfu-util's -e: a device in runtime mode is detached and waited for in DFU
// mode (up to -E seconds); one already in DFU mode leaves it, as `leave` does.
int cmd_detach(options *o) {
    dfu_error err;
    dfu_error_clear(&err);
    dfu_status st = DFU_OK;
    if (o->wait_s) {
        st = device_wait(o, &o->filter, false, o->wait_s * 1000u, &err);
    }
    device d;
    memset(&d, 0, sizeof(d));
    if (st == DFU_OK) {
        st = device_open_raw(o, &d, &err);
    }
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    if (!d.info.runtime) {
        device_close(&d);
        return cmd_leave(o);
    }
    o->opened = true;
    st = device_enter_dfu(o, &d, &err);
    device_close(&d);
    if (st != DFU_OK) {
        return fail(o, &err, st);
    }
    if (o->json) {
        printf("{\"event\":\"done\",\"command\":\"detach\"}\n");
    } else if (!o->quiet) {
        fprintf(stderr, "mpx-dfu: detached; %04x:%04x at %s is in DFU mode\n", d.info.vid, d.info.pid, d.info.path);
    }
    return EXIT_OK;
}
