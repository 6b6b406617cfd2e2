// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// mpx-dfu-sim: the virtual STM32 DFU bootloader (lib/dfu/src/dfu_sim.c) on a
// real USB bus, through Linux FunctionFS. Mount a FunctionFS instance of a
// configfs gadget, start this on it, then bind the gadget to a UDC (dummy_hcd
// in tests/usb/). Any DFU host tool then sees 0483:df11.
//
// It exits when the device leaves the bus: 0 after a leave (the
// "application" starts), 3 after a reset (detach, read unprotect, option
// bytes, an injected vanish), 1 on errors, 2 on usage errors. The flash
// image file (--image) is saved on every exit, so a restarted sim is the
// same device after a reset.
#define _DEFAULT_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dfu_sim.h"

#define EXIT_LEFT 0
#define EXIT_ERROR 1
#define EXIT_USAGE 2
#define EXIT_RESET 3

static volatile sig_atomic_t stop;
// FUNCTIONFS_DISABLE events: the host reset the bus (e.g. dfu-util's -R),
// or configured the configured device again, which no DFU tool does.
// (ENABLE comes with every SET_INTERFACE too, so it cannot tell.)
static unsigned long bus_resets;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static uint64_t clock_ms(void *user) {
    (void)user;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char usage_text[] =
    "usage: mpx-dfu-sim [OPTIONS] FUNCTIONFS_DIR\n"
    "\n"
    "A virtual STM32 DfuSe bootloader on a FunctionFS gadget (see tests/usb/README.md).\n"
    "\n"
    "  --layout STRING        an alt setting's layout (repeat per alt; default: STM32F4\n"
    "                         \"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg\"\n"
    "                         and \"@Option Bytes  /0x1FFFC000/01*016 e\")\n"
    "  --image FILE           the flash image: loaded at start (erased if missing), saved at exit\n"
    "  --transfer-size N      wTransferSize (default 2048)\n"
    "  --poll-ms N            bwPollTimeout of a write (default 2)\n"
    "  --erase-ms N           ... of a page erase (default 5); --mass-erase-ms N (default 50)\n"
    "  --slow-erase N         answer dfuDNBUSY N extra times per erase\n"
    "  --read-protected       start at RDP level 1\n"
    "  --runtime              start as an application with a DFU runtime interface\n"
    "  --no-functional-descriptor   present no DFU functional descriptor\n"
    "  --stall-write N        stall the Nth write request\n"
    "  --error-write N        end the Nth write with errWRITE\n"
    "  --vanish-at N          leave the bus at the Nth class request\n"
    "  --vanish-on-leave      reset on the leave request, before answering its status\n"
    "  --stall-busy           stall one GETSTATUS during each erase (as the STM32L4 does)\n"
    "  --string-base N        the USB string id of the first alt name, to report error\n"
    "                         strings in GETSTATUS (default 0: none; FunctionFS serves only\n"
    "                         strings its descriptors reference, so they cannot be read)\n"
    "  --ready FILE           create FILE once the descriptors are written (bind the UDC then)\n"
    "  --stats FILE           write request counters to FILE at exit\n"
    "  -h, --help\n"
    "\n"
    "exit status: 0 left DFU mode, 3 reset (restart it to re-enumerate), 1 error, 2 usage.\n";

static void put_le16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v) {
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

// FunctionFS v2 descriptors: full- and high-speed copies of the interface
// (one alt setting per layout, no endpoints) and the functional descriptor.
static size_t build_descriptors(const dfu_sim *sim, uint8_t *buf) {
    const dfu_sim_config *c = dfu_sim_config_get(sim);
    bool with_func = !c->no_functional_descriptor;
    size_t off = 20;
    uint32_t count = (uint32_t)(c->alt_count + (with_func ? 1u : 0u));
    for (int speed = 0; speed < 2; speed++) {
        for (uint8_t a = 0; a < c->alt_count; a++) {
            uint8_t *d = buf + off;
            d[0] = 9;
            d[1] = USB_DT_INTERFACE;
            d[2] = 0;
            d[3] = a;
            d[4] = 0;
            d[5] = 0xFE;
            d[6] = 1;
            d[7] = dfu_sim_is_runtime(sim) ? 1 : 2;
            d[8] = (uint8_t)(a + 1);  // FunctionFS maps 1.. to its own string ids
            off += 9;
        }
        if (with_func) {
            dfu_sim_functional_descriptor(sim, buf + off);
            off += 9;
        }
    }
    put_le32(buf, FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
    put_le32(buf + 4, (uint32_t)off);
    put_le32(buf + 8, FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC);
    put_le32(buf + 12, count);
    put_le32(buf + 16, count);
    return off;
}

static size_t build_strings(const dfu_sim *sim, uint8_t *buf, size_t size) {
    unsigned n = dfu_sim_string_count(sim);
    size_t off = 18;
    put_le16(buf + 16, 0x0409);
    for (unsigned i = 1; i <= n; i++) {
        const char *s = dfu_sim_string(sim, i);
        size_t len = strlen(s) + 1;
        if (off + len > size) {
            return 0;
        }
        memcpy(buf + off, s, len);
        off += len;
    }
    put_le32(buf, FUNCTIONFS_STRINGS_MAGIC);
    put_le32(buf + 4, (uint32_t)off);
    put_le32(buf + 8, n);
    put_le32(buf + 12, 1);
    return off;
}

static int write_all(int fd, const uint8_t *buf, size_t len) {
    ssize_t r = write(fd, buf, len);
    return r == (ssize_t)len ? 0 : -1;
}

static void stall(int ep0, bool in) {
    // FunctionFS stalls ep0 when the data stage goes the wrong way.
    uint8_t dummy;
    ssize_t r = in ? read(ep0, &dummy, 0) : write(ep0, &dummy, 0);
    (void)r;
}

// One SETUP: run it through the sim and answer on ep0.
static void handle_setup(dfu_sim *sim, int ep0, const struct usb_ctrlrequest *rq) {
    static uint8_t buf[4096];
    bool in = (rq->bRequestType & USB_DIR_IN) != 0;
    uint16_t value = le16toh(rq->wValue), index = le16toh(rq->wIndex), length = le16toh(rq->wLength);
    if ((rq->bRequestType & USB_TYPE_MASK) != USB_TYPE_CLASS || length > sizeof(buf)) {
        stall(ep0, in);
        return;
    }
    if (!in && length) {
        if (dfu_sim_control_check(sim, rq->bRequestType, rq->bRequest, value, length) < 0) {
            stall(ep0, in);
            return;
        }
        ssize_t got = read(ep0, buf, length);
        if (got != (ssize_t)length) {
            return;  // cancelled by the host (EIDRM): nothing happened
        }
    }
    int r = dfu_sim_control(sim, rq->bRequestType, rq->bRequest, value, index, buf, length);
    if (r == -DFU_E_NO_DEVICE) {
        return;  // gone: the caller exits without answering
    }
    if (r < 0) {
        stall(ep0, in);
    } else if (in) {
        if (write_all(ep0, buf, (size_t)r) != 0 && errno != EIDRM) {
            perror("mpx-dfu-sim: ep0 write");
        }
    } else if (length == 0) {
        ssize_t ack = read(ep0, NULL, 0);
        (void)ack;
    }
}

// Saves the flash image and the counters (if asked) and frees the sim.
static int finish(dfu_sim *sim, const char *image, const char *stats, int code) {
    dfu_error err;
    dfu_error_clear(&err);
    if ((image && dfu_sim_save(sim, image, &err) != DFU_OK) ||
        (stats && dfu_sim_save_counters(sim, stats, bus_resets, &err) != DFU_OK)) {
        fprintf(stderr, "mpx-dfu-sim: %s\n", err.message);
        code = EXIT_ERROR;
    }
    dfu_sim_free(sim);
    return code;
}

static bool parse_uint(const char *s, unsigned max, unsigned *out) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || *s == '\0' || *end != '\0' || *s == '-' || v > max) {
        return false;
    }
    *out = (unsigned)v;
    return true;
}

