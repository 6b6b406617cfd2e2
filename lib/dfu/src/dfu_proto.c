// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// DFU 1.1 requests and ST's DfuSe extensions over a dfu_transport, and the
// jobs built from them: flash (check, erase, write, verify, leave), read,
// erase, leave. Every step checks the device's state and status; a failure
// carries the device's own report in the dfu_error.
#include "dfu_internal.h"

#include <stdlib.h>
#include <string.h>

#define RT_OUT 0x21u  // class, interface, host to device
#define RT_IN 0xA1u
#define STALLS_TOLERATED 3u   // while busy (STM32L4 page erase stalls GETSTATUS)
#define MASS_ERASE_TIMEOUT_MS 40000u  // an F405 mass erase takes ~16 s and says 100 ms
#define FIRST_BLOCK 2u

void dfu_session_init(dfu_session *s, const dfu_transport *io, uint8_t interface) {
    memset(s, 0, sizeof(*s));
    s->io = io;
    s->interface = interface;
    s->alt_current = -1;
    s->timeout_ms = 5000;
    s->busy_limit_ms = 60000;
}

dfu_status dfu_session_set_alt_name(dfu_session *s, uint8_t alt, const char *name, dfu_error *err) {
    if (alt >= DFU_MAX_ALTS) {
        return dfu_error_set(err, DFU_E_ARG, "alt %u: at most %u alt settings", alt, DFU_MAX_ALTS);
    }
    dfu_fmt(s->alt_names[alt], sizeof(s->alt_names[alt]), "%s", name ? name : "");
    if (alt >= s->alt_count) {
        s->alt_count = (uint8_t)(alt + 1);
    }
    dfu_error local;
    dfu_error_clear(&local);
    s->has_layout[alt] = name != NULL && dfu_layout_parse(name, &s->layouts[alt], &local) == DFU_OK;
    return DFU_OK;
}

void dfu_flash_options_init(dfu_flash_options *o) {
    memset(o, 0, sizeof(*o));
    o->verify = true;
    o->leave = true;
    o->incrementing_blocks = true;
}

static void pause_ms(dfu_session *s, unsigned ms) {
    if (ms && s->io->sleep_ms) {
        s->io->sleep_ms(s->io->ctx, ms);
    }
}

static dfu_status control(dfu_session *s, uint8_t rt, uint8_t req, uint16_t value, uint8_t *data,
    uint16_t len, unsigned timeout_ms, int *got, dfu_error *err) {
    if (s->cancel) {
        return dfu_error_set(err, DFU_E_CANCELLED, "cancelled before %s", dfu_request_name(req));
    }
    s->requests++;
    int r = s->io->control(s->io->ctx, (uint8_t)rt, req, value, s->interface, data, len, timeout_ms);
    if (r < 0) {
        dfu_status st = (dfu_status)-r;
        if (st <= DFU_OK || st >= DFU_STATUS_COUNT) {
            st = DFU_E_USB;
        }
        return dfu_error_set(err, st, "%s(%u): %s", dfu_request_name(req), value, dfu_strerror(st));
    }
    if (got) {
        *got = r;
    } else if (r != len) {
        return dfu_error_set(err, DFU_E_USB, "%s(%u): %d of %u bytes transferred", dfu_request_name(req), value, r, len);
    }
    return DFU_OK;
}

static void parse_status(const uint8_t b[6], dfu_devstatus *st) {
    st->status = b[0];
    st->poll_timeout_ms = (uint32_t)b[1] | ((uint32_t)b[2] << 8) | ((uint32_t)b[3] << 16);
    st->state = b[4];
    st->istring = b[5];
}

static dfu_status get_status_timeout(dfu_session *s, dfu_devstatus *st, unsigned timeout_ms, dfu_error *err) {
    uint8_t b[6];
    int got = 0;
    dfu_status r = control(s, RT_IN, DFU_REQ_GETSTATUS, 0, b, sizeof(b), timeout_ms, &got, err);
    if (r != DFU_OK) {
        return r;
    }
    if (got != 6) {
        return dfu_error_set(err, DFU_E_USB, "GETSTATUS: %d-byte reply (6 expected)", got);
    }
    parse_status(b, st);
    return DFU_OK;
}

dfu_status dfu_get_status(dfu_session *s, dfu_devstatus *st, dfu_error *err) {
    return get_status_timeout(s, st, s->timeout_ms, err);
}

dfu_status dfu_get_state(dfu_session *s, uint8_t *state, dfu_error *err) {
    int got = 0;
    dfu_status r = control(s, RT_IN, DFU_REQ_GETSTATE, 0, state, 1, s->timeout_ms, &got, err);
    if (r == DFU_OK && got != 1) {
        return dfu_error_set(err, DFU_E_USB, "GETSTATE: %d-byte reply", got);
    }
    return r;
}

dfu_status dfu_clear_status(dfu_session *s, dfu_error *err) {
    return control(s, RT_OUT, DFU_REQ_CLRSTATUS, 0, NULL, 0, s->timeout_ms, NULL, err);
}

dfu_status dfu_abort(dfu_session *s, dfu_error *err) {
    return control(s, RT_OUT, DFU_REQ_ABORT, 0, NULL, 0, s->timeout_ms, NULL, err);
}

dfu_status dfu_detach(dfu_session *s, uint16_t timeout_ms, dfu_error *err) {
    int got = 0;
    dfu_status r = control(s, RT_OUT, DFU_REQ_DETACH, timeout_ms, NULL, 0, s->timeout_ms, &got, err);
    // A device that resets at once may drop the status stage; a STALL is
    // a refusal, and stays an error.
    if (r == DFU_E_NO_DEVICE || r == DFU_E_USB) {
        dfu_error_clear(err);
        return DFU_OK;
    }
    return r;
}

