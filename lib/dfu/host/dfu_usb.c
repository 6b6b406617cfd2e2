// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libusb-1.0 transport (dfu_usb.h). Own context per scan and per open
// device (libusb's listdevs/xusb examples), every transfer checked, and
// libusb errors mapped onto dfu_status.
#define _POSIX_C_SOURCE 200809L
#include "dfu_usb.h"

#include <libusb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DFU_CLASS 0xFEu
#define DFU_SUBCLASS 1u
#define LINUX_CONTROL_MAX 4096u
#define SCAN_MAX 32u

struct dfu_usb {
    libusb_context *ctx;
    libusb_device_handle *handle;
    dfu_usb_device info;
    uint16_t transfer_size;
    dfu_transport io;
};

static dfu_status map_error(int r) {
    switch (r) {
        case LIBUSB_ERROR_PIPE: return DFU_E_STALL;
        case LIBUSB_ERROR_NO_DEVICE: return DFU_E_NO_DEVICE;
        case LIBUSB_ERROR_TIMEOUT: return DFU_E_TIMEOUT;
        case LIBUSB_ERROR_ACCESS: return DFU_E_ACCESS;
        case LIBUSB_ERROR_NO_MEM: return DFU_E_NOMEM;
        case LIBUSB_ERROR_NOT_FOUND: return DFU_E_NO_DEVICE;
        default: return DFU_E_USB;
    }
}

static void sleep_ms(unsigned ms) {
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000u), .tv_nsec = (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static uint64_t monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int io_control(void *ctx, uint8_t rt, uint8_t req, uint16_t value, uint16_t index, uint8_t *data,
    uint16_t length, unsigned timeout_ms) {
    dfu_usb *u = ctx;
    int r = libusb_control_transfer(u->handle, rt, req, value, index, data, length, timeout_ms);
    return r < 0 ? -(int)map_error(r) : r;
}

// Control requests queued together (libusb's asynchronous API): the bus
// goes from one to the next without a round trip through this process.
typedef struct {
    unsigned pending;
    int all_done;
} queue_state;

static void LIBUSB_CALL upload_done(struct libusb_transfer *t) {
    queue_state *b = t->user_data;
    if (--b->pending == 0) {
        b->all_done = 1;
    }
}

static dfu_status map_transfer_status(enum libusb_transfer_status st) {
    switch (st) {
        case LIBUSB_TRANSFER_STALL: return DFU_E_STALL;
        case LIBUSB_TRANSFER_TIMED_OUT: return DFU_E_TIMEOUT;
        case LIBUSB_TRANSFER_NO_DEVICE: return DFU_E_NO_DEVICE;
        default: return DFU_E_USB;
    }
}

// Submits the filled transfers t[0..n) (their user_data is `batch`), in
// order, and handles events until every submitted one has completed; the
// buffers are the caller's, so none is left in flight. Returns how many were
// submitted; *submit_error is libusb's error for the first that was not.
static unsigned run_queued(dfu_usb *u, struct libusb_transfer **t, unsigned n, queue_state *batch,
    int *submit_error) {
    unsigned submitted = 0;
    *submit_error = 0;
    batch->pending = 0;
    for (; submitted < n; submitted++) {
        batch->pending++;
        int r = libusb_submit_transfer(t[submitted]);
        if (r < 0) {
            batch->pending--;
            *submit_error = r;
            break;
        }
    }
    batch->all_done = batch->pending == 0;
    while (!batch->all_done) {
        int r = libusb_handle_events_completed(u->ctx, &batch->all_done);
        if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED) {
            // Event handling itself failed: cancel what is queued, and keep
            // going until every callback has run.
            for (unsigned i = 0; i < submitted; i++) {
                (void)libusb_cancel_transfer(t[i]);
            }
        }
    }
    return submitted;
}

