// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Start-up of the renderer on the STM32H747's Cortex-M4. The first thing is
// the D2 SRAM clocks (this core's copy of RCC AHB2ENR): the stack and all
// data live there, so the reset handler does it before touching either,
// then copies .data, zeroes .bss, turns the FPU on and calls main.
#include <stdint.h>
#include <string.h>

#include "h747_regs.h"

extern uint32_t __stack_top, __data_start__, __data_end__, __data_load__, __bss_start__,
    __bss_end__;
int main(void);
void Reset_Handler(void);
void start_c(void);
void Default_Handler(void);
void HSEM2_IRQHandler(void);
void EXTI9_5_IRQHandler(void);

__attribute__((naked)) void Reset_Handler(void) {
    __asm volatile (
        "ldr r0, =%0\n\t"
        "ldr r1, [r0]\n\t"
        "orr r1, r1, %1\n\t"
        "str r1, [r0]\n\t"
        "ldr r1, [r0]\n\t"      // read back: the enable has taken effect
        "dsb\n\t"
        "b start_c\n\t"
        :: "i"(RCC_BASE + 0x0DCu), "i"(RCC_AHB2ENR_SRAM123EN) : "r0", "r1", "memory");
}

typedef void (*vector_t)(void);
static const vector_t vector_table[16 + H747_IRQS];

void start_c(void) {
    memcpy(&__data_start__, &__data_load__,
        (size_t)((uint8_t *)&__data_end__ - (uint8_t *)&__data_start__));
    memset(&__bss_start__, 0, (size_t)((uint8_t *)&__bss_end__ - (uint8_t *)&__bss_start__));
    // The core fetched its first vectors from its boot address; VTOR
    // itself starts at 0, so point it at our table before any interrupt.
    SCB_VTOR = (uint32_t)(uintptr_t)vector_table;
    SCB_CPACR |= 0xFu << 20;  // FPU: CP10 and CP11 full access
    __asm volatile ("dsb\n\tisb" ::: "memory");
    main();
    for (;;) {
        __asm volatile ("wfi");
    }
}

// A fault or a stray interrupt parks the core; the CM7 notices a renderer
// that stops answering (its calls time out) and says so.
void Default_Handler(void) {
    for (;;) {
        __asm volatile ("wfi");
    }
}

__attribute__((section(".isr_vector"), used))
static const vector_t vector_table[16 + H747_IRQS] = {
    [0] = (vector_t)(uintptr_t)&__stack_top,
    [1] = Reset_Handler,
    [2] = Default_Handler, [3] = Default_Handler, [4] = Default_Handler,
    [5] = Default_Handler, [6] = Default_Handler,
    [11] = Default_Handler, [12] = Default_Handler, [14] = Default_Handler,
    [15] = Default_Handler,
    [16 + EXTI9_5_IRQN] = EXTI9_5_IRQHandler,
    [16 + HSEM2_IRQN] = HSEM2_IRQHandler,
};
