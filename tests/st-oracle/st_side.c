// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// ST's side: the few services ST's BSP and HAL expect from an application
// (a millisecond tick, delays, the NVIC, the LTDC's kernel clock, the I2C4
// bus functions of the BSP's bus layer), each recording what it was asked
// for, and the runs sides.h declares. Compiled with ST's headers (from
// ../shared, never in this tree); everything else ST's code does goes to
// the trapped register blocks.
#include <string.h>

#include "ft5336.h"
#include "model.h"
#include "sides.h"
#include "stm32h747i_discovery_bus.h"
#include "stm32h747i_discovery_lcd.h"

// ---- time ----

// The HAL's own timeouts: one tick per call, so a wait the models never
// satisfy ends in HAL_TIMEOUT rather than a hang. Not the virtual clock:
// only the delays ST asks for are time.
static uint32_t hal_ticks;

uint32_t HAL_GetTick(void) {
    return hal_ticks++;
}

void HAL_Delay(uint32_t ms) {
    vclock_advance_us((uint64_t)ms * 1000u);
}

// The components wait with `start = GetTick(); while (GetTick() - start <
// n) {}`. The first call of such a loop (after any register access or
// packet) reads the clock, every further call advances it by 1 ms: the loop
// then takes exactly n ms of virtual time.
int32_t BSP_GetTick(void) {
    static uint64_t last_accesses = UINT64_MAX;
    uint64_t now = mmio_accesses();
    if (now == last_accesses) {
        vclock_advance_us(1000u);
    }
    last_accesses = now;
    return (int32_t)(vclock_us() / 1000u);
}

// ---- the Cortex-M4's NVIC (stm32h7xx_hal_cortex.c is not compiled: it
// needs the real core) ----

void HAL_NVIC_SetPriority(IRQn_Type irq, uint32_t preempt, uint32_t sub) {
    (void)sub;
    if ((uint32_t)irq < 160u) {
        M->res.irq_priority[irq] = preempt;
    }
}

void HAL_NVIC_EnableIRQ(IRQn_Type irq) {
    if ((uint32_t)irq < 160u) {
        M->res.irq_enabled[irq / 32] |= 1u << (irq % 32);
    }
}

void HAL_NVIC_DisableIRQ(IRQn_Type irq) {
    if ((uint32_t)irq < 160u) {
        M->res.irq_enabled[irq / 32] &= ~(1u << (irq % 32));
    }
}

// ---- the LTDC's kernel clock: the PLL3 the BSP asks for ----

HAL_StatusTypeDef HAL_RCCEx_PeriphCLKConfig(RCC_PeriphCLKInitTypeDef *p) {
    if (p->PeriphClockSelection & RCC_PERIPHCLK_LTDC) {
        M->res.pll3_m = p->PLL3.PLL3M;
        M->res.pll3_n = p->PLL3.PLL3N;
        M->res.pll3_r = p->PLL3.PLL3R;
    }
    return HAL_OK;
}

// ---- the BSP's I2C4 bus functions (stm32h747i_discovery_bus.c drives the
// I2C4 through the HAL; here a register write or read is one bus
// transaction on the model's bus, logged like our controller's) ----

int32_t BSP_I2C4_Init(void) {
    return BSP_ERROR_NONE;
}

int32_t BSP_I2C4_DeInit(void) {
    return BSP_ERROR_NONE;
}

int32_t BSP_I2C4_WriteReg(uint16_t dev, uint16_t r, uint8_t *data, uint16_t n) {
    return i2c_bus_write_reg((uint8_t)(dev >> 1), (uint8_t)r, data, n) == 0 ? BSP_ERROR_NONE
                                                                          : BSP_ERROR_BUS_FAILURE;
}

int32_t BSP_I2C4_ReadReg(uint16_t dev, uint16_t r, uint8_t *data, uint16_t n) {
    return i2c_bus_read_reg((uint8_t)(dev >> 1), (uint8_t)r, data, n) == 0 ? BSP_ERROR_NONE
                                                                         : BSP_ERROR_BUS_FAILURE;
}

// ---- the runs ----

static uint32_t lcd_format(int format) {
    return format == SIDE_RGB565 ? LCD_PIXEL_FORMAT_RGB565 : LCD_PIXEL_FORMAT_RGB888;
}

