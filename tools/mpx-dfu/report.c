// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BAR_WIDTH 30

void report_init(report *r, bool json, int verbose, bool quiet) {
    memset(r, 0, sizeof(*r));
    r->json = json;
    r->verbose = verbose;
    r->quiet = quiet;
    r->tty = !json && isatty(STDERR_FILENO);
}

void report_end_phase(report *r) {
    if (r->in_phase && r->tty && !r->quiet) {
        fputc('\n', stderr);
    }
    r->in_phase = false;
}

int report_progress(void *user, dfu_phase phase, uint32_t address, uint64_t done, uint64_t total) {
    report *r = user;
    if (r->in_phase && phase != r->phase) {
        report_end_phase(r);
    }
    if (!r->in_phase) {
        r->in_phase = true;
        r->phase = phase;
        r->last_step = -1;
    }
    if (r->json) {
        printf("{\"event\":\"progress\",\"phase\":\"%s\",\"address\":%" PRIu32 ",\"done\":%" PRIu64
               ",\"total\":%" PRIu64 "}\n",
            dfu_phase_name(phase), address, done, total);
        fflush(stdout);
        return 0;
    }
    if (r->quiet || phase == DFU_PHASE_LEAVE) {
        return 0;  // the command says where it jumped
    }
    unsigned percent = total ? (unsigned)(done * 100u / total) : 100u;
    const char *unit = phase == DFU_PHASE_ERASE ? "pages" : "bytes";
    if (r->tty) {
        int fill = (int)(percent * BAR_WIDTH / 100u);
        fprintf(stderr, "\r%-6s [%.*s%*s] %3u%%  %" PRIu64 "/%" PRIu64 " %s  0x%08" PRIx32 " ",
            dfu_phase_name(phase), fill, "##############################", BAR_WIDTH - fill, "", percent, done, total,
            unit, address);
        fflush(stderr);
    } else if ((int)(percent / 10u) != r->last_step) {
        r->last_step = (int)(percent / 10u);
        fprintf(stderr, "%s: %3u%% (%" PRIu64 "/%" PRIu64 " %s) at 0x%08" PRIx32 "\n", dfu_phase_name(phase), percent,
            done, total, unit, address);
    }
    return 0;
}

// Windows-1252's characters at 0x80..0x9F (0: unassigned). ST's DfuSe tools
// write target names in it; other bytes that are not UTF-8 are Latin-1.
static const uint16_t cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E,
    0x0178,
};

// The length of the valid UTF-8 character at p (0: not one).
static size_t utf8_char(const unsigned char *p) {
    unsigned more = p[0] < 0x80 ? 0u : (p[0] & 0xE0) == 0xC0 ? 1u : (p[0] & 0xF0) == 0xE0 ? 2u
                    : (p[0] & 0xF8) == 0xF0 ? 3u : 9u;
    if (more == 9u || p[0] == 0xC0 || p[0] == 0xC1 || p[0] > 0xF4) {
        return 0;
    }
    for (unsigned k = 1; k <= more; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            return 0;  // also stops at the terminating NUL
        }
    }
    return 1 + more;
}

static void put_code_point(FILE *f, unsigned c) {
    if (c < 0x800) {
        fputc((int)(0xC0 | c >> 6), f);
    } else {
        fputc((int)(0xE0 | c >> 12), f);
        fputc((int)(0x80 | (c >> 6 & 0x3F)), f);
    }
    fputc((int)(0x80 | (c & 0x3F)), f);
}

// Text from a file or a device for people and JSON: UTF-8 as it is, other
// bytes as Windows-1252 (U+FFFD where it has none), control characters
// escaped in JSON and shown as '?' otherwise.
static void put_text(FILE *f, const char *s, bool json) {
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_char(p);
        if (n > 1) {
            fwrite(p, 1, n, f);
            p += n;
            continue;
        }
        unsigned c = *p++;
        if (c >= 0x80) {
            c = c >= 0xA0 ? c : cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : 0xFFFD;
            put_code_point(f, c);
        } else if (json && (c == '"' || c == '\\')) {
            fprintf(f, "\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            if (json) {
                fprintf(f, "\\u%04x", c);
            } else {
                fputc('?', f);
            }
        } else {
            fputc((int)c, f);
        }
    }
}

void json_string(FILE *f, const char *s) {
    fputc('"', f);
    put_text(f, s, true);
    fputc('"', f);
}

