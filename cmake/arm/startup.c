// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Minimal Cortex-M start-up for test programs under QEMU: enable the FPU
// (with -mfloat-abi=hard the first float instruction would otherwise fault),
// then hand over to newlib's _start, which clears .bss, sets up the heap
// through semihosting, calls main and passes its return value to exit().

#include <stdint.h>

extern uint32_t __stack_top;
extern void _start(void);

void Reset_Handler(void);
void Fault_Handler(void);
// A test may define its own SysTick handler; without one, a tick is a fault.
void SysTick_Handler(void) __attribute__((weak, alias("Fault_Handler")));
void fault_report(const uint32_t *frame);

void Reset_Handler(void) {
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= (0xFu << 20);  // CP10 and CP11: full access
    __asm volatile ("dsb\n\tisb" ::: "memory");
    _start();
    for (;;) {
    }
}

static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm volatile ("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

// Any fault prints the faulting PC and the fault status, then ends the run
// with "run-time error" through semihosting SYS_EXIT: a crash is a failed
// test, never a hang.
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

__attribute__((naked)) void Fault_Handler(void) {
    __asm volatile (
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "b fault_report\n\t");
}

__attribute__((section(".isr_vector"), used))
static const uintptr_t vector_table[16] = {
    (uintptr_t)&__stack_top,
    (uintptr_t)Reset_Handler,
    (uintptr_t)Fault_Handler,  // NMI
    (uintptr_t)Fault_Handler,  // HardFault
    (uintptr_t)Fault_Handler,  // MemManage
    (uintptr_t)Fault_Handler,  // BusFault
    (uintptr_t)Fault_Handler,  // UsageFault
    0, 0, 0, 0,
    (uintptr_t)Fault_Handler,  // SVCall
    (uintptr_t)Fault_Handler,  // DebugMon
    0,
    (uintptr_t)Fault_Handler,  // PendSV
    (uintptr_t)SysTick_Handler,
};
