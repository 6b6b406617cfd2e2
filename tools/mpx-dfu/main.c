// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// mpx-dfu: flash STM32 boards over USB DFU (see mpx-dfu(1), docs/mpx-dfu.1).
// This file picks the command line (mpx-dfu's own, or dfu-util's: the rule
// is in is_dfu_util_command_line); the parts are listed in mpx_dfu.h. All
// protocol work is in lib/dfu.
#include "mpx_dfu.h"

int main(int argc, char **argv) {
    options o;
    options_init(&o);
    sim_from_environment(&o);
    int code = is_dfu_util_command_line(argc, argv) ? dfu_util_main(&o, argc, argv) : native_main(&o, argc, argv);
    if (interrupted_by_signal() && code != EXIT_OK) {
        code = EXIT_CANCELLED;
    }
    return sim_finish(&o, code);
}
