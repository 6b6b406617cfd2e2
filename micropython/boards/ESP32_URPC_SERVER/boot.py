# SPDX-License-Identifier: MIT
# boot.py of the ESP32 WiFi co-processor: copy it to the board's filesystem
# (mpremote cp boot.py :boot.py). It keeps the running OTA image, joins the
# WiFi network named in secrets.py when there is one (the client can also do
# that itself through the network shim), and serves urpc on UART1 with
# RTS/CTS. Ctrl-C on the REPL (USB serial, UART0) stops the server.
import esp32

try:
    esp32.Partition.mark_app_valid_cancel_rollback()
except OSError:
    pass  # not booted from an OTA slot

try:
    import secrets
except ImportError:
    secrets = None

if secrets is not None:
    import network
    import time

    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    if not wlan.isconnected():
        wlan.connect(secrets.WIFI_SSID, secrets.WIFI_PASSWORD)
        for _ in range(100):      # up to 10 s; the client can check and retry
            if wlan.isconnected():
                break
            time.sleep_ms(100)

import urpc_server

urpc_server.run(wdt_ms=30000)
