// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// HAL settings of the Adafruit Feather STM32F405 (12 MHz crystal, 32.768 kHz
// RTC crystal); the rest is the port's common F4 configuration.

#ifndef MPX_ADAFRUIT_F405_IOT_HAL_CONF_H
#define MPX_ADAFRUIT_F405_IOT_HAL_CONF_H

#define HSE_VALUE (12000000)
#define LSE_VALUE (32768)
#define EXTERNAL_CLOCK_VALUE (12288000)

#define HSE_STARTUP_TIMEOUT (100)
#define LSE_STARTUP_TIMEOUT (5000)

#include "boards/stm32f4xx_hal_conf_base.h"

#endif
