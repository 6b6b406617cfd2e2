// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// How it works (see mmio.h): each trapped page is a memfd mapped twice, at
// its bus address with PROT_NONE and elsewhere read-write (the alias). A
// load or store to the bus address raises SIGSEGV; the handler looks at the
// page-fault error code (bit 1: a write), lets the model prepare a read,
// opens the page and sets the trap flag, so the faulting instruction runs
// once and raises SIGTRAP; that handler closes the page again and hands the
// model what was read or written. All of it runs inside signal handlers:
// the models only touch memory (no stdio, no allocation).
#define _GNU_SOURCE
#include "mmio.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#if !defined(__x86_64__) || !defined(__linux__)
#error "the ST oracle traps register accesses with x86-64 Linux page faults and the trap flag"
#endif

#define PAGE 4096u
#define MAX_PAGES 16
#define MAX_BLOCKS 24
#define EFLAGS_TF 0x100
#define PF_WRITE 0x2

typedef struct {
    uint32_t addr;
    uint8_t *alias;
} page_t;

static page_t pages[MAX_PAGES];
static int npages;
static mmio_block_t *blocks[MAX_BLOCKS];
static int nblocks;
static uint64_t *total;  // accesses, in memory shared with child processes

static struct {
    int active;
    page_t *page;
    mmio_block_t *block;
    uint32_t word;      // bus address of the 32-bit register
    uint32_t old;
    int write;
} pend;

static void say(const char *s) {
    ssize_t r = write(2, s, strlen(s));
    (void)r;
}

static void say_hex(const char *what, uintptr_t v) {
    char buf[80];
    int n = snprintf(buf, sizeof buf, "%s 0x%lx\n", what, (unsigned long)v);
    if (n > 0) {
        ssize_t r = write(2, buf, (size_t)n);
        (void)r;
    }
}

static page_t *page_of(uintptr_t a) {
    for (int i = 0; i < npages; i++) {
        if (a >= pages[i].addr && a < (uintptr_t)pages[i].addr + PAGE) {
            return &pages[i];
        }
    }
    return NULL;
}

static mmio_block_t *block_of(uint32_t a) {
    for (int i = 0; i < nblocks; i++) {
        if (a >= blocks[i]->base && a - blocks[i]->base < blocks[i]->size) {
            return blocks[i];
        }
    }
    return NULL;
}

static volatile uint32_t *cell(const page_t *p, uint32_t word) {
    return (volatile uint32_t *)(void *)(p->alias + (word - p->addr));
}

static void give_up(int sig) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
}

static void on_segv(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    uintptr_t a = (uintptr_t)si->si_addr;
    page_t *p = page_of(a);
    if (p == NULL || pend.active) {
        say_hex("st-oracle: access outside the modelled registers at", a);
        give_up(sig);
        return;  // the access faults again, now fatally
    }
    uint32_t word = (uint32_t)a & ~3u;
    mmio_block_t *b = block_of(word);
    int write = (uc->uc_mcontext.gregs[REG_ERR] & PF_WRITE) != 0;
    if (b == NULL) {
        say_hex("st-oracle: access to a register no block models at", a);
        give_up(sig);
        return;
    }
    if (!write && b->before_read != NULL) {
        b->before_read(b, word - b->base);
    }
    pend.active = 1;
    pend.page = p;
    pend.block = b;
    pend.word = word;
    pend.old = *cell(p, word);
    pend.write = write;
    if (mprotect((void *)(uintptr_t)p->addr, PAGE, PROT_READ | PROT_WRITE) != 0) {
        say("st-oracle: mprotect failed\n");
        give_up(sig);
        return;
    }
    uc->uc_mcontext.gregs[REG_EFL] |= EFLAGS_TF;
}

static void on_trap(int sig, siginfo_t *si, void *ucv) {
    (void)si;
    ucontext_t *uc = ucv;
    if (!pend.active) {
        give_up(sig);
        return;
    }
    uc->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)EFLAGS_TF;
    mprotect((void *)(uintptr_t)pend.page->addr, PAGE, PROT_NONE);
    mmio_block_t *b = pend.block;
    uint32_t off = pend.word - b->base;
    uint32_t now = *cell(pend.page, pend.word);
    pend.active = 0;
    ++*total;
    if (pend.write || now != pend.old) {
        b->writes++;
        if (b->after_write != NULL) {
            b->after_write(b, off, pend.old, now);
        }
    } else {
        b->reads++;
        if (b->after_read != NULL) {
            b->after_read(b, off, now);
        }
    }
}

static bool map_at(uint32_t addr, uint32_t size, int prot, int fd) {
    void *want = (void *)(uintptr_t)addr;
    int flags = MAP_FIXED_NOREPLACE | MAP_SHARED | (fd >= 0 ? 0 : MAP_ANONYMOUS);
    void *got = mmap(want, size, prot, flags, fd, 0);
    if (got != want) {
        fprintf(stderr, "st-oracle: cannot map 0x%08x (%u bytes): %s\n", (unsigned)addr,
            (unsigned)size, got == MAP_FAILED ? "mmap failed" : "mapped elsewhere");
        if (got != MAP_FAILED) {
            munmap(got, size);
        }
        return false;
    }
    return true;
}

static bool add_page(uint32_t addr) {
    if (page_of(addr) != NULL) {
        return true;
    }
    if (npages == MAX_PAGES) {
        fprintf(stderr, "st-oracle: too many register pages\n");
        return false;
    }
    int fd = memfd_create("st-oracle-regs", 0);
    if (fd < 0 || ftruncate(fd, PAGE) != 0) {
        perror("st-oracle: memfd");
        return false;
    }
    void *alias = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (alias == MAP_FAILED || !map_at(addr, PAGE, PROT_NONE, fd)) {
        close(fd);
        return false;
    }
    close(fd);
    pages[npages++] = (page_t){addr, alias};
    return true;
}

bool mmio_init(mmio_block_t *const *list, int n) {
    total = mmap(NULL, sizeof *total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (total == MAP_FAILED) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        mmio_block_t *b = list[i];
        uint32_t first = b->base & ~(PAGE - 1u), last = (b->base + b->size - 1u) & ~(PAGE - 1u);
        if (first != last || nblocks == MAX_BLOCKS || !add_page(first)) {
            fprintf(stderr, "st-oracle: block %s cannot be mapped\n", b->name);
            return false;
        }
        b->regs = cell(page_of(first), b->base);
        blocks[nblocks++] = b;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = on_segv;
    if (sigaction(SIGSEGV, &sa, NULL) != 0) {
        return false;
    }
    sa.sa_sigaction = on_trap;
    return sigaction(SIGTRAP, &sa, NULL) == 0;
}

bool mmio_map_plain(uint32_t base, uint32_t size) {
    return map_at(base, size, PROT_READ | PROT_WRITE, -1);
}

void mmio_reset(void) {
    for (int i = 0; i < npages; i++) {
        memset(pages[i].alias, 0, PAGE);
    }
    for (int i = 0; i < nblocks; i++) {
        blocks[i]->reads = blocks[i]->writes = 0;
    }
}

uint64_t mmio_accesses(void) {
    return *total;
}