static int io_upload_many(void *ctx, uint16_t interface, uint16_t first_block, uint16_t count, uint16_t length,
    uint8_t *out, unsigned timeout_ms, int *failed) {
    dfu_usb *u = ctx;
    *failed = 0;
    if (count == 0 || count > DFU_UPLOAD_QUEUE) {
        return -(int)DFU_E_ARG;
    }
    size_t slot = LIBUSB_CONTROL_SETUP_SIZE + (size_t)length;
    uint8_t *buf = malloc(slot * count);
    struct libusb_transfer *t[DFU_UPLOAD_QUEUE] = {0};
    queue_state batch = {0, 0};
    if (buf == NULL) {
        return -(int)DFU_E_NOMEM;
    }
    int submit_error = 0;
    unsigned made = 0;
    for (; made < count; made++) {
        t[made] = libusb_alloc_transfer(0);
        if (t[made] == NULL) {
            submit_error = LIBUSB_ERROR_NO_MEM;
            break;
        }
        uint8_t *b = buf + made * slot;
        libusb_fill_control_setup(b, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
            2 /* DFU_UPLOAD */, (uint16_t)(first_block + made), interface, length);
        libusb_fill_control_transfer(t[made], u->handle, b, upload_done, &batch, timeout_ms);
    }
    int queue_error = 0;
    unsigned submitted = run_queued(u, t, made, &batch, &queue_error);
    if (submitted < made) {
        submit_error = queue_error;
    }
    int bytes = 0;
    bool stop = false;
    for (unsigned i = 0; i < made; i++) {
        if (!stop && i < submitted) {
            if (t[i]->status != LIBUSB_TRANSFER_COMPLETED) {
                *failed = -(int)map_transfer_status(t[i]->status);
                stop = true;
            } else {
                memcpy(out + (size_t)i * length, buf + i * slot + LIBUSB_CONTROL_SETUP_SIZE,
                    (size_t)t[i]->actual_length);
                bytes += t[i]->actual_length;
                stop = t[i]->actual_length != length;
            }
        }
        libusb_free_transfer(t[i]);
    }
    if (!stop && submit_error != 0) {
        *failed = -(int)map_error(submit_error);
    }
    free(buf);
    return bytes;
}

static int io_dnload_getstatus(void *ctx, uint16_t interface, uint16_t block, const uint8_t *data, uint16_t len,
    unsigned timeout_ms, unsigned status_timeout_ms, uint8_t status[6], int *status_got) {
    dfu_usb *u = ctx;
    uint8_t *buf = malloc(2u * LIBUSB_CONTROL_SETUP_SIZE + len + 6u);
    struct libusb_transfer *t[2] = {libusb_alloc_transfer(0), libusb_alloc_transfer(0)};
    queue_state batch = {0, 0};
    int result = -(int)DFU_E_NOMEM;
    *status_got = -(int)DFU_E_NOMEM;
    if (buf == NULL || t[0] == NULL || t[1] == NULL) {
        libusb_free_transfer(t[0]);
        libusb_free_transfer(t[1]);
        free(buf);
        return result;
    }
    uint8_t *out = buf, *in = buf + LIBUSB_CONTROL_SETUP_SIZE + len;
    libusb_fill_control_setup(out, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
        1 /* DFU_DNLOAD */, block, interface, len);
    if (len) {
        memcpy(out + LIBUSB_CONTROL_SETUP_SIZE, data, len);
    }
    libusb_fill_control_setup(in, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
        3 /* DFU_GETSTATUS */, 0, interface, 6);
    libusb_fill_control_transfer(t[0], u->handle, out, upload_done, &batch, timeout_ms);
    libusb_fill_control_transfer(t[1], u->handle, in, upload_done, &batch, status_timeout_ms);
    int submit_error = 0;
    unsigned submitted = run_queued(u, t, 2, &batch, &submit_error);
    if (submitted == 0) {
        result = -(int)map_error(submit_error);
    } else {
        result = t[0]->status == LIBUSB_TRANSFER_COMPLETED ? t[0]->actual_length
                                                          : -(int)map_transfer_status(t[0]->status);
    }
    if (submitted == 2) {
        if (t[1]->status == LIBUSB_TRANSFER_COMPLETED) {
            *status_got = t[1]->actual_length;
            size_t n = (size_t)(t[1]->actual_length < 6 ? t[1]->actual_length : 6);
            memcpy(status, in + LIBUSB_CONTROL_SETUP_SIZE, n);
        } else {
            *status_got = -(int)map_transfer_status(t[1]->status);
        }
    } else if (submitted == 1) {
        *status_got = -(int)map_error(submit_error);
    }
    libusb_free_transfer(t[0]);
    libusb_free_transfer(t[1]);
    free(buf);
    return result;
}

static int io_string(void *ctx, uint8_t index, char *out, size_t size) {
    dfu_usb *u = ctx;
    if (size == 0) {
        return -(int)DFU_E_ARG;
    }
    if (size > 255) {
        size = 255;
    }
    int r = libusb_get_string_descriptor_ascii(u->handle, index, (unsigned char *)out, (int)size);
    if (r < 0) {
        return -(int)map_error(r);
    }
    out[(size_t)r < size ? (size_t)r : size - 1] = '\0';
    return r;
}

