// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The virtual STM32 DfuSe bootloader (dfu_sim.h). It follows AN3156: a
// DNLOAD is stored, the next GETSTATUS answers dfuDNBUSY with the poll time
// and runs it, the one after reports the result. The address of a write is
// (wBlockNum - 2) * wTransferSize + the address pointer.
#include "dfu_sim.h"

#include "dfu_internal.h"

#include <stdlib.h>
#include <string.h>

enum { STR_ERR_PROTECTED, STR_ERR_TARGET, STR_ERR_NOT_ERASED, STR_ERR_WRITE, STR_ERR_COUNT };
static const char *const error_strings[STR_ERR_COUNT] = {
    "Read protection active", "Address not in any memory", "Flash not erased", "Flash write failed",
};

typedef struct {
    dfu_layout layout;
    uint8_t *mem;
    uint32_t size;
    bool option_bytes;
} sim_alt;

struct dfu_sim {
    dfu_sim_config cfg;
    char alt_text[DFU_MAX_ALTS][128];
    sim_alt alts[DFU_MAX_ALTS];
    uint8_t state, status, istring;
    bool protected_;
    bool runtime;
    dfu_sim_presence presence;
    bool vanish_after_reply;        // answer this status, then leave the bus
    dfu_sim_presence vanish_as;
    uint32_t pointer, jump;
    uint32_t plain_offset;          // plain DFU: where the next block goes or comes from
    uint8_t pending[4096];
    uint16_t pending_len, pending_block;
    uint8_t result_status;          // of the command being run
    unsigned busy_left;
    unsigned poll_ms;
    bool stall_next_poll;
    uint64_t clock_ms, ready_at;
    unsigned writes;
    uint8_t string_base;
    dfu_sim_counters n;
};

void dfu_sim_config_stm32f4(dfu_sim_config *c) {
    memset(c, 0, sizeof(*c));
    c->alts[0] = "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg";
    c->alts[1] = "@Option Bytes  /0x1FFFC000/01*016 e";
    c->alt_count = 2;
    c->vid = 0x0483;
    c->pid = 0xDF11;
    c->bcd_device = 0x2200;
    c->transfer_size = 2048;
    c->attributes = 0x0B;
    c->write_poll_ms = 2;
    c->erase_poll_ms = 5;
    c->mass_erase_poll_ms = 50;
}

static uint64_t now(const dfu_sim *sim) {
    return sim->cfg.now_ms ? sim->cfg.now_ms(sim->cfg.now_user) : sim->clock_ms;
}

// Option bytes of an F2/F4: USER, RDP, ... RDP 0xAA is level 0.
static void default_option_bytes(sim_alt *a, bool protected_) {
    memset(a->mem, 0xFF, a->size);
    if (a->size >= 2) {
        a->mem[0] = 0xEF;
        a->mem[1] = protected_ ? 0x55 : 0xAA;
    }
}

static bool rdp_active(const dfu_sim *sim) {
    for (unsigned i = 0; i < sim->cfg.alt_count; i++) {
        const sim_alt *a = &sim->alts[i];
        if (a->option_bytes && a->size >= 2) {
            return a->mem[1] != 0xAA;
        }
    }
    return false;
}

