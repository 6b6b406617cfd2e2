// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Status and state names, the error record, the suffix CRC and the
// functional descriptor.
#include "dfu_internal.h"

#include <stdarg.h>
#include <string.h>

static const struct {
    const char *id;
    const char *text;
} status_text[DFU_STATUS_COUNT] = {
    [DFU_OK] = {"ok", "success"},
    [DFU_E_ARG] = {"argument", "invalid argument"},
    [DFU_E_NOMEM] = {"nomem", "out of memory"},
    [DFU_E_IO] = {"io", "file I/O error"},
    [DFU_E_FORMAT] = {"format", "malformed file"},
    [DFU_E_TRUNCATED] = {"truncated", "file is truncated"},
    [DFU_E_CRC] = {"crc", "checksum mismatch"},
    [DFU_E_OVERLAP] = {"overlap", "overlapping data in image"},
    [DFU_E_LAYOUT] = {"layout", "bad memory layout string"},
    [DFU_E_ADDRESS] = {"address", "address outside the device's memory layout"},
    [DFU_E_MISMATCH] = {"mismatch", "file is for another device"},
    [DFU_E_NO_DEVICE] = {"no-device", "no device (or it disconnected)"},
    [DFU_E_ACCESS] = {"access", "access to the USB device denied"},
    [DFU_E_USB] = {"usb", "USB transfer failed"},
    [DFU_E_STALL] = {"stall", "device stalled the request"},
    [DFU_E_TIMEOUT] = {"timeout", "timed out"},
    [DFU_E_STATE] = {"state", "device in an unexpected DFU state"},
    [DFU_E_STATUS] = {"status", "device reported an error"},
    [DFU_E_VERIFY] = {"verify", "verification failed"},
    [DFU_E_PROTECTED] = {"protected", "device is read-protected"},
    [DFU_E_REFUSED] = {"refused", "refused without explicit opt-in"},
    [DFU_E_CANCELLED] = {"cancelled", "cancelled"},
    [DFU_E_UNSUPPORTED] = {"unsupported", "not supported by the device"},
    [DFU_E_NO_ALT] = {"no-alt", "no such alt setting"},
};

const char *dfu_strerror(dfu_status status) {
    if ((unsigned)status >= DFU_STATUS_COUNT) {
        return "unknown error";
    }
    return status_text[status].text;
}

const char *dfu_status_id(dfu_status status) {
    if ((unsigned)status >= DFU_STATUS_COUNT) {
        return "unknown";
    }
    return status_text[status].id;
}

void dfu_error_clear(dfu_error *err) {
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
}

dfu_status dfu_error_set(dfu_error *err, dfu_status code, const char *fmt, ...) {
    if (err != NULL && err->code == DFU_OK) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        dfu_vfmt(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

static const char *const request_names[] = {
    "DETACH", "DNLOAD", "UPLOAD", "GETSTATUS", "CLRSTATUS", "GETSTATE", "ABORT",
};

const char *dfu_request_name(uint8_t request) {
    return request < sizeof(request_names) / sizeof(request_names[0]) ? request_names[request] : "unknown-request";
}

static const char *const state_names[] = {
    "appIDLE", "appDETACH", "dfuIDLE", "dfuDNLOAD-SYNC", "dfuDNBUSY", "dfuDNLOAD-IDLE",
    "dfuMANIFEST-SYNC", "dfuMANIFEST", "dfuMANIFEST-WAIT-RESET", "dfuUPLOAD-IDLE", "dfuERROR",
};

const char *dfu_state_name(uint8_t state) {
    return state < sizeof(state_names) / sizeof(state_names[0]) ? state_names[state] : "unknown-state";
}

static const char *const devstatus_names[] = {
    "OK", "errTARGET", "errFILE", "errWRITE", "errERASE", "errCHECK_ERASED", "errPROG",
    "errVERIFY", "errADDRESS", "errNOTDONE", "errFIRMWARE", "errVENDOR", "errUSBR", "errPOR",
    "errUNKNOWN", "errSTALLEDPKT",
};

const char *dfu_status_name(uint8_t status) {
    return status < sizeof(devstatus_names) / sizeof(devstatus_names[0]) ? devstatus_names[status]
                                                                         : "unknown-status";
}

const char *dfu_phase_name(dfu_phase phase) {
    switch (phase) {
        case DFU_PHASE_ERASE: return "erase";
        case DFU_PHASE_WRITE: return "write";
        case DFU_PHASE_VERIFY: return "verify";
        case DFU_PHASE_READ: return "read";
        case DFU_PHASE_LEAVE: return "leave";
    }
    return "unknown";
}

const char *dfu_format_name(dfu_format format) {
    switch (format) {
        case DFU_FORMAT_AUTO: return "auto";
        case DFU_FORMAT_DFUSE: return "dfuse";
        case DFU_FORMAT_HEX: return "ihex";
        case DFU_FORMAT_ELF: return "elf";
        case DFU_FORMAT_BIN: return "bin";
    }
    return "unknown";
}

dfu_status dfu_format_from_string(const char *word, dfu_format *out, dfu_error *err) {
    static const struct {
        const char *word;
        dfu_format format;
    } words[] = {
        {"auto", DFU_FORMAT_AUTO}, {"dfu", DFU_FORMAT_DFUSE}, {"dfuse", DFU_FORMAT_DFUSE}, {"hex", DFU_FORMAT_HEX},
        {"ihex", DFU_FORMAT_HEX}, {"elf", DFU_FORMAT_ELF}, {"bin", DFU_FORMAT_BIN},
    };
    for (size_t i = 0; word != NULL && i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(word, words[i].word) == 0) {
            *out = words[i].format;
            return DFU_OK;
        }
    }
    return dfu_error_set(err, DFU_E_ARG, "unknown format \"%s\" (dfu, hex, elf or bin)", word ? word : "");
}

// CRC-32 (reflected 0xEDB88320) four bits at a time: a 64-byte const table
// in flash, no lazy fill shared between threads.
static const uint32_t crc32_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu,
    0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
    0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t dfu_crc32(uint32_t crc, const uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        crc ^= buf[i];
        crc = crc32_nibble[crc & 0xFu] ^ (crc >> 4);
        crc = crc32_nibble[crc & 0xFu] ^ (crc >> 4);
    }
    return crc;
}

