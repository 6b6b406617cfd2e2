// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libmpxdfu from an application (a GUI would do the same): open the one DFU
// device, flash a file with a progress callback, leave. Build against the
// installed library:
//   cc -o dfu_flash examples/dfu_flash.c $(pkg-config --cflags --libs mpxdfu)
//   ./dfu_flash firmware.dfu
#include <stdio.h>

#include "dfu.h"
#include "dfu_usb.h"

static int on_progress(void *user, dfu_phase phase, uint32_t address, uint64_t done, uint64_t total) {
    (void)user;
    printf("%-6s 0x%08x %llu/%llu\n", dfu_phase_name(phase), (unsigned)address, (unsigned long long)done,
        (unsigned long long)total);
    return 0;  // non-zero cancels
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    dfu_error err;
    dfu_error_clear(&err);
    dfu_image img;
    dfu_status st = dfu_image_load(argv[1], DFU_FORMAT_AUTO, 0x08000000u, &img, &err);
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