dfu_status dfu_sim_new(const dfu_sim_config *config, dfu_sim **out, dfu_error *err) {
    *out = NULL;
    if (config->alt_count == 0 || config->alt_count > DFU_MAX_ALTS) {
        return dfu_error_set(err, DFU_E_ARG, "sim: %u alt settings (1..%u)", config->alt_count, DFU_MAX_ALTS);
    }
    if (config->transfer_size < 16 || config->transfer_size > 4096) {
        return dfu_error_set(err, DFU_E_ARG, "sim: transfer size %u (16..4096)", config->transfer_size);
    }
    dfu_sim *sim = calloc(1, sizeof(*sim));
    if (sim == NULL) {
        return dfu_error_set(err, DFU_E_NOMEM, "sim: out of memory");
    }
    sim->cfg = *config;
    for (unsigned i = 0; i < config->alt_count; i++) {
        sim_alt *a = &sim->alts[i];
        dfu_fmt(sim->alt_text[i], sizeof(sim->alt_text[i]), "%s", config->alts[i] ? config->alts[i] : "");
        sim->cfg.alts[i] = sim->alt_text[i];
        dfu_status st = dfu_layout_parse(sim->alt_text[i], &a->layout, err);
        uint64_t size = 0;
        for (size_t k = 0; st == DFU_OK && k < a->layout.count; k++) {
            size += (uint64_t)a->layout.segments[k].page_size * a->layout.segments[k].pages;
        }
        if (st == DFU_OK && size > (64u << 20)) {
            st = dfu_error_set(err, DFU_E_ARG, "sim: alt %u has %llu bytes (at most 64 MiB)", i,
                (unsigned long long)size);
        }
        if (st == DFU_OK && (a->mem = malloc((size_t)size)) == NULL) {
            st = dfu_error_set(err, DFU_E_NOMEM, "sim: out of memory for alt %u", i);
        }
        if (st != DFU_OK) {
            dfu_sim_free(sim);
            return st;
        }
        a->size = (uint32_t)size;
        a->option_bytes = strstr(a->layout.name, "Option") != NULL;
        if (a->option_bytes) {
            default_option_bytes(a, config->read_protected);
        } else {
            memset(a->mem, 0xFF, a->size);
        }
    }
    sim->string_base = 1;
    dfu_sim_reset(sim, config->runtime);
    *out = sim;
    return DFU_OK;
}

void dfu_sim_free(dfu_sim *sim) {
    if (sim == NULL) {
        return;
    }
    for (unsigned i = 0; i < DFU_MAX_ALTS; i++) {
        free(sim->alts[i].mem);
    }
    free(sim);
}

void dfu_sim_reset(dfu_sim *sim, bool runtime) {
    sim->presence = DFU_SIM_PRESENT;
    sim->runtime = runtime;
    sim->state = runtime ? DFU_STATE_APP_IDLE : DFU_STATE_IDLE;
    sim->status = DFU_STATUS_OK;
    sim->istring = 0;
    sim->vanish_after_reply = false;
    sim->pointer = sim->jump = sim->alts[0].layout.count ? sim->alts[0].layout.segments[0].start : 0;
    sim->protected_ = rdp_active(sim);
    sim->busy_left = 0;
    sim->plain_offset = 0;
    sim->ready_at = now(sim);
}

// Plain DFU 1.1: the blocks of one download (or upload) in sequence.
static uint8_t plain_write(dfu_sim *sim) {
    sim_alt *a = &sim->alts[0];
    if (sim->pending_block == 0) {
        sim->plain_offset = 0;  // a new download starts over
        memset(a->mem, 0xFF, a->size);
    }
    if ((uint64_t)sim->plain_offset + sim->pending_len > a->size) {
        return DFU_STATUS_ERR_ADDRESS;
    }
    memcpy(a->mem + sim->plain_offset, sim->pending, sim->pending_len);
    sim->plain_offset += sim->pending_len;
    return DFU_STATUS_OK;
}

void dfu_sim_protect(dfu_sim *sim, bool level1) {
    for (unsigned i = 0; i < sim->cfg.alt_count; i++) {
        sim_alt *a = &sim->alts[i];
        if (a->option_bytes && a->size >= 2) {
            a->mem[1] = level1 ? 0x55 : 0xAA;
        }
    }
    sim->protected_ = rdp_active(sim);
}

dfu_sim_presence dfu_sim_presence_get(const dfu_sim *sim, uint32_t *jump_address) {
    if (jump_address) {
        *jump_address = sim->jump;
    }
    return sim->presence;
}

const dfu_sim_counters *dfu_sim_counters_get(const dfu_sim *sim) {
    return &sim->n;
}

const dfu_sim_config *dfu_sim_config_get(const dfu_sim *sim) {
    return &sim->cfg;
}

