// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// What mpx-dfu prints: a progress bar on a terminal, plain lines otherwise,
// or one JSON object per line (--json) for GUIs and scripts.
#ifndef MPX_DFU_REPORT_H
#define MPX_DFU_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "dfu.h"
#include "dfu_usb.h"

typedef struct {
    bool json;
    bool tty;          // stderr is a terminal: redraw one bar line
    int verbose;
    bool quiet;
    dfu_phase phase;
    bool in_phase;
    int last_step;     // tenths printed for plain lines, or bar width drawn
} report;

void report_init(report *r, bool json, int verbose, bool quiet);
// dfu_progress_fn; user is the report.
int report_progress(void *user, dfu_phase phase, uint32_t address, uint64_t done, uint64_t total);
void report_end_phase(report *r);

// JSON helpers (stdout).
void json_string(FILE *f, const char *s);
void json_error(const dfu_error *err, int exit_code);

// One device of `list` (JSON: one element of the devices array).
void report_device(const dfu_usb_device *d, bool json, int verbose, bool first);
// The device as dfu-util -l prints it: one "Found DFU: [...]" (or "Found
// Runtime: ...") line per alt setting, highest first as dfu-util has them, on stdout.
void report_device_dfu_util(const dfu_usb_device *d);
// What a file holds, for `info`.
void report_image(const char *path, const dfu_image *img, bool json);

#endif
