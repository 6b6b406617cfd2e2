// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The filesystem's block device: the Feather's 2 MiB SPI NOR flash on the
// hardware SPI1 bus (CS PA15, SCK PB3, MISO PB4, MOSI PB5), mode 0, 25 MHz,
// with the spiflash driver's 4 KiB erase-block cache.

#include "py/obj.h"
#include "spi.h"
#include "storage.h"

static const spi_proto_cfg_t flash_bus = {
    .spi = &spi_obj[0],                 // SPI1, reserved for the flash
    .baudrate = 25000000,
    .polarity = 0,
    .phase = 0,
    .bits = 8,
    .firstbit = SPI_FIRSTBIT_MSB,
};

static mp_spiflash_cache_t flash_cache;

const mp_spiflash_config_t spiflash_config = {
    .bus_kind = MP_SPIFLASH_BUS_SPI,
    .bus.u_spi.cs = MICROPY_HW_SPIFLASH_CS,
    .bus.u_spi.data = (void *)&flash_bus,
    .bus.u_spi.proto = &spi_proto,
    .cache = &flash_cache,
};

spi_bdev_t spi_bdev;
