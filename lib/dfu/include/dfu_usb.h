// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The libusb-1.0 transport of libmpxdfu: find DFU interfaces (runtime and
// DFU mode), read their functional descriptors and alt-setting layouts,
// open one, detach it from runtime mode and wait for it to come back.
// Every scan uses its own fresh libusb context: with Debian's udev-enabled
// libusb and no udevd, a long-lived context never sees new devices.
#ifndef MPX_DFU_USB_H
#define MPX_DFU_USB_H

#include "dfu.h"
#include "dfu_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    bool has_id, has_dfu_id;
    uint16_t vid, pid;          // match (runtime or DFU mode) ...
    uint16_t dfu_vid, dfu_pid;  // ... or, after a detach, these in DFU mode
    const char *serial;         // NULL: any
    const char *path;           // "BUS-PORT.PORT..." as in sysfs; NULL: any
} dfu_usb_filter;

// Why a DFU interface was, or was not, usable (picotool's idea).
typedef enum {
    DFU_USB_USABLE = 0,
    DFU_USB_FILTERED,     // did not match the filter
    DFU_USB_NO_ACCESS,    // the OS denied opening it (udev rule missing?)
    DFU_USB_CANT_OPEN,    // opening failed otherwise
} dfu_usb_result;

typedef struct {
    uint8_t bus, address;
    char path[32];
    uint16_t vid, pid, bcd_device;
    char manufacturer[64], product[64], serial[64];
    uint8_t configuration, interface;
    bool runtime;                          // protocol 1 (application), else DFU mode
    uint8_t alt_count;
    char alt_names[DFU_MAX_ALTS][128];
    bool has_func;                         // the functional descriptor was found
    dfu_func_desc func;
    uint8_t max_packet0;
    dfu_usb_result result;
    char why[128];                         // when not usable
} dfu_usb_device;

// Scans the bus with a fresh context. Fills up to max entries (every DFU
// interface seen, usable or not) and sets *count to how many there were.
dfu_status dfu_usb_scan(const dfu_usb_filter *filter, dfu_usb_device *out, size_t max, size_t *count,
    dfu_error *err);

// Whether a device passes the filter (what dfu_usb_scan marks FILTERED).
bool dfu_usb_filter_matches(const dfu_usb_filter *filter, const dfu_usb_device *device);

// The virtual bootloader as dfu_usb_scan describes a device on the bus: its
// ids, STMicroelectronics' strings, the functional descriptor and alt
// settings, at the path "sim" (mpx-dfu --sim and the Python binding show it
// as they show a real device).
void dfu_usb_describe_sim(const dfu_sim *sim, dfu_usb_device *out);

typedef struct dfu_usb dfu_usb;

// Opens the one usable device matching the filter (more than one is an
// error that lists them). fallback_transfer_size is used when the device
// has no functional descriptor (0: refuse). The session is filled in:
// interface, transfer size, DfuSe mode and the alt layouts.
dfu_status dfu_usb_open(const dfu_usb_filter *filter, uint16_t fallback_transfer_size, dfu_usb **out,
    dfu_usb_device *info, dfu_error *err);
void dfu_usb_close(dfu_usb *usb);
const dfu_transport *dfu_usb_transport(dfu_usb *usb);
const dfu_usb_device *dfu_usb_info(const dfu_usb *usb);
void dfu_usb_session(dfu_usb *usb, dfu_session *s);

// A USB bus reset of the open device (dfu-util's -R). A device that is gone
// or re-enumerated as another after it is success; the handle is of no
// further use either way: close it.
dfu_status dfu_usb_reset(dfu_usb *usb, dfu_error *err);

// Polls with fresh contexts until a matching device is present (want_dfu:
// in DFU mode), up to timeout_ms.
dfu_status dfu_usb_wait(const dfu_usb_filter *filter, bool want_dfu, unsigned timeout_ms,
    dfu_usb_device *found, dfu_error *err);

// If the open device is in runtime mode: DETACH, bus reset unless it
// detaches itself, close, wait for it in DFU mode (same port, or the
// filter's DFU ids) and open that. *usb is replaced.
dfu_status dfu_usb_enter_dfu(dfu_usb **usb, const dfu_usb_filter *filter, uint16_t fallback_transfer_size,
    unsigned timeout_ms, dfu_usb_device *info, dfu_error *err);

#ifdef __cplusplus
}
#endif
#endif
