// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// mpx-dfu's parts (see mpx-dfu(1)):
//   main.c          picks the command line: mpx-dfu's own or dfu-util's
//   cli_native.c    mpx-dfu's own command line (list, flash, read, ...)
//   cli_dfu_util.c  dfu-util 0.11's command line (-l, -D, -U, -s ..., -e, -R)
//   options.c       what both parse the same way (ids, numbers, shared options)
//   actions.c       what both run: one function per action, with the exit codes
//   device.c        the device: one on USB, or the simulated one (--sim)
//   report.c        what is printed: progress, lists, files, JSON
// Both command lines fill one `options` and call the same actions, so a
// flash from `mpx-dfu flash` and from `mpx-dfu -D` is the same code.
#ifndef MPX_DFU_TOOL_H
#define MPX_DFU_TOOL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <sysexits.h>

#include "dfu.h"
#include "dfu_sim.h"
#include "dfu_usb.h"
#include "report.h"

// The package's version (cpython/mpx/__init__.py), passed by CMake and setup.py.
#ifndef MPX_VERSION
#error "MPX_VERSION is not defined: build mpx-dfu with CMake or setup.py"
#endif

// Exit codes of mpx-dfu's own command line (mpx-dfu(1), EXIT STATUS).
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

// dfu-util's command line exits with dfu-util 0.11's codes, from
// <sysexits.h>: EX_USAGE (64) usage, and a file that is not what it must be;
// EX_NOINPUT (66) the file cannot be read; EX_SOFTWARE (70) internal;
// EX_CANTCREAT (73) -U's file cannot be created; EX_IOERR (74) no device,
// no such alt setting, a USB or device failure.

// A simulated device (--sim, MPX_DFU_SIM): one per run, kept across the
// opens of a command (unprotect, -e then leave), its flash in
// MPX_DFU_SIM_IMAGE and its counters in MPX_DFU_SIM_STATS when those name
// files.
typedef struct {
    bool on;
    const char *layout;      // one alt setting with this layout (NULL: the STM32F4's)
    dfu_sim *sim;
    const char *image, *stats;
    unsigned long bus_resets;
} sim_choice;

typedef struct {
    dfu_usb_filter filter;
    dfu_flash_options flash; // the flash options, also read by read, erase and leave
    bool json, quiet, has_address, yes;
    bool opened;             // a device was open: losing it is a USB failure
    bool output_file;        // the failing step was creating -U's file
    bool raw_without_address;// the file was refused as raw binary without an address
    unsigned timeout_ms;     // --timeout
    int verbose;
    int alt;                 // -1: default
    uint32_t address;
    uint16_t transfer_size;  // -t
    unsigned wait_s;
    unsigned pad;
    dfu_format format;
    report out;
    sim_choice sim;
    // The dfu-util command line (cli_dfu_util.c).
    bool dfu_util;
    bool list_dfu_util;      // -l: dfu-util's "Found DFU: ..." lines
    const char *alt_name;    // -a NAME: matched against the alt names once the device is open
    unsigned detach_wait_ms; // how long a detached runtime device may take to come back (-E)
    bool then_leave;         // after a read or an erase: leave DFU mode (-s ...:leave, -e)
    bool then_detach;        // after the work, if the device is still there: DETACH (-R)
    bool unprotect_no_wait;  // unprotect: do not wait for the device to come back (dfu-util)
} options;

void options_init(options *o);

