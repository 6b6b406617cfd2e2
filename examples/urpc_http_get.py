# SPDX-License-Identifier: MIT
# An HTTP GET written for a MicroPython board with its own WiFi. On the urpc
# client board (ADAFRUIT_F405_IOT) it runs unchanged: `socket` and `select`
# are the frozen shims, and the board's link to the ESP32 opens by itself.
#
# make demo runs it under MicroPython's unix port with the shims on the path
# and the link on a pty to a desktop urpc server:
#     micropython urpc_http_get.py FD HOST PORT
import sys

if len(sys.argv) > 1:  # the demo's link (on the board, urpc_board opens it)
    import urpc

    urpc.connect(open(int(sys.argv[1]), "r+b"), timeout=10)
    host, port = sys.argv[2], int(sys.argv[3])
else:
    host, port = "micropython.org", 80

import select
import socket

addr = socket.getaddrinfo(host, port)[0][-1]
s = socket.socket()
s.connect(addr)
s.send(b"GET / HTTP/1.0\r\nHost: " + host.encode() + b"\r\n\r\n")
poller = select.poll()
poller.register(s, select.POLLIN)
response = b""
while poller.poll(5000):
    chunk = s.recv(256)
    if not chunk:
        break
    response += chunk
s.close()
head, _, body = response.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode())
print(body.decode())
