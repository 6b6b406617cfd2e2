# SPDX-License-Identifier: MIT
"""urpc over real streams between processes: a desktop server
(`python3 -m mpx.urpc`) and clients over a socketpair and a raw pty, with
serve() and serve_async(); a server killed mid-call; a relay that damages
1% of the bytes; and, when $MICROPY names a MicroPython unix binary, a
MicroPython client against a desktop server and the reverse, and an HTTP
GET through the board shims (socket, network, select).

CPython only (processes, ptys, threads): under MicroPython every test skips
with the reason. The protocol itself is in test_urpc.py, on all runtimes.
"""
import errno
import gc

from mpxtest import IS_MICROPYTHON, raises, skip

if not IS_MICROPYTHON:
    import http.server
    import os
    import pty
    import random
    import select
    import socket
    import subprocess
    import sys
    import termios
    import threading
    import time
    import tty

    from mpx import urpc

    import urpc_peer

    HERE = os.path.dirname(os.path.abspath(__file__))
    ROOT = os.path.dirname(os.path.dirname(HERE))
    URPC_PY = os.path.join(ROOT, "micropython", "urpc", "py")
    SHIMS = os.path.join(URPC_PY, "shims")
    ESP32_MODULES = os.path.join(ROOT, "micropython", "boards", "ESP32_URPC_SERVER", "modules")
    ALLOW = "urpc_fixture,gc,time"
    BIG = 1 << 20


def _desktop_only():
    if IS_MICROPYTHON:
        skip("CPython only: processes, ptys and threads (the protocol runs everywhere in test_urpc)")


def _env():
    env = dict(os.environ)
    if not env.get("MPX_TEST_INSTALLED"):
        env["PYTHONPATH"] = os.path.join(ROOT, "cpython")
    return env


class ServerProcess:
    """`python3 -m mpx.urpc --fd N` in a child process."""

    def __init__(self, fd, *extra, allow=None, path=None):
        cmd = [sys.executable, "-m", "mpx.urpc", "--fd", str(fd), "--allow", allow or ALLOW,
               "--max-body", str(urpc_peer.MAX_BODY), "--path", path or HERE] + list(extra)
        self.proc = subprocess.Popen(cmd, pass_fds=(fd,), env=_env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)

    def stop(self, kill=False):
        if kill:
            self.proc.kill()
        try:
            out, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError("the server did not stop when its link ended")
        return out.decode() + err.decode()


def _socketpair(*extra):
    """A client socket and a server process on the other end."""
    a, b = socket.socketpair()
    server = ServerProcess(b.fileno(), *extra)
    b.close()
    return a, server