// Records the device's report in err and returns the matching status.
static dfu_status device_failed(dfu_session *s, const dfu_devstatus *st, const char *what, dfu_error *err) {
    if (err == NULL || err->code != DFU_OK) {
        return err ? err->code : DFU_E_STATUS;
    }
    err->has_device = true;
    err->dev_state = st->state;
    err->dev_status = st->status;
    err->dev_istring = st->istring;
    if (st->istring && s->io->get_string) {
        if (s->io->get_string(s->io->ctx, st->istring, err->dev_string, sizeof(err->dev_string)) < 0) {
            err->dev_string[0] = '\0';
        }
    }
    dfu_status code = DFU_E_STATUS;
    const char *hint = "";
    if (st->status == DFU_STATUS_OK) {
        code = DFU_E_STATE;
    } else if (s->dfuse && st->status == DFU_STATUS_ERR_VENDOR) {
        code = DFU_E_PROTECTED;
        hint = " (read protection is active; see `mpx-dfu unprotect`)";
    } else if (s->dfuse && st->status == DFU_STATUS_ERR_TARGET) {
        code = DFU_E_ADDRESS;
        hint = " (the device refused the address)";
    }
    return dfu_error_set(err, code, "%s: device reports %s in state %s%s%s%s", what,
        dfu_status_name(st->status), dfu_state_name(st->state), err->dev_string[0] ? ": " : "",
        err->dev_string, hint);
}

// After a stalled request: ask the device why, clear its error state.
static dfu_status explain_stall(dfu_session *s, dfu_status r, const char *what, dfu_error *err) {
    if (r != DFU_E_STALL) {
        return r;
    }
    dfu_devstatus st = {0};
    dfu_error probe;
    dfu_error_clear(&probe);
    if (get_status_timeout(s, &st, s->timeout_ms, &probe) == DFU_OK && st.state == DFU_STATE_ERROR) {
        dfu_error saved = *err;
        dfu_error_clear(err);
        dfu_status code = device_failed(s, &st, what, err);
        if (code == DFU_E_STATE) {  // a stall with no status: keep the stall
            *err = saved;
            return r;
        }
        (void)dfu_clear_status(s, &probe);
        return code;
    }
    return r;
}

// GETSTATUS until the device has finished the DNLOAD it just took; `first`
// (or NULL) is the reply to a GETSTATUS already sent with the DNLOAD.
static dfu_status wait_done(dfu_session *s, const char *what, unsigned timeout_ms, const dfu_devstatus *first,
    dfu_devstatus *out, dfu_error *err) {
    unsigned stalls = 0;
    uint64_t waited = 0;
    for (;;) {
        dfu_devstatus st = {0};
        dfu_status r = DFU_OK;
        if (first != NULL) {
            st = *first;
            first = NULL;
        } else {
            r = get_status_timeout(s, &st, timeout_ms, err);
        }
        if (r == DFU_E_STALL && s->dfuse && stalls < STALLS_TOLERATED) {
            stalls++;
            s->stalls_tolerated++;
            dfu_error_clear(err);
            pause_ms(s, 10);
            waited += 10;
            continue;
        }
        if (r != DFU_OK) {
            return dfu_error_set(err, r, "%s: no status", what);
        }
        if (st.status != DFU_STATUS_OK || st.state == DFU_STATE_ERROR) {
            return device_failed(s, &st, what, err);
        }
        if (st.state == DFU_STATE_DNBUSY || st.state == DFU_STATE_DNLOAD_SYNC) {
            unsigned ms = st.poll_timeout_ms ? st.poll_timeout_ms : 1;
            if (waited + ms > s->busy_limit_ms) {
                return dfu_error_set(err, DFU_E_TIMEOUT, "%s: device still busy after %llu ms", what,
                    (unsigned long long)waited);
            }
            pause_ms(s, ms);
            waited += ms;
            continue;
        }
        if (out) {
            *out = st;
        }
        return DFU_OK;
    }
}

// The DNLOAD and its first GETSTATUS through the transport's pair queue:
// DFU_OK with *first filled (has_first) or not (the GETSTATUS failed or came
// back short: the caller polls again, as after a lone DNLOAD).
static dfu_status dnload_pair(dfu_session *s, uint16_t block, const uint8_t *data, uint16_t len,
    unsigned status_timeout_ms, dfu_devstatus *first, bool *has_first, dfu_error *err) {
    if (s->cancel) {
        return dfu_error_set(err, DFU_E_CANCELLED, "cancelled before %s", dfu_request_name(DFU_REQ_DNLOAD));
    }
    s->requests += 2;
    uint8_t b[6];
    int got = 0;
    int r = s->io->dnload_getstatus(s->io->ctx, s->interface, block, data, len, s->timeout_ms, status_timeout_ms, b,
        &got);
    if (r < 0) {
        dfu_status st = (dfu_status)-r;
        if (st <= DFU_OK || st >= DFU_STATUS_COUNT) {
            st = DFU_E_USB;
        }
        return dfu_error_set(err, st, "%s(%u): %s", dfu_request_name(DFU_REQ_DNLOAD), block, dfu_strerror(st));
    }
    if (r != len) {
        return dfu_error_set(err, DFU_E_USB, "%s(%u): %d of %u bytes transferred", dfu_request_name(DFU_REQ_DNLOAD),
            block, r, len);
    }
    *has_first = got == 6;
    if (*has_first) {
        parse_status(b, first);
    }
    return DFU_OK;
}

