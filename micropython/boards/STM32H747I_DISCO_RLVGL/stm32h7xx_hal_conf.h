// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// HAL settings of the STM32H747I-DISCO (25 MHz HSE oscillator, 32.768 kHz
// LSE crystal); the rest is the port's common H7 configuration. No HSEM
// module: rlvgl_backend_cm7.c drives the semaphores by register.

#ifndef MPX_STM32H747I_DISCO_RLVGL_HAL_CONF_H
#define MPX_STM32H747I_DISCO_RLVGL_HAL_CONF_H

#define HSE_VALUE (25000000)
#define LSE_VALUE (32768)
#define EXTERNAL_CLOCK_VALUE (12288000)

#define HSE_STARTUP_TIMEOUT (5000)
#define LSE_STARTUP_TIMEOUT (5000)

#include "boards/stm32h7xx_hal_conf_base.h"

#endif