// --- options.c: what both command lines parse alike
bool parse_u32(const char *s, uint32_t *out);
bool parse_device(const char *s, dfu_usb_filter *f);
int usage_error(const options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void usage(void);
// The options both command lines share (same letter or long name, same
// meaning). Returns -1 if c is not one of them, else EXIT_OK or a usage code.
int common_option(options *o, int c, const char *arg);
// MPX_DFU_SIM: "1" (or any text that is not a layout) for the STM32F4, or a
// layout string; --sim overrides it.
void sim_from_environment(options *o);

enum {
    OPT_MASS = 256, OPT_NO_VERIFY, OPT_NO_LEAVE, OPT_JUMP, OPT_FORCE, OPT_OPTION_BYTES, OPT_RDP2, OPT_PER_CHUNK,
    OPT_NO_CHECK_ID, OPT_FORMAT, OPT_PAD, OPT_YES, OPT_TIMEOUT, OPT_SIM,
};

// Long options without a dfu-util counterpart: both command lines take them.
#define COMMON_LONG_OPTIONS                                                                                       \
    {"no-verify", no_argument, NULL, OPT_NO_VERIFY}, {"jump", required_argument, NULL, OPT_JUMP},                 \
        {"option-bytes", no_argument, NULL, OPT_OPTION_BYTES}, {"allow-rdp-level-2", no_argument, NULL, OPT_RDP2}, \
        {"per-chunk-address", no_argument, NULL, OPT_PER_CHUNK},                                                   \
        {"no-check-id", no_argument, NULL, OPT_NO_CHECK_ID}, {"format", required_argument, NULL, OPT_FORMAT},     \
        {"timeout", required_argument, NULL, OPT_TIMEOUT}, {"sim", optional_argument, NULL, OPT_SIM},             \
        {"json", no_argument, NULL, 'j'}, {"quiet", no_argument, NULL, 'q'},                                      \
        {"verbose", no_argument, NULL, 'v'}, {"device", required_argument, NULL, 'd'},                            \
        {"path", required_argument, NULL, 'p'}, {"transfer-size", required_argument, NULL, 't'},                  \
        {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}

// --- cli_native.c and cli_dfu_util.c: the two command lines
int native_main(options *o, int argc, char **argv);
int dfu_util_main(options *o, int argc, char **argv);
bool is_dfu_util_command_line(int argc, char **argv);
extern const struct option native_long_options[];
extern const char native_usage_text[];
extern const char dfu_util_usage_text[];

// --- device.c: one open device, on USB or simulated
typedef struct {
    const dfu_transport *inner;
    dfu_transport io;
} logging_transport;

typedef struct {
    dfu_usb *usb;            // a device on USB, or
    dfu_sim *sim;            // the simulated one (owned by options.sim)
    dfu_transport sim_io;
    unsigned long *bus_resets;  // the simulated one's (options.sim)
    dfu_session s;
    dfu_usb_device info;
    logging_transport log;
    uint64_t opened_us;      // when the command began to open it (--json's "ms")
} device;

uint64_t monotonic_us(void);
// Opens the one matching device (detaching one in runtime mode), resolves
// -a (by number or name: DFU_E_NO_ALT before any DFU request), and sets up
// timeouts, progress, -vv logging and cancellation.
dfu_status device_open(options *o, device *d, dfu_error *err);
void device_close(device *d);
// What `list` shows: every DFU interface seen (filtered ones marked).
dfu_status device_scan(options *o, dfu_usb_device *out, size_t max, size_t *count, dfu_error *err);
// Waits for a matching device (-w; the simulated one is there at once).
dfu_status device_wait(options *o, const dfu_usb_filter *filter, bool want_dfu, unsigned timeout_ms,
    dfu_error *err);
// dfu-util's -R: a USB bus reset of the open device.
dfu_status device_reset(device *d, dfu_error *err);
// Opens without detaching (dfu-util's -e decides itself what to do).
dfu_status device_open_raw(options *o, device *d, dfu_error *err);
dfu_status device_enter_dfu(options *o, device *d, dfu_error *err);
// Saves the simulated device's flash and counters where asked, frees it.
int sim_finish(options *o, int code);
// Ctrl-C and SIGTERM stop the running session at its next request.
void catch_signals(void);
bool interrupted_by_signal(void);

// --- actions.c: what both command lines run; each returns an exit code
int exit_code_for(const options *o, dfu_status st);
int fail(options *o, const dfu_error *err, dfu_status st);
int cmd_list(options *o);
int cmd_flash(options *o, const char *path);
int cmd_read(options *o, bool has_address, uint32_t address, uint32_t length, const char *out);
int cmd_erase(options *o, uint32_t address, uint32_t length);
int cmd_leave(options *o);
int cmd_unprotect(options *o);
int cmd_detach(options *o);
int cmd_info(options *o, const char *path);
int cmd_convert(options *o, const char *in, const char *out);

#endif