void json_error(const dfu_error *err, int exit_code) {
    printf("{\"event\":\"error\",\"code\":\"%s\",\"exit\":%d,\"message\":", dfu_status_id(err->code), exit_code);
    json_string(stdout, err->message[0] ? err->message : dfu_strerror(err->code));
    if (err->has_device) {
        printf(",\"device\":{\"state\":\"%s\",\"status\":\"%s\",\"string\":", dfu_state_name(err->dev_state),
            dfu_status_name(err->dev_status));
        json_string(stdout, err->dev_string);
        printf("}");
    }
    printf("}\n");
    fflush(stdout);
}

// ---------------------------------------------------------------------------
// Devices (list) and files (info)

static void print_layout_text(const char *name) {
    dfu_layout l;
    dfu_error e;
    dfu_error_clear(&e);
    if (dfu_layout_parse(name, &l, &e) != DFU_OK) {
        printf("      (not a DfuSe layout: %s)\n", e.message);
        return;
    }
    for (size_t i = 0; i < l.count; i++) {
        const dfu_mem_segment *s = &l.segments[i];
        printf("      0x%08" PRIx32 "  %3" PRIu32 " x %6" PRIu32 " B  %c%c%c\n", s->start, s->pages, s->page_size,
            (s->flags & DFU_MEM_READABLE) ? 'r' : '-', (s->flags & DFU_MEM_ERASABLE) ? 'e' : '-',
            (s->flags & DFU_MEM_WRITEABLE) ? 'w' : '-');
    }
}

static void print_layout_json(const char *name) {
    dfu_layout l;
    if (dfu_layout_parse(name, &l, NULL) != DFU_OK) {
        printf("null");
        return;
    }
    printf("{\"name\":");
    json_string(stdout, l.name);
    printf(",\"segments\":[");
    for (size_t i = 0; i < l.count; i++) {
        const dfu_mem_segment *s = &l.segments[i];
        printf("%s{\"start\":%" PRIu32 ",\"pages\":%" PRIu32 ",\"page_size\":%" PRIu32
               ",\"readable\":%s,\"erasable\":%s,\"writeable\":%s}",
            i ? "," : "", s->start, s->pages, s->page_size, (s->flags & DFU_MEM_READABLE) ? "true" : "false",
            (s->flags & DFU_MEM_ERASABLE) ? "true" : "false", (s->flags & DFU_MEM_WRITEABLE) ? "true" : "false");
    }
    printf("]}");
}

void report_device(const dfu_usb_device *d, bool json, int verbose, bool first) {
    if (json) {
        printf("%s{\"vid\":%u,\"pid\":%u,\"bcd_device\":%u,\"bus\":%u,\"address\":%u,\"path\":", first ? "" : ",",
            d->vid, d->pid, d->bcd_device, d->bus, d->address);
        json_string(stdout, d->path);
        printf(",\"mode\":\"%s\",\"manufacturer\":", d->runtime ? "runtime" : "dfu");
        json_string(stdout, d->manufacturer);
        printf(",\"product\":");
        json_string(stdout, d->product);
        printf(",\"serial\":");
        json_string(stdout, d->serial);
        printf(",\"interface\":%u,\"usable\":%s,\"why\":", d->interface, d->result ? "false" : "true");
        json_string(stdout, d->why);
        if (d->has_func) {
            printf(",\"dfu_version\":%u,\"transfer_size\":%u,\"attributes\":%u,\"detach_timeout_ms\":%u",
                d->func.dfu_version, d->func.transfer_size, d->func.attributes, d->func.detach_timeout_ms);
        } else {
            printf(",\"dfu_version\":null,\"transfer_size\":null");
        }
        printf(",\"alts\":[");
        for (unsigned a = 0; a < d->alt_count; a++) {
            printf("%s{\"alt\":%u,\"name\":", a ? "," : "", a);
            json_string(stdout, d->alt_names[a]);
            printf(",\"layout\":");
            print_layout_json(d->alt_names[a]);
            printf("}");
        }
        printf("]}");
    } else {
        printf("%04x:%04x at %s (%s) \"%s\" \"%s\" serial \"%s\"\n", d->vid, d->pid, d->path,
            d->runtime ? "runtime" : "DFU mode", d->manufacturer, d->product, d->serial);
        if (d->result != DFU_USB_USABLE) {
            printf("    not usable: %s\n", d->why);
        }
        if (d->has_func) {
            printf("    DFU %x.%02x, transfer size %u, detach timeout %u ms, attributes 0x%02x\n",
                d->func.dfu_version >> 8, d->func.dfu_version & 0xFF, d->func.transfer_size,
                d->func.detach_timeout_ms, d->func.attributes);
        } else {
            printf("    no DFU functional descriptor (give the transfer size with -t)\n");
        }
        for (unsigned a = 0; a < d->alt_count; a++) {
            printf("    alt %u: \"%s\"\n", a, d->alt_names[a]);
            if (verbose || d->alt_names[a][0] == '@') {
                print_layout_text(d->alt_names[a]);
            }
        }
    }
}

