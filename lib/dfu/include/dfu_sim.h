// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// A virtual STM32 system bootloader (DfuSe): flash sectors from layout
// strings, an option-bytes alt with read protection, bwPollTimeout, flash
// that programs only erased bytes, and fault injection. It answers class
// requests on its DFU interface; dfu_sim_transport() plugs it straight into
// a dfu_session (unit tests), tools/mpx-dfu-sim puts it on a real USB bus
// through Linux FunctionFS.
#ifndef MPX_DFU_SIM_H
#define MPX_DFU_SIM_H

#include "dfu.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *alts[DFU_MAX_ALTS];   // layout strings, one per alt setting
    uint8_t alt_count;
    uint16_t vid, pid, bcd_device;
    uint16_t transfer_size;
    uint8_t attributes;               // functional descriptor bmAttributes
    bool no_functional_descriptor;    // fault: the device has none
    bool runtime;                     // start in appIDLE (an application with DFU runtime)
    bool plain;                       // plain DFU 1.1, no DfuSe: blocks are written one after
                                      // another from the start of alt 0's memory
    bool read_protected;              // start at RDP level 1
    unsigned write_poll_ms;           // bwPollTimeout reported for a write
    unsigned erase_poll_ms;           // ... for a page erase
    unsigned mass_erase_poll_ms;      // ... for a mass erase
    unsigned erase_busy_polls;        // slow erase: extra dfuDNBUSY replies per erase
    // Faults (1-based counters; 0 = off).
    unsigned stall_write_at;          // the Nth write DNLOAD stalls
    unsigned error_write_at;          // the Nth write ends in errWRITE
    unsigned vanish_at_request;       // from the Nth class request on, the device is gone
    bool vanish_on_leave;             // reset on the leave request, before its status
    bool stall_busy_polls;            // stall one GETSTATUS during each erase (STM32L4)
    uint64_t (*now_ms)(void *user);   // real clock (NULL: the virtual one of dfu_sim_transport)
    void *now_user;
} dfu_sim_config;

// The STM32F4 ROM's layouts: flash, option bytes.
void dfu_sim_config_stm32f4(dfu_sim_config *c);

typedef struct {
    unsigned long requests, dnloads, uploads, getstatus, erases, mass_erases, set_address;
    unsigned long early_polls;        // GETSTATUS sooner than the bwPollTimeout asked
    unsigned long stalls;
} dfu_sim_counters;

typedef struct dfu_sim dfu_sim;

dfu_status dfu_sim_new(const dfu_sim_config *config, dfu_sim **out, dfu_error *err);
void dfu_sim_free(dfu_sim *sim);

// Class request on the DFU interface. Returns the bytes of the data stage
// (IN: written to data; OUT: read from data) or -DFU_E_STALL, -DFU_E_NO_DEVICE.
int dfu_sim_control(dfu_sim *sim, uint8_t request_type, uint8_t request, uint16_t value,
    uint16_t index, uint8_t *data, uint16_t length);

// For a bus that must decide before the OUT data stage (FunctionFS): 0, or
// -DFU_E_STALL if dfu_sim_control would stall this request (the stall is
// then already applied).
int dfu_sim_control_check(dfu_sim *sim, uint8_t request_type, uint8_t request, uint16_t value,
    uint16_t length);

// Why the device left the bus (after which every request sees no device).
typedef enum {
    DFU_SIM_PRESENT = 0,
    DFU_SIM_LEFT,        // leave: jumped to the application at jump_address
    DFU_SIM_RESET,       // reset (read unprotect, option bytes, detach, vanish fault)
} dfu_sim_presence;
dfu_sim_presence dfu_sim_presence_get(const dfu_sim *sim, uint32_t *jump_address);
// Power-cycles the device: back on the bus in DFU mode (dfuIDLE), with RDP
// taken from the option bytes.
void dfu_sim_reset(dfu_sim *sim, bool runtime);
// Sets RDP level 1 (or 0) in the option bytes, as if programmed and reloaded.
void dfu_sim_protect(dfu_sim *sim, bool level1);
const dfu_sim_counters *dfu_sim_counters_get(const dfu_sim *sim);
const dfu_sim_config *dfu_sim_config_get(const dfu_sim *sim);
bool dfu_sim_is_runtime(const dfu_sim *sim);

// String descriptor (1-based index into the sim's own strings: the alt
// layouts, then its error strings) as ASCII; NULL if out of range.
const char *dfu_sim_string(const dfu_sim *sim, unsigned index);
unsigned dfu_sim_string_count(const dfu_sim *sim);
// The string id of the first alt name (default 1), from which the error
// strings' ids follow; 0 turns error strings off (iString 0 in every
// status, as ST's ROM does). FunctionFS serves only the strings that its
// descriptors reference, so mpx-dfu-sim on USB runs with 0.
void dfu_sim_set_string_base(dfu_sim *sim, uint8_t first_id);

// Direct memory access for tests and the image file.
dfu_status dfu_sim_peek(const dfu_sim *sim, uint32_t address, uint8_t *out, uint32_t size);
dfu_status dfu_sim_poke(dfu_sim *sim, uint32_t address, const uint8_t *data, uint32_t size);
// The whole memory of every alt, in alt order: the image file's contents.
size_t dfu_sim_memory_size(const dfu_sim *sim);
// Copies all of it in or out; size must be dfu_sim_memory_size (else
// DFU_E_FORMAT, DFU_E_ARG). Writing reloads read protection from the option bytes.
dfu_status dfu_sim_memory_write(dfu_sim *sim, const uint8_t *data, size_t size, dfu_error *err);
dfu_status dfu_sim_memory_read(const dfu_sim *sim, uint8_t *out, size_t size);
// The same through a file (host only, lib/dfu/host/dfu_io.c). Loading a
// missing file leaves the flash erased; saving writes PATH.tmp, then renames it.
dfu_status dfu_sim_load(dfu_sim *sim, const char *path, dfu_error *err);
dfu_status dfu_sim_save(const dfu_sim *sim, const char *path, dfu_error *err);
// The counters, one "name value" line each (requests, dnloads, uploads,
// getstatus, erases, mass_erases, set_address, early_polls, stalls,
// bus_resets), as tests read them.
dfu_status dfu_sim_save_counters(const dfu_sim *sim, const char *path, unsigned long bus_resets, dfu_error *err);

// An in-process transport to the sim: sleep advances a virtual clock.
dfu_transport dfu_sim_transport(dfu_sim *sim);
// Fills a session for the sim over io (dfu_sim_transport's, or one that
// wraps it), as dfu_usb_open fills one for a real device: the functional
// descriptor's transfer size (else fallback_transfer_size), DfuSe unless
// the sim is plain, the alt settings' names and layouts.
dfu_status dfu_sim_session(const dfu_sim *sim, const dfu_transport *io, uint16_t fallback_transfer_size,
    dfu_session *s, dfu_error *err);
// The 9-byte functional descriptor the sim presents.
void dfu_sim_functional_descriptor(const dfu_sim *sim, uint8_t out[9]);

#ifdef __cplusplus
}
#endif
#endif
