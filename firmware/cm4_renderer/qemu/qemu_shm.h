// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The 16 MiB RAM that two QEMU machines share (one memory-backend file):
// mps2-an500 (the Cortex-M7, MicroPython) sees it at 0x60000000, mps2-an386
// (the Cortex-M4, the renderer) at 0x21000000, the host at offset 0 of the
// file. Offsets only cross; each side adds its own base.
//
//   0x000000  the link region (ui_link), at most 1 MiB
//   0x100000  qshm_fb_t: the framebuffer's description, written by the M4
//   0x100040  the framebuffer's pixels
//   0xC00000  MicroPython's ROMFS partition (loaded by the M7's QEMU)
//
// Doorbells: UART1 of each machine (0x40005000, RX interrupt IRQ 2), joined
// by one socket. Input from the host: the M4's UART2 (0x40006000, IRQ 4),
// text lines "tap|move|key|scroll X Y [KEY]".
#ifndef MPX_QEMU_SHM_H
#define MPX_QEMU_SHM_H

#include <stdint.h>

#define QSHM_BASE_M7 0x60000000u
#define QSHM_BASE_M4 0x21000000u
#define QSHM_SIZE 0x1000000u
#define QSHM_REGION 0x000000u
#define QSHM_REGION_MAX 0x100000u
#define QSHM_FB 0x100000u
#define QSHM_FB_PIXELS 0x100040u
#define QSHM_FB_MAX (0xC00000u - QSHM_FB_PIXELS)

#define QSHM_FB_MAGIC 0x31424651u  // "QFB1"

typedef struct {
    uint32_t magic;       // QSHM_FB_MAGIC once the renderer has a display
    uint32_t width, height, format, stride;
    uint32_t frame;       // the last frame rendered (release-stored)
    uint32_t attaches;    // link regions attached (one per init() on the M7)
    uint32_t inputs;      // input lines taken from UART2
    uint32_t refused;     // link regions refused
    uint32_t paused;      // written by the M7 (mp_rlvgl._pause, tests): take no commands
} qshm_fb_t;

#define QEMU_UART0 0x40004000u
#define QEMU_UART1 0x40005000u
#define QEMU_UART2 0x40006000u
#define QEMU_UART1_RX_IRQ 2u
#define QEMU_UART2_RX_IRQ 4u

// CMSDK APB UART registers.
#define UART_DATA(b) (*(volatile uint32_t *)((b) + 0x00u))
#define UART_STATE(b) (*(volatile uint32_t *)((b) + 0x04u))
#define UART_CTRL(b) (*(volatile uint32_t *)((b) + 0x08u))
#define UART_INT(b) (*(volatile uint32_t *)((b) + 0x0Cu))  // status / clear
#define UART_BAUDDIV(b) (*(volatile uint32_t *)((b) + 0x10u))
#define UART_STATE_TXFULL 1u
#define UART_STATE_RXFULL 2u
#define UART_CTRL_TXEN 1u
#define UART_CTRL_RXEN 2u
#define UART_CTRL_RXINT 8u
#define UART_INT_RX 2u

#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NVIC_ICER0 (*(volatile uint32_t *)0xE000E180u)
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)

#endif