bool dfu_sim_is_runtime(const dfu_sim *sim) {
    return sim->runtime;
}

unsigned dfu_sim_string_count(const dfu_sim *sim) {
    return sim->cfg.alt_count + STR_ERR_COUNT;
}

const char *dfu_sim_string(const dfu_sim *sim, unsigned index) {
    if (index < 1 || index > dfu_sim_string_count(sim)) {
        return NULL;
    }
    index--;
    return index < sim->cfg.alt_count ? sim->alt_text[index] : error_strings[index - sim->cfg.alt_count];
}

void dfu_sim_set_string_base(dfu_sim *sim, uint8_t first_id) {
    sim->string_base = first_id;
}

void dfu_sim_functional_descriptor(const dfu_sim *sim, uint8_t out[9]) {
    out[0] = 9;
    out[1] = DFU_FUNCTIONAL_DESCRIPTOR;
    out[2] = sim->cfg.attributes;
    out[3] = 0xFF;  // wDetachTimeOut 255 ms, as ST's ROM
    out[4] = 0;
    out[5] = (uint8_t)sim->cfg.transfer_size;
    out[6] = (uint8_t)(sim->cfg.transfer_size >> 8);
    out[7] = (uint8_t)DFU_BCD_DFUSE;
    out[8] = (uint8_t)(DFU_BCD_DFUSE >> 8);
}

// The alt and offset holding [address, address+size), which may span
// adjacent segments of one alt; *flags is what all of them allow. NULL if
// the range is not all in one alt's memory.
static sim_alt *locate(const dfu_sim *sim, uint32_t address, uint32_t size, uint32_t *offset, uint8_t *flags) {
    uint64_t end = (uint64_t)address + (size ? size : 1);
    for (unsigned i = 0; i < sim->cfg.alt_count; i++) {
        const sim_alt *a = &sim->alts[i];
        uint32_t base = 0;
        for (size_t k = 0; k < a->layout.count; k++) {
            const dfu_mem_segment *s = &a->layout.segments[k];
            uint64_t seg_end = dfu_segment_end(s);
            if (address >= s->start && address < seg_end) {
                uint8_t allowed = s->flags;
                size_t j = k;
                while (seg_end < end && j + 1 < a->layout.count && a->layout.segments[j + 1].start == seg_end) {
                    j++;
                    seg_end = dfu_segment_end(&a->layout.segments[j]);
                    allowed &= a->layout.segments[j].flags;
                }
                if (seg_end < end) {
                    return NULL;
                }
                *offset = base + (address - s->start);
                if (flags) {
                    *flags = allowed;
                }
                return (sim_alt *)(uintptr_t)a;
            }
            base += (uint32_t)(seg_end - s->start);
        }
    }
    return NULL;
}

// Bytes of memory from address to the end of its run of adjacent segments.
static uint64_t span_left(const dfu_sim *sim, uint32_t address) {
    for (unsigned i = 0; i < sim->cfg.alt_count; i++) {
        const dfu_layout *l = &sim->alts[i].layout;
        for (size_t k = 0; k < l->count; k++) {
            uint64_t seg_end = dfu_segment_end(&l->segments[k]);
            if (address >= l->segments[k].start && address < seg_end) {
                while (k + 1 < l->count && l->segments[k + 1].start == seg_end) {
                    seg_end = dfu_segment_end(&l->segments[++k]);
                }
                return seg_end - address;
            }
        }
    }
    return 0;
}

dfu_status dfu_sim_peek(const dfu_sim *sim, uint32_t address, uint8_t *out, uint32_t size) {
    uint32_t off;
    const sim_alt *a = locate(sim, address, size, &off, NULL);
    if (a == NULL) {
        return DFU_E_ADDRESS;
    }
    memcpy(out, a->mem + off, size);
    return DFU_OK;
}

dfu_status dfu_sim_poke(dfu_sim *sim, uint32_t address, const uint8_t *data, uint32_t size) {
    uint32_t off;
    sim_alt *a = locate(sim, address, size, &off, NULL);
    if (a == NULL) {
        return DFU_E_ADDRESS;
    }
    memcpy(a->mem + off, data, size);
    return DFU_OK;
}

