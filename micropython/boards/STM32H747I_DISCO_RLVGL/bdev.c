// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The filesystem's block device: the QSPI NOR flash (bank 1) through the
// port's hardware QSPI driver, with the spiflash driver's erase-block cache.

#include "py/obj.h"
#include "qspi.h"
#include "storage.h"

static mp_spiflash_cache_t flash_cache;

const mp_spiflash_config_t spiflash_config = {
    .bus_kind = MP_SPIFLASH_BUS_QSPI,
    .bus.u_qspi.data = NULL,
    .bus.u_qspi.proto = &qspi_proto,
    .cache = &flash_cache,
};

spi_bdev_t spi_bdev;
