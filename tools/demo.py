#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make demo: the project's main job in one command.

Runs the examples (examples/) on the desktop (CPython with the mpx package
built in place) and, when MICROPY names MicroPython executables
(':'-separated; a qemu firmware .elf works too), on MicroPython, printed like
the seed's sessions; then the urpc session, and what to try next. The display
demo's PNG files go to build/demo.
"""
import contextlib
import gc
import io
import os
import runpy
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES_DIR = os.path.join(ROOT, "examples")
sys.path.insert(0, os.path.join(ROOT, "cpython"))  # the package, built in place by make
sys.path.insert(0, EXAMPLES_DIR)  # what an example imports from beside it, as when run as a script

PNG_DIR = os.path.relpath(os.path.join(ROOT, "build", "demo"))  # as make runs it: build/demo
EXAMPLES = [
    ("MessagePack", "msgpack_session.py", []),
    ("MessagePack ExtType", "msgpack_ext_type.py", []),
    ("FinaliserProxy", "finaliserproxy_seed.py", []),
    ("ioctl: a Python stream answers poll", "ioctl_poll.py", []),
    ("mp_rlvgl: the display stack on its simulator", "rlvgl_demo.py", ["--out", PNG_DIR]),
]

# The commands here are README.md's, as typed (test_readme.py checks it).
NEXT = """\
What next:
- The desktop toolkit in a venv, offline: the mpx modules, mp_rlvgl, and the
  commands mpx-dfu (flash STM32 boards over USB DFU) and mpx-dfu-sim
  (README.md, "Install the desktop toolkit"):
      tools/deps.sh venv
      /usr/bin/python3 -m venv --system-site-packages ~/mpx-venv
      ~/mpx-venv/bin/pip install --no-build-isolation --no-index .
      . ~/mpx-venv/bin/activate
      mpx-dfu --version
  then the README's tour of each part, e.g.
      python examples/msgpack_session.py
- The reference, a page per part: docs/ (msgpack, finaliserproxy and ioctl,
  urpc, display, dfu, boards, testing). Every test: make test.
- With DISPLAY set, make demo shows the display app in a window; with
  MICROPY=/path/to/micropython it runs the same scripts under MicroPython.
"""


def run_cpython(path, args):
    out = io.StringIO()
    argv = sys.argv
    sys.argv = [path] + args
    try:
        with contextlib.redirect_stdout(out):
            # What the script still holds at its end goes now, as when a process
            # ends: its finalisers print with the script's output.
            runpy.run_path(path, run_name="__main__").clear()
            gc.collect()
    finally:
        sys.argv = argv
    return out.getvalue()


def run_micropython(micropy, path, args):
    if micropy.endswith(".elf"):
        import mpy_test  # beside this file
        return mpy_test.run_script_qemu(micropy, path)
    p = subprocess.run([micropy, path] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    return p.stdout.decode("utf-8", "replace")


PAGE = b"Hello from the desktop's web server, fetched through urpc.\n"


def urpc_session(micropy):
    """The WiFi co-processor's job on one machine: a urpc server process (as
    the ESP32 would run) on a pty, a desktop client using its socket module,
    and, with MICROPY, a MicroPython process running plain socket code
    through the board shims. Returns True if every part worked."""
    import http.server
    import pty
    import threading
    import tty

    from mpx import urpc

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_port
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "cpython"))
    ok = True

    def serve(fd):
        return subprocess.Popen([sys.executable, "-m", "mpx.urpc", "--fd", str(fd),
                                 "--allow", "socket,select,time,gc"], pass_fds=(fd,), env=env)

    # The desktop client: the server's socket module through proxies.
    master, slave = pty.openpty()
    tty.setraw(slave)
    server = serve(slave)
    with open(master, "r+b", buffering=0) as link:
        client = urpc.Client(link, timeout=5)
        socket = client.import_("socket")
        print("server:", client.server)
        s = socket.socket()
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        reply = b""
        while True:
            chunk = s.recv(256)
            if not chunk:
                break
            reply += chunk
        s.close()
        print("status:", reply.split(b"\r\n")[0].decode())
        print("body:  ", reply.partition(b"\r\n\r\n")[2].decode().strip())
        del s
        client.flush()
        st = client.stats()
        print("client: {} calls, {} bytes out, {} bytes in, {} releases sent, {} live references".format(
            st["calls"], st["bytes_out"], st["bytes_in"], st["releases_sent"], st["live"]))
        print("server: {} objects held".format(client.server_stats()["objects"]))
        ok = ok and reply.endswith(PAGE)
    server.kill()
    server.wait()
    os.close(slave)

    # A MicroPython process: plain socket code, through the shims.
    if micropy:
        master, slave = pty.openpty()
        tty.setraw(slave)
        os.set_blocking(slave, False)
        server = serve(master)
        shims = os.path.join(ROOT, "micropython", "urpc", "py")
        mp_env = dict(os.environ, MICROPYPATH=":".join([shims + "/shims", shims, ".frozen"]))
        p = subprocess.run([micropy, os.path.join(ROOT, "examples", "urpc_http_get.py"), str(slave),
                            "127.0.0.1", str(port)], pass_fds=(slave,), env=mp_env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        print("\n----- MicroPython {}: examples/urpc_http_get.py through the shims\n".format(micropy))
        sys.stdout.write(p.stdout.decode("utf-8", "replace"))
        ok = ok and p.returncode == 0 and PAGE.decode() in p.stdout.decode("utf-8", "replace")
        os.close(slave)
        os.close(master)
        server.kill()
        server.wait()
    httpd.shutdown()
    return ok


def main():
    targets = [("desktop (CPython, mpx)", None)]
    for m in filter(None, os.environ.get("MICROPY", "").split(":")):
        targets.append(("MicroPython {}".format(m), m))
    ok = True
    for title, script, args in EXAMPLES:
        print("=== {} ===".format(title))
        path = os.path.join(EXAMPLES_DIR, script)
        for name, micropy in targets:
            print("\n----- {}\n".format(name))
            try:
                out = run_cpython(path, args) if micropy is None else run_micropython(micropy, path, args)
            except Exception as e:  # noqa: BLE001 - report and carry on
                out = "failed: {}: {}\n".format(type(e).__name__, e)
                ok = False
            sys.stdout.write(out)
        print()
    print("=== urpc: a server's socket module, used from a client ===")
    print("\n----- desktop client (CPython, mpx.urpc) of a desktop server on a pty\n")
    unix = [m for _, m in targets if m and not m.endswith(".elf")]
    try:
        ok = urpc_session(unix[0] if unix else None) and ok
    except Exception as e:  # noqa: BLE001 - report and carry on
        print("failed: {}: {}".format(type(e).__name__, e))
        ok = False
    print()
    print(NEXT, end="")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