def _pty(*extra, nonblocking=False):
    """A raw pty: the client gets the master, the server process the slave
    (as a UART, the slave stays open here: the link never hangs up)."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    if nonblocking:
        os.set_blocking(slave, False)
    return master, slave


def _client(stream, **kw):
    kw.setdefault("timeout", 10)
    kw.setdefault("max_body", urpc_peer.MAX_BODY)
    return urpc.Client(stream, **kw)


def _end_to_end(kind, *extra):
    if kind == "socketpair":
        stream, server = _socketpair(*extra)
        closers = [stream.close]
    else:
        master, slave = _pty()
        server = ServerProcess(slave, *extra)
        stream = open(master, "r+b", buffering=0)
        closers = [stream.close, lambda: os.close(slave)]
    try:
        client = _client(stream)
        # With 10,000 proxies created and dropped: the table is back at its baseline.
        assert urpc_peer.check(client, BIG, proxies=10000) == urpc_peer.CHECKS
        assert client.stats()["timeouts"] == 0
    finally:
        for close in closers:
            close()
    out = server.stop(kill=(kind == "pty"))   # a pty never ends: as a UART
    if kind == "socketpair":
        assert out == "", out                  # nothing but frames, and no crash


def test_end_to_end_over_a_socketpair():
    _desktop_only()
    _end_to_end("socketpair")


def test_end_to_end_over_a_raw_pty():
    _desktop_only()
    _end_to_end("pty")


def test_serve_async_over_a_socketpair_and_a_pty():
    _desktop_only()
    _end_to_end("socketpair", "--async")
    _end_to_end("pty", "--async")


def test_tcp_server_serves_one_client_after_another():
    _desktop_only()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    proc = subprocess.Popen([sys.executable, "-m", "mpx.urpc", "--tcp", "127.0.0.1:%d" % port,
                             "--path", HERE, "--allow", ALLOW], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        sessions = []
        for n in range(2):
            while True:
                try:
                    conn = socket.create_connection(("127.0.0.1", port))
                    break
                except ConnectionRefusedError:
                    assert time.monotonic() < deadline, "the TCP server did not listen"
                    time.sleep(0.05)
            with conn:
                client = _client(conn)
                assert client.import_("urpc_fixture").add(n, 40) == n + 40
                sessions.append(client.server["session"])
        assert sessions == [1, 1]          # a new Server for each connection
    finally:
        proc.kill()
        out, err = proc.communicate()
    assert err == b"" or b"Traceback" not in err, err


def test_device_server_on_a_pty_path():
    """--device opens a serial device by name and makes it raw (here the
    slave side of a pty, which starts in cooked mode with echo on)."""
    _desktop_only()
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "mpx.urpc", "--device", os.ttyname(slave),
                             "--baud", "115200", "--path", HERE, "--allow", ALLOW], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stream = open(master, "r+b", buffering=0)
    try:
        deadline = time.monotonic() + 20
        while termios.tcgetattr(slave)[3] & termios.ECHO:     # until the server made it raw
            assert time.monotonic() < deadline and proc.poll() is None, "the server did not open it"
            time.sleep(0.02)
        client = _client(stream)
        assert client.import_("urpc_fixture").join("a", "b", sep="+") == "a+b"
        assert client.stats()["frames_dropped"] == 0
    finally:
        stream.close()
        os.close(slave)
        proc.kill()
        proc.communicate()


def test_the_default_modules_do_not_open_the_host():
    """CPython's socket module holds os and sys; a dotted allow entry gives
    that module, not its package."""
    _desktop_only()
    a, b = socket.socketpair()
    server = ServerProcess(b.fileno(), allow="socket,os.path")
    b.close()
    try:
        client = _client(a)
        sock = client.import_("socket")
        raises(ImportError, getattr, sock, "os")
        raises(ImportError, getattr, sock, "sys")
        assert isinstance(sock.gethostname(), str)
        path = client.import_("os.path")
        assert path.join("a", "b") == os.path.join("a", "b")
        raises(ImportError, getattr, path, "os")
        raises(ImportError, client.import_, "os")
    finally:
        a.close()
        server.stop()


def test_serve_async_lets_other_tasks_run():
    _desktop_only()
    import asyncio

    a, b = socket.socketpair()
    ticks = [0]
    result = []

    async def ticker():
        while True:
            ticks[0] += 1
            await asyncio.sleep(0.001)

    async def main():
        t = asyncio.create_task(ticker())
        server = urpc.Server(b, allow=("urpc_fixture",))
        await server.serve_async()        # returns when the client's end closes
        t.cancel()
        result.append(server.counts)

    th = threading.Thread(target=lambda: asyncio.run(main()))
    th.start()
    client = _client(a)
    fx = client.import_("urpc_fixture")
    seen = []
    for i in range(20):
        assert fx.add(i, 1) == i + 1
        time.sleep(0.005)
        seen.append(ticks[0])
    a.close()
    th.join(10)
    assert not th.is_alive(), "serve_async did not return at the end of the stream"
    assert result and result[0]["requests"] >= 21 and result[0]["errors"] == 0
    assert seen[-1] > seen[0], "no other task ran while the server was idle"


def test_a_server_killed_mid_call_times_out_on_a_pty_then_a_new_one_serves():
    _desktop_only()
    master, slave = _pty()
    stream = open(master, "r+b", buffering=0)
    server = ServerProcess(slave)
    try:
        client = _client(stream, timeout=1.5)
        fx = client.import_("urpc_fixture")
        c = fx.Counter(1)
        threading.Timer(0.3, server.proc.kill).start()
        e = raises(OSError, fx.sleep, 5)          # killed while it sleeps
        assert e.args[0] == errno.ETIMEDOUT, e
        assert client.stats()["timeouts"] == 1
        server.stop()
        # The board reboots the server: its UART starts empty.
        termios.tcflush(slave, termios.TCIOFLUSH)
        server = ServerProcess(slave)
        info = client.hello()
        assert info["session"] == 1               # a new server
        raises(ReferenceError, getattr, c, "get")  # a proxy of the old one is dead
        del c
        gc.collect()
        fx = client.import_("urpc_fixture")
        assert fx.add(1, 2) == 3
        client.flush()
        assert client.server_stats()["objects"] == 1   # only fx: no stale release reached it
        assert client.stats()["live"] == 1
    finally:
        stream.close()
        server.stop(kill=True)
        os.close(slave)


def test_a_server_killed_mid_call_on_a_socket_ends_the_stream():
    _desktop_only()
    stream, server = _socketpair()
    try:
        client = _client(stream, timeout=5)
        fx = client.import_("urpc_fixture")
        threading.Timer(0.3, server.proc.kill).start()
        e = raises(OSError, fx.sleep, 10)
        # A socket says the peer is gone: no need to wait for the timeout.
        assert e.args[0] == errno.ECONNRESET, e
        assert client.stats()["timeouts"] == 0
    finally:
        stream.close()
        server.stop()


class Relay:
    """Copies bytes between two sockets, flipping or dropping `rate` of them."""

    def __init__(self, a, b, rate, seed=7):
        self.a, self.b, self.rate = a, b, rate
        self.rng = random.Random(seed)
        self.flipped = self.dropped = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def damage(self, data):
        out = bytearray()
        for byte in data:
            r = self.rng.random()
            if r < self.rate / 2:
                out.append(byte ^ (1 << self.rng.randrange(8)))
                self.flipped += 1
            elif r < self.rate:
                self.dropped += 1
            else:
                out.append(byte)
        return bytes(out)

    def run(self):
        peer = {self.a: self.b, self.b: self.a}
        while not self.stop:
            ready, _, _ = select.select([self.a, self.b], [], [], 0.05)
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                peer[s].sendall(self.damage(data))


def test_one_percent_damage_on_a_real_link():
    _desktop_only()
    client_sock, relay_a = socket.socketpair()
    relay_b, server_sock = socket.socketpair()
    server = ServerProcess(server_sock.fileno())
    server_sock.close()
    relay = Relay(relay_a, relay_b, 0.0)
    try:
        client = _client(client_sock, timeout=0.5, retry=0.04)
        fx = client.import_("urpc_fixture")
        counter = fx.Counter(0)
        relay.rate = 0.01
        right = failed = incremented = 0
        for i in range(150):
            try:
                if i % 3 == 0:
                    assert fx.add(i, i) == 2 * i
                elif i % 3 == 1:
                    payload = bytes([i]) * (i % 40)   # small frames: most get through
                    assert fx.echo(payload) == payload
                else:
                    counter.incr()
                    incremented += 1
                right += 1
            except OSError as e:           # the only failure: no reply in time
                assert e.args[0] == errno.ETIMEDOUT, e
                failed += 1
        assert relay.flipped + relay.dropped > 50      # the link was damaged
        print("damage: %d right, %d timed out, %d flipped, %d dropped" % (right, failed, relay.flipped, relay.dropped))
        assert right > 100, (right, failed)
        relay.rate = 0.0                               # and it recovers
        for i in range(20):
            assert fx.add(i, 1) == i + 1
        # Each increment ran once (retries are answered, not re-run); one
        # that timed out may or may not have run.
        assert incremented <= counter.get() <= 50
        s = client.stats()
        assert s["retries"] > 0 and s["frames_dropped"] + s["bytes_skipped"] > 0
    finally:
        relay.stop = True
        relay.thread.join(5)
        client_sock.close()
        relay_a.close()
        relay_b.close()
        server.stop()


# --- MicroPython against the desktop ------------------------------------------

def _micropython():
    for path in os.environ.get("MICROPY", "").split(":"):
        if path and not path.endswith(".elf") and os.path.exists(path):
            return path
    skip("MICROPY names no MicroPython unix binary (needed for a pty to a MicroPython process)")


def _run_micropython(micropy, args, fd, path, timeout=120):
    env = dict(os.environ, MICROPYPATH=":".join(list(path) + [".frozen"]))
    p = subprocess.run([micropy, "-X", "heapsize=16m", os.path.join(HERE, "urpc_peer.py")] + args,
                       pass_fds=(fd,), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    return p.returncode, p.stdout.decode()


def test_micropython_client_against_a_desktop_server():
    _desktop_only()
    micropy = _micropython()
    master, slave = _pty(nonblocking=True)
    server = ServerProcess(master)
    try:
        rc, out = _run_micropython(micropy, ["client", str(slave), str(256 * 1024)], slave,
                                   [HERE, URPC_PY])
    finally:
        os.close(slave)
        os.close(master)
        log = server.stop()
    assert rc == 0 and "urpc_peer: %d checks passed" % urpc_peer.CHECKS in out, out
    assert log == "", log


def test_micropython_clients_that_restart_against_a_desktop_server():
    """The client board resets while the server runs: each new MicroPython
    process is a new client on the same link, after 1, 3 or 100 requests of
    the one before, or in the middle of a call (its reply comes after the
    new client started, or is waiting for it)."""
    _desktop_only()
    micropy = _micropython()
    master, slave = _pty(nonblocking=True)
    server = ServerProcess(master)

    def peer(*args):
        rc, out = _run_micropython(micropy, [args[0], str(slave)] + list(args[1:]), slave,
                                   [HERE, URPC_PY])
        assert rc == 0, out
        return out

    try:
        for n in (1, 3, 100):
            assert "urpc_peer: %d requests" % n in peer("requests", str(n))
            assert "urpc_peer: a new session of 150 calls" in peer("session")
        for seconds in ("0.5", "0"):
            assert "urpc_peer: gone before the reply" in peer("gone", seconds)
            assert "urpc_peer: a new session of 150 calls" in peer("session")
    finally:
        os.close(slave)
        os.close(master)
        log = server.stop()
    assert log == "", log


def test_desktop_clients_that_restart_against_a_micropython_server():
    """The product's case from the other side: the ESP32's server (here
    MicroPython's unix port) runs on while its client restarts."""
    _desktop_only()
    micropy = _micropython()
    master, slave = _pty(nonblocking=True)
    env = dict(os.environ, MICROPYPATH=":".join([HERE, URPC_PY, ".frozen"]))
    proc = subprocess.Popen([micropy, "-X", "heapsize=16m", os.path.join(HERE, "urpc_peer.py"),
                             "server", str(slave)], pass_fds=(slave,), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.close(slave)
    stream = open(master, "r+b", buffering=0)
    try:
        for n in (1, 3, 100):
            assert urpc_peer.requests(_client(stream, timeout=3), n) == n
            assert urpc_peer.new_session(_client(stream, timeout=3)) == 150
        for seconds in (0.5, 0):
            client = _client(stream, timeout=3)
            sleep = client.import_("urpc_fixture").sleep
            # The request goes out and the client is gone before the reply:
            # it reads nothing (a timeout of 0 alone would still take a reply
            # that is already there, as it is on a loaded machine).
            client._timeout = 0
            client._link.frames = lambda wait: iter(())
            raises(OSError, sleep, seconds)
            assert urpc_peer.new_session(_client(stream, timeout=3)) == 150
    finally:
        stream.close()
        try:
            out = proc.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("the MicroPython server did not stop when the link ended")
    assert proc.returncode == 0 and "urpc_peer: served" in out, out


def _against_a_micropython_server(mode):
    micropy = _micropython()
    master, slave = _pty(nonblocking=True)
    env = dict(os.environ, MICROPYPATH=":".join([HERE, URPC_PY, ESP32_MODULES, ".frozen"]))
    proc = subprocess.Popen([micropy, "-X", "heapsize=16m", os.path.join(HERE, "urpc_peer.py"),
                             mode, str(slave)], pass_fds=(slave,), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.close(slave)
    stream = open(master, "r+b", buffering=0)
    try:
        client = _client(stream)
        assert urpc_peer.check(client, 256 * 1024) == urpc_peer.CHECKS
        assert client.server["name"] == "urpc"
        served = client.server_stats()["requests"]
    finally:
        stream.close()     # the MicroPython server sees the pty hang up and stops
        try:
            out = proc.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("the MicroPython server did not stop when the link ended")
    assert proc.returncode == 0 and "urpc_peer: served %d requests" % served in out, out


def test_desktop_client_against_a_micropython_server():
    _desktop_only()
    _against_a_micropython_server("server")


def test_desktop_client_against_the_esp32_runner_on_micropython():
    """urpc_server.run(): serve_async() under MicroPython's asyncio."""
    _desktop_only()
    probe = subprocess.run([_micropython(), "-c", "import asyncio"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
    if probe.returncode != 0:
        skip("this MicroPython has no asyncio (built without its frozen manifest)")
    _against_a_micropython_server("server_async")


class _Page(http.server.BaseHTTPRequestHandler if not IS_MICROPYTHON else object):
    BODY = b"hello from the desktop, " + b"x" * 3000 + b" end\n"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.BODY)))
        self.end_headers()
        self.wfile.write(self.BODY + self.path.encode())

    def log_message(self, *args):
        pass


def test_http_get_on_micropython_through_the_shims():
    _desktop_only()
    micropy = _micropython()
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    master, slave = _pty(nonblocking=True)
    server = ServerProcess(master, allow="socket,select,network,time",
                           path=os.path.join(HERE, "server_modules"))
    try:
        rc, out = _run_micropython(micropy, ["http", str(slave), "127.0.0.1",
                                             str(httpd.server_port), "/page"],
                                   slave, [SHIMS, URPC_PY, HERE])
    finally:
        httpd.shutdown()
        os.close(slave)
        os.close(master)
        server.stop()
    assert rc == 0, out
    assert out.startswith("HTTP/1.0 200 OK"), out
    assert _Page.BODY.decode() + "/page" in out, out
    assert "urpc_peer: readable at the end: 1" in out, out


def _qemu_firmware():
    for path in os.environ.get("MICROPY", "").split(":"):
        if path.endswith(".elf") and os.path.exists(path):
            return path
    skip("MICROPY names no qemu firmware .elf (a MicroPython board on an emulated Cortex-M)")


def _recv_until(sock, marker, deadline):
    buf = b""
    while marker not in buf:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            raise AssertionError("qemu said %r, not %r" % (buf[-200:], marker))
        if not chunk:
            raise AssertionError("qemu closed its UART after %r" % buf[-200:])
        buf += chunk
    return buf


def test_http_get_on_a_cortex_m7_board_in_qemu_through_the_shims():
    """The client board's story on an emulated Cortex-M7 running MicroPython:
    the frozen-style urpc client and shims talk over the board's UART to a
    desktop server, and plain socket code fetches a page."""
    _desktop_only()
    firmware = _qemu_firmware()
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    sys.path.insert(0, os.path.join(HERE, "server_modules"))
    try:
        import mpy_test
        import network  # noqa: F401  (the server's stand-in, imported while on the path)
        import urpc_fixture
    finally:
        del sys.path[:2]
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    import shutil
    import tempfile

    tmp = tempfile.mkdtemp()
    image = os.path.join(tmp, "romfs.img")
    with open(image, "wb") as f:
        f.write(mpy_test.romfs_image({"py": HERE, "lib0": URPC_PY, "shims": SHIMS}))
    uart = os.path.join(tmp, "uart.sock")
    qemu = os.environ.get("MICROPY_QEMU", "qemu-system-arm -machine mps2-an500").split()
    addr = os.environ.get("MICROPY_ROMFS_ADDR", "0x60C00000")
    proc = subprocess.Popen(qemu + [
        "-nographic", "-monitor", "none", "-semihosting",
        "-chardev", "socket,id=uart,path={},server=on,wait=on".format(uart), "-serial", "chardev:uart",
        "-device", "loader,file={},addr={},force-raw=on".format(image, addr), "-kernel", firmware],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sock = socket.socket(socket.AF_UNIX)
    del urpc_fixture.REPORTS[:]
    serving = None
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock.connect(uart)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                assert time.monotonic() < deadline, "qemu did not open its UART socket"
                time.sleep(0.05)
        _recv_until(sock, b">>> ", deadline)
        sock.sendall(b"\r\x01")
        _recv_until(sock, b"raw REPL; CTRL-B to exit\r\n>", deadline)
        code = (mpy_test.rom_mount_code(addr, os.path.getsize(image)) +
                "import sys\nsys.path[:0] = ['/rom/shims', '/rom/lib0', '/rom/py']\n"
                "import urpc_peer\nurpc_peer.qemu_http('127.0.0.1', {}, '/page')\n").format(httpd.server_port)
        sock.sendall(code.encode() + b"\x04")
        _recv_until(sock, b"OK", deadline)
        sock.settimeout(None)
        server = urpc.Server(sock, allow=("socket", "select", "network", "time", "urpc_fixture"))
        serving = threading.Thread(target=server.serve, daemon=True)
        serving.start()
        deadline = time.monotonic() + 120
        while not urpc_fixture.REPORTS and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
    finally:
        proc.kill()
        out = proc.communicate()[0].decode("utf-8", "replace")
        sock.close()
        httpd.shutdown()
        if serving is not None:
            serving.join(10)
        shutil.rmtree(tmp)
    assert urpc_fixture.REPORTS, "no report from the board; qemu said: " + out[-2000:]
    response, readable, calls = urpc_fixture.REPORTS[0]
    assert response.startswith(b"HTTP/1.0 200 OK"), response[:200]
    assert (_Page.BODY + b"/page") in response
    assert readable == 1 and calls > 5
    assert server.counts["errors"] == 0, server.counts
