// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The few STM32H747 registers the renderer touches, as the Cortex-M4 sees
// them (RM0399; addresses and bit positions checked against ST's CMSIS
// stm32h747xx.h, cmsis_device_h7 13ba9da). The RCC enable registers at
// 0x0D4-0x0F4 are the accessing core's own (on the CM4 they are the
// RCC_C2_* copies), so the two cores' enables do not disturb each other;
// the reset registers (0x07C-0x09C) are shared: only peripherals that are
// the renderer's alone (DSI, LTDC, DMA2D) are reset from here.
#ifndef MPX_CM4_H747_REGS_H
#define MPX_CM4_H747_REGS_H

#include <stdint.h>

// (Through uintptr_t: tests/st-oracle compiles the register pokers for a
// 64-bit host, where these addresses are mapped, trapped register blocks.)
#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

// ---- memory map ----
#define SRAM4_BASE 0x38000000u          // the link region (laid out by the CM7)
#define SRAM4_SIZE 0x10000u
#define SDRAM_FB_BASE 0xD0000000u       // framebuffers (4 MB, the CM4's)
#define SDRAM_FB_SIZE 0x00200000u       // 2 MB: one 800x480 frame at 32 bpp fits
#define SDRAM_SCENE_BASE 0xD0200000u    // the scene's node table
#define SDRAM_SCENE_SIZE 0x00200000u

// ---- RCC (the CM4's enable registers) ----
#define RCC_BASE 0x58024400u
#define RCC_AHB3RSTR REG32(RCC_BASE + 0x07Cu)
#define RCC_APB3RSTR REG32(RCC_BASE + 0x08Cu)
#define RCC_GCR REG32(RCC_BASE + 0x0A0u)
#define RCC_AHB3ENR REG32(RCC_BASE + 0x0D4u)
#define RCC_AHB2ENR REG32(RCC_BASE + 0x0DCu)
#define RCC_AHB4ENR REG32(RCC_BASE + 0x0E0u)
#define RCC_APB3ENR REG32(RCC_BASE + 0x0E4u)
#define RCC_APB4ENR REG32(RCC_BASE + 0x0F4u)
#define RCC_AHB3ENR_DMA2DEN (1u << 4)   // (the same bit in AHB3RSTR resets it)
#define RCC_AHB2ENR_SRAM123EN (7u << 29)
#define RCC_AHB4ENR_GPIOEN(port) (1u << (port))
#define RCC_AHB4ENR_HSEMEN (1u << 25)
#define RCC_APB3ENR_LTDCEN (1u << 3)
#define RCC_APB3ENR_DSIEN (1u << 4)     // (the same bits in APB3RSTR reset them)
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
#define GPIO_ODR(p) REG32(GPIO_BASE(p) + 0x14u)
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
#define LTDC_GCR_LTDCEN (1u << 0)      // HSPOL 31, VSPOL 30, DEPOL 29, PCPOL 28 left 0

