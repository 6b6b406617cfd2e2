# SPDX-License-Identifier: MIT
"""The board files in micropython/boards: their manifests name files that
exist and freeze what the boards need; the client board leaves out the
built-in network and socket so the shims are found.

A firmware build needs MicroPython's source tree and toolchains, which the
tests do not fetch: README.md says how to build each board. This checks
what can be checked without them (CPython only).
"""
from mpxtest import IS_MICROPYTHON, skip

if not IS_MICROPYTHON:
    import os
    import re

    ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    BOARDS = os.path.join(ROOT, "micropython", "boards")
    # The urpc package as the boards freeze it: every file but __main__.py
    # (desktop), so a file added to the package must be added to the manifests.
    URPC = sorted("urpc/" + f for f in os.listdir(os.path.join(ROOT, "micropython", "urpc", "py", "urpc"))
                  if f.endswith(".py") and f != "__main__.py")


def _desktop_only():
    if IS_MICROPYTHON:
        skip("CPython only: reads the board files of the source tree")


def _frozen(board):
    """Run a board's manifest.py as MicroPython's makemanifest would (cwd =
    its directory), recording what it freezes and includes."""
    path = os.path.join(BOARDS, board, "manifest.py")
    frozen, included = [], []

    def resolve(p):
        assert "$(" not in p.replace("$(PORT_DIR)", "").replace("$(MPY_DIR)", ""), p
        return os.path.normpath(os.path.join(os.path.dirname(path), p))

    def include(p, **kw):
        included.append(p)

    def module(name, base_path=".", **kw):
        full = os.path.join(resolve(base_path), name)
        assert os.path.isfile(full), full
        frozen.append(name)

    def package(name, files=None, base_path=".", **kw):
        base = os.path.join(resolve(base_path), name)
        assert os.path.isdir(base), base
        for f in files or sorted(os.listdir(base)):
            assert os.path.isfile(os.path.join(base, f)), f
            frozen.append(name + "/" + f)

    with open(path) as f:
        code = compile(f.read(), path, "exec")
    exec(code, {"include": include, "module": module, "package": package,
                "require": lambda *a, **k: None, "freeze": lambda *a, **k: None})
    return frozen, included


def test_client_board_freezes_urpc_the_shims_and_its_link():
    _desktop_only()
    frozen, included = _frozen("ADAFRUIT_F405_IOT")
    assert included == ["$(PORT_DIR)/boards/manifest.py"]     # asyncio and the port's usual
    # The client end of urpc only: the ESP32 serves.
    client_urpc = [f for f in URPC if f != "urpc/server.py"]
    assert sorted(frozen) == ["network.py", "select.py", "socket.py", "ssl.py"] + client_urpc + ["urpc_board.py"]


def test_client_board_leaves_out_network_and_socket():
    _desktop_only()
    with open(os.path.join(BOARDS, "ADAFRUIT_F405_IOT", "mpconfigboard.h")) as f:
        h = f.read()
    assert re.search(r"#define MICROPY_PY_NETWORK\s+\(0\)", h)
    assert re.search(r"#define MICROPY_PY_SOCKET\s+\(0\)", h)
    assert re.search(r"#define MICROPY_HW_ENABLE_INTERNAL_FLASH_STORAGE\s+\(0\)", h)
    assert "MP_SPIFLASH_BUS_SPI" in open(os.path.join(BOARDS, "ADAFRUIT_F405_IOT", "bdev.c")).read()
    with open(os.path.join(BOARDS, "ADAFRUIT_F405_IOT", "mpconfigboard.mk")) as f:
        mk = f.read()
    # The board brings the mpx C modules: the path it names is the module tree.
    assert "USER_C_MODULES ?= $(MPX_DIR)/micropython" in mk
    for mod in ("msgpack", "finaliserproxy", "ioctl", "urpc"):
        assert os.path.isfile(os.path.join(ROOT, "micropython", mod, "micropython.mk")), mod


def test_server_manifest_freezes_urpc_and_its_runner():
    _desktop_only()
    frozen, included = _frozen("ESP32_URPC_SERVER")
    assert included == ["$(PORT_DIR)/boards/manifest.py"]
    assert sorted(frozen) == URPC + ["urpc_server.py"]
    with open(os.path.join(BOARDS, "ESP32_URPC_SERVER", "boot.py")) as f:
        boot = f.read()
    compile(boot, "boot.py", "exec")
    assert "urpc_server.run(" in boot


def test_the_client_boards_urpc_imports_without_the_server():
    """The F405 freezes urpc without server.py: the package still imports,
    the client end works, and only the server's names are missing."""
    _desktop_only()
    import shutil
    import subprocess
    import sys
    import tempfile

    frozen, _ = _frozen("ADAFRUIT_F405_IOT")
    src = os.path.join(ROOT, "micropython", "urpc", "py")
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "urpc"))
        for f in frozen:
            if f.startswith("urpc/"):
                shutil.copy(os.path.join(src, f), os.path.join(tmp, f))
        code = ("import sys; sys.path[:0] = [{!r}, {!r}]\n"
                "import urpc\n"
                "assert not hasattr(urpc, 'Server') and not hasattr(urpc, 'DEFAULT_ALLOW')\n"
                "assert urpc.Client and urpc.Proxy and urpc.RemoteError and urpc.connect\n"
                "print('ok')\n").format(tmp, os.path.join(ROOT, "cpython"))
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert r.stdout.strip() == "ok", r.stdout + r.stderr