static dfu_status dnload(dfu_session *s, uint16_t block, const uint8_t *data, uint16_t len, const char *what,
    unsigned status_timeout_ms, dfu_error *err) {
    dfu_devstatus first = {0};
    bool has_first = false;
    dfu_status r = s->io->dnload_getstatus != NULL
        ? dnload_pair(s, block, data, len, status_timeout_ms, &first, &has_first, err)
        : control(s, RT_OUT, DFU_REQ_DNLOAD, block, (uint8_t *)(uintptr_t)data, len, s->timeout_ms, NULL, err);
    if (r != DFU_OK) {
        return explain_stall(s, r, what, err);
    }
    dfu_devstatus st = {0};
    r = wait_done(s, what, status_timeout_ms, has_first ? &first : NULL, &st, err);
    if (r == DFU_OK && st.state != DFU_STATE_DNLOAD_IDLE && st.state != DFU_STATE_IDLE) {
        return device_failed(s, &st, what, err);
    }
    return r;
}

static dfu_status dfuse_command(dfu_session *s, uint8_t cmd, bool has_address, uint32_t address,
    unsigned status_timeout_ms, dfu_error *err) {
    uint8_t b[5] = {cmd};
    dfu_put32(b + 1, address);
    char what[48];
    const char *name = cmd == DFUSE_CMD_SET_ADDRESS ? "set address" : cmd == DFUSE_CMD_ERASE
        ? (has_address ? "erase page" : "mass erase") : "command";
    if (has_address) {
        dfu_fmt(what, sizeof(what), "%s 0x%08x", name, (unsigned)address);
    } else {
        dfu_fmt(what, sizeof(what), "%s", name);
    }
    return dnload(s, 0, b, has_address ? 5 : 1, what, status_timeout_ms, err);
}

dfu_status dfuse_set_address(dfu_session *s, uint32_t address, dfu_error *err) {
    return dfuse_command(s, DFUSE_CMD_SET_ADDRESS, true, address, s->timeout_ms, err);
}

dfu_status dfuse_erase_page(dfu_session *s, uint32_t address, dfu_error *err) {
    return dfuse_command(s, DFUSE_CMD_ERASE, true, address, s->timeout_ms, err);
}

dfu_status dfuse_mass_erase(dfu_session *s, dfu_error *err) {
    unsigned limit = s->busy_limit_ms;
    if (s->busy_limit_ms < MASS_ERASE_TIMEOUT_MS) {
        s->busy_limit_ms = MASS_ERASE_TIMEOUT_MS;
    }
    dfu_status r = dfuse_command(s, DFUSE_CMD_ERASE, false, 0,
        s->timeout_ms > MASS_ERASE_TIMEOUT_MS ? s->timeout_ms : MASS_ERASE_TIMEOUT_MS, err);
    s->busy_limit_ms = limit;
    return r;
}

dfu_status dfuse_read_unprotect(dfu_session *s, dfu_error *err) {
    uint8_t cmd = DFUSE_CMD_READ_UNPROTECT;
    dfu_status r = dfu_reach_idle(s, err);
    if (r != DFU_OK) {
        return r;
    }
    r = control(s, RT_OUT, DFU_REQ_DNLOAD, 0, &cmd, 1, s->timeout_ms, NULL, err);
    if (r != DFU_OK) {
        return explain_stall(s, r, "read unprotect", err);
    }
    // The command runs on this GETSTATUS: the device mass-erases and resets,
    // so no second status comes. A reply of dfuDNBUSY, or the device going
    // away, is what success looks like.
    dfu_devstatus st = {0};
    dfu_error probe;
    dfu_error_clear(&probe);
    r = get_status_timeout(s, &st, s->timeout_ms, &probe);
    if (r == DFU_E_NO_DEVICE || r == DFU_E_USB || r == DFU_E_TIMEOUT) {
        return DFU_OK;
    }
    if (r != DFU_OK) {
        return dfu_error_set(err, r, "read unprotect: %s", probe.message);
    }
    if (st.status != DFU_STATUS_OK || st.state != DFU_STATE_DNBUSY) {
        return device_failed(s, &st, "read unprotect", err);
    }
    return DFU_OK;
}

dfu_status dfu_reach_idle(dfu_session *s, dfu_error *err) {
    for (int attempt = 0; attempt < 8; attempt++) {
        dfu_devstatus st = {0};
        dfu_status r = dfu_get_status(s, &st, err);
        if (r != DFU_OK) {
            return r;
        }
        switch (st.state) {
            case DFU_STATE_IDLE:
                return DFU_OK;
            case DFU_STATE_ERROR:
                r = dfu_clear_status(s, err);
                break;
            case DFU_STATE_DNLOAD_IDLE:
            case DFU_STATE_UPLOAD_IDLE:
            case DFU_STATE_DNLOAD_SYNC:
            case DFU_STATE_MANIFEST_SYNC:
                r = dfu_abort(s, err);
                break;
            case DFU_STATE_DNBUSY:
            case DFU_STATE_MANIFEST:
                pause_ms(s, st.poll_timeout_ms ? st.poll_timeout_ms : 1);
                break;
            case DFU_STATE_APP_IDLE:
            case DFU_STATE_APP_DETACH:
                return dfu_error_set(err, DFU_E_STATE, "device is in runtime mode (%s); detach it first",
                    dfu_state_name(st.state));
            default:
                return device_failed(s, &st, "reaching dfuIDLE", err);
        }
        if (r != DFU_OK) {
            return r;
        }
    }
    return dfu_error_set(err, DFU_E_STATE, "device does not reach dfuIDLE");
}