size_t dfu_sim_memory_size(const dfu_sim *sim) {
    size_t total = 0;
    for (unsigned i = 0; i < sim->cfg.alt_count; i++) {
        total += sim->alts[i].size;
    }
    return total;
}

dfu_status dfu_sim_memory_write(dfu_sim *sim, const uint8_t *data, size_t size, dfu_error *err) {
    if (size != dfu_sim_memory_size(sim)) {
        return dfu_error_set(err, DFU_E_FORMAT, "not a flash image of this layout (%zu bytes, %zu expected)", size,
            dfu_sim_memory_size(sim));
    }
    for (unsigned i = 0; i < sim->cfg.alt_count; i++) {
        memcpy(sim->alts[i].mem, data, sim->alts[i].size);
        data += sim->alts[i].size;
    }
    sim->protected_ = rdp_active(sim);
    return DFU_OK;
}

dfu_status dfu_sim_memory_read(const dfu_sim *sim, uint8_t *out, size_t size) {
    if (size != dfu_sim_memory_size(sim)) {
        return DFU_E_ARG;
    }
    for (unsigned i = 0; i < sim->cfg.alt_count; i++) {
        memcpy(out, sim->alts[i].mem, sim->alts[i].size);
        out += sim->alts[i].size;
    }
    return DFU_OK;
}

static int fail(dfu_sim *sim, uint8_t status) {
    sim->state = DFU_STATE_ERROR;
    sim->status = status;
    sim->n.stalls++;
    return -DFU_E_STALL;
}

static uint8_t error_string(const dfu_sim *sim, unsigned which) {
    if (sim->string_base == 0) {
        return 0;  // the bus cannot show them (FunctionFS)
    }
    return (uint8_t)(sim->string_base + sim->cfg.alt_count + which);
}