// ---- DSI host (D1 APB3; registers 0x000-0x1FF) and its wrapper (0x400-) ----
#define DSI_BASE 0x50000000u
#define DSI_CR REG32(DSI_BASE + 0x004u)
#define DSI_CCR REG32(DSI_BASE + 0x008u)
#define DSI_LVCIDR REG32(DSI_BASE + 0x00Cu)
#define DSI_LCOLCR REG32(DSI_BASE + 0x010u)
#define DSI_LPCR REG32(DSI_BASE + 0x014u)
#define DSI_LPMCR REG32(DSI_BASE + 0x018u)
#define DSI_PCR REG32(DSI_BASE + 0x02Cu)
#define DSI_GVCIDR REG32(DSI_BASE + 0x030u)
#define DSI_MCR REG32(DSI_BASE + 0x034u)
#define DSI_VMCR REG32(DSI_BASE + 0x038u)
#define DSI_VPCR REG32(DSI_BASE + 0x03Cu)
#define DSI_VCCR REG32(DSI_BASE + 0x040u)
#define DSI_VNPCR REG32(DSI_BASE + 0x044u)
#define DSI_VHSACR REG32(DSI_BASE + 0x048u)
#define DSI_VHBPCR REG32(DSI_BASE + 0x04Cu)
#define DSI_VLCR REG32(DSI_BASE + 0x050u)
#define DSI_VVSACR REG32(DSI_BASE + 0x054u)
#define DSI_VVBPCR REG32(DSI_BASE + 0x058u)
#define DSI_VVFPCR REG32(DSI_BASE + 0x05Cu)
#define DSI_VVACR REG32(DSI_BASE + 0x060u)
#define DSI_CMCR REG32(DSI_BASE + 0x068u)
#define DSI_GHCR REG32(DSI_BASE + 0x06Cu)
#define DSI_GPDR REG32(DSI_BASE + 0x070u)
#define DSI_GPSR REG32(DSI_BASE + 0x074u)
#define DSI_CLCR REG32(DSI_BASE + 0x094u)
#define DSI_CLTCR REG32(DSI_BASE + 0x098u)
#define DSI_DLTCR REG32(DSI_BASE + 0x09Cu)
#define DSI_PCTLR REG32(DSI_BASE + 0x0A0u)
#define DSI_PCONFR REG32(DSI_BASE + 0x0A4u)
#define DSI_PSR REG32(DSI_BASE + 0x0B0u)
#define DSI_ISR1 REG32(DSI_BASE + 0x0C0u)
#define DSI_IER0 REG32(DSI_BASE + 0x0C4u)
#define DSI_IER1 REG32(DSI_BASE + 0x0C8u)
#define DSI_WCFGR REG32(DSI_BASE + 0x400u)
#define DSI_WCR REG32(DSI_BASE + 0x404u)
#define DSI_WISR REG32(DSI_BASE + 0x40Cu)
#define DSI_WPCR0 REG32(DSI_BASE + 0x418u)   // UIX4 in 5:0
#define DSI_WRPCR REG32(DSI_BASE + 0x430u)
#define DSI_CR_EN (1u << 0)
#define DSI_PCR_BTAE (1u << 2)           // bus turn-around: the panel may answer reads
#define DSI_GPSR_CMDFE (1u << 0)         // command FIFO empty
#define DSI_GPSR_PWRFF (1u << 3)         // payload write FIFO full
#define DSI_GPSR_PRDFE (1u << 4)         // payload read FIFO empty
#define DSI_GPSR_RCB (1u << 6)           // read command busy
#define DSI_ISR1_PSE (1u << 5)           // packet size error (a read's answer)
#define DSI_CLCR_DPCC (1u << 0)          // clock lane: high-speed clock on
#define DSI_PCTLR_DEN (1u << 1)
#define DSI_PCTLR_CKE (1u << 2)
#define DSI_PSR_PSSC (1u << 2)           // clock lane in stop state
#define DSI_PSR_PSS0 (1u << 4)           // data lane 0 in stop state
#define DSI_PSR_PSS1 (1u << 7)           // data lane 1 in stop state
#define DSI_WCR_DSIEN (1u << 3)
#define DSI_WISR_PLLLS (1u << 8)         // PLL locked
#define DSI_WISR_RRS (1u << 12)          // regulator ready
#define DSI_WRPCR_PLLEN (1u << 0)
#define DSI_WRPCR_PLL_FIELDS ((0x7Fu << 2) | (0xFu << 11) | (0x3u << 16))  // NDIV, IDF, ODF
#define DSI_WRPCR_REGEN (1u << 24)

// ---- DMA2D (D1 AHB1) ----
#define DMA2D_BASE 0x52001000u
#define DMA2D_CR REG32(DMA2D_BASE + 0x00u)
#define DMA2D_ISR REG32(DMA2D_BASE + 0x04u)
#define DMA2D_IFCR REG32(DMA2D_BASE + 0x08u)
#define DMA2D_FGMAR REG32(DMA2D_BASE + 0x0Cu)
#define DMA2D_FGOR REG32(DMA2D_BASE + 0x10u)
#define DMA2D_FGPFCCR REG32(DMA2D_BASE + 0x1Cu)
#define DMA2D_OPFCCR REG32(DMA2D_BASE + 0x34u)
#define DMA2D_OCOLR REG32(DMA2D_BASE + 0x38u)
#define DMA2D_OMAR REG32(DMA2D_BASE + 0x3Cu)
#define DMA2D_OOR REG32(DMA2D_BASE + 0x40u)
#define DMA2D_NLR REG32(DMA2D_BASE + 0x44u)
#define DMA2D_CR_START (1u << 0)
#define DMA2D_CR_ABORT (1u << 2)
#define DMA2D_ISR_TEIF (1u << 0)         // transfer error
#define DMA2D_ISR_TCIF (1u << 1)         // transfer complete
#define DMA2D_ISR_CAEIF (1u << 3)        // CLUT access error
#define DMA2D_ISR_CEIF (1u << 5)         // configuration error
#define DMA2D_IFCR_ALL 0x3Fu

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