// "0 "@Internal Flash ...", 1 "@Option Bytes ..."" for a refusal.
static void alt_list(const dfu_session *s, char *out, size_t size) {
    size_t n = dfu_fmt(out, size, "%s", s->alt_count ? "" : "none");
    for (unsigned a = 0; a < s->alt_count && a < DFU_MAX_ALTS && n < size; a++) {
        n += dfu_fmt(out + n, size - n, "%s%u \"%s\"", a ? ", " : "", a, s->alt_names[a]);
    }
}

dfu_status dfu_session_check_alt(const dfu_session *s, unsigned alt, dfu_error *err) {
    // A session that knows no alt settings (a caller that filled it by hand)
    // takes the number as given.
    if (s->alt_count == 0 || alt < s->alt_count) {
        return DFU_OK;
    }
    char list[200];
    alt_list(s, list, sizeof(list));
    return dfu_error_set(err, DFU_E_NO_ALT, "the device has no alt setting %u (it has %s)", alt, list);
}

dfu_status dfu_session_find_alt(const dfu_session *s, const char *name, uint8_t *alt, dfu_error *err) {
    for (unsigned a = 0; a < s->alt_count && a < DFU_MAX_ALTS; a++) {
        if (strcmp(s->alt_names[a], name) == 0) {
            *alt = (uint8_t)a;
            return DFU_OK;
        }
    }
    char list[200];
    alt_list(s, list, sizeof(list));
    return dfu_error_set(err, DFU_E_NO_ALT, "the device has no alt setting named \"%s\" (it has %s)", name, list);
}

dfu_status dfu_select_alt(dfu_session *s, uint8_t alt, dfu_error *err) {
    if (s->alt_current == alt) {
        return DFU_OK;
    }
    dfu_status bad = dfu_session_check_alt(s, alt, err);
    if (bad != DFU_OK) {
        return bad;
    }
    if (s->io->set_alt) {
        int r = s->io->set_alt(s->io->ctx, s->interface, alt);
        if (r < 0) {
            return dfu_error_set(err, (dfu_status)-r, "selecting alt %u: %s", alt, dfu_strerror((dfu_status)-r));
        }
    }
    s->alt_current = alt;
    return DFU_OK;
}

static dfu_status report(dfu_session *s, dfu_phase phase, uint32_t address, uint64_t done, uint64_t total,
    dfu_error *err) {
    if (s->progress && s->progress(s->progress_user, phase, address, done, total)) {
        s->cancel = 1;
    }
    if (s->cancel) {
        return dfu_error_set(err, DFU_E_CANCELLED, "cancelled during %s at 0x%08x", dfu_phase_name(phase),
            (unsigned)address);
    }
    return DFU_OK;
}

static const dfu_layout *layout_of(const dfu_session *s, uint8_t alt) {
    return alt < DFU_MAX_ALTS && s->has_layout[alt] ? &s->layouts[alt] : NULL;
}

static bool is_option_bytes(const dfu_session *s, uint8_t alt) {
    const dfu_layout *l = layout_of(s, alt);
    return l != NULL && strstr(l->name, "Option") != NULL;
}

// The lowest segment start above address (end if none): where the layout
// resumes after a gap.
static uint64_t next_segment(const dfu_layout *l, uint64_t address, uint64_t end) {
    for (size_t i = 0; i < l->count; i++) {
        if (l->segments[i].start > address && l->segments[i].start < end) {
            end = l->segments[i].start;
        }
    }
    return end;
}

// The erasable pages of [address, address+size), in ascending order: with
// count set, counts them; otherwise erases each and reports progress.
static dfu_status for_each_page(dfu_session *s, const dfu_layout *l, uint32_t address, uint32_t size,
    uint64_t *count, uint64_t *done, uint64_t total, dfu_error *err) {
    uint64_t a = address, end = (uint64_t)address + size;
    while (a < end) {
        const dfu_mem_segment *seg = dfu_layout_find(l, (uint32_t)a);
        if (seg == NULL) {  // forced write outside the layout: nothing we can erase
            a = next_segment(l, a, end);
            continue;
        }
        uint64_t page = seg->start + (a - seg->start) / seg->page_size * seg->page_size;
        if (seg->flags & DFU_MEM_ERASABLE) {
            if (count) {
                (*count)++;
            } else {
                dfu_status r = dfuse_erase_page(s, (uint32_t)page, err);
                if (r == DFU_OK) {
                    r = report(s, DFU_PHASE_ERASE, (uint32_t)page, ++*done, total, err);
                }
                if (r != DFU_OK) {
                    return r;
                }
            }
        }
        a = page + seg->page_size;
    }
    return DFU_OK;
}

// Pages of the alt's elements, each page once (elements are sorted).
static dfu_status erase_pages(dfu_session *s, const dfu_image *img, uint8_t alt, uint64_t *count,
    uint64_t *done, uint64_t total, dfu_error *err) {
    const dfu_layout *l = layout_of(s, alt);
    if (l == NULL) {
        return DFU_OK;
    }
    uint64_t covered = 0;  // end of the last page handled
    for (size_t i = 0; i < img->count; i++) {
        const dfu_element *e = &img->elements[i];
        if (e->alt != alt || e->size == 0) {
            continue;
        }
        uint64_t start = e->address, end = (uint64_t)e->address + e->size;
        if (start < covered) {
            start = covered;
        }
        if (start >= end) {
            continue;
        }
        dfu_status r = for_each_page(s, l, (uint32_t)start, (uint32_t)(end - start), count, done, total, err);
        if (r != DFU_OK) {
            return r;
        }
        const dfu_mem_segment *last = dfu_layout_find(l, (uint32_t)(end - 1));
        covered = last ? last->start + ((end - 1 - last->start) / last->page_size + 1) * last->page_size : end;
    }
    return DFU_OK;
}

