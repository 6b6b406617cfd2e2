// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// libFuzzer: the virtual DFU device answering whatever a USB host sends.
// Input: records of (bmRequestType, bRequest, wValue lo/hi, wLength lo/hi,
// data...). The device must never crash, read or write out of bounds, or
// answer with more bytes than asked.
#include <stdlib.h>
#include <string.h>

#include "dfu_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dfu_sim_config cfg;
    dfu_sim_config_stm32f4(&cfg);
    cfg.alts[0] = "@Internal Flash  /0x08000000/04*016Kg";
    cfg.transfer_size = 256;
    if (size && (data[0] & 1)) {
        cfg.read_protected = true;
    }
    dfu_sim *sim;
    if (dfu_sim_new(&cfg, &sim, NULL) != DFU_OK) {
        abort();
    }
    static uint8_t buf[4096];
    size_t off = size ? 1 : 0;
    while (size - off >= 6) {
        uint8_t rt = data[off], req = data[off + 1];
        uint16_t value = (uint16_t)(data[off + 2] | data[off + 3] << 8);
        uint16_t length = (uint16_t)((data[off + 4] | data[off + 5] << 8) % 512u);
        off += 6;
        if (!(rt & 0x80)) {
            size_t n = size - off < length ? size - off : length;
            memcpy(buf, data + off, n);
            off += n;
        }
        int r = dfu_sim_control(sim, rt, req, value, 0, buf, length);
        if (r > (int)length) {
            abort();
        }
        if (dfu_sim_presence_get(sim, NULL) != DFU_SIM_PRESENT) {
            dfu_sim_reset(sim, false);
        }
    }
    dfu_sim_free(sim);
    return 0;
}
