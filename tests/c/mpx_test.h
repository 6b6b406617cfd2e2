// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// A minimal test harness: checks count and report, a test binary returns
// non-zero if any check failed. Runs on the host and on Cortex-M under QEMU
// (semihosting printf).
#ifndef MPX_TEST_H
#define MPX_TEST_H

#include <stdio.h>
#include <stdint.h>
#include <string.h>

extern unsigned mpx_test_checks;
extern unsigned mpx_test_failures;

#define CHECK(cond) \
    do { \
        mpx_test_checks++; \
        if (!(cond)) { \
            mpx_test_failures++; \
            printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        } \
    } while (0)

// Like CHECK, with a printf-style note that says which case failed.
#define CHECKF(cond, ...) \
    do { \
        mpx_test_checks++; \
        if (!(cond)) { \
            mpx_test_failures++; \
            printf("%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            printf(__VA_ARGS__); \
            printf("\n"); \
        } \
    } while (0)

#define CHECK_EQ(a, b) \
    do { \
        long long mpx_a_ = (long long)(a), mpx_b_ = (long long)(b); \
        mpx_test_checks++; \
        if (mpx_a_ != mpx_b_) { \
            mpx_test_failures++; \
            printf("%s:%d: check failed: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, \
                #a, #b, mpx_a_, mpx_b_); \
        } \
    } while (0)

#define RUN_TEST(fn) \
    do { \
        unsigned mpx_before_ = mpx_test_failures; \
        fn(); \
        printf("%-40s %s\n", #fn, mpx_test_failures == mpx_before_ ? "ok" : "FAILED"); \
    } while (0)

// Define the counters and report in the file that has main().
#define MPX_TEST_MAIN_DEFS \
    unsigned mpx_test_checks; \
    unsigned mpx_test_failures;

static inline int mpx_test_report(const char *suite) {
    printf("%s: %u checks, %u failed\n", suite, mpx_test_checks, mpx_test_failures);
    return mpx_test_failures != 0;
}

// A small deterministic PRNG (xorshift32) so that runs are reproducible.
static inline uint32_t mpx_test_rand(uint32_t *state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

#endif // MPX_TEST_H
