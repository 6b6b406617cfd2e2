// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The SDRAM component's configuration, needed only because the BSP's LCD
// code includes the SDRAM header: the oracle compiles it with
// DATA_IN_ExtSDRAM (the SDRAM is up before the display starts, as the CM7
// brings it up before it releases the renderer), so none of it runs.
#ifndef ORACLE_IS42S32800J_CONF_H
#define ORACLE_IS42S32800J_CONF_H

#include "stm32h7xx_hal.h"

#define REFRESH_COUNT ((uint32_t)0x0603)
#define IS42S32800J_TIMEOUT ((uint32_t)0xFFFF)

#endif
