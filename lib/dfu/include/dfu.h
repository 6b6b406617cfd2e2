// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libmpxdfu: USB DFU 1.1 and ST DfuSe for STM32 boards.
//
//   files     DfuSe .dfu (read and write), Intel HEX, ELF32, raw .bin    dfu_image_*
//   layouts   "@Internal Flash /0x08000000/04*016Kg,..."                 dfu_layout_*
//   protocol  requests, DfuSe commands, flash/read/erase/leave           dfu_*, dfuse_*
//             over a transport interface (dfu_transport): libusb-1.0
//             for real devices (dfu_usb.h), the virtual device for tests
//             (dfu_sim.h)
//   disk      load and save files                                        dfu_file_*,
//                                                                        dfu_image_load/save
//
// A host library: it allocates per job (images, read-back buffers). Files,
// layouts, protocol and the virtual device are portable C11 that works on
// memory buffers and uses no stdio or other OS call; only "disk" below
// (lib/dfu/host/dfu_io.c) and the libusb transport (dfu_usb.h) touch the OS.
//
// Every function returns a dfu_status; detail (the device's state, status and
// error string, the file offset, the address) goes into a dfu_error the
// caller passes. Nothing here prints, exits or keeps global state.
#ifndef MPX_DFU_H
#define MPX_DFU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DFU_OK = 0,
    DFU_E_ARG,          // the caller's arguments are wrong
    DFU_E_NOMEM,
    DFU_E_IO,           // reading or writing a file failed
    DFU_E_FORMAT,       // the file is not valid in its format
    DFU_E_TRUNCATED,    // the file ends early
    DFU_E_CRC,          // DFU suffix CRC or HEX checksum does not match
    DFU_E_OVERLAP,      // two parts of an image cover the same address
    DFU_E_LAYOUT,       // a memory-layout string cannot be parsed
    DFU_E_ADDRESS,      // the address is outside the layout, or not writable
    DFU_E_MISMATCH,     // the file is for another device (suffix VID:PID)
    DFU_E_NO_DEVICE,    // no matching device, or it went away
    DFU_E_ACCESS,       // the OS refused access to the device
    DFU_E_USB,          // a transfer failed (I/O error)
    DFU_E_STALL,        // the device stalled a request
    DFU_E_TIMEOUT,      // a transfer or the device timed out
    DFU_E_STATE,        // the device is in a state the step does not allow
    DFU_E_STATUS,       // the device reported an error status
    DFU_E_VERIFY,       // read-back differs from what was written
    DFU_E_PROTECTED,    // the device is read-protected
    DFU_E_REFUSED,      // a dangerous step that needs an explicit opt-in
    DFU_E_CANCELLED,    // the progress callback asked to stop
    DFU_E_UNSUPPORTED,  // the device lacks what the step needs
    DFU_E_NO_ALT,       // the device has no alt setting of that number or name
    DFU_STATUS_COUNT
} dfu_status;

// A short phrase for the status ("bad DFU suffix CRC").
const char *dfu_strerror(dfu_status status);
// A stable identifier for JSON output ("crc").
const char *dfu_status_id(dfu_status status);

// Everything known about the last failure. dfu_error_set keeps the first
// message. Its format is printf's without floating point (the library
// formats it itself: %d %i %u %x %X %c %s %p, flags '-' '0', width,
// precision, lengths hh h l ll z j t).
typedef struct {
    dfu_status code;
    char message[256];      // what failed, with numbers ("element 2 at 0x08004000: ...")
    bool has_device;        // the device's own report below is valid
    uint8_t dev_state;      // DFU state (DFU_STATE_*)
    uint8_t dev_status;     // DFU status (DFU_STATUS_*)
    uint8_t dev_istring;    // the device's iString index (0: none)
    char dev_string[128];   // its text, if the device gave it
} dfu_error;

dfu_status dfu_error_set(dfu_error *err, dfu_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void dfu_error_clear(dfu_error *err);

// ---------------------------------------------------------------------------
// Protocol constants (DFU 1.1 and UM0391/AN3156)

enum {
    DFU_REQ_DETACH = 0, DFU_REQ_DNLOAD = 1, DFU_REQ_UPLOAD = 2, DFU_REQ_GETSTATUS = 3,
    DFU_REQ_CLRSTATUS = 4, DFU_REQ_GETSTATE = 5, DFU_REQ_ABORT = 6,
};
enum {
    DFU_STATE_APP_IDLE = 0, DFU_STATE_APP_DETACH = 1, DFU_STATE_IDLE = 2,
    DFU_STATE_DNLOAD_SYNC = 3, DFU_STATE_DNBUSY = 4, DFU_STATE_DNLOAD_IDLE = 5,
    DFU_STATE_MANIFEST_SYNC = 6, DFU_STATE_MANIFEST = 7, DFU_STATE_MANIFEST_WAIT_RESET = 8,
    DFU_STATE_UPLOAD_IDLE = 9, DFU_STATE_ERROR = 10,
};
enum {
    DFU_STATUS_OK = 0, DFU_STATUS_ERR_TARGET, DFU_STATUS_ERR_FILE, DFU_STATUS_ERR_WRITE,
    DFU_STATUS_ERR_ERASE, DFU_STATUS_ERR_CHECK_ERASED, DFU_STATUS_ERR_PROG,
    DFU_STATUS_ERR_VERIFY, DFU_STATUS_ERR_ADDRESS, DFU_STATUS_ERR_NOTDONE,
    DFU_STATUS_ERR_FIRMWARE, DFU_STATUS_ERR_VENDOR, DFU_STATUS_ERR_USBR,
    DFU_STATUS_ERR_POR, DFU_STATUS_ERR_UNKNOWN, DFU_STATUS_ERR_STALLEDPKT,
};
enum {
    DFUSE_CMD_GET_COMMANDS = 0x00, DFUSE_CMD_SET_ADDRESS = 0x21, DFUSE_CMD_ERASE = 0x41,
    DFUSE_CMD_READ_UNPROTECT = 0x92,
};
#define DFU_BCD_DFUSE 0x011Au
#define DFU_FUNCTIONAL_DESCRIPTOR 0x21u

const char *dfu_request_name(uint8_t request); // "GETSTATUS"
const char *dfu_state_name(uint8_t state);    // "dfuDNLOAD-IDLE"
const char *dfu_status_name(uint8_t status);  // "errWRITE"

// The 6-byte GETSTATUS reply.
typedef struct {
    uint8_t status;
    uint32_t poll_timeout_ms;
    uint8_t state;
    uint8_t istring;
} dfu_devstatus;

// The DFU functional descriptor (type 0x21).
typedef struct {
    uint8_t attributes;       // bit0 download, bit1 upload, bit2 manifestation tolerant, bit3 will detach
    uint16_t detach_timeout_ms;
    uint16_t transfer_size;
    uint16_t dfu_version;     // 0x011a for DfuSe
} dfu_func_desc;
dfu_status dfu_func_desc_parse(const uint8_t *buf, size_t len, dfu_func_desc *out);

// ---------------------------------------------------------------------------
// CRC and the DFU suffix

// The suffix CRC: reflected CRC-32 (0xEDB88320), initial ~0, no final xor.
uint32_t dfu_crc32(uint32_t crc, const uint8_t *buf, size_t len);
#define DFU_CRC_INIT 0xFFFFFFFFu
#define DFU_SUFFIX_SIZE 16u

typedef struct {
    uint16_t bcd_device, pid, vid, bcd_dfu;  // 0xFFFF: any
} dfu_suffix;
// Checks and reads the 16-byte suffix at the end of buf.
dfu_status dfu_suffix_read(const uint8_t *buf, size_t len, dfu_suffix *out, dfu_error *err);
// Writes the suffix for the len bytes before out (out must have 16 bytes of room).
void dfu_suffix_write(const uint8_t *buf, size_t len, const dfu_suffix *suffix, uint8_t *out);

// ---------------------------------------------------------------------------
// Images: what a file asks to be written where

typedef enum {
    DFU_FORMAT_AUTO = 0, DFU_FORMAT_DFUSE, DFU_FORMAT_HEX, DFU_FORMAT_ELF, DFU_FORMAT_BIN,
} dfu_format;
const char *dfu_format_name(dfu_format format);
// "auto", "dfu" or "dfuse", "hex" or "ihex", "elf", "bin" (the words the
// command line and the Python API take); DFU_E_ARG for anything else.
dfu_status dfu_format_from_string(const char *word, dfu_format *out, dfu_error *err);

typedef struct {
    uint32_t address;
    uint32_t size;
    uint8_t *data;
    uint8_t alt;          // DfuSe alternate setting (0 for HEX, ELF, .bin)
    uint16_t target;      // index into dfu_image.targets
} dfu_element;

typedef struct {
    uint8_t alt;
    bool named;
    char name[256];       // NUL-terminated raw bytes as in the file (DfuSe allows 255;
                          // ST's tools write Windows-1252, not always UTF-8)
} dfu_target;

typedef struct {
    dfu_format format;
    dfu_element *elements;   // per target, sorted by address within an alt
    size_t count;
    dfu_target *targets;
    size_t target_count;
    bool has_suffix;
    dfu_suffix suffix;       // from the file, or what a writer should store
    bool has_entry;
    uint32_t entry;          // ELF e_entry or HEX start address (informational)
    bool needs_address;      // raw binary read with DFU_FORMAT_BIN and no address: its one
                             // element is at 0 and the caller places it (mpx-dfu: the
                             // start of the alt setting's memory)
} dfu_image;

// Limits on what a reader accepts (hostile files are refused, never allocated).
#define DFU_IMAGE_MAX_ELEMENTS 4096u
#define DFU_IMAGE_MAX_TARGETS 255u

// What the user said about a file. Anything that writes to a device decides
// from the content and these words, never from a fallback:
//   - an explicit format is what the content must be;
//   - else a name ending .dfu must be a DfuSe file (prefix, suffix, CRC),
//     .hex/.ihex/.ihx Intel HEX (a UTF-8 byte-order mark and blank lines are
//     fine), .elf/.axf an ELF with loadable segments;
//   - else the content decides between DfuSe, HEX and ELF;
//   - raw binary only with DFU_FORMAT_BIN or an address (dfu-util's rule: a
//     file that is not DfuSe needs -s ADDRESS), and never content that is not
//     firmware: empty, all zero bytes, text (a web page, an error message),
//     an archive, or a DfuSe/HEX/ELF file;
//   - an address with a file that says where its data goes is refused.
// A mismatch is refused with what was expected and what the content looks
// like ("firmware.dfu is not a DfuSe file: it starts with "<!DOCTYPE html>",
// a web page?"): DFU_E_FORMAT when the content is wrong, DFU_E_ARG when the
// user's words are (raw binary without an address: the image's format is then
// DFU_FORMAT_BIN, so that a front end can say how to give one).
typedef struct {
    const char *name;     // the file's name (NULL: none; messages say "the file")
    dfu_format format;    // DFU_FORMAT_AUTO: from the name and the content
    bool has_address;     // raw binary goes to address
    uint32_t address;
} dfu_source;

// Parses buf by the rules above (src NULL: no name, automatic, no address).
// A .bin that carries a valid DFU suffix loses it and keeps its VID:PID. The
// image owns copies of the data. On failure the image is empty (its format
// says what was tried) and err says why; messages start with the name.
dfu_status dfu_image_parse(const uint8_t *buf, size_t len, const dfu_source *src, dfu_image *out,
    dfu_error *err);
void dfu_image_free(dfu_image *img);

// Appends an element (copied) to target `alt` (created if absent, unnamed).
dfu_status dfu_image_add(dfu_image *img, uint8_t alt, uint32_t address,
    const uint8_t *data, uint32_t size, dfu_error *err);
// Sets a target's name from len bytes: at most 255, cut at a character
// boundary when the name is UTF-8 (and plainly otherwise); marks it named.
void dfu_target_set_name(dfu_target *target, const char *name, size_t len);
// Sorts elements and refuses overlaps within an alt.
dfu_status dfu_image_check(dfu_image *img, dfu_error *err);
// Lowest address of alt 0's elements (or of any), the default jump address.
bool dfu_image_start(const dfu_image *img, uint32_t *address);
size_t dfu_image_total(const dfu_image *img);

// Writes a DfuSe file. Elements are padded with 0xFF to a multiple of `pad`
// (8 suits every STM32; 1 for none). *out is malloc'd; free() it.
dfu_status dfu_image_write_dfuse(const dfu_image *img, unsigned pad, uint8_t **out,
    size_t *out_len, dfu_error *err);

// ---------------------------------------------------------------------------
// Disk (host only: lib/dfu/host/dfu_io.c, the one file of the library that
// uses stdio). Errors are DFU_E_IO with "path: reason".

// The largest file dfu_image_load reads (no STM32 has more flash).
#define DFU_FILE_MAX_SIZE ((size_t)1 << 30)

// Reads a whole file into *out (malloc'd; free() it). Files over max bytes
// are refused (DFU_E_FORMAT) before they are read whole.
dfu_status dfu_file_read(const char *path, size_t max, uint8_t **out, size_t *out_len,
    dfu_error *err);
// Writes len bytes to path (created or truncated).
dfu_status dfu_file_write(const char *path, const uint8_t *data, size_t len, dfu_error *err);
// dfu_file_read, then dfu_image_parse with src (NULL: automatic, no address);
// src->name NULL means the path. A path that cannot be read (missing, a
// directory, no permission) is DFU_E_IO.
dfu_status dfu_image_load(const char *path, const dfu_source *src, dfu_image *out, dfu_error *err);
// dfu_image_write_dfuse, then dfu_file_write; *written (may be NULL) gets the size.
dfu_status dfu_image_save(const dfu_image *img, unsigned pad, const char *path,
    size_t *written, dfu_error *err);

// ---------------------------------------------------------------------------
// Memory layouts (UM0424 4.3.2): "@Name/0xADDR/NN*SSS[BKM]t,.../0xADDR/..."

enum { DFU_MEM_READABLE = 1, DFU_MEM_ERASABLE = 2, DFU_MEM_WRITEABLE = 4 };
#define DFU_LAYOUT_MAX_SEGMENTS 32u

typedef struct {
    uint32_t start;
    uint32_t page_size;
    uint32_t pages;
    uint8_t flags;        // DFU_MEM_*
} dfu_mem_segment;

typedef struct {
    char name[128];
    dfu_mem_segment segments[DFU_LAYOUT_MAX_SEGMENTS];
    size_t count;
    unsigned warnings;    // tolerated oddities (a ' ' multiplier, as real F4 strings have)
} dfu_layout;

dfu_status dfu_layout_parse(const char *text, dfu_layout *out, dfu_error *err);
// The segment holding address, or NULL.
const dfu_mem_segment *dfu_layout_find(const dfu_layout *layout, uint32_t address);
// Checks that [address, address+size) lies in segments with all `flags`.
dfu_status dfu_layout_check(const dfu_layout *layout, uint32_t address, uint32_t size,
    uint8_t flags, dfu_error *err);
// Prints a layout string back (the canonical form, for round trips).
size_t dfu_layout_format(const dfu_layout *layout, char *out, size_t size);
uint64_t dfu_segment_end(const dfu_mem_segment *seg);

// ---------------------------------------------------------------------------
// Transport: one DFU interface of one device

// control() returns the number of bytes transferred or a negative dfu_status
// (-DFU_E_STALL, -DFU_E_NO_DEVICE, -DFU_E_TIMEOUT, -DFU_E_USB).
typedef struct {
    int (*control)(void *ctx, uint8_t request_type, uint8_t request, uint16_t value,
        uint16_t index, uint8_t *data, uint16_t length, unsigned timeout_ms);
    // String descriptor `index` as UTF-8 into out; returns length or negative.
    int (*get_string)(void *ctx, uint8_t index, char *out, size_t size);
    int (*set_alt)(void *ctx, uint8_t interface, uint8_t alt);
    void (*sleep_ms)(void *ctx, unsigned ms);
    void *ctx;
    // Optional (NULL: one control() per block). `count` DFU_UPLOADs of
    // `length` bytes, blocks first_block, first_block + 1, ..., queued on the
    // bus together so it is never idle between them; block i lands at
    // out + i * length. Returns the bytes that arrived, in order, up to the
    // first request that failed or came back short; *failed is that
    // request's negative dfu_status, 0 when none failed. count is at most
    // DFU_UPLOAD_QUEUE.
    int (*upload_many)(void *ctx, uint16_t interface, uint16_t first_block, uint16_t count, uint16_t length,
        uint8_t *out, unsigned timeout_ms, int *failed);
    // Optional (NULL: control() twice). A DFU_DNLOAD of `len` bytes as block
    // `block` and the GETSTATUS that always follows it, queued together.
    // Returns what control() would for the DNLOAD; *status_got is the
    // GETSTATUS's byte count (6) or negative dfu_status, its reply in status.
    int (*dnload_getstatus)(void *ctx, uint16_t interface, uint16_t block, const uint8_t *data, uint16_t len,
        unsigned timeout_ms, unsigned status_timeout_ms, uint8_t status[6], int *status_got);
} dfu_transport;

#define DFU_UPLOAD_QUEUE 16u

typedef enum {
    DFU_PHASE_ERASE, DFU_PHASE_WRITE, DFU_PHASE_VERIFY, DFU_PHASE_READ, DFU_PHASE_LEAVE,
} dfu_phase;
const char *dfu_phase_name(dfu_phase phase);

// Called as work advances; return non-zero to cancel (the session stops at
// the next request boundary with DFU_E_CANCELLED).
typedef int (*dfu_progress_fn)(void *user, dfu_phase phase, uint32_t address,
    uint64_t done, uint64_t total);

#define DFU_MAX_ALTS 8u

typedef struct {
    const dfu_transport *io;
    uint8_t interface;
    uint16_t transfer_size;        // from the functional descriptor or the caller
    bool dfuse;                    // speak ST's extensions
    dfu_func_desc func;            // valid if has_func
    bool has_func;
    dfu_layout layouts[DFU_MAX_ALTS];
    bool has_layout[DFU_MAX_ALTS];
    char alt_names[DFU_MAX_ALTS][128];
    uint8_t alt_count;
    int alt_current;               // -1 until set
    unsigned timeout_ms;           // per control transfer (default 5000)
    unsigned busy_limit_ms;        // how long a command may stay busy (default 60000)
    dfu_progress_fn progress;
    void *progress_user;
    volatile int cancel;           // set from anywhere (a signal handler) to stop
    unsigned long requests;        // control transfers sent
    unsigned long stalls_tolerated;
    bool option_bytes_written;     // set by dfu_flash: the device resets to load them
                                   // (there is no verify or leave after them)
} dfu_session;

// Sets defaults; the caller then fills io, interface, transfer_size, dfuse,
// and the layouts (dfu_session_set_alt_name parses one).
void dfu_session_init(dfu_session *s, const dfu_transport *io, uint8_t interface);
dfu_status dfu_session_set_alt_name(dfu_session *s, uint8_t alt, const char *name,
    dfu_error *err);
// The alt setting the user named, before any request: a number the device
// has, or the whole name string of one (dfu-util's -a). Anything else is
// DFU_E_NO_ALT, with the device's alt settings in the message.
dfu_status dfu_session_check_alt(const dfu_session *s, unsigned alt, dfu_error *err);
dfu_status dfu_session_find_alt(const dfu_session *s, const char *name, uint8_t *alt, dfu_error *err);

// Single requests.
dfu_status dfu_get_status(dfu_session *s, dfu_devstatus *st, dfu_error *err);
dfu_status dfu_get_state(dfu_session *s, uint8_t *state, dfu_error *err);
dfu_status dfu_clear_status(dfu_session *s, dfu_error *err);
dfu_status dfu_abort(dfu_session *s, dfu_error *err);
dfu_status dfu_detach(dfu_session *s, uint16_t timeout_ms, dfu_error *err);
// Any state to dfuIDLE (CLRSTATUS from dfuERROR, ABORT from the *-IDLE states).
dfu_status dfu_reach_idle(dfu_session *s, dfu_error *err);
dfu_status dfu_select_alt(dfu_session *s, uint8_t alt, dfu_error *err);

// DfuSe commands: DNLOAD block 0, then GETSTATUS until the command is done.
dfu_status dfuse_set_address(dfu_session *s, uint32_t address, dfu_error *err);
dfu_status dfuse_erase_page(dfu_session *s, uint32_t address, dfu_error *err);
dfu_status dfuse_mass_erase(dfu_session *s, dfu_error *err);
// Removes read protection: the device erases all its flash and resets.
dfu_status dfuse_read_unprotect(dfu_session *s, dfu_error *err);

typedef struct {
    bool mass_erase;         // instead of erasing only the pages the image touches
    bool verify;             // read back and compare (needs upload)
    bool force;              // write outside the layout or to non-writeable segments
    bool leave;              // leave DFU mode afterwards
    bool has_leave_address;  // jump here instead of the image's start
    uint32_t leave_address;
    bool allow_option_bytes; // opt-in to write an "Option Bytes" alt
    bool allow_rdp_level2;   // opt-in to an option-byte image that sets RDP level 2
    bool incrementing_blocks;// one SET_ADDRESS per contiguous run (faster), not per chunk
    bool check_ids;          // refuse a suffix VID:PID that does not match below
    uint16_t vid, pid;
} dfu_flash_options;

void dfu_flash_options_init(dfu_flash_options *o);

// What dfu_flash checks before its first request, alone (no request at
// all): the transfer size, the suffix's VID:PID, the alt settings, the
// layouts (writeable, --force), option bytes and RDP level 2 opt-ins.
dfu_status dfu_flash_check(const dfu_session *s, const dfu_image *img, const dfu_flash_options *o,
    dfu_error *err);
// The whole job: dfu_flash_check, then erase, write, verify, leave.
dfu_status dfu_flash(dfu_session *s, const dfu_image *img, const dfu_flash_options *o,
    dfu_error *err);
// Erases [address, address+size) page by page (or mass erase when size == 0
// and mass is true).
dfu_status dfu_erase(dfu_session *s, uint8_t alt, uint32_t address, uint32_t size, bool mass,
    bool force, dfu_error *err);
// Writes size bytes at address into memory that is already erased: no
// erase, no layout check, no verify; a SET_ADDRESS per chunk (pydfu's
// write_memory). DfuSe only; progress and cancellation as for dfu_flash.
dfu_status dfu_write(dfu_session *s, uint32_t address, const uint8_t *data, uint32_t size, dfu_error *err);
// Reads size bytes at address from alt into out.
dfu_status dfu_read(dfu_session *s, uint8_t alt, uint32_t address, uint8_t *out, uint32_t size,
    dfu_error *err);
// Leaves DFU mode: set the jump address (if has_address), zero-length DNLOAD,
// then a status that says dfuMANIFEST. A device that disappears instead is
// treated as success (it reset or jumped before answering).
dfu_status dfu_leave(dfu_session *s, bool has_address, uint32_t address, dfu_error *err);

// Plain DFU 1.1 download/upload (no DfuSe): used for non-ST devices.
dfu_status dfu_download_plain(dfu_session *s, const uint8_t *data, size_t size, dfu_error *err);

#ifdef __cplusplus
}
#endif
#endif
