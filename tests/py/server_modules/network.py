# SPDX-License-Identifier: MIT
"""A stand-in for MicroPython's `network` module, served by a desktop urpc
server in the tests (CPython has no `network`). It keeps the state that
a WLAN interface would, so client code can be checked against it."""
STA_IF = 0
AP_IF = 1
STAT_GOT_IP = 1010


class WLAN:
    def __init__(self, interface=STA_IF):
        self.interface = interface
        self._active = False
        self._ssid = None

    def active(self, on=None):
        if on is not None:
            self._active = bool(on)
        return self._active

    def connect(self, ssid, key=None):
        if not self._active:
            raise OSError("WLAN not active")
        self._ssid = ssid

    def isconnected(self):
        return self._ssid is not None

    def status(self):
        return STAT_GOT_IP if self._ssid else 0

    def ifconfig(self):
        return ("127.0.0.1", "255.0.0.0", "127.0.0.1", "127.0.0.1")

    def config(self, name):
        if name == "ssid":
            return self._ssid
        raise ValueError("unknown config param")