// Runs the stored DNLOAD; returns the DFU status it ends with.
static uint8_t execute(dfu_sim *sim) {
    const uint8_t *d = sim->pending;
    uint16_t len = sim->pending_len;
    sim->poll_ms = sim->cfg.write_poll_ms;
    sim->busy_left = 0;
    sim->istring = 0;
    if (sim->cfg.plain) {
        return plain_write(sim);
    }
    if (sim->pending_block == 0) {
        if (len == 5 && d[0] == DFUSE_CMD_SET_ADDRESS) {
            sim->n.set_address++;
            sim->pointer = sim->jump = dfu_get32(d + 1);
            return DFU_STATUS_OK;
        }
        if (d[0] == DFUSE_CMD_ERASE && (len == 1 || len == 5)) {
            sim->busy_left = sim->cfg.erase_busy_polls;
            sim->stall_next_poll = sim->cfg.stall_busy_polls;
            if (sim->protected_) {
                sim->istring = error_string(sim, STR_ERR_PROTECTED);
                return DFU_STATUS_ERR_VENDOR;
            }
            if (len == 1) {
                sim->n.mass_erases++;
                sim->poll_ms = sim->cfg.mass_erase_poll_ms;
                for (unsigned i = 0; i < sim->cfg.alt_count; i++) {
                    if (!sim->alts[i].option_bytes) {
                        memset(sim->alts[i].mem, 0xFF, sim->alts[i].size);
                    }
                }
                return DFU_STATUS_OK;
            }
            uint32_t address = dfu_get32(d + 1), off;
            uint8_t flags;
            sim_alt *a = locate(sim, address, 1, &off, &flags);
            const dfu_mem_segment *seg = a ? dfu_layout_find(&a->layout, address) : NULL;
            sim->poll_ms = sim->cfg.erase_poll_ms;
            if (a == NULL || seg == NULL || !(flags & DFU_MEM_ERASABLE)) {
                sim->istring = error_string(sim, STR_ERR_TARGET);
                return DFU_STATUS_ERR_TARGET;
            }
            sim->n.erases++;
            uint32_t page_off = (address - seg->start) % seg->page_size;
            memset(a->mem + off - page_off, 0xFF, seg->page_size);
            return DFU_STATUS_OK;
        }
        if (len == 1 && d[0] == DFUSE_CMD_READ_UNPROTECT) {
            for (unsigned i = 0; i < sim->cfg.alt_count; i++) {
                sim_alt *a = &sim->alts[i];
                if (a->option_bytes) {
                    default_option_bytes(a, false);
                } else {
                    memset(a->mem, 0xFF, a->size);
                }
            }
            sim->vanish_after_reply = true;  // it resets at once
            sim->vanish_as = DFU_SIM_RESET;
            return DFU_STATUS_OK;
        }
        return DFU_STATUS_ERR_UNKNOWN;
    }
    if (sim->pending_block == 1) {
        return DFU_STATUS_ERR_UNKNOWN;
    }
    sim->writes++;
    if (sim->cfg.error_write_at && sim->writes == sim->cfg.error_write_at) {
        sim->istring = error_string(sim, STR_ERR_WRITE);
        return DFU_STATUS_ERR_WRITE;
    }
    if (sim->protected_) {
        sim->istring = error_string(sim, STR_ERR_PROTECTED);
        return DFU_STATUS_ERR_VENDOR;
    }
    uint64_t address = (uint64_t)(sim->pending_block - 2u) * sim->cfg.transfer_size + sim->pointer;
    uint32_t off;
    uint8_t flags;
    sim_alt *a = address + len <= 0x100000000ull ? locate(sim, (uint32_t)address, len, &off, &flags) : NULL;
    if (a == NULL || !(flags & DFU_MEM_WRITEABLE)) {
        sim->istring = error_string(sim, STR_ERR_TARGET);
        return DFU_STATUS_ERR_TARGET;
    }
    sim->jump = (uint32_t)address;
    if (a->option_bytes) {
        // Written whole and applied by an option reload: the device resets.
        memcpy(a->mem + off, d, len);
        sim->vanish_after_reply = true;
        sim->vanish_as = DFU_SIM_RESET;
        return DFU_STATUS_OK;
    }
    for (uint16_t i = 0; i < len; i++) {
        if ((a->mem[off + i] & d[i]) != d[i]) {  // flash bits only go from 1 to 0
            sim->istring = error_string(sim, STR_ERR_NOT_ERASED);
            return DFU_STATUS_ERR_PROG;
        }
    }
    memcpy(a->mem + off, d, len);
    return DFU_STATUS_OK;
}

static int reply_status(dfu_sim *sim, uint8_t *data, uint16_t length, uint32_t poll) {
    if (length < 6) {
        return fail(sim, DFU_STATUS_ERR_STALLEDPKT);
    }
    data[0] = sim->status;
    data[1] = (uint8_t)poll;
    data[2] = (uint8_t)(poll >> 8);
    data[3] = (uint8_t)(poll >> 16);
    data[4] = sim->state;
    data[5] = sim->status == DFU_STATUS_OK ? 0 : sim->istring;
    sim->ready_at = now(sim) + poll;
    if (sim->vanish_after_reply) {
        sim->presence = sim->vanish_as;
    }
    return 6;
}

