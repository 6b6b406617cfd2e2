// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// rlvgl_cm7_hw.h on the STM32H747's Cortex-M7: SRAM4, the HSEM doorbells,
// RCC's CM4 hold, the flash option bytes. Registers from RM0399.
//
// No MicroPython header is needed here, so this file also compiles in the
// project's Cortex-M7 build (CMakeLists.txt), which checks it warning-free.
#include "rlvgl_cm7_hw.h"

#include "rlvgl_cm4_image.h"

#define SRAM4_BASE 0x38000000u
#define SRAM4_SIZE 0x10000u

#define HSEM_BASE 0x58026400u
#define HSEM_R(n) (*(volatile uint32_t *)(HSEM_BASE + 4u * (n)))
#define HSEM_RLR(n) (*(volatile uint32_t *)(HSEM_BASE + 0x80u + 4u * (n)))
#define HSEM_C1IER (*(volatile uint32_t *)(HSEM_BASE + 0x100u))
#define HSEM_C1ICR (*(volatile uint32_t *)(HSEM_BASE + 0x104u))
#define HSEM_C1MISR (*(volatile uint32_t *)(HSEM_BASE + 0x10cu))
#define HSEM_COREID_CM7 3u
#define HSEM_TO_CM4 28u      // the CM7 rings the renderer
#define HSEM_TO_CM7 29u      // the renderer rings the CM7

#define RCC_GCR (*(volatile uint32_t *)0x580244a0u)
#define RCC_GCR_BOOT_C2 (1u << 3)
#define RCC_AHB4ENR (*(volatile uint32_t *)0x580244e0u)
#define RCC_AHB4ENR_HSEMEN (1u << 25)

#define FLASH_OPTSR_CUR (*(volatile uint32_t *)0x5200201cu)
#define FLASH_OPTSR_BCM4 (1u << 22)
#define FLASH_BOOT4_CUR (*(volatile uint32_t *)0x52002048u)  // BOOT_CM4_ADD0 in bits 15:0

#define NVIC_ISER(n) (*(volatile uint32_t *)(0xe000e100u + 4u * (n)))
#define NVIC_ICER(n) (*(volatile uint32_t *)(0xe000e180u + 4u * (n)))
#define HSEM1_IRQN 125u

#define MPU_CTRL (*(volatile uint32_t *)0xe000ed94u)
#define MPU_RNR (*(volatile uint32_t *)0xe000ed98u)
#define MPU_RBAR (*(volatile uint32_t *)0xe000ed9cu)
#define MPU_RASR (*(volatile uint32_t *)0xe000eda0u)
#ifndef RLVGL_MPU_REGION
#define RLVGL_MPU_REGION 11u
#endif

// MicroPython's HAL clock.
extern uint32_t mp_hal_ticks_ms(void);

static volatile uint32_t bell_rung;

static void barrier(void) {
    __asm volatile ("dsb\n\tisb" ::: "memory");
}

// SRAM4 as normal, shareable, non-cacheable memory (TEX=1 C=0 B=0), no
// execution: the rings' acquire/release then need no cache maintenance.
static void mpu_uncache_sram4(void) {
    uint32_t ctrl = MPU_CTRL;
    MPU_CTRL = 0;
    barrier();
    MPU_RNR = RLVGL_MPU_REGION;
    MPU_RBAR = SRAM4_BASE;
    MPU_RASR = (1u << 28) | (3u << 24) | (1u << 19) | (1u << 18) | (15u << 1) | 1u;
    MPU_CTRL = ctrl | 1u | (1u << 2);  // enable, default map for privileged code
    barrier();
}

void HSEM1_IRQHandler(void);
void HSEM1_IRQHandler(void) {
    uint32_t pending = HSEM_C1MISR;
    HSEM_C1ICR = pending;
    if (pending & (1u << HSEM_TO_CM7)) {
        bell_rung = 1;
        rlvgl_cm7_bell();
    }
}

void *rlvgl_cm7_region(uint32_t *size) {
    *size = SRAM4_SIZE;
    return (void *)SRAM4_BASE;
}

void rlvgl_cm7_cm4_image(uint32_t *base, uint32_t *sp, uint32_t *reset, uint32_t *boot_addr) {
    const volatile uint32_t *cm4 = (const volatile uint32_t *)RLVGL_CM4_IMAGE;
    *base = RLVGL_CM4_IMAGE;
    *sp = cm4[0];
    *reset = cm4[1];
    *boot_addr = (FLASH_BOOT4_CUR & 0xffffu) << 16;
}

void rlvgl_cm7_setup(void) {
    RCC_AHB4ENR |= RCC_AHB4ENR_HSEMEN;
    mpu_uncache_sram4();
    HSEM_C1ICR = 1u << HSEM_TO_CM7;
    HSEM_C1IER |= 1u << HSEM_TO_CM7;
    NVIC_ISER(HSEM1_IRQN / 32u) = 1u << (HSEM1_IRQN % 32u);
    barrier();
}

void rlvgl_cm7_quiet(void) {
    HSEM_C1IER &= ~(1u << HSEM_TO_CM7);
}

bool rlvgl_cm7_cm4_running(void) {
    return (FLASH_OPTSR_CUR & FLASH_OPTSR_BCM4) != 0 || (RCC_GCR & RCC_GCR_BOOT_C2) != 0;
}

void rlvgl_cm7_cm4_start(void) {
    barrier();
    RCC_GCR |= RCC_GCR_BOOT_C2;
}

// Take and release at once: the release raises the CM4's HSEM2 interrupt.
void rlvgl_cm7_ring_cm4(void) {
    barrier();  // the region's writes (SRAM4 is uncached) before the interrupt
    (void)HSEM_RLR(HSEM_TO_CM4);  // 1-step lock (read)
    HSEM_R(HSEM_TO_CM4) = HSEM_COREID_CM7 << 8;
}

uint32_t rlvgl_cm7_now_ms(void) {
    return mp_hal_ticks_ms();
}

void rlvgl_cm7_wait(uint32_t ms) {
    uint32_t start = mp_hal_ticks_ms();
    while (!bell_rung && mp_hal_ticks_ms() - start < ms) {
        __asm volatile ("wfi");  // the HSEM interrupt or SysTick wakes us
    }
    bell_rung = 0;
}
