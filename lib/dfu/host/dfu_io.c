// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Files on disk: the one place libmpxdfu uses stdio. Everything here reads
// or writes a whole file and hands the bytes to (or takes them from) the
// portable code in src/, which works on memory only.
#define _POSIX_C_SOURCE 200809L  // fileno, fstat
#include "dfu_sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static dfu_status io_error(dfu_error *err, const char *path) {
    return dfu_error_set(err, DFU_E_IO, "%s: %s", path, strerror(errno));
}

// Reads the open file f to its end and closes it.
static dfu_status read_all(FILE *f, const char *path, size_t max, uint8_t **out, size_t *out_len, dfu_error *err) {
    // Grow as it comes: a pipe or /dev/stdin has no size to ask for.
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    dfu_status st = DFU_OK;
    for (;;) {
        if (len == cap) {
            if (cap > max) {
                break;
            }
            size_t want = cap ? cap * 2 : 65536;
            want = want > max ? max + 1 : want;  // one byte past max tells "too large" from "exactly max"
            uint8_t *n = realloc(buf, want);
            if (n == NULL) {
                st = dfu_error_set(err, DFU_E_NOMEM, "%s: out of memory", path);
                break;
            }
            buf = n;
            cap = want;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                st = dfu_error_set(err, DFU_E_IO, "%s: read error", path);
            }
            break;
        }
    }
    fclose(f);
    if (st == DFU_OK && len > max) {
        st = dfu_error_set(err, DFU_E_FORMAT, "%s: larger than %zu bytes", path, max);
    }
    if (st != DFU_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *out_len = len;
    return DFU_OK;
}

dfu_status dfu_file_read(const char *path, size_t max, uint8_t **out, size_t *out_len, dfu_error *err) {
    *out = NULL;
    *out_len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return io_error(err, path);
    }
    // fopen takes a directory; reading it then fails with a vaguer message.
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return dfu_error_set(err, DFU_E_IO, "%s: is a directory, not a file", path);
    }
    return read_all(f, path, max, out, out_len, err);
}

dfu_status dfu_file_write(const char *path, const uint8_t *data, size_t len, dfu_error *err) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return io_error(err, path);
    }
    bool ok = fwrite(data, 1, len, f) == len;
    int saved = errno;
    if (fclose(f) != 0) {
        ok = false;
    } else if (!ok) {
        errno = saved;
    }
    return ok ? DFU_OK : io_error(err, path);
}

dfu_status dfu_image_load(const char *path, const dfu_source *src, dfu_image *out, dfu_error *err) {
    memset(out, 0, sizeof(*out));
    uint8_t *buf;
    size_t len;
    dfu_status st = dfu_file_read(path, DFU_FILE_MAX_SIZE, &buf, &len, err);
    if (st != DFU_OK) {
        return st;
    }
    dfu_source named = src ? *src : (dfu_source){0};
    if (named.name == NULL) {
        named.name = path;
    }
    st = dfu_image_parse(buf, len, &named, out, err);
    free(buf);
    return st;
}

dfu_status dfu_image_save(const dfu_image *img, unsigned pad, const char *path, size_t *written,
    dfu_error *err) {
    uint8_t *buf;
    size_t len;
    dfu_status st = dfu_image_write_dfuse(img, pad, &buf, &len, err);
    if (st == DFU_OK) {
        st = dfu_file_write(path, buf, len, err);
        free(buf);
    }
    if (written != NULL) {
        *written = st == DFU_OK ? len : 0;
    }
    return st;
}

dfu_status dfu_sim_load(dfu_sim *sim, const char *path, dfu_error *err) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return errno == ENOENT ? DFU_OK : io_error(err, path);
    }
    size_t want = dfu_sim_memory_size(sim);
    uint8_t *buf = NULL;
    size_t len = 0;
    dfu_error local;  // a wrong size gets one message below, whichever step saw it
    dfu_error_clear(&local);
    dfu_status st = read_all(f, path, want, &buf, &len, &local);
    if (st == DFU_OK) {
        st = dfu_sim_memory_write(sim, buf, len, &local);
    }
    free(buf);
    if (st == DFU_E_FORMAT) {
        dfu_error_set(err, st, "%s: not a flash image of this layout (%zu bytes expected)", path, want);
    } else if (st != DFU_OK && err != NULL && err->code == DFU_OK) {
        *err = local;
    }
    return st;
}

dfu_status dfu_sim_save_counters(const dfu_sim *sim, const char *path, unsigned long bus_resets, dfu_error *err) {
    const dfu_sim_counters *n = dfu_sim_counters_get(sim);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return io_error(err, path);
    }
    fprintf(f, "requests %lu\ndnloads %lu\nuploads %lu\ngetstatus %lu\nerases %lu\nmass_erases %lu\n"
               "set_address %lu\nearly_polls %lu\nstalls %lu\nbus_resets %lu\n",
        n->requests, n->dnloads, n->uploads, n->getstatus, n->erases, n->mass_erases, n->set_address,
        n->early_polls, n->stalls, bus_resets);
    return fclose(f) == 0 ? DFU_OK : io_error(err, path);
}

dfu_status dfu_sim_save(const dfu_sim *sim, const char *path, dfu_error *err) {
    size_t plen = strlen(path), size = dfu_sim_memory_size(sim);
    char *tmp = malloc(plen + 5);
    uint8_t *buf = malloc(size ? size : 1);
    dfu_status st = DFU_OK;
    if (tmp == NULL || buf == NULL) {
        st = dfu_error_set(err, DFU_E_NOMEM, "%s: out of memory", path);
    } else {
        memcpy(tmp, path, plen);
        memcpy(tmp + plen, ".tmp", 5);
        st = dfu_sim_memory_read(sim, buf, size);
        if (st == DFU_OK) {
            st = dfu_file_write(tmp, buf, size, err);
        }
        // The rename makes the new image appear whole, never half written.
        if (st == DFU_OK && rename(tmp, path) != 0) {
            st = io_error(err, path);
        }
    }
    free(tmp);
    free(buf);
    return st;
}