static dfu_status write_region(dfu_session *s, uint32_t address, const uint8_t *data, uint32_t size,
    bool incrementing, uint64_t *done, uint64_t total, dfu_error *err) {
    uint32_t off = 0;
    unsigned block = 0;
    while (off < size) {
        uint32_t n = size - off < s->transfer_size ? size - off : s->transfer_size;
        uint32_t at = address + off;
        dfu_status r = DFU_OK;
        if (!incrementing || block == 0 || block > 0xFFFFu) {
            r = dfuse_set_address(s, at, err);
            block = FIRST_BLOCK;
        }
        char what[48];
        dfu_fmt(what, sizeof(what), "write %u bytes at 0x%08x", (unsigned)n, (unsigned)at);
        if (r == DFU_OK) {
            r = dnload(s, (uint16_t)block, data + off, (uint16_t)n, what, s->timeout_ms, err);
        }
        if (r == DFU_OK) {
            *done += n;
            r = report(s, DFU_PHASE_WRITE, at, *done, total, err);
        }
        if (r != DFU_OK) {
            return r;
        }
        off += n;
        block++;
    }
    return DFU_OK;
}

// UPLOAD [address, address+size) into out; the phase says why (read or verify).
// `count` whole blocks from block `first` (the pointer at address, block
// FIRST_BLOCK there) into out + off through the transport's upload queue;
// progress per block, as the one-by-one path reports it.
static dfu_status read_blocks(dfu_session *s, dfu_phase phase, uint32_t address, uint8_t *out, uint32_t off,
    uint16_t first, uint16_t count, uint64_t *done, uint64_t total, dfu_error *err) {
    if (s->cancel) {
        return dfu_error_set(err, DFU_E_CANCELLED, "cancelled before UPLOAD");
    }
    s->requests += count;
    int failed = 0;
    int got = s->io->upload_many(s->io->ctx, s->interface, first, count, s->transfer_size, out + off, s->timeout_ms,
        &failed);
    uint32_t whole = got > 0 ? (uint32_t)got / s->transfer_size : 0;
    for (uint32_t i = 0; i < whole; i++) {
        *done += s->transfer_size;
        uint32_t at = address + off + (i + 1u) * s->transfer_size;
        dfu_status r = report(s, phase, at - s->transfer_size, *done, total, err);
        if (r != DFU_OK) {
            return r;
        }
    }
    if (got >= 0 && (uint32_t)got == (uint32_t)count * s->transfer_size) {
        return DFU_OK;
    }
    char what[48];
    dfu_fmt(what, sizeof(what), "read %u bytes at 0x%08x", (unsigned)s->transfer_size,
        (unsigned)(address + off + whole * s->transfer_size));
    if (failed < 0 || got < 0) {
        dfu_status st = (dfu_status)-(failed < 0 ? failed : got);
        if (st <= DFU_OK || st >= DFU_STATUS_COUNT) {
            st = DFU_E_USB;
        }
        dfu_error_set(err, st, "UPLOAD(%u): %s", (unsigned)(first + whole), dfu_strerror(st));
        return explain_stall(s, st, what, err);
    }
    return dfu_error_set(err, DFU_E_USB, "%s: the device sent %u bytes", what, (unsigned)got % s->transfer_size);
}

static dfu_status read_region(dfu_session *s, dfu_phase phase, uint32_t address, uint8_t *out, uint32_t size,
    uint64_t *done, uint64_t total, dfu_error *err) {
    uint32_t off = 0;
    unsigned block = 0;
    while (off < size) {
        dfu_status r = DFU_OK;
        if (block > 0xFFFFu) {
            // The block number is spent: out of dfuUPLOAD-IDLE first, as
            // SET_ADDRESS (a DNLOAD) needs dfuIDLE.
            r = dfu_abort(s, err);
        }
        if (r == DFU_OK && (block == 0 || block > 0xFFFFu)) {
            // UPLOAD needs dfuIDLE: set the pointer, then ABORT out of DNLOAD-IDLE.
            r = dfuse_set_address(s, address + off, err);
            if (r == DFU_OK) {
                r = dfu_abort(s, err);
            }
            block = FIRST_BLOCK;
        }
        if (r != DFU_OK) {
            return r;
        }
        uint32_t full = (size - off) / s->transfer_size;
        if (s->io->upload_many && full >= 2) {
            // Whole blocks, several in flight (the transport queues them).
            uint32_t count = full < DFU_UPLOAD_QUEUE ? full : DFU_UPLOAD_QUEUE;
            if (count > 0x10000u - block) {
                count = 0x10000u - block;  // the block number wraps: a new pointer first
            }
            if ((r = read_blocks(s, phase, address, out, off, (uint16_t)block, (uint16_t)count, done, total, err)) !=
                DFU_OK) {
                return r;
            }
            off += count * s->transfer_size;
            block += count;
            continue;
        }
        uint32_t n = size - off < s->transfer_size ? size - off : s->transfer_size;
        int got = 0;
        char what[48];
        dfu_fmt(what, sizeof(what), "read %u bytes at 0x%08x", (unsigned)n, (unsigned)(address + off));
        r = control(s, RT_IN, DFU_REQ_UPLOAD, (uint16_t)block, out + off, (uint16_t)n, s->timeout_ms, &got, err);
        if (r != DFU_OK) {
            return explain_stall(s, r, what, err);
        }
        if ((uint32_t)got != n) {
            return dfu_error_set(err, DFU_E_USB, "%s: the device sent %d bytes", what, got);
        }
        off += n;
        block++;
        *done += n;
        if ((r = report(s, phase, address + off - n, *done, total, err)) != DFU_OK) {
            return r;
        }
    }
    // Back to dfuIDLE for whatever comes next.
    return dfu_abort(s, err);
}

