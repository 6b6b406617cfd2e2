# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the mpx developers
"""This board's link to its ESP32 WiFi co-processor (frozen).

The first time a shim (network, socket, select, ssl) needs the server,
urpc.client() opens link() with OPTIONS. boot.py can instead call
urpc.connect(stream, ...) with a stream of its own.

The link is UART3 with hardware flow control, at 1 Mbaud:

    F405 pin          Feather pin   ESP32 (HUZZAH32 stacked on top)
    PB10  UART3 TX    TX            GPIO17, its UART RX
    PB11  UART3 RX    RX            GPIO16, its UART TX
    PB14  UART3 RTS   MISO          GPIO19, its CTS
    PB13  UART3 CTS   SCK           GPIO5,  its RTS

The server side is micropython/boards/ESP32_URPC_SERVER (the same pins).
"""
from machine import UART

UART_ID = 3
BAUDRATE = 1_000_000
OPTIONS = {"timeout": 5}


def link():
    """The UART, set up for urpc: RTS/CTS, reads that return what has
    arrived (timeout=0), a receive buffer larger than a frame."""
    return UART(UART_ID, BAUDRATE, flow=UART.RTS | UART.CTS, timeout=0, timeout_char=0,
                rxbuf=4096)
