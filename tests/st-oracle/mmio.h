// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Peripheral register blocks at their real STM32H747 addresses, on an
// x86-64 Linux host. Each 4 KB page that holds a block is mapped at its
// bus address with no access; every load or store to it faults, the
// handler lets exactly that one instruction through (the trap flag single-
// steps it) and sees what it read or wrote. So ST's HAL (which reaches the
// registers through CMSIS's fixed `DSI`, `LTDC`, ... pointers) and our
// h747 layer (which uses h747_regs.h's fixed addresses) run unmodified
// against the same blocks, and a block's model sees every access in order:
// it can answer a status read (a PLL that locks, a FIFO that empties) and
// act on a write (a packet header, a DMA2D start).
//
// Each page also has an alias mapping of the same memory that never traps:
// models and the comparisons read and write registers through it.
#ifndef ORACLE_MMIO_H
#define ORACLE_MMIO_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mmio_block mmio_block_t;

struct mmio_block {
    const char *name;
    uint32_t base;        // bus address (the block may share its page with others)
    uint32_t size;        // bytes
    // Before a load from off: make the register hold what the hardware would
    // show now (optional).
    void (*before_read)(mmio_block_t *b, uint32_t off);
    // After a load (optional): read-to-clear, a FIFO that pops.
    void (*after_read)(mmio_block_t *b, uint32_t off, uint32_t value);
    // After a store of value (old: what the register held before).
    void (*after_write)(mmio_block_t *b, uint32_t off, uint32_t old, uint32_t value);
    volatile uint32_t *regs;  // the alias: regs[off / 4], never traps
    uint32_t reads, writes;   // accesses seen
};

// Map blocks (their pages at the bus addresses, trapped) and install the
// handlers. Returns false (with a message on stderr) when a page cannot be
// mapped at its address or the host is not x86-64 Linux.
bool mmio_init(mmio_block_t *const *blocks, int n);

// Plain memory at a bus address that does not trap (the SDRAM, for
// framebuffers both sides draw into). Everything here is mapped shared: a
// child process's accesses are the parent's.
bool mmio_map_plain(uint32_t base, uint32_t size);

// Zero every block's registers and counters (not the total).
void mmio_reset(void);

// Accesses so far, all blocks, child processes included.
uint64_t mmio_accesses(void);

#endif