dfu_status dfu_flash_check(const dfu_session *s, const dfu_image *img, const dfu_flash_options *o, dfu_error *err) {
    if (s->transfer_size == 0) {
        return dfu_error_set(err, DFU_E_ARG, "no transfer size (the device has no functional descriptor; give one)");
    }
    if (o->check_ids && img->has_suffix) {
        if ((img->suffix.vid != 0xFFFF && img->suffix.vid != o->vid) ||
            (img->suffix.pid != 0xFFFF && img->suffix.pid != o->pid)) {
            return dfu_error_set(err, DFU_E_MISMATCH, "the file is for %04x:%04x, the device is %04x:%04x",
                img->suffix.vid, img->suffix.pid, o->vid, o->pid);
        }
    }
    if (!s->dfuse) {
        if (img->count != 1) {
            return dfu_error_set(err, DFU_E_UNSUPPORTED,
                "the image has %zu parts; a device without DfuSe takes one raw image", img->count);
        }
        return DFU_OK;
    }
    for (size_t i = 0; i < img->count; i++) {
        const dfu_element *e = &img->elements[i];
        const dfu_layout *l = layout_of(s, e->alt);
        if (s->alt_count && e->alt >= s->alt_count) {
            char list[200];
            alt_list(s, list, sizeof(list));
            return dfu_error_set(err, DFU_E_NO_ALT, "the image targets alt %u; the device has %s", e->alt, list);
        }
        if (is_option_bytes(s, e->alt)) {
            if (!o->allow_option_bytes) {
                return dfu_error_set(err, DFU_E_REFUSED,
                    "the image writes option bytes (alt %u, 0x%08x); that needs the option-bytes opt-in", e->alt,
                    (unsigned)e->address);
            }
            // RDP is the second byte of the block (F2/F4/F7): 0xCC is level 2, forever.
            const dfu_mem_segment *seg = l ? dfu_layout_find(l, e->address) : NULL;
            uint32_t rdp = seg ? seg->start + 1 : e->address + 1;
            if (rdp >= e->address && rdp - e->address < e->size && e->data[rdp - e->address] == 0xCC &&
                !o->allow_rdp_level2) {
                return dfu_error_set(err, DFU_E_REFUSED,
                    "the option bytes set read protection level 2, which disables DFU and debug for good; "
                    "that needs its own opt-in");
            }
        }
        if (o->force) {
            continue;
        }
        if (l == NULL) {
            return dfu_error_set(err, DFU_E_ADDRESS, "alt %u has no memory layout to check 0x%08x against", e->alt,
                (unsigned)e->address);
        }
        dfu_status r = dfu_layout_check(l, e->address, e->size, DFU_MEM_WRITEABLE, err);
        if (r != DFU_OK) {
            return r;
        }
    }
    return DFU_OK;
}

dfu_status dfu_download_plain(dfu_session *s, const uint8_t *data, size_t size, dfu_error *err) {
    if (s->transfer_size == 0) {
        return dfu_error_set(err, DFU_E_ARG, "no transfer size");
    }
    dfu_status r = dfu_reach_idle(s, err);
    uint64_t done = 0;
    for (unsigned block = 0; r == DFU_OK && done < size; block++) {
        uint16_t n = (uint16_t)(size - done < s->transfer_size ? size - done : s->transfer_size);
        char what[40];
        dfu_fmt(what, sizeof(what), "download block %u", block);
        r = dnload(s, (uint16_t)block, data + done, n, what, s->timeout_ms, err);
        if (r == DFU_OK) {
            done += n;
            r = report(s, DFU_PHASE_WRITE, (uint32_t)(done - n), done, size, err);
        }
    }
    return r;
}

static dfu_status write_element(dfu_session *s, const dfu_element *e, const dfu_flash_options *o, uint64_t *done,
    uint64_t total, dfu_error *err) {
    dfu_status r = dfu_select_alt(s, e->alt, err);
    return r != DFU_OK ? r : write_region(s, e->address, e->data, e->size, o->incrementing_blocks, done, total, err);
}

// Plain DFU 1.1 UPLOAD: the image from its start, blocks 0, 1, 2, ...
static dfu_status read_plain(dfu_session *s, uint8_t *out, uint32_t size, uint64_t *done, uint64_t total,
    dfu_error *err) {
    uint32_t off = 0;
    for (unsigned block = 0; off < size; block++) {
        uint32_t n = size - off < s->transfer_size ? size - off : s->transfer_size;
        int got = 0;
        dfu_status r = control(s, RT_IN, DFU_REQ_UPLOAD, (uint16_t)block, out + off, (uint16_t)n, s->timeout_ms,
            &got, err);
        if (r != DFU_OK) {
            return explain_stall(s, r, "upload", err);
        }
        if ((uint32_t)got != n) {
            return dfu_error_set(err, DFU_E_VERIFY, "the device holds %u bytes; %u were written",
                (unsigned)(off + (uint32_t)got), (unsigned)size);
        }
        off += n;
        *done += n;
        if ((r = report(s, DFU_PHASE_VERIFY, off - n, *done, total, err)) != DFU_OK) {
            return r;
        }
    }
    return dfu_reach_idle(s, err);  // an upload that did not end short needs an ABORT
}

