// SPDX-License-Identifier: MIT
// A tiny Cortex-M4 "application" for the end-to-end tests: a vector table,
// code, a blob of constant data and initialised .data whose load address
// (in flash) differs from its run address (in RAM), as real firmware's does.
#include <stdint.h>

extern const uint8_t blob[];
extern uint32_t _estack;
void reset_handler(void);

uint32_t counter = 0x12345678u;   // .data: runs in RAM, loaded from flash
static volatile uint32_t sink;

__attribute__((section(".isr_vector"), used)) const void *const vectors[] = {
    &_estack, (const void *)reset_handler,
};

void reset_handler(void) {
    for (;;) {
        sink = counter + blob[sink & 0xFFFu];
        counter++;
    }
}