int main(int argc, char **argv) {
    dfu_sim_config cfg;
    dfu_sim_config_stm32f4(&cfg);
    const char *image = NULL, *ready = NULL, *stats = NULL;
    unsigned string_base = 0, layouts = 0, v;
    enum { O_LAYOUT = 256, O_IMAGE, O_TS, O_POLL, O_ERASE, O_MASS, O_SLOW, O_RDP, O_RUNTIME, O_NOFUNC, O_STALLW,
        O_ERRW, O_VANISH, O_VLEAVE, O_SBUSY, O_SBASE, O_READY, O_STATS };
    static const struct option opts[] = {
        {"layout", required_argument, NULL, O_LAYOUT}, {"image", required_argument, NULL, O_IMAGE},
        {"transfer-size", required_argument, NULL, O_TS}, {"poll-ms", required_argument, NULL, O_POLL},
        {"erase-ms", required_argument, NULL, O_ERASE}, {"mass-erase-ms", required_argument, NULL, O_MASS},
        {"slow-erase", required_argument, NULL, O_SLOW}, {"read-protected", no_argument, NULL, O_RDP},
        {"runtime", no_argument, NULL, O_RUNTIME}, {"no-functional-descriptor", no_argument, NULL, O_NOFUNC},
        {"stall-write", required_argument, NULL, O_STALLW}, {"error-write", required_argument, NULL, O_ERRW},
        {"vanish-at", required_argument, NULL, O_VANISH}, {"vanish-on-leave", no_argument, NULL, O_VLEAVE},
        {"stall-busy", no_argument, NULL, O_SBUSY}, {"string-base", required_argument, NULL, O_SBASE},
        {"ready", required_argument, NULL, O_READY}, {"stats", required_argument, NULL, O_STATS},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
            case O_LAYOUT:
                if (layouts >= DFU_MAX_ALTS) {
                    ok = false;
                    break;
                }
                cfg.alts[layouts++] = optarg;
                cfg.alt_count = (uint8_t)layouts;
                break;
            case O_IMAGE: image = optarg; break;
            case O_TS: ok = parse_uint(optarg, 4096, &v) && v >= 16; cfg.transfer_size = (uint16_t)v; break;
            case O_POLL: ok = parse_uint(optarg, 0xFFFFFF, &cfg.write_poll_ms); break;
            case O_ERASE: ok = parse_uint(optarg, 0xFFFFFF, &cfg.erase_poll_ms); break;
            case O_MASS: ok = parse_uint(optarg, 0xFFFFFF, &cfg.mass_erase_poll_ms); break;
            case O_SLOW: ok = parse_uint(optarg, 100000, &cfg.erase_busy_polls); break;
            case O_RDP: cfg.read_protected = true; break;
            case O_RUNTIME: cfg.runtime = true; break;
            case O_NOFUNC: cfg.no_functional_descriptor = true; break;
            case O_STALLW: ok = parse_uint(optarg, 1u << 30, &cfg.stall_write_at); break;
            case O_ERRW: ok = parse_uint(optarg, 1u << 30, &cfg.error_write_at); break;
            case O_VANISH: ok = parse_uint(optarg, 1u << 30, &cfg.vanish_at_request); break;
            case O_VLEAVE: cfg.vanish_on_leave = true; break;
            case O_SBUSY: cfg.stall_busy_polls = true; break;
            case O_SBASE: ok = parse_uint(optarg, 200, &string_base); break;
            case O_READY: ready = optarg; break;
            case O_STATS: stats = optarg; break;
            case 'h': fputs(usage_text, stdout); return 0;
            default: ok = false; break;
        }
        if (!ok) {
            fprintf(stderr, "mpx-dfu-sim: bad option value%s%s\nTry 'mpx-dfu-sim --help'.\n", optarg ? ": " : "",
                optarg ? optarg : "");
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "mpx-dfu-sim: give the FunctionFS mount point\nTry 'mpx-dfu-sim --help'.\n");
        return EXIT_USAGE;
    }
    cfg.now_ms = clock_ms;
    dfu_sim *sim;
    dfu_error err;
    dfu_error_clear(&err);
    if (dfu_sim_new(&cfg, &sim, &err) != DFU_OK ||
        (image && dfu_sim_load(sim, image, &err) != DFU_OK)) {
        fprintf(stderr, "mpx-dfu-sim: %s\n", err.message);
        return EXIT_ERROR;
    }
    if (cfg.read_protected) {
        dfu_sim_protect(sim, true);  // whatever the image file said
    }
    dfu_sim_reset(sim, cfg.runtime);  // RDP from the option bytes
    dfu_sim_set_string_base(sim, (uint8_t)string_base);

    char path[4096];
    snprintf(path, sizeof(path), "%s/ep0", argv[optind]);
    int ep0 = open(path, O_RDWR);
    if (ep0 < 0) {
        fprintf(stderr, "mpx-dfu-sim: %s: %s\n", path, strerror(errno));
        return finish(sim, NULL, NULL, EXIT_ERROR);
    }
    static uint8_t desc[20 + 2 * (9 * DFU_MAX_ALTS + 9)], strs[8192];
    size_t dlen = build_descriptors(sim, desc);
    size_t slen = build_strings(sim, strs, sizeof(strs));
    if (write_all(ep0, desc, dlen) != 0 || slen == 0 || write_all(ep0, strs, slen) != 0) {
        fprintf(stderr, "mpx-dfu-sim: writing descriptors to %s: %s\n", path, strerror(errno));
        close(ep0);
        return finish(sim, NULL, NULL, EXIT_ERROR);
    }
    if (ready) {
        FILE *f = fopen(ready, "w");
        if (f) {
            fclose(f);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int code = EXIT_ERROR;
    while (!stop) {
        struct usb_functionfs_event ev;
        ssize_t r = read(ep0, &ev, sizeof(ev));
        if (r < 0 && (errno == EINTR || errno == EIDRM || errno == EAGAIN)) {
            continue;
        }
        if (r != (ssize_t)sizeof(ev)) {
            fprintf(stderr, "mpx-dfu-sim: reading ep0 events: %s\n", r < 0 ? strerror(errno) : "short read");
            break;
        }
        if (ev.type == FUNCTIONFS_SETUP) {
            handle_setup(sim, ep0, &ev.u.setup);
        } else if (ev.type == FUNCTIONFS_DISABLE) {
            bus_resets++;
            fprintf(stderr, "mpx-dfu-sim: USB reset (the function was disabled)\n");
        }
        uint32_t jump;
        dfu_sim_presence p = dfu_sim_presence_get(sim, &jump);
        if (p == DFU_SIM_LEFT) {
            fprintf(stderr, "mpx-dfu-sim: left DFU mode, jumping to 0x%08x\n", (unsigned)jump);
            code = EXIT_LEFT;
            break;
        }
        if (p == DFU_SIM_RESET) {
            fprintf(stderr, "mpx-dfu-sim: reset\n");
            code = EXIT_RESET;
            break;
        }
    }
    if (stop) {
        code = EXIT_LEFT;
    }
    close(ep0);
    return finish(sim, image, stats, code);
}
