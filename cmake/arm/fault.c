// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Any fault on an emulated Cortex-M (the test programs, the renderer
// firmware under QEMU) prints the faulting PC and the fault status, then
// ends QEMU with "run-time error" through semihosting SYS_EXIT: a crash is a
// failure, never a hang.
#include <stdint.h>

void Fault_Handler(void);
void fault_report(const uint32_t *frame);

static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm volatile ("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void fault_report(const uint32_t *frame) {
    static const char hex[] = "0123456789abcdef";
    char msg[] = "FAULT pc=0x........ cfsr=0x........\n";
    uint32_t pc = frame[6];
    uint32_t cfsr = *(volatile uint32_t *)0xE000ED28u;
    for (int i = 0; i < 8; i++) {
        msg[11 + i] = hex[(pc >> (28 - 4 * i)) & 0xf];
        msg[27 + i] = hex[(cfsr >> (28 - 4 * i)) & 0xf];
    }
    semihost(0x04, msg);          // SYS_WRITE0
    semihost(0x18, (const void *)0x20023u);  // SYS_EXIT, ADP_Stopped_RunTimeErrorUnknown
    for (;;) {
    }
}

// A program may define its own SysTick handler; without one, a tick is a fault.
void SysTick_Handler(void) __attribute__((weak, alias("Fault_Handler")));

__attribute__((naked)) void Fault_Handler(void) {
    __asm volatile (
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "b fault_report\n\t");
}

