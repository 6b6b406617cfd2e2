// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The HAL configuration the oracle compiles ST's STM32H7 HAL with: the
// modules the STM32H747I-DISCO BSP's LCD and touch code use (I2C, DMA,
// MDMA and SDRAM for the handle types of headers the BSP includes only), the DISCO's
// 25 MHz HSE (HAL_DSI_Init computes the unit interval from it), no register
// callbacks, no asserts.
#ifndef ORACLE_STM32H7XX_HAL_CONF_H
#define ORACLE_STM32H7XX_HAL_CONF_H

#define HAL_MODULE_ENABLED
#define HAL_CORTEX_MODULE_ENABLED
#define HAL_DMA_MODULE_ENABLED
#define HAL_DMA2D_MODULE_ENABLED
#define HAL_DSI_MODULE_ENABLED
#define HAL_EXTI_MODULE_ENABLED
#define HAL_GPIO_MODULE_ENABLED
#define HAL_I2C_MODULE_ENABLED
#define HAL_LTDC_MODULE_ENABLED
#define HAL_MDMA_MODULE_ENABLED
#define HAL_RCC_MODULE_ENABLED
#define HAL_SDRAM_MODULE_ENABLED

#define HSE_VALUE 25000000UL
#define HSE_STARTUP_TIMEOUT 100UL
#define CSI_VALUE 4000000UL
#define HSI_VALUE 64000000UL
#define LSE_VALUE 32768UL
#define LSE_STARTUP_TIMEOUT 5000UL
#define LSI_VALUE 32000UL
#define EXTERNAL_CLOCK_VALUE 12288000UL
#define VDD_VALUE 3300UL
#define TICK_INT_PRIORITY 0x0FUL
#define USE_RTOS 0
#define USE_SD_TRANSCEIVER 0U
#define USE_SPI_CRC 0U
#define USE_HAL_DMA2D_REGISTER_CALLBACKS 0U
#define USE_HAL_DSI_REGISTER_CALLBACKS 0U
#define USE_HAL_LTDC_REGISTER_CALLBACKS 0U

#include "stm32h7xx_hal_rcc.h"
#include "stm32h7xx_hal_gpio.h"
#include "stm32h7xx_hal_dma.h"
#include "stm32h7xx_hal_exti.h"
#include "stm32h7xx_hal_i2c.h"
#include "stm32h7xx_hal_cortex.h"
#include "stm32h7xx_hal_dma2d.h"
#include "stm32h7xx_hal_dsi.h"
#include "stm32h7xx_hal_ltdc.h"
#include "stm32h7xx_hal_mdma.h"
#include "stm32h7xx_hal_sdram.h"

#define assert_param(expr) ((void)0U)

#endif
