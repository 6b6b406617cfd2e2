// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The few STM32H747 registers the renderer touches, as the Cortex-M4 sees
// them (RM0399; addresses checked against ST's CMSIS stm32h747xx.h). The
// RCC enable registers at 0x0D4-0x0F4 are the accessing core's own (on
// the CM4 they are the RCC_C2_* copies), so the two cores' enables do not
// disturb each other.
#ifndef MPX_CM4_H747_REGS_H
#define MPX_CM4_H747_REGS_H

#include <stdint.h>

#define REG32(a) (*(volatile uint32_t *)(a))

// ---- memory map ----
#define SRAM4_BASE 0x38000000u          // the link region (laid out by the CM7)
#define SRAM4_SIZE 0x10000u
#define SDRAM_FB_BASE 0xD0000000u       // framebuffers (4 MB, the CM4's)
#define SDRAM_FB_SIZE 0x00200000u       // 2 MB: one 800x480 frame at 32 bpp fits
#define SDRAM_SCENE_BASE 0xD0200000u    // the scene's node table
#define SDRAM_SCENE_SIZE 0x00200000u

// ---- RCC (the CM4's enable registers) ----
#define RCC_BASE 0x58024400u
#define RCC_GCR REG32(RCC_BASE + 0x0A0u)
#define RCC_AHB3ENR REG32(RCC_BASE + 0x0D4u)
#define RCC_AHB2ENR REG32(RCC_BASE + 0x0DCu)
#define RCC_AHB4ENR REG32(RCC_BASE + 0x0E0u)
#define RCC_APB3ENR REG32(RCC_BASE + 0x0E4u)
#define RCC_APB4ENR REG32(RCC_BASE + 0x0F4u)
#define RCC_AHB3ENR_DMA2DEN (1u << 4)
#define RCC_AHB2ENR_SRAM123EN (7u << 29)
#define RCC_AHB4ENR_GPIOEN(port) (1u << (port))
#define RCC_AHB4ENR_HSEMEN (1u << 25)
#define RCC_APB3ENR_LTDCEN (1u << 3)
#define RCC_APB3ENR_DSIEN (1u << 4)
#define RCC_APB4ENR_SYSCFGEN (1u << 1)
#define RCC_APB4ENR_I2C4EN (1u << 7)

// ---- HSEM ----
#define HSEM_BASE 0x58026400u
#define HSEM_R(n) REG32(HSEM_BASE + 4u * (n))
#define HSEM_RLR(n) REG32(HSEM_BASE + 0x80u + 4u * (n))
#define HSEM_C2IER REG32(HSEM_BASE + 0x110u)
#define HSEM_C2ICR REG32(HSEM_BASE + 0x114u)
#define HSEM_C2MISR REG32(HSEM_BASE + 0x11Cu)
#define HSEM_COREID_CM4 1u
#define HSEM_TO_CM4 28u     // the CM7 rings the renderer (rlvgl_backend_cm7.c)
#define HSEM_TO_CM7 29u     // the renderer rings the CM7

// ---- GPIO (ports A=0 ... K=10) ----
#define GPIO_BASE(port) (0x58020000u + 0x400u * (port))
#define GPIO_MODER(p) REG32(GPIO_BASE(p) + 0x00u)
#define GPIO_OTYPER(p) REG32(GPIO_BASE(p) + 0x04u)
#define GPIO_OSPEEDR(p) REG32(GPIO_BASE(p) + 0x08u)
#define GPIO_PUPDR(p) REG32(GPIO_BASE(p) + 0x0Cu)
#define GPIO_IDR(p) REG32(GPIO_BASE(p) + 0x10u)
#define GPIO_BSRR(p) REG32(GPIO_BASE(p) + 0x18u)
#define GPIO_AFR(p, pin) REG32(GPIO_BASE(p) + 0x20u + 4u * ((pin) / 8u))
#define PORT_D 3u
#define PORT_G 6u
#define PORT_J 9u
#define PORT_K 10u

