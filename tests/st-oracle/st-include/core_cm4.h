// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Stands in for CMSIS's core_cm4.h when ST's device header and HAL are
// compiled for the x86-64 host (tests/st-oracle): the register qualifiers
// and inline keywords they use, and barriers as compiler fences. No Cortex-M
// core peripherals (NVIC, SCB, SysTick): the oracle provides the few HAL
// functions that would touch them (st_side.c), so nothing here may be used
// to reach them.
#ifndef ORACLE_CORE_CM4_H
#define ORACLE_CORE_CM4_H

#include <stdint.h>

#include "cmsis_compiler.h"

#define __IO volatile
#define __I volatile const
#define __O volatile
#define __IM volatile const
#define __OM volatile
#define __IOM volatile
#endif