void st_lcd_init(int format) {
    M->res.status = BSP_LCD_InitEx(0, LCD_ORIENTATION_LANDSCAPE, lcd_format(format), 800, 480);
}

void st_ltdc_layer_pitch(int format, uint32_t pitch_pixels) {
    st_lcd_init(format);
    if (M->res.status != BSP_ERROR_NONE) {
        return;
    }
    // MX_LTDC_ConfigLayer's values for layer 0, with a wider image.
    LTDC_LayerCfgTypeDef c;
    memset(&c, 0, sizeof c);
    c.WindowX0 = 0;
    c.WindowX1 = 800;
    c.WindowY0 = 0;
    c.WindowY1 = 480;
    c.PixelFormat = format == SIDE_RGB565 ? LTDC_PIXEL_FORMAT_RGB565 : LTDC_PIXEL_FORMAT_ARGB8888;
    c.Alpha = 255;
    c.Alpha0 = 0;
    c.BlendingFactor1 = LTDC_BLENDING_FACTOR1_PAxCA;
    c.BlendingFactor2 = LTDC_BLENDING_FACTOR2_PAxCA;
    c.FBStartAdress = LCD_LAYER_0_ADDRESS;
    c.ImageWidth = pitch_pixels;
    c.ImageHeight = 480;
    M->res.status = HAL_LTDC_ConfigLayer(&hlcd_ltdc, &c, 0) == HAL_OK ? 0 : -1;
}

void st_fill(int format, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t colour) {
    st_lcd_init(format);
    if (M->res.status == BSP_ERROR_NONE) {
        M->res.status = BSP_LCD_FillRect(0, x, y, w, h, colour);
        M->res.dma2d_calls++;
    }
}

void st_bitmap(int format, uint32_t x, uint32_t y, uint32_t bmp) {
    st_lcd_init(format);
    if (M->res.status == BSP_ERROR_NONE) {
        M->res.status = BSP_LCD_DrawBitmap(0, x, y, (uint8_t *)(uintptr_t)bmp);
        M->res.dma2d_calls++;
    }
}

// The touch addresses of stm32h747i_discovery_ts.h (TS_I2C_ADDRESS,
// TS_I2C_ADDRESS_A02; 8-bit), tried in that order.
static const uint16_t ts_addresses[] = {0x54u, 0x70u};

void st_touch_init(void) {
    static FT5336_Object_t obj;
    FT5336_IO_t io;
    memset(&io, 0, sizeof io);
    io.Init = BSP_I2C4_Init;
    io.DeInit = BSP_I2C4_DeInit;
    io.WriteReg = BSP_I2C4_WriteReg;
    io.ReadReg = BSP_I2C4_ReadReg;
    io.GetTick = BSP_GetTick;
    int found = 0;
    for (unsigned i = 0; i < 2 && !found; i++) {
        io.Address = ts_addresses[i];
        uint32_t id = 0;
        FT5336_Capabilities_t cap;
        if (FT5336_RegisterBusIO(&obj, &io) != FT5336_OK || FT5336_ReadID(&obj, &id) != FT5336_OK ||
            id != FT5336_ID) {
            continue;
        }
        (void)FT5336_GetCapabilities(&obj, &cap);
        found = FT5336_Init(&obj) == FT5336_OK;
    }
    if (!found) {
        M->res.status = BSP_ERROR_NO_INIT;
        return;
    }
    // BSP_TS_EnableIT: the interrupt pin, the controller's interrupt mode,
    // the EXTI line's IRQ.
    __HAL_RCC_GPIOK_CLK_ENABLE();
    GPIO_InitTypeDef g;
    memset(&g, 0, sizeof g);
    g.Pin = GPIO_PIN_7;
    g.Pull = GPIO_PULLUP;
    g.Speed = GPIO_SPEED_FREQ_HIGH;
    g.Mode = GPIO_MODE_IT_FALLING;
    HAL_GPIO_Init(GPIOK, &g);
    M->res.status = FT5336_EnableIT(&obj) == FT5336_OK ? BSP_ERROR_NONE : BSP_ERROR_COMPONENT_FAILURE;
    HAL_NVIC_SetPriority(EXTI9_5_IRQn, 15, 0);
    HAL_NVIC_EnableIRQ(EXTI9_5_IRQn);
}