static int get_status(dfu_sim *sim, uint8_t *data, uint16_t length) {
    sim->n.getstatus++;
    if (now(sim) < sim->ready_at) {
        sim->n.early_polls++;
    }
    switch (sim->state) {
        case DFU_STATE_DNLOAD_SYNC: {
            uint8_t result = execute(sim);
            sim->result_status = result;
            sim->state = DFU_STATE_DNBUSY;
            bool vanish = sim->vanish_after_reply;
            sim->vanish_after_reply = false;
            int r = reply_status(sim, data, length, sim->poll_ms);
            // Read unprotect resets right after saying busy.
            if (vanish && sim->pending_block == 0) {
                sim->presence = sim->vanish_as;
            } else if (vanish) {
                sim->vanish_after_reply = true;  // option bytes: after the result
            }
            return r;
        }
        case DFU_STATE_DNBUSY:
            if (sim->stall_next_poll) {
                sim->stall_next_poll = false;
                sim->n.stalls++;
                return -DFU_E_STALL;  // busy, and says so the STM32L4 way
            }
            if (sim->busy_left) {
                sim->busy_left--;
                return reply_status(sim, data, length, sim->poll_ms);
            }
            if (sim->result_status == DFU_STATUS_OK) {
                sim->state = DFU_STATE_DNLOAD_IDLE;
            } else {
                sim->state = DFU_STATE_ERROR;
                sim->status = sim->result_status;
            }
            return reply_status(sim, data, length, 0);
        case DFU_STATE_MANIFEST_SYNC:
            if (sim->cfg.vanish_on_leave) {
                sim->presence = DFU_SIM_LEFT;
                return -DFU_E_NO_DEVICE;
            }
            sim->state = DFU_STATE_MANIFEST;
            sim->vanish_after_reply = true;
            sim->vanish_as = DFU_SIM_LEFT;
            return reply_status(sim, data, length, 0);
        default:
            return reply_status(sim, data, length, 0);
    }
}

static int upload(dfu_sim *sim, uint16_t block, uint8_t *data, uint16_t length) {
    sim->n.uploads++;
    if (sim->state != DFU_STATE_IDLE && sim->state != DFU_STATE_UPLOAD_IDLE) {
        return fail(sim, DFU_STATUS_ERR_STALLEDPKT);
    }
    if (sim->cfg.plain) {
        const sim_alt *a = &sim->alts[0];
        if (sim->state == DFU_STATE_IDLE) {
            sim->plain_offset = 0;
        }
        uint32_t left = a->size - sim->plain_offset;
        uint16_t n = left < length ? (uint16_t)left : length;
        memcpy(data, a->mem + sim->plain_offset, n);
        sim->plain_offset += n;
        // A short block ends the upload (back to dfuIDLE).
        sim->state = n < length ? DFU_STATE_IDLE : DFU_STATE_UPLOAD_IDLE;
        return n;
    }
    if (block == 0) {
        static const uint8_t commands[] = {
            DFUSE_CMD_GET_COMMANDS, DFUSE_CMD_SET_ADDRESS, DFUSE_CMD_ERASE, DFUSE_CMD_READ_UNPROTECT};
        uint16_t n = length < sizeof(commands) ? length : (uint16_t)sizeof(commands);
        memcpy(data, commands, n);
        sim->state = DFU_STATE_UPLOAD_IDLE;
        return n;
    }
    if (block == 1 || length > sim->cfg.transfer_size) {
        return fail(sim, DFU_STATUS_ERR_STALLEDPKT);
    }
    if (sim->protected_) {
        sim->istring = error_string(sim, STR_ERR_PROTECTED);
        return fail(sim, DFU_STATUS_ERR_VENDOR);
    }
    uint64_t address = (uint64_t)(block - 2u) * sim->cfg.transfer_size + sim->pointer;
    uint64_t avail = address < 0x100000000ull ? span_left(sim, (uint32_t)address) : 0;
    // A short packet at the end of the memory ends the upload.
    uint16_t n = avail < length ? (uint16_t)avail : length;
    uint32_t off;
    uint8_t flags;
    sim_alt *a = n ? locate(sim, (uint32_t)address, n, &off, &flags) : NULL;
    if (a == NULL || !(flags & DFU_MEM_READABLE)) {
        sim->istring = error_string(sim, STR_ERR_TARGET);
        return fail(sim, DFU_STATUS_ERR_TARGET);
    }
    memcpy(data, a->mem + off, n);
    sim->state = DFU_STATE_UPLOAD_IDLE;
    return n;
}