static int io_set_alt(void *ctx, uint8_t interface, uint8_t alt) {
    dfu_usb *u = ctx;
    int r = libusb_set_interface_alt_setting(u->handle, interface, alt);
    return r < 0 ? -(int)map_error(r) : 0;
}

static void io_sleep(void *ctx, unsigned ms) {
    (void)ctx;
    sleep_ms(ms);
}

static void port_path(libusb_device *dev, char *out, size_t size) {
    uint8_t ports[8];
    int n = libusb_get_port_numbers(dev, ports, (int)sizeof(ports));
    int len = snprintf(out, size, "%u", libusb_get_bus_number(dev));
    for (int i = 0; i < n && len > 0 && (size_t)len < size; i++) {
        len += snprintf(out + len, size - (size_t)len, "%c%u", i == 0 ? '-' : '.', ports[i]);
    }
}

// The functional descriptor in a block of "extra" descriptor bytes.
static bool find_func(const unsigned char *extra, int len, dfu_func_desc *out) {
    for (int off = 0; off + 2 <= len && extra[off] >= 2;) {
        if (extra[off + 1] == DFU_FUNCTIONAL_DESCRIPTOR &&
            dfu_func_desc_parse(extra + off, (size_t)(len - off), out) == DFU_OK) {
            return true;
        }
        off += extra[off];
    }
    return false;
}

static void get_string(libusb_device_handle *h, uint8_t index, char *out, size_t size) {
    out[0] = '\0';
    if (index && h) {
        int r = libusb_get_string_descriptor_ascii(h, index, (unsigned char *)out, (int)size);
        if (r < 0) {
            out[0] = '\0';
        }
    }
}

bool dfu_usb_filter_matches(const dfu_usb_filter *f, const dfu_usb_device *d) {
    if (f == NULL) {
        return true;
    }
    if (f->has_id || f->has_dfu_id) {
        bool ok = (f->has_id && d->vid == f->vid && d->pid == f->pid) ||
                  (f->has_dfu_id && !d->runtime && d->vid == f->dfu_vid && d->pid == f->dfu_pid);
        if (!ok) {
            return false;
        }
    }
    if (f->serial && strcmp(f->serial, d->serial) != 0) {
        return false;
    }
    if (f->path && strcmp(f->path, d->path) != 0) {
        return false;
    }
    return true;
}

