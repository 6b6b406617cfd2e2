// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// ELF32 little-endian executables: every PT_LOAD segment with file bytes is
// an element at its physical address (where the linker put the load image,
// as objcopy -O binary does), so .data's initial values land in flash.
#include "dfu_internal.h"

#include <string.h>

#define PT_LOAD 1u
#define EHDR_SIZE 52u
#define PHDR_MIN 32u

// Machines whose ELF files are programs for a computer (e_machine), never
// what a DFU device runs.
static const char *desktop_machine(uint16_t machine) {
    switch (machine) {
        case 3: return "x86 (i386)";
        case 62: return "x86-64";
        case 183: return "AArch64";
        case 20: return "PowerPC";
        case 21: return "PowerPC64";
        default: return NULL;
    }
}

dfu_status dfu_parse_elf(const uint8_t *buf, size_t len, dfu_image *out, dfu_error *err) {
    if (len < EHDR_SIZE || memcmp(buf, "\x7f" "ELF", 4) != 0) {
        return dfu_error_set(err, len < EHDR_SIZE ? DFU_E_TRUNCATED : DFU_E_FORMAT,
            "not an ELF file (or shorter than its header)");
    }
    uint16_t machine = dfu_get16(buf + 18);
    const char *computer = desktop_machine(machine);
    if (buf[4] != 1) {
        return dfu_error_set(err, DFU_E_FORMAT, "a %s ELF file%s%s: only 32-bit ELF is supported%s",
            buf[4] == 2 ? "64-bit" : "non-32-bit", computer ? " for " : "", computer ? computer : "",
            computer ? " (a program for a computer, not a board's firmware)" : "");
    }
    if (computer != NULL) {
        return dfu_error_set(err, DFU_E_FORMAT, "an ELF file for %s (machine %u): a program for a computer, not a "
            "board's firmware", computer, machine);
    }
    if (buf[5] != 1) {
        return dfu_error_set(err, DFU_E_FORMAT, "big-endian ELF is not supported");
    }
    uint16_t type = dfu_get16(buf + 16);
    if (type != 2) {
        return dfu_error_set(err, DFU_E_FORMAT, "ELF type %u is not an executable (link it first)", type);
    }
    out->has_entry = true;
    out->entry = dfu_get32(buf + 24);
    uint32_t phoff = dfu_get32(buf + 28);
    uint16_t phentsize = dfu_get16(buf + 42), phnum = dfu_get16(buf + 44);
    if (phnum == 0) {
        return dfu_error_set(err, DFU_E_FORMAT, "ELF file has no program headers");
    }
    if (phentsize < PHDR_MIN) {
        return dfu_error_set(err, DFU_E_FORMAT, "ELF program header size %u is too small", phentsize);
    }
    if (phoff > len || (uint64_t)phnum * phentsize > len - phoff) {
        return dfu_error_set(err, DFU_E_TRUNCATED, "ELF program headers run past the end of the file");
    }
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = buf + phoff + (size_t)i * phentsize;
        if (dfu_get32(ph) != PT_LOAD) {
            continue;
        }
        uint32_t offset = dfu_get32(ph + 4), paddr = dfu_get32(ph + 12), filesz = dfu_get32(ph + 16);
        if (filesz == 0) {
            continue;  // .bss and friends: nothing to program
        }
        if (offset > len || filesz > len - offset) {
            return dfu_error_set(err, DFU_E_TRUNCATED,
                "ELF segment %u (0x%08x, %u bytes at file offset %u) runs past the end of the file", i,
                (unsigned)paddr, (unsigned)filesz, (unsigned)offset);
        }
        dfu_status st = dfu_image_add(out, 0, paddr, buf + offset, filesz, err);
        if (st != DFU_OK) {
            return st;
        }
    }
    return dfu_image_check(out, err);
}