// Whether a DNLOAD is stalled before its data stage (and if so, stall it).
static int dnload_check(dfu_sim *sim, bool in, uint16_t value, uint16_t length) {
    if (in || (sim->state != DFU_STATE_IDLE && sim->state != DFU_STATE_DNLOAD_IDLE) ||
        length > sim->cfg.transfer_size) {
        return fail(sim, DFU_STATUS_ERR_STALLEDPKT);
    }
    if (length && value >= 2 && sim->cfg.stall_write_at && sim->writes + 1 == sim->cfg.stall_write_at) {
        sim->writes++;
        return fail(sim, DFU_STATUS_ERR_STALLEDPKT);
    }
    return 0;
}

int dfu_sim_control_check(dfu_sim *sim, uint8_t request_type, uint8_t request, uint16_t value, uint16_t length) {
    if (sim->presence != DFU_SIM_PRESENT || sim->runtime || request != DFU_REQ_DNLOAD) {
        return 0;
    }
    return dnload_check(sim, (request_type & 0x80) != 0, value, length);
}

int dfu_sim_control(dfu_sim *sim, uint8_t request_type, uint8_t request, uint16_t value, uint16_t index,
    uint8_t *data, uint16_t length) {
    (void)index;
    if (sim->presence != DFU_SIM_PRESENT) {
        return -DFU_E_NO_DEVICE;
    }
    sim->n.requests++;
    if (sim->cfg.vanish_at_request && sim->n.requests >= sim->cfg.vanish_at_request) {
        sim->presence = DFU_SIM_RESET;
        return -DFU_E_NO_DEVICE;
    }
    bool in = (request_type & 0x80) != 0;
    if ((request_type & 0x7F) != 0x21 || (in && data == NULL && length)) {
        sim->n.stalls++;
        return -DFU_E_STALL;
    }
    if (sim->runtime) {
        switch (request) {
            case DFU_REQ_DETACH:
                sim->state = DFU_STATE_APP_DETACH;
                sim->presence = DFU_SIM_RESET;  // bitWillDetach: it re-enumerates in DFU mode
                return 0;
            case DFU_REQ_GETSTATUS:
                return in ? get_status(sim, data, length) : fail(sim, DFU_STATUS_ERR_STALLEDPKT);
            case DFU_REQ_GETSTATE:
                if (!in || length < 1) {
                    break;
                }
                data[0] = sim->state;
                return 1;
            default:
                break;
        }
        sim->n.stalls++;
        return -DFU_E_STALL;
    }
    switch (request) {
        case DFU_REQ_DNLOAD: {
            int r = dnload_check(sim, in, value, length);
            if (r < 0) {
                return r;
            }
            sim->n.dnloads++;
            if (length == 0) {
                sim->state = DFU_STATE_MANIFEST_SYNC;
                return 0;
            }
            memcpy(sim->pending, data, length);
            sim->pending_len = length;
            sim->pending_block = value;
            sim->state = DFU_STATE_DNLOAD_SYNC;
            return length;
        }
        case DFU_REQ_UPLOAD:
            if (!in) {
                return fail(sim, DFU_STATUS_ERR_STALLEDPKT);
            }
            return upload(sim, value, data, length);
        case DFU_REQ_GETSTATUS:
            if (!in) {
                return fail(sim, DFU_STATUS_ERR_STALLEDPKT);
            }
            return get_status(sim, data, length);
        case DFU_REQ_CLRSTATUS:
            if (sim->state == DFU_STATE_ERROR) {
                sim->state = DFU_STATE_IDLE;
                sim->status = DFU_STATUS_OK;
                sim->istring = 0;
            }
            return 0;
        case DFU_REQ_GETSTATE:
            if (!in || length < 1) {
                return fail(sim, DFU_STATUS_ERR_STALLEDPKT);
            }
            data[0] = sim->state;
            return 1;
        case DFU_REQ_ABORT:
            if (sim->state != DFU_STATE_ERROR) {
                sim->state = DFU_STATE_IDLE;
            }
            return 0;
        case DFU_REQ_DETACH:
        default:
            return fail(sim, DFU_STATUS_ERR_STALLEDPKT);
    }
}

static int sim_io_control(void *ctx, uint8_t rt, uint8_t req, uint16_t value, uint16_t index, uint8_t *data,
    uint16_t length, unsigned timeout_ms) {
    (void)timeout_ms;
    return dfu_sim_control(ctx, rt, req, value, index, data, length);
}