// Fills d from one device's DFU interface; opens the device for strings
// (keeping the handle in *keep if asked).
static bool describe(libusb_device *dev, const dfu_usb_filter *filter, dfu_usb_device *d,
    libusb_device_handle **keep) {
    struct libusb_device_descriptor dd;
    if (libusb_get_device_descriptor(dev, &dd) != 0) {
        return false;
    }
    struct libusb_config_descriptor *cfg = NULL;
    if (libusb_get_active_config_descriptor(dev, &cfg) != 0 && libusb_get_config_descriptor(dev, 0, &cfg) != 0) {
        return false;
    }
    bool found = false;
    memset(d, 0, sizeof(*d));
    for (uint8_t i = 0; i < cfg->bNumInterfaces && !found; i++) {
        const struct libusb_interface *itf = &cfg->interface[i];
        for (int a = 0; a < itf->num_altsetting; a++) {
            const struct libusb_interface_descriptor *as = &itf->altsetting[a];
            if (as->bInterfaceClass != DFU_CLASS || as->bInterfaceSubClass != DFU_SUBCLASS) {
                continue;
            }
            if (!found) {
                found = true;
                d->interface = as->bInterfaceNumber;
                d->runtime = as->bInterfaceProtocol == 1;
            }
            if (!d->has_func) {
                d->has_func = find_func(as->extra, as->extra_length, &d->func);
            }
        }
        if (found) {
            d->alt_count = (uint8_t)(itf->num_altsetting < (int)DFU_MAX_ALTS ? itf->num_altsetting : (int)DFU_MAX_ALTS);
        }
    }
    if (found && !d->has_func) {
        d->has_func = find_func(cfg->extra, cfg->extra_length, &d->func);
    }
    d->configuration = cfg->bConfigurationValue;
    if (!found) {
        libusb_free_config_descriptor(cfg);
        return false;
    }
    d->bus = libusb_get_bus_number(dev);
    d->address = libusb_get_device_address(dev);
    port_path(dev, d->path, sizeof(d->path));
    d->vid = dd.idVendor;
    d->pid = dd.idProduct;
    d->bcd_device = dd.bcdDevice;
    d->max_packet0 = dd.bMaxPacketSize0;
    libusb_device_handle *h = NULL;
    int r = libusb_open(dev, &h);
    if (r != 0) {
        d->result = r == LIBUSB_ERROR_ACCESS ? DFU_USB_NO_ACCESS : DFU_USB_CANT_OPEN;
        snprintf(d->why, sizeof(d->why), "%s%s", libusb_strerror(r),
            r == LIBUSB_ERROR_ACCESS ? " (install the udev rule: see mpx-dfu(1), PERMISSIONS)" : "");
        h = NULL;
    }
    get_string(h, dd.iManufacturer, d->manufacturer, sizeof(d->manufacturer));
    get_string(h, dd.iProduct, d->product, sizeof(d->product));
    get_string(h, dd.iSerialNumber, d->serial, sizeof(d->serial));
    const struct libusb_interface *itf = &cfg->interface[0];
    for (uint8_t i = 0; i < cfg->bNumInterfaces; i++) {
        if (cfg->interface[i].altsetting[0].bInterfaceNumber == d->interface) {
            itf = &cfg->interface[i];
        }
    }
    for (int a = 0; a < itf->num_altsetting && a < (int)DFU_MAX_ALTS; a++) {
        get_string(h, itf->altsetting[a].iInterface, d->alt_names[a], sizeof(d->alt_names[a]));
    }
    libusb_free_config_descriptor(cfg);
    if (h && !d->has_func) {
        // Some devices answer GET_DESCRIPTOR for the functional descriptor only.
        unsigned char buf[9];
        int n = libusb_get_descriptor(h, DFU_FUNCTIONAL_DESCRIPTOR, 0, buf, sizeof(buf));
        d->has_func = n >= 7 && dfu_func_desc_parse(buf, (size_t)n, &d->func) == DFU_OK;
    }
    if (d->result == DFU_USB_USABLE && !dfu_usb_filter_matches(filter, d)) {
        d->result = DFU_USB_FILTERED;
        snprintf(d->why, sizeof(d->why), "does not match the filter");
    }
    if (keep && d->result == DFU_USB_USABLE) {
        *keep = h;
    } else if (h) {
        libusb_close(h);
    }
    return true;
}

void dfu_usb_describe_sim(const dfu_sim *sim, dfu_usb_device *d) {
    const dfu_sim_config *c = dfu_sim_config_get(sim);
    memset(d, 0, sizeof(*d));
    snprintf(d->path, sizeof(d->path), "sim");
    d->vid = c->vid;
    d->pid = c->pid;
    d->bcd_device = c->bcd_device;
    // The strings of the STM32 system bootloader (the USB test gadget's too).
    snprintf(d->manufacturer, sizeof(d->manufacturer), "STMicroelectronics");
    snprintf(d->product, sizeof(d->product), "STM32  BOOTLOADER");
    snprintf(d->serial, sizeof(d->serial), "3276384C3336");
    d->configuration = 1;
    d->runtime = dfu_sim_is_runtime(sim);
    d->alt_count = c->alt_count;
    for (uint8_t a = 0; a < c->alt_count && a < DFU_MAX_ALTS; a++) {
        snprintf(d->alt_names[a], sizeof(d->alt_names[a]), "%s", dfu_sim_string(sim, a + 1u));
    }
    if (!c->no_functional_descriptor) {
        uint8_t fd[9];
        dfu_sim_functional_descriptor(sim, fd);
        d->has_func = dfu_func_desc_parse(fd, sizeof(fd), &d->func) == DFU_OK;
    }
    d->max_packet0 = 64;
}

dfu_status dfu_usb_scan(const dfu_usb_filter *filter, dfu_usb_device *out, size_t max, size_t *count,
    dfu_error *err) {
    *count = 0;
    libusb_context *ctx = NULL;
    int r = libusb_init(&ctx);
    if (r != 0) {
        return dfu_error_set(err, DFU_E_USB, "libusb_init: %s", libusb_strerror(r));
    }
    libusb_device **devs = NULL;
    ssize_t n = libusb_get_device_list(ctx, &devs);
    if (n < 0) {
        libusb_exit(ctx);
        return dfu_error_set(err, map_error((int)n), "listing USB devices: %s", libusb_strerror((int)n));
    }
    for (ssize_t i = 0; i < n; i++) {
        dfu_usb_device d;
        if (describe(devs[i], filter, &d, NULL)) {
            if (*count < max) {
                out[*count] = d;
            }
            (*count)++;
        }
    }
    libusb_free_device_list(devs, 1);
    libusb_exit(ctx);
    return DFU_OK;
}

