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
// A test may define its own SysTick handler; without one, a tick is a
// fault (the weak default is in fault.c).
void SysTick_Handler(void);

void Reset_Handler(void) {
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= (0xFu << 20);  // CP10 and CP11: full access
    __asm volatile ("dsb\n\tisb" ::: "memory");
    _start();
    for (;;) {
    }
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