void report_device_dfu_util(const dfu_usb_device *d) {
    // Highest alt first, the order dfu-util 0.11 prints them in.
    for (unsigned i = 0; i < d->alt_count || (i == 0 && d->alt_count == 0); i++) {
        unsigned a = d->alt_count ? d->alt_count - 1 - i : 0;
        printf("Found %s: [%04x:%04x] ver=%04x, devnum=%u, cfg=%u, intf=%u, path=\"%s\", alt=%u, name=\"%s\", "
               "serial=\"%s\"\n",
            d->runtime ? "Runtime" : "DFU", d->vid, d->pid, d->bcd_device, d->address, d->configuration, d->interface,
            d->path, a, a < d->alt_count ? d->alt_names[a] : "UNKNOWN", d->serial[0] ? d->serial : "UNKNOWN");
    }
}

void report_image(const char *path, const dfu_image *img, bool json) {
    if (json) {
        printf("{\"file\":");
        json_string(stdout, path);
        printf(",\"format\":\"%s\",\"bytes\":%zu", dfu_format_name(img->format), dfu_image_total(img));
        if (img->has_suffix) {
            printf(",\"suffix\":{\"vid\":%u,\"pid\":%u,\"bcd_device\":%u,\"bcd_dfu\":%u}", img->suffix.vid,
                img->suffix.pid, img->suffix.bcd_device, img->suffix.bcd_dfu);
        }
        if (img->has_entry) {
            printf(",\"entry\":%" PRIu32, img->entry);
        }
        if (img->needs_address) {
            printf(",\"needs_address\":true");
        }
        printf(",\"targets\":[");
        for (size_t t = 0; t < img->target_count; t++) {
            printf("%s{\"alt\":%u,\"name\":", t ? "," : "", img->targets[t].alt);
            json_string(stdout, img->targets[t].name);
            printf(",\"elements\":[");
            bool first = true;
            for (size_t i = 0; i < img->count; i++) {
                if (img->elements[i].target == t) {
                    printf("%s{\"address\":%" PRIu32 ",\"size\":%" PRIu32 ",\"crc32\":%" PRIu32 "}", first ? "" : ",",
                        img->elements[i].address, img->elements[i].size,
                        ~dfu_crc32(DFU_CRC_INIT, img->elements[i].data, img->elements[i].size));
                    first = false;
                }
            }
            printf("]}");
        }
        printf("]}\n");
    } else {
        printf("%s: %s, %zu bytes in %zu element%s\n", path, dfu_format_name(img->format), dfu_image_total(img),
            img->count, img->count == 1 ? "" : "s");
        if (img->has_suffix) {
            printf("  suffix: %04x:%04x, bcdDevice 0x%04x, DFU 0x%04x (CRC ok)\n", img->suffix.vid, img->suffix.pid,
                img->suffix.bcd_device, img->suffix.bcd_dfu);
        }
        if (img->has_entry) {
            printf("  entry point: 0x%08" PRIx32 "\n", img->entry);
        }
        if (img->needs_address) {
            printf("  raw binary without an address: flash writes it at the start of the alt's memory\n");
        }
        for (size_t t = 0; t < img->target_count; t++) {
            printf("  target alt %u", img->targets[t].alt);
            if (img->targets[t].name[0]) {
                printf(" \"");
                put_text(stdout, img->targets[t].name, false);
                printf("\"");
            }
            printf("\n");
            for (size_t i = 0; i < img->count; i++) {
                const dfu_element *e = &img->elements[i];
                if (e->target == t) {
                    printf("    0x%08" PRIx32 "..0x%08" PRIx32 "  %8" PRIu32 " bytes  crc32 %08" PRIx32 "\n", e->address,
                        e->address + (e->size ? e->size - 1 : 0), e->size, ~dfu_crc32(DFU_CRC_INIT, e->data, e->size));
                }
            }
        }
    }
}