static void describe_all(char *out, size_t size, const dfu_usb_device *list, size_t n) {
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++) {
        len += (size_t)snprintf(out + len, size - len, "%s%04x:%04x at %s (%s)%s%s", i ? "; " : "", list[i].vid,
            list[i].pid, list[i].path, list[i].runtime ? "runtime" : "DFU mode",
            list[i].result ? ": " : "", list[i].result ? list[i].why : "");
    }
}

dfu_status dfu_usb_open(const dfu_usb_filter *filter, uint16_t fallback_transfer_size, dfu_usb **out,
    dfu_usb_device *info, dfu_error *err) {
    *out = NULL;
    dfu_usb *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        return dfu_error_set(err, DFU_E_NOMEM, "out of memory");
    }
    int r = libusb_init(&u->ctx);
    if (r != 0) {
        free(u);
        return dfu_error_set(err, DFU_E_USB, "libusb_init: %s", libusb_strerror(r));
    }
    libusb_device **devs = NULL;
    ssize_t n = libusb_get_device_list(u->ctx, &devs);
    dfu_usb_device seen[SCAN_MAX];
    size_t nseen = 0, usable = 0;
    dfu_status st = DFU_OK;
    for (ssize_t i = 0; i < n; i++) {
        dfu_usb_device d;
        libusb_device_handle *h = NULL;
        if (!describe(devs[i], filter, &d, &h)) {
            continue;
        }
        if (nseen < SCAN_MAX) {
            seen[nseen++] = d;
        }
        if (d.result != DFU_USB_USABLE) {
            continue;
        }
        if (++usable == 1) {
            u->handle = h;
            u->info = d;
        } else {
            libusb_close(h);
        }
    }
    if (n >= 0) {
        libusb_free_device_list(devs, 1);
    }
    char list[512];
    describe_all(list, sizeof(list), seen, nseen);
    if (n < 0) {
        st = dfu_error_set(err, map_error((int)n), "listing USB devices: %s", libusb_strerror((int)n));
    } else if (usable == 0) {
        bool denied = false;
        for (size_t i = 0; i < nseen; i++) {
            denied |= seen[i].result == DFU_USB_NO_ACCESS;
        }
        st = dfu_error_set(err, denied ? DFU_E_ACCESS : DFU_E_NO_DEVICE, "no usable DFU device%s%s", nseen ? "; seen: " : "",
            nseen ? list : " (is the board in DFU mode? BOOT0 high, or machine.bootloader())");
    } else if (usable > 1) {
        st = dfu_error_set(err, DFU_E_ARG, "%zu DFU devices match; choose one with -d, --serial or --path: %s", usable,
            list);
    }
    if (st == DFU_OK) {
        libusb_set_auto_detach_kernel_driver(u->handle, 1);
        r = libusb_claim_interface(u->handle, u->info.interface);
        if (r != 0) {
            st = dfu_error_set(err, map_error(r), "claiming interface %u of %s: %s", u->info.interface, u->info.path,
                libusb_strerror(r));
        }
    }
    if (st == DFU_OK) {
        uint16_t ts = u->info.has_func ? u->info.func.transfer_size : fallback_transfer_size;
        if (ts == 0) {
            st = dfu_error_set(err, DFU_E_UNSUPPORTED,
                "%s has no DFU functional descriptor, so its transfer size is unknown; give one with -t", u->info.path);
        }
        if (ts > LINUX_CONTROL_MAX) {
            ts = LINUX_CONTROL_MAX;  // usbfs limit on Linux
        }
        if (ts && ts < u->info.max_packet0) {
            ts = u->info.max_packet0;
        }
        u->transfer_size = ts;
    }
    if (st != DFU_OK) {
        dfu_usb_close(u);
        return st;
    }
    u->io = (dfu_transport){
        .control = io_control, .get_string = io_string, .set_alt = io_set_alt, .sleep_ms = io_sleep, .ctx = u,
        .upload_many = io_upload_many, .dnload_getstatus = io_dnload_getstatus};
    if (info) {
        *info = u->info;
    }
    *out = u;
    return DFU_OK;
}