static int sim_io_string(void *ctx, uint8_t index, char *out, size_t size) {
    const dfu_sim *sim = ctx;
    if (sim->presence != DFU_SIM_PRESENT) {
        return -DFU_E_NO_DEVICE;
    }
    const char *s = dfu_sim_string(sim, (unsigned)index - sim->string_base + 1u);
    if (s == NULL || index < sim->string_base) {
        return -DFU_E_STALL;
    }
    return (int)dfu_fmt(out, size, "%s", s);
}

static int sim_io_set_alt(void *ctx, uint8_t interface, uint8_t alt) {
    const dfu_sim *sim = ctx;
    if (sim->presence != DFU_SIM_PRESENT) {
        return -DFU_E_NO_DEVICE;
    }
    return interface == 0 && alt < sim->cfg.alt_count ? 0 : -DFU_E_STALL;
}

static void sim_io_sleep(void *ctx, unsigned ms) {
    dfu_sim *sim = ctx;
    sim->clock_ms += ms;
}

// The upload queue as a USB host runs it: every request reaches the device,
// in order, whatever happened to the ones before (a stall does not stop the
// queue; the host sees the first failure).
static int sim_io_upload_many(void *ctx, uint16_t interface, uint16_t first_block, uint16_t count, uint16_t length,
    uint8_t *out, unsigned timeout_ms, int *failed) {
    int bytes = 0;
    bool stop = false;
    *failed = 0;
    for (uint16_t i = 0; i < count; i++) {
        int r = sim_io_control(ctx, 0xA1u, DFU_REQ_UPLOAD, (uint16_t)(first_block + i), interface,
            out + (size_t)i * length, length, timeout_ms);
        if (stop) {
            continue;
        }
        if (r < 0) {
            *failed = r;
            stop = true;
        } else {
            bytes += r;
            stop = r != length;
        }
    }
    return bytes;
}

// DNLOAD and GETSTATUS queued together: both reach the device, in order.
static int sim_io_dnload_getstatus(void *ctx, uint16_t interface, uint16_t block, const uint8_t *data,
    uint16_t len, unsigned timeout_ms, unsigned status_timeout_ms, uint8_t status[6], int *status_got) {
    int r = sim_io_control(ctx, 0x21u, DFU_REQ_DNLOAD, block, interface, (uint8_t *)(uintptr_t)data, len,
        timeout_ms);
    *status_got = sim_io_control(ctx, 0xA1u, DFU_REQ_GETSTATUS, 0, interface, status, 6, status_timeout_ms);
    return r;
}

dfu_transport dfu_sim_transport(dfu_sim *sim) {
    return (dfu_transport){
        .control = sim_io_control,
        .get_string = sim_io_string,
        .set_alt = sim_io_set_alt,
        .sleep_ms = sim_io_sleep,
        .ctx = sim,
        .upload_many = sim_io_upload_many,
        .dnload_getstatus = sim_io_dnload_getstatus,
    };
}

dfu_status dfu_sim_session(const dfu_sim *sim, const dfu_transport *io, uint16_t fallback_transfer_size,
    dfu_session *s, dfu_error *err) {
    const dfu_sim_config *c = &sim->cfg;
    dfu_session_init(s, io, 0);
    s->has_func = !c->no_functional_descriptor;
    if (s->has_func) {
        uint8_t fd[9];
        dfu_sim_functional_descriptor(sim, fd);
        (void)dfu_func_desc_parse(fd, sizeof(fd), &s->func);
    }
    s->transfer_size = s->has_func ? c->transfer_size : fallback_transfer_size;
    s->dfuse = !c->plain;
    for (uint8_t a = 0; a < c->alt_count; a++) {
        dfu_status st = dfu_session_set_alt_name(s, a, dfu_sim_string(sim, a + 1u), err);
        if (st != DFU_OK) {
            return st;
        }
    }
    return DFU_OK;
}
