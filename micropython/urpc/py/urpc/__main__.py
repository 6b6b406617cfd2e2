# SPDX-License-Identifier: MIT
"""Run a urpc server on the desktop (CPython only):

    python3 -m mpx.urpc --device /dev/ttyUSB0 [--baud 115200] [--allow socket,select,...]
    python3 -m mpx.urpc --fd 3 --allow ...          (a socket or pty handed over by a parent)
    python3 -m mpx.urpc --tcp 127.0.0.1:7777 ...    (serve one connection at a time)
"""
import argparse
import os
import socket
import sys

from . import DEFAULT_ALLOW, Server


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m mpx.urpc", description=__doc__.splitlines()[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--device", help="a serial device or pty (raw mode is set)")
    where.add_argument("--fd", type=int, help="an inherited file descriptor (socket or tty)")
    where.add_argument("--tcp", metavar="HOST:PORT", help="listen and serve one client at a time")
    ap.add_argument("--baud", type=int, default=0, help="set the serial speed")
    ap.add_argument("--allow", default=",".join(DEFAULT_ALLOW), help="modules the client may import")
    ap.add_argument("--path", action="append", default=[], help="add to sys.path (modules to serve)")
    ap.add_argument("--max-body", type=int, default=65536)
    ap.add_argument("--max-objects", type=int, default=1024)
    ap.add_argument("--async", dest="use_async", action="store_true", help="serve with asyncio")
    args = ap.parse_args(argv)
    sys.path[:0] = args.path
    allow = tuple(a for a in args.allow.split(",") if a)
    opts = dict(allow=allow, max_body=args.max_body, max_objects=args.max_objects)

    def serve(stream):
        server = Server(stream, **opts)
        if args.use_async:
            import asyncio
            asyncio.run(server.serve_async())
        else:
            server.serve()

    if args.tcp:
        host, port = args.tcp.rsplit(":", 1)
        with socket.create_server((host, int(port))) as ls:
            while True:
                conn, _ = ls.accept()
                with conn:
                    serve(conn)
    if args.fd is not None:
        try:
            stream = socket.socket(fileno=args.fd)
        except OSError:
            stream = os.fdopen(args.fd, "r+b", buffering=0)
    else:
        stream = open(args.device, "r+b", buffering=0)
        if os.isatty(stream.fileno()):
            import termios
            import tty

            tty.setraw(stream.fileno())
            if args.baud:
                attrs = termios.tcgetattr(stream.fileno())
                speed = getattr(termios, "B%d" % args.baud)
                attrs[4] = attrs[5] = speed
                termios.tcsetattr(stream.fileno(), termios.TCSANOW, attrs)
    serve(stream)


if __name__ == "__main__":
    main()