void dfu_usb_close(dfu_usb *u) {
    if (u == NULL) {
        return;
    }
    if (u->handle) {
        libusb_release_interface(u->handle, u->info.interface);
        libusb_close(u->handle);
    }
    libusb_exit(u->ctx);
    free(u);
}

dfu_status dfu_usb_reset(dfu_usb *u, dfu_error *err) {
    int r = libusb_reset_device(u->handle);
    // NOT_FOUND: the device re-enumerated as something else (it left DFU
    // mode, or came back with other descriptors): the reset did its work.
    if (r == 0 || r == LIBUSB_ERROR_NOT_FOUND || r == LIBUSB_ERROR_NO_DEVICE) {
        return DFU_OK;
    }
    return dfu_error_set(err, map_error(r), "USB reset: %s", libusb_strerror(r));
}

const dfu_transport *dfu_usb_transport(dfu_usb *u) {
    return &u->io;
}

const dfu_usb_device *dfu_usb_info(const dfu_usb *u) {
    return &u->info;
}

void dfu_usb_session(dfu_usb *u, dfu_session *s) {
    dfu_session_init(s, &u->io, u->info.interface);
    s->transfer_size = u->transfer_size;
    s->has_func = u->info.has_func;
    s->func = u->info.func;
    for (uint8_t a = 0; a < u->info.alt_count; a++) {
        dfu_session_set_alt_name(s, a, u->info.alt_names[a], NULL);
    }
    // DfuSe if the descriptor says 1.1a, or the alt names are DfuSe layouts.
    s->dfuse = (u->info.has_func && u->info.func.dfu_version == DFU_BCD_DFUSE) || s->has_layout[0];
}

dfu_status dfu_usb_wait(const dfu_usb_filter *filter, bool want_dfu, unsigned timeout_ms, dfu_usb_device *found,
    dfu_error *err) {
    uint64_t deadline = monotonic_ms() + timeout_ms;
    for (;;) {
        dfu_usb_device list[SCAN_MAX];
        size_t n;
        dfu_error scan;
        dfu_error_clear(&scan);
        if (dfu_usb_scan(filter, list, SCAN_MAX, &n, &scan) == DFU_OK) {
            for (size_t i = 0; i < n && i < SCAN_MAX; i++) {
                if ((list[i].result == DFU_USB_USABLE || list[i].result == DFU_USB_NO_ACCESS) &&
                    (!want_dfu || !list[i].runtime)) {
                    if (found) {
                        *found = list[i];
                    }
                    return DFU_OK;
                }
            }
        }
        if (monotonic_ms() >= deadline) {
            return dfu_error_set(err, DFU_E_TIMEOUT, "no matching %sdevice appeared within %u ms",
                want_dfu ? "DFU-mode " : "", timeout_ms);
        }
        sleep_ms(100);
    }
}

dfu_status dfu_usb_enter_dfu(dfu_usb **usb, const dfu_usb_filter *filter, uint16_t fallback_transfer_size,
    unsigned timeout_ms, dfu_usb_device *info, dfu_error *err) {
    dfu_usb *u = *usb;
    if (!u->info.runtime) {
        return DFU_OK;
    }
    dfu_session s;
    dfu_usb_session(u, &s);
    uint16_t detach_ms = u->info.has_func ? u->info.func.detach_timeout_ms : 1000;
    dfu_status st = dfu_detach(&s, detach_ms, err);
    if (st != DFU_OK) {
        return st;
    }
    if (!(u->info.has_func && (u->info.func.attributes & 0x08))) {
        (void)libusb_reset_device(u->handle);  // bitWillDetach clear: the host resets it
    }
    dfu_usb_filter after = filter ? *filter : (dfu_usb_filter){0};
    char path[sizeof(u->info.path)];
    memcpy(path, u->info.path, sizeof(path));
    if (!after.has_dfu_id) {
        after.path = path;  // the same port, whatever ids DFU mode has
        after.has_id = false;
        after.serial = NULL;
    } else {
        after.has_id = false;
    }
    dfu_usb_close(u);
    *usb = NULL;
    st = dfu_usb_wait(&after, true, timeout_ms, NULL, err);
    if (st != DFU_OK) {
        return st;
    }
    return dfu_usb_open(&after, fallback_transfer_size, usb, info, err);
}
