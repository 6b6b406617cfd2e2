// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Board hooks of the STM32H747I-DISCO display variant (CM7).

#include "py/mphal.h"
#include "boardctrl.h"
#include "sdram.h"

// Runs after SystemClock_Config, before the SDRAM, USB and the CM4 are
// started: route PLL3's R output to the LTDC, with the same PLL3 settings
// as mpconfigboard.h (the HAL restarts PLL3 to enable the R divider, which
// is harmless here because USB is not running yet). The CM4 renderer only
// enables the LTDC's bus clock; it never touches the PLLs.
void rlvgl_board_early_init(void) {
    RCC_PeriphCLKInitTypeDef clk = {0};
    clk.PeriphClockSelection = RCC_PERIPHCLK_LTDC;
    clk.PLL3.PLL3M = MICROPY_HW_CLK_PLL3M;
    clk.PLL3.PLL3N = MICROPY_HW_CLK_PLL3N;
    clk.PLL3.PLL3P = MICROPY_HW_CLK_PLL3P;
    clk.PLL3.PLL3Q = MICROPY_HW_CLK_PLL3Q;
    clk.PLL3.PLL3R = MICROPY_HW_CLK_PLL3R;
    clk.PLL3.PLL3RGE = MICROPY_HW_CLK_PLL3VCI;
    clk.PLL3.PLL3VCOSEL = MICROPY_HW_CLK_PLL3VCO;
    clk.PLL3.PLL3FRACN = MICROPY_HW_CLK_PLL3FRAC;
    if (HAL_RCCEx_PeriphCLKConfig(&clk) != HAL_OK) {
        MICROPY_BOARD_FATAL_ERROR("LTDC clock");
    }
}

// mode 0: leaving stop, 1: entering stop, 2: entering standby. The GC heap
// is in the SDRAM: it must sit in self-refresh while the FMC is stopped.
void rlvgl_board_low_power(int mode) {
    switch (mode) {
        case 0:
            sdram_leave_low_power();
            break;
        case 1:
            sdram_enter_low_power();
            break;
        default:
            sdram_enter_power_down();
            break;
    }
}
