// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
#include "report.h"

#include <inttypes.h>
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

void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p);
        } else if (*p < 0x20 || *p >= 0x7f) {
            fprintf(f, "\\u%04x", *p);
        } else {
            fputc(*p, f);
        }
    }
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