// ---- EXTI and SYSCFG ----
#define EXTI_BASE 0x58000000u
#define EXTI_RTSR1 REG32(EXTI_BASE + 0x00u)
#define EXTI_FTSR1 REG32(EXTI_BASE + 0x04u)
#define EXTI_C2IMR1 REG32(EXTI_BASE + 0xC0u)
#define EXTI_C2PR1 REG32(EXTI_BASE + 0xC8u)
#define SYSCFG_EXTICR(n) REG32(0x58000400u + 0x08u + 4u * (n))

// ---- I2C4 (kernel clock: PCLK4, 100 MHz) ----
#define I2C4_BASE 0x58001C00u
#define I2C4_CR1 REG32(I2C4_BASE + 0x00u)
#define I2C4_CR2 REG32(I2C4_BASE + 0x04u)
#define I2C4_TIMINGR REG32(I2C4_BASE + 0x10u)
#define I2C4_ISR REG32(I2C4_BASE + 0x18u)
#define I2C4_ICR REG32(I2C4_BASE + 0x1Cu)
#define I2C4_RXDR REG32(I2C4_BASE + 0x24u)
#define I2C4_TXDR REG32(I2C4_BASE + 0x28u)
#define I2C_ISR_TXIS (1u << 1)
#define I2C_ISR_RXNE (1u << 2)
#define I2C_ISR_NACKF (1u << 4)
#define I2C_ISR_STOPF (1u << 5)
#define I2C_ISR_TC (1u << 6)
#define I2C_ISR_BUSY (1u << 15)
#define I2C_CR2_RD_WRN (1u << 10)
#define I2C_CR2_START (1u << 13)
#define I2C_CR2_STOP (1u << 14)
#define I2C_CR2_AUTOEND (1u << 25)

// ---- LTDC (layer 1) ----
#define LTDC_BASE 0x50001000u
#define LTDC_SSCR REG32(LTDC_BASE + 0x08u)
#define LTDC_BPCR REG32(LTDC_BASE + 0x0Cu)
#define LTDC_AWCR REG32(LTDC_BASE + 0x10u)
#define LTDC_TWCR REG32(LTDC_BASE + 0x14u)
#define LTDC_GCR REG32(LTDC_BASE + 0x18u)
#define LTDC_SRCR REG32(LTDC_BASE + 0x24u)
#define LTDC_BCCR REG32(LTDC_BASE + 0x2Cu)
#define LTDC_L1CR REG32(LTDC_BASE + 0x84u)
#define LTDC_L1WHPCR REG32(LTDC_BASE + 0x88u)
#define LTDC_L1WVPCR REG32(LTDC_BASE + 0x8Cu)
#define LTDC_L1PFCR REG32(LTDC_BASE + 0x94u)
#define LTDC_L1CACR REG32(LTDC_BASE + 0x98u)
#define LTDC_L1DCCR REG32(LTDC_BASE + 0x9Cu)
#define LTDC_L1BFCR REG32(LTDC_BASE + 0xA0u)
#define LTDC_L1CFBAR REG32(LTDC_BASE + 0xACu)
#define LTDC_L1CFBLR REG32(LTDC_BASE + 0xB0u)
#define LTDC_L1CFBLNR REG32(LTDC_BASE + 0xB4u)
#define LTDC_PF_ARGB8888 0u
#define LTDC_PF_RGB565 2u

// ---- Cortex-M4 core ----
#define NVIC_ISER(n) REG32(0xE000E100u + 4u * (n))
#define SCB_VTOR REG32(0xE000ED08u)
#define SCB_CPACR REG32(0xE000ED88u)
#define DEMCR REG32(0xE000EDFCu)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CYCCNT REG32(0xE0001004u)
#define CM4_HZ 200000000u               // HCLK, as the CM7's MicroPython sets it

// IRQ numbers (the device's vector table, the same on both cores).
#define EXTI9_5_IRQN 23u
#define HSEM2_IRQN 126u
#define H747_IRQS 150u

#endif
