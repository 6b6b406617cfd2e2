# SPDX-License-Identifier: MIT
"""One end of a urpc link, for test_urpc_desktop.py: runs under MicroPython
(the unix port) or CPython, on a pty or socket inherited as a file
descriptor, or in-process (check()).

    urpc_peer.py client FD BIG        check a server through the link
    urpc_peer.py requests FD N        N requests (HELLO included), then exit:
                                      a client board that resets
    urpc_peer.py gone FD SECONDS      a call of fx.sleep(SECONDS), and exit
                                      before its reply
    urpc_peer.py session FD           a new client on that link: new_session()
    urpc_peer.py server FD            serve urpc_fixture until the link ends
    urpc_peer.py server_async FD      the same with urpc_server.run() (asyncio),
                                      the ESP32's frozen runner
    urpc_peer.py http FD HOST PORT    an HTTP GET written for a board with
                                      networking, run through the shims
    qemu_http(HOST, PORT, PATH)       the same on the qemu board, over the
                                      REPL's UART (called from the raw REPL)
"""
import gc
import sys

try:
    from mpx import urpc
except ImportError:
    import urpc

MICROPYTHON = sys.implementation.name == "micropython"
MAX_BODY = 70000
CHECKS = 15          # what check() asserts


def open_fd(fd):
    if MICROPYTHON:
        return open(fd, "r+b")
    return open(fd, "r+b", buffering=0, closefd=False)


def _raises(exc_type, fn, *args):
    try:
        fn(*args)
    except exc_type as e:
        return e
    raise AssertionError("{} not raised".format(exc_type.__name__))


