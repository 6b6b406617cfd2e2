// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Start-up of the renderer on mps2-an386. No newlib crt0: rdimon's would ask
// QEMU for the memory layout and put the stack at the top of the machine
// RAM, which is the RAM shared with the M7. The stack is in the private
// data RAM (the vector table's first word); .data is loaded in place by
// QEMU's -kernel, .bss is zeroed here.
#include <stdint.h>
#include <string.h>

extern uint32_t __stack_top, __bss_start__, __bss_end__;
int main(void);
void Reset_Handler(void);
void Fault_Handler(void);
void UART1_RX_Handler(void);
void UART2_RX_Handler(void);

// Fault_Handler: cmake/arm/fault.c (prints the PC, ends QEMU).

static void semihost_exit(int rc) {
    uint32_t args[2] = {0x20026u, (uint32_t)rc};  // ADP_Stopped_ApplicationExit
    register uint32_t r0 __asm__("r0") = 0x20u;   // SYS_EXIT_EXTENDED
    register const void *r1 __asm__("r1") = args;
    __asm volatile ("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

void Reset_Handler(void) {
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= (0xFu << 20);  // FPU: CP10 and CP11 full access
    __asm volatile ("dsb\n\tisb" ::: "memory");
    memset(&__bss_start__, 0, (size_t)((uint8_t *)&__bss_end__ - (uint8_t *)&__bss_start__));
    semihost_exit(main());
    for (;;) {
    }
}

static void Unused_Handler(void) {
}

__attribute__((section(".isr_vector"), used))
static const uintptr_t vector_table[16 + 8] = {
    (uintptr_t)&__stack_top,
    (uintptr_t)Reset_Handler,
    (uintptr_t)Fault_Handler, (uintptr_t)Fault_Handler, (uintptr_t)Fault_Handler,
    (uintptr_t)Fault_Handler, (uintptr_t)Fault_Handler,
    0, 0, 0, 0,
    (uintptr_t)Fault_Handler, (uintptr_t)Fault_Handler, 0,
    (uintptr_t)Fault_Handler, (uintptr_t)Unused_Handler,
    // IRQ 0-7: UART0 RX/TX, UART1 RX/TX, UART2 RX/TX, UART3 RX/TX
    (uintptr_t)Unused_Handler, (uintptr_t)Unused_Handler,
    (uintptr_t)UART1_RX_Handler, (uintptr_t)Unused_Handler,
    (uintptr_t)UART2_RX_Handler, (uintptr_t)Unused_Handler,
    (uintptr_t)Unused_Handler, (uintptr_t)Unused_Handler,
};
