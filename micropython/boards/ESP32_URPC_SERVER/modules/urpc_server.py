# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""The WiFi co-processor's server (frozen into the ESP32 firmware).

    import urpc_server
    urpc_server.run()                 # UART1 with RTS/CTS, as below; never returns

run() serves one client with urpc.Server(...).serve_async() under asyncio,
next to a watchdog task when wdt_ms is given. Errors of served calls go
back to the client as data; nothing is printed onto the link.

The default UART is UART1 at 1 Mbaud with hardware flow control, on the
pins that meet the Feather STM32F405's UART3 when a HUZZAH32 is stacked on
it (see micropython/boards/ADAFRUIT_F405_IOT/modules/urpc_board.py):

    ESP32 GPIO17 RX <- F405 PB10 TX      GPIO19 CTS <- F405 PB14 RTS
    ESP32 GPIO16 TX -> F405 PB11 RX      GPIO5  RTS -> F405 PB13 CTS
"""
import asyncio

import urpc

UART_ID = 1
BAUDRATE = 1_000_000
PINS = {"tx": 16, "rx": 17, "rts": 5, "cts": 19}


def uart():
    """The link UART: RTS/CTS, reads that return what has arrived."""
    from machine import UART

    return UART(UART_ID, BAUDRATE, flow=UART.RTS | UART.CTS, timeout=0, timeout_char=0,
                rxbuf=8192, txbuf=4096, **PINS)


async def _watchdog(wdt_ms):
    from machine import WDT

    wdt = WDT(timeout=wdt_ms)
    while True:
        wdt.feed()
        await asyncio.sleep_ms(wdt_ms // 3)


async def _serve(server, wdt_ms):
    if wdt_ms:
        asyncio.create_task(_watchdog(wdt_ms))
    await server.serve_async()


def run(stream=None, *, allow=urpc.DEFAULT_ALLOW, max_objects=256, max_body=4096, wdt_ms=None):
    """Serve urpc on stream (default: uart()) until the stream ends. Returns
    the Server (its counts say what it did)."""
    server = urpc.Server(stream if stream is not None else uart(), allow=allow,
                         max_objects=max_objects, max_body=max_body)
    asyncio.run(_serve(server, wdt_ms))
    return server