static dfu_status verify_element(dfu_session *s, const dfu_element *e, uint64_t *done, uint64_t total,
    dfu_error *err) {
    uint8_t *back = malloc(e->size ? e->size : 1);
    if (back == NULL) {
        return dfu_error_set(err, DFU_E_NOMEM, "out of memory for verification");
    }
    dfu_status r = dfu_reach_idle(s, err);
    if (r == DFU_OK && s->dfuse) {
        r = dfu_select_alt(s, e->alt, err);
        if (r == DFU_OK) {
            r = read_region(s, DFU_PHASE_VERIFY, e->address, back, e->size, done, total, err);
        }
    } else if (r == DFU_OK) {
        r = read_plain(s, back, e->size, done, total, err);
    }
    if (r == DFU_OK && memcmp(back, e->data, e->size) != 0) {
        uint32_t k = 0;
        while (back[k] == e->data[k]) {
            k++;
        }
        r = dfu_error_set(err, DFU_E_VERIFY, "0x%08x reads back 0x%02x, 0x%02x was written",
            (unsigned)(e->address + k), back[k], e->data[k]);
    }
    free(back);
    return r;
}

dfu_status dfu_flash(dfu_session *s, const dfu_image *img, const dfu_flash_options *o, dfu_error *err) {
    dfu_status r = dfu_flash_check(s, img, o, err);
    if (r != DFU_OK) {
        return r;
    }
    if (!s->dfuse) {
        uint64_t checked = 0;
        r = dfu_download_plain(s, img->elements[0].data, img->elements[0].size, err);
        if (r == DFU_OK && o->verify) {
            r = verify_element(s, &img->elements[0], &checked, img->elements[0].size, err);
        }
        if (r != DFU_OK || !o->leave) {
            return r == DFU_OK ? dfu_reach_idle(s, err) : r;
        }
        return dfu_leave(s, false, 0, err);
    }
    if ((r = dfu_reach_idle(s, err)) != DFU_OK) {
        return r;
    }
    uint64_t bytes = dfu_image_total(img), pages = 0, done = 0;
    for (size_t t = 0; t < img->target_count && !o->mass_erase; t++) {
        erase_pages(s, img, img->targets[t].alt, &pages, NULL, 0, err);
    }
    if (o->mass_erase) {
        if ((r = report(s, DFU_PHASE_ERASE, 0, 0, 1, err)) != DFU_OK || (r = dfu_select_alt(s, 0, err)) != DFU_OK ||
            (r = dfuse_mass_erase(s, err)) != DFU_OK || (r = report(s, DFU_PHASE_ERASE, 0, 1, 1, err)) != DFU_OK) {
            return r;
        }
    }
    for (size_t t = 0; t < img->target_count; t++) {
        uint8_t alt = img->targets[t].alt;
        if ((r = dfu_select_alt(s, alt, err)) != DFU_OK) {
            return r;
        }
        if (!o->mass_erase && (r = erase_pages(s, img, alt, NULL, &done, pages, err)) != DFU_OK) {
            return r;
        }
    }
    // Memory first, verified; option bytes last, because writing them makes
    // the device reload them and reset.
    done = 0;
    bool option_bytes = false;
    for (size_t i = 0; i < img->count; i++) {
        const dfu_element *e = &img->elements[i];
        option_bytes |= is_option_bytes(s, e->alt);
        if (!is_option_bytes(s, e->alt) && (r = write_element(s, e, o, &done, bytes, err)) != DFU_OK) {
            return r;
        }
    }
    if (o->verify) {
        uint64_t checked = 0;
        for (size_t i = 0; i < img->count; i++) {
            if (!is_option_bytes(s, img->elements[i].alt) &&
                (r = verify_element(s, &img->elements[i], &checked, bytes, err)) != DFU_OK) {
                return r;
            }
        }
    }
    if (option_bytes) {
        for (size_t i = 0; i < img->count; i++) {
            const dfu_element *e = &img->elements[i];
            if (is_option_bytes(s, e->alt) && (r = write_element(s, e, o, &done, bytes, err)) != DFU_OK) {
                return r;
            }
        }
        // The device resets to load them (ST's bootloader does, at once):
        // nothing more to do, and it may already be gone.
        s->option_bytes_written = true;
        dfu_devstatus st = {0};
        dfu_error probe;
        dfu_error_clear(&probe);
        if (dfu_get_status(s, &st, &probe) == DFU_OK && st.state == DFU_STATE_DNLOAD_IDLE) {
            (void)dfu_abort(s, &probe);
        }
        return DFU_OK;
    }
    if (!o->leave) {
        return dfu_reach_idle(s, err);
    }
    uint32_t jump = o->leave_address;
    bool has_jump = o->has_leave_address || dfu_image_start(img, &jump);
    if ((r = dfu_reach_idle(s, err)) != DFU_OK || (r = dfu_select_alt(s, 0, err)) != DFU_OK) {
        return r;
    }
    return dfu_leave(s, has_jump, jump, err);
}

