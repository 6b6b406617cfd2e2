// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// Stands in for CMSIS's cmsis_compiler.h on the x86-64 host (see
// core_cm4.h): the keywords ST's component headers take from it.
#ifndef ORACLE_CMSIS_COMPILER_H
#define ORACLE_CMSIS_COMPILER_H

#include <stdint.h>

#define __ASM __asm__
#define __INLINE inline
#define __STATIC_INLINE static inline
#define __STATIC_FORCEINLINE static inline __attribute__((always_inline))
#define __NO_RETURN __attribute__((__noreturn__))
#define __USED __attribute__((used))
#define __WEAK __attribute__((weak))
#define __PACKED __attribute__((packed))
#define __ALIGNED(x) __attribute__((aligned(x)))
#define __RESTRICT __restrict

#define __NOP() __asm__ volatile("nop")
#define __DSB() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define __ISB() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define __DMB() __atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif
