// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libmpxdfu from an application (a GUI would do the same): open the one DFU
// device, flash a file with a progress callback, leave. Build against the
// installed library:
//   cc -o dfu_flash examples/dfu_flash.c $(pkg-config --cflags --libs mpxdfu)
//   ./dfu_flash firmware.dfu
//   ./dfu_flash firmware.bin 0x08000000     (raw binary: only where you say)
#include <stdio.h>
#include <stdlib.h>

#include "dfu.h"
#include "dfu_usb.h"

static int on_progress(void *user, dfu_phase phase, uint32_t address, uint64_t done, uint64_t total) {
    (void)user;
    printf("%-6s 0x%08x %llu/%llu\n", dfu_phase_name(phase), (unsigned)address, (unsigned long long)done,
        (unsigned long long)total);
    return 0;  // non-zero cancels
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s FILE [ADDRESS]\n", argv[0]);
        return 2;
    }
    dfu_error err;
    dfu_error_clear(&err);
    // The file's name and content decide what it is; raw binary needs the
    // address it goes to (libmpxdfu refuses it otherwise, and anything that
    // is not firmware: a web page saved as firmware.dfu, say).
    dfu_source src = {.has_address = argc == 3, .address = argc == 3 ? (uint32_t)strtoul(argv[2], NULL, 0) : 0};
    dfu_image img;
    dfu_status st = dfu_image_load(argv[1], &src, &img, &err);
    dfu_usb *usb = NULL;
    dfu_usb_device info;
    if (st == DFU_OK) {
        st = dfu_usb_open(NULL, 0, &usb, &info, &err);
    }
    if (st == DFU_OK) {
        dfu_session s;
        dfu_usb_session(usb, &s);
        s.progress = on_progress;
        dfu_flash_options o;
        dfu_flash_options_init(&o);  // page erase, verify, leave
        st = dfu_flash(&s, &img, &o, &err);
    }
    if (st != DFU_OK) {
        fprintf(stderr, "dfu_flash: %s: %s\n", dfu_strerror(st), err.message);
        if (err.has_device) {
            fprintf(stderr, "device: %s in %s %s\n", dfu_status_name(err.dev_status), dfu_state_name(err.dev_state),
                err.dev_string);
        }
    }
    dfu_usb_close(usb);
    dfu_image_free(&img);
    return st == DFU_OK ? 0 : 1;
}