dfu_status dfu_suffix_read(const uint8_t *buf, size_t len, dfu_suffix *out, dfu_error *err) {
    if (len < DFU_SUFFIX_SIZE) {
        return dfu_error_set(err, DFU_E_TRUNCATED, "file of %zu bytes is too short for a DFU suffix", len);
    }
    const uint8_t *p = buf + len - DFU_SUFFIX_SIZE;
    if (memcmp(p + 8, "UFD", 3) != 0 || p[11] < DFU_SUFFIX_SIZE) {
        return dfu_error_set(err, DFU_E_FORMAT, "no DFU suffix (signature \"UFD\" missing)");
    }
    if (p[11] != DFU_SUFFIX_SIZE) {
        return dfu_error_set(err, DFU_E_FORMAT, "DFU suffix length %u is not supported (16 expected)", p[11]);
    }
    uint32_t want = dfu_get32(p + 12);
    uint32_t got = dfu_crc32(DFU_CRC_INIT, buf, len - 4);
    if (want != got) {
        return dfu_error_set(err, DFU_E_CRC, "DFU suffix CRC is 0x%08x, the file's bytes give 0x%08x",
            (unsigned)want, (unsigned)got);
    }
    if (out != NULL) {
        out->bcd_device = dfu_get16(p);
        out->pid = dfu_get16(p + 2);
        out->vid = dfu_get16(p + 4);
        out->bcd_dfu = dfu_get16(p + 6);
    }
    return DFU_OK;
}

void dfu_suffix_write(const uint8_t *buf, size_t len, const dfu_suffix *suffix, uint8_t *out) {
    dfu_put16(out, suffix->bcd_device);
    dfu_put16(out + 2, suffix->pid);
    dfu_put16(out + 4, suffix->vid);
    dfu_put16(out + 6, suffix->bcd_dfu);
    memcpy(out + 8, "UFD", 3);
    out[11] = DFU_SUFFIX_SIZE;
    uint32_t crc = dfu_crc32(DFU_CRC_INIT, buf, len);
    crc = dfu_crc32(crc, out, 12);
    dfu_put32(out + 12, crc);
}

dfu_status dfu_func_desc_parse(const uint8_t *buf, size_t len, dfu_func_desc *out) {
    // bLength 9 (DFU 1.1) or 7 (DFU 1.0, no bcdDFUVersion).
    if (len < 7 || buf[1] != DFU_FUNCTIONAL_DESCRIPTOR || buf[0] < 7 || buf[0] > len) {
        return DFU_E_FORMAT;
    }
    out->attributes = buf[2];
    out->detach_timeout_ms = dfu_get16(buf + 3);
    out->transfer_size = dfu_get16(buf + 5);
    out->dfu_version = buf[0] >= 9 ? dfu_get16(buf + 7) : 0x0100;
    return DFU_OK;
}