dfu_status dfu_erase(dfu_session *s, uint8_t alt, uint32_t address, uint32_t size, bool mass, bool force,
    dfu_error *err) {
    if (!s->dfuse) {
        return dfu_error_set(err, DFU_E_UNSUPPORTED, "erase needs a DfuSe device");
    }
    dfu_status bad = dfu_session_check_alt(s, alt, err);
    if (bad != DFU_OK) {
        return bad;
    }
    const dfu_layout *l = layout_of(s, alt);
    if (!mass) {
        if (l == NULL) {
            return dfu_error_set(err, DFU_E_ADDRESS, "alt %u has no memory layout; pages are unknown", alt);
        }
        dfu_status r = force ? DFU_OK : dfu_layout_check(l, address, size, DFU_MEM_ERASABLE, err);
        if (r != DFU_OK) {
            return r;
        }
    }
    dfu_status r = dfu_reach_idle(s, err);
    if (r == DFU_OK) {
        r = dfu_select_alt(s, alt, err);
    }
    if (r != DFU_OK) {
        return r;
    }
    if (mass) {
        if ((r = report(s, DFU_PHASE_ERASE, 0, 0, 1, err)) != DFU_OK || (r = dfuse_mass_erase(s, err)) != DFU_OK) {
            return r;
        }
        return report(s, DFU_PHASE_ERASE, 0, 1, 1, err);
    }
    uint64_t pages = 0, done = 0;
    for_each_page(s, l, address, size, &pages, NULL, 0, err);
    return for_each_page(s, l, address, size, NULL, &done, pages, err);
}

dfu_status dfu_read(dfu_session *s, uint8_t alt, uint32_t address, uint8_t *out, uint32_t size, dfu_error *err) {
    if (!s->dfuse) {
        return dfu_error_set(err, DFU_E_UNSUPPORTED, "reading by address needs a DfuSe device");
    }
    if (s->transfer_size == 0) {
        return dfu_error_set(err, DFU_E_ARG, "no transfer size");
    }
    if ((uint64_t)address + size > 0x100000000ull) {
        return dfu_error_set(err, DFU_E_ARG, "0x%08x + %u runs past 4 GiB", (unsigned)address, (unsigned)size);
    }
    dfu_status bad = dfu_session_check_alt(s, alt, err);
    if (bad != DFU_OK) {
        return bad;
    }
    dfu_status r = dfu_reach_idle(s, err);
    if (r == DFU_OK) {
        r = dfu_select_alt(s, alt, err);
    }
    uint64_t done = 0;
    return r == DFU_OK ? read_region(s, DFU_PHASE_READ, address, out, size, &done, size, err) : r;
}

dfu_status dfu_write(dfu_session *s, uint32_t address, const uint8_t *data, uint32_t size, dfu_error *err) {
    if (!s->dfuse) {
        return dfu_error_set(err, DFU_E_UNSUPPORTED, "writing by address needs a DfuSe device");
    }
    if (s->transfer_size == 0) {
        return dfu_error_set(err, DFU_E_ARG, "no transfer size");
    }
    if ((uint64_t)address + size > 0x100000000ull) {
        return dfu_error_set(err, DFU_E_ARG, "0x%08x + %u runs past 4 GiB", (unsigned)address, (unsigned)size);
    }
    if (s->cancel) {
        return dfu_error_set(err, DFU_E_CANCELLED, "cancelled before writing at 0x%08x", (unsigned)address);
    }
    uint64_t done = 0;
    return write_region(s, address, data, size, false, &done, size, err);
}

// The device has left: the last progress report (too late to cancel).
static void left(dfu_session *s, uint32_t address) {
    if (s->progress) {
        (void)s->progress(s->progress_user, DFU_PHASE_LEAVE, address, 1, 1);
    }
}

dfu_status dfu_leave(dfu_session *s, bool has_address, uint32_t address, dfu_error *err) {
    dfu_status r = dfu_reach_idle(s, err);
    if (r == DFU_OK && s->dfuse && has_address) {
        r = dfuse_set_address(s, address, err);
    }
    if (r == DFU_OK) {
        r = report(s, DFU_PHASE_LEAVE, address, 0, 1, err);
    }
    if (r == DFU_OK) {
        r = control(s, RT_OUT, DFU_REQ_DNLOAD, 0, NULL, 0, s->timeout_ms, NULL, err);
    }
    if (r != DFU_OK) {
        return r;
    }
    // The device manifests on this GETSTATUS. ST's bootloader answers
    // dfuMANIFEST and then resets; many devices reset before answering, so
    // a device that has gone away here has left DFU mode: success.
    dfu_devstatus st = {0};
    dfu_error probe;
    dfu_error_clear(&probe);
    r = get_status_timeout(s, &st, s->timeout_ms, &probe);
    if (r == DFU_E_NO_DEVICE || r == DFU_E_USB || r == DFU_E_STALL || r == DFU_E_TIMEOUT) {
        left(s, address);
        return DFU_OK;
    }
    if (r != DFU_OK) {
        return dfu_error_set(err, r, "leave: %s", probe.message);
    }
    if (st.status != DFU_STATUS_OK) {
        return device_failed(s, &st, "leave", err);
    }
    if (st.state != DFU_STATE_MANIFEST && st.state != DFU_STATE_MANIFEST_SYNC &&
        st.state != DFU_STATE_MANIFEST_WAIT_RESET && st.state != DFU_STATE_IDLE) {
        return device_failed(s, &st, "leave (expected dfuMANIFEST)", err);
    }
    left(s, address);
    return DFU_OK;
}