def check(client, big, proxies=1000):
    """Exercise the server's urpc_fixture through client, with bulk
    transfers of `big` bytes and `proxies` proxies made and dropped; returns
    the number of checks (an AssertionError says which failed)."""
    import binascii
    import errno

    fx = client.import_("urpc_fixture")
    checks = 0

    def ok(cond, what):
        nonlocal checks
        assert cond, what
        checks += 1

    ok(fx.VERSION == 3, "a value")
    ok(fx.add(2, 3) == 5, "a call")
    ok(fx.join("a", "b", sep="-", end="!") == "a-b!", "kwargs")
    c = fx.Counter(5)
    ok(c.incr(by=2) == 7 and c.value == 7, "a method and an attribute")
    c.value = 1
    ok(c.get() == 1, "setattr")
    again = fx.same(c)
    ok(again == c and hash(again) == hash(c) and fx.Counter() != c, "equal references")
    ok(fx.value_of(c) == 1, "a proxy passed back")
    ok(_raises(ValueError, fx.fail, "ValueError", "v").args == ("v",), "ValueError")
    ok(_raises(OSError, fx.fail, "OSError", errno.ECONNREFUSED).args[0] == errno.ECONNREFUSED, "OSError")
    ok(_raises(KeyError, fx.fail, "KeyError", "k").args == ("k",), "KeyError")
    e = _raises(urpc.RemoteError, fx.fail, "FixtureError", "x")
    ok(e.name == "FixtureError" and "FixtureError" in e.traceback, "a class only the server has")
    # Large transfers both ways, in frames of the link's largest body.
    r = fx.reader(big)
    buf = bytearray(32768)
    got = 0
    crc = 0
    while True:
        n = r.readinto(buf)
        if not n:
            break
        crc = binascii.crc32(buf[:n], crc)
        got += n
    ok(got == big and crc == binascii.crc32(bytes(i & 0xFF for i in range(big))), "bulk readinto")
    data = bytes((i * 7) & 0xFF for i in range(big))
    sink = fx.Sink()
    sink.sendall(data)
    ok(sink.size() == big and sink.crc32() == binascii.crc32(data), "bulk sendall")
    # Releases: proxies made and dropped leave the server's table as it was.
    del r, sink, again, c
    gc.collect()
    client.flush()
    base = client.server_stats()["objects"]
    for _ in range(proxies // 100):
        for _ in range(100):
            fx.new_object()
        gc.collect()
    gc.collect()
    client.flush()
    ok(client.server_stats()["objects"] == base, "released back to the baseline")
    s = client.stats()
    ok(s["releases_sent"] >= proxies and s["releases_lost"] == 0, "every release sent")
    assert checks == CHECKS, checks
    return checks


def requests(client, n):
    """Requests until n were sent, HELLO (the Client itself) included, with
    a Counter made and used when there is room for it; returns n."""
    kept = client.import_("urpc_fixture").Counter(0) if n >= 5 else None
    while client.stats()["calls"] < n:
        if kept is None:
            client.server_stats()
        else:
            kept.get()
    assert client.stats()["calls"] == n
    return n


def new_session(client, calls=150):
    """After the client restarted: each request of the new session runs
    once and gets its own reply (none dropped as a copy of an old one, none
    answered with an old reply)."""
    fx = client.import_("urpc_fixture")
    stale = client.server_stats()["stale"]
    c = fx.Counter(0)
    for i in range(calls):
        assert c.incr() == i + 1, i
    assert client.server_stats()["stale"] == stale
    return calls


def http_get(host, port, path):
    """The kind of code a board with its own WiFi runs, unchanged."""
    import network
    import select
    import socket

    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    wlan.connect("test-ssid", "secret")
    assert wlan.isconnected()
    addr = socket.getaddrinfo(host, port)[0][-1]
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(addr)
    s.send(b"GET " + path.encode() + b" HTTP/1.0\r\nHost: " + host.encode() + b"\r\n\r\n")
    poller = select.poll()
    poller.register(s, select.POLLIN)
    response = b""
    while True:
        if not poller.poll(5000):
            raise OSError("no answer from the HTTP server")
        chunk = s.recv(512)
        if not chunk:
            break
        response += chunk
    r, _, _ = select.select([s], [], [], 0)   # at the end, still readable (EOF)
    s.close()
    return response, len(r)


class StdioLink:
    """The REPL's UART as a urpc stream: the qemu board has no other UART.
    Offers urpc_wait(), so urpc waits on it instead of polling itself."""

    def __init__(self):
        import uselect

        self.poller = uselect.poll()
        self.poller.register(sys.stdin, uselect.POLLIN)
        self.rd = sys.stdin.buffer
        self.wr = sys.stdout.buffer

    def urpc_wait(self, timeout_ms):
        return bool(self.poller.poll(timeout_ms))

    def read(self, n):
        out = bytearray()
        while len(out) < n and self.poller.poll(0):
            out += self.rd.read(1)
        return bytes(out)

    def write(self, data):
        return self.wr.write(data)


def qemu_http(host, port, path):
    urpc.connect(StdioLink(), timeout=60)
    response, readable = http_get(host, port, path)
    client = urpc.client()
    client.import_("urpc_fixture").report(response, readable, client.stats()["calls"])


def main(argv):
    mode, fd = argv[0], int(argv[1])
    stream = open_fd(fd)
    if mode == "client":
        client = urpc.Client(stream, timeout=10, max_body=MAX_BODY)
        print("urpc_peer: {} checks passed".format(check(client, int(argv[2]))))
    elif mode == "requests":
        client = urpc.Client(stream, timeout=3, max_body=MAX_BODY)
        print("urpc_peer: {} requests".format(requests(client, int(argv[2]))))
    elif mode == "gone":
        client = urpc.Client(stream, timeout=3, max_body=MAX_BODY)
        sleep = client.import_("urpc_fixture").sleep
        client._timeout = 0                 # the request goes out; no reply is read
        try:
            sleep(float(argv[2]))
        except OSError:
            print("urpc_peer: gone before the reply")
    elif mode == "session":
        client = urpc.Client(stream, timeout=3, max_body=MAX_BODY)
        print("urpc_peer: a new session of {} calls".format(new_session(client)))
    elif mode == "server":
        server = urpc.Server(stream, allow=("urpc_fixture", "gc"), max_body=MAX_BODY)
        server.serve()
        print("urpc_peer: served {} requests".format(server.counts["requests"]))
    elif mode == "server_async":
        import urpc_server

        server = urpc_server.run(stream, allow=("urpc_fixture", "gc"), max_body=MAX_BODY)
        print("urpc_peer: served {} requests".format(server.counts["requests"]))
    elif mode == "http":
        urpc.connect(stream, timeout=10)
        response, readable = http_get(argv[2], int(argv[3]), argv[4])
        print(response.decode())
        print("urpc_peer: readable at the end:", readable)
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv[1:])
