# SPDX-License-Identifier: MIT
"""The urpc package as a client-only firmware freezes it (the
ADAFRUIT_F405_IOT board: no server.py): it imports, `from urpc import *`
works and gives the client's names only; and a server.py whose own import
fails is not hidden.

Runs under CPython and MicroPython (the unix port and the qemu board, where
MicroPython 1.28 honours __all__ in a star import). The packages under test
are tests/py/urpc_client_only/urpc (the board's files, links to the package's)
and tests/py/urpc_broken_server/urpc (the same with a failing server.py).
"""
import sys

from mpxtest import IS_MICROPYTHON, raises

CLIENT_NAMES = ("Client", "Proxy", "RemoteError", "PROTOCOL", "connect", "client", "module_getattr")
SERVER_NAMES = ("Server", "DEFAULT_ALLOW")


def _here():
    return __file__.rsplit("/", 1)[0] if "/" in __file__ else "."


class _package:
    """Import the package `urpc` from the folder `where` (under tests/py) for
    a with-block, with any urpc already imported put aside."""

    def __init__(self, where):
        self.path = _here() + "/" + where

    def __enter__(self):
        self.saved = {}
        for name in list(sys.modules):
            if name == "urpc" or name.startswith("urpc."):
                self.saved[name] = sys.modules.pop(name)
        sys.path.insert(0, self.path)
        return self

    def load(self):
        import urpc

        return urpc

    def __exit__(self, *exc):
        sys.path.remove(self.path)
        for name in list(sys.modules):
            if name == "urpc" or name.startswith("urpc."):
                del sys.modules[name]
        sys.modules.update(self.saved)


def _star(module_name):
    g = {}
    exec("from {} import *".format(module_name), g)
    return g


def test_client_only_package_imports_and_star_imports_the_client_names():
    with _package("urpc_client_only") as p:
        urpc = p.load()
        assert urpc.__file__.startswith(p.path), urpc.__file__
        for name in SERVER_NAMES:
            assert not hasattr(urpc, name), name
            assert name not in urpc.__all__, name
        g = _star("urpc")
        for name in CLIENT_NAMES:
            assert name in g and g[name] is getattr(urpc, name), name
        for name in SERVER_NAMES:
            assert name not in g, name
        assert sorted(urpc.__all__) == sorted(CLIENT_NAMES)


def test_an_error_inside_server_py_is_not_hidden():
    with _package("urpc_broken_server") as p:
        e = raises(ImportError, p.load)
        assert "urpc_no_such_dependency" in str(e), str(e)


def test_the_whole_package_star_imports_the_server_names_too():
    name = "urpc" if IS_MICROPYTHON else "mpx.urpc"
    g = _star(name)
    for n in CLIENT_NAMES + SERVER_NAMES:
        assert n in g, n


def test_the_client_only_fixture_is_what_the_client_board_freezes():
    if IS_MICROPYTHON:
        from mpxtest import skip

        skip("CPython only: reads the board's manifest")
    import os

    import test_boards

    frozen, _ = test_boards._frozen("ADAFRUIT_F405_IOT")
    board = sorted(f for f in frozen if f.startswith("urpc/"))
    fixture = os.path.join(_here(), "urpc_client_only", "urpc")
    assert sorted("urpc/" + f for f in os.listdir(fixture) if f.endswith(".py")) == board
    src = os.path.join(test_boards.ROOT, "micropython", "urpc", "py")
    for f in board:
        assert os.path.samefile(os.path.join(fixture, f[5:]), os.path.join(src, f)), f
