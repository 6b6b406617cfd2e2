# SPDX-License-Identifier: MIT
"""mpx.dfu: the CPython binding of libmpxdfu, against the library's in-process
virtual STM32 bootloader (dfu.Simulator, dfu_sim.h): the object API, pydfu's
module API, cancellation from another thread, every fault the simulator
injects, files, and pydfu's command line (`python3 -m mpx.dfu`,
tools/pydfu.py) with no device on the bus.

CPython only (a C extension, threads, processes): under MicroPython every
test skips with the reason.
"""
from mpxtest import IS_MICROPYTHON, raises, skip

if not IS_MICROPYTHON:
    import contextlib
    import io
    import os
    import pathlib
    import shutil
    import struct
    import subprocess
    import sys
    import tempfile
    import threading

    from mpx import dfu

    HERE = os.path.dirname(os.path.abspath(__file__))
    ROOT = os.path.dirname(os.path.dirname(HERE))
    FLASH = 0x08000000
    F4 = "@Internal Flash /0x08000000/04*016Kg,01*064Kg,07*128Kg"


def _desktop_only():
    if IS_MICROPYTHON:
        skip("CPython only: mpx.dfu is a C extension over libmpxdfu (threads, processes)")


class _TmpDir:
    """A temporary directory (no pytest fixtures: the MicroPython runner
    calls every test with no arguments)."""

    def __enter__(self):
        self.path = pathlib.Path(tempfile.mkdtemp(prefix="mpx-dfu-test-"))
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(str(self.path), ignore_errors=True)


def _pattern(n, seed=1):
    x = seed * 2654435761 + 1
    out = bytearray(n)
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i] = (x >> 16) & 0xFF
    return bytes(out)


def _two_parts():
    a, b = _pattern(40000, 11), _pattern(3000, 12)
    return a, b, dfu.Image([{"addr": FLASH, "data": a}, {"addr": 0x08020000 + 5000, "data": b}])


# ---------------------------------------------------------------------------
# The object API


def test_flash_read_erase_leave_on_the_simulated_device():
    _desktop_only()
    a, b, img = _two_parts()
    sim = dfu.Simulator(layout=F4)
    with sim.device as dev:
        assert dev.info["simulated"] and dev.info["vid"] == 0x0483 and dev.info["pid"] == 0xDF11
        assert dev.transfer_size == 2048 and dev.alt_names == [F4]
        assert [(s["addr"], s["num_pages"], s["page_size"]) for s in dev.layout(0)] == [
            (0x08000000, 4, 16384), (0x08010000, 1, 65536), (0x08020000, 7, 131072)]
        events = []
        assert dev.flash(img, progress=lambda *e: events.append(e)) is False
        phases = [e[0] for e in events]
        assert phases[0] == "erase" and "write" in phases and "verify" in phases and phases[-1] == "leave"
        writes = [e for e in events if e[0] == "write"]
        assert writes[-1][2] == writes[-1][3] == 43000                      # done == total at the end
        assert sim.memory(FLASH, 40000) == a and sim.memory(0x08020000 + 5000, 3000) == b
        st = sim.state()
        assert st["presence"] == "left" and st["jump"] == FLASH
        sim.reset()
        assert dev.read(FLASH + 100, 5000) == a[100:5100]
        dev.erase(0x08004000, 0x4000)                                       # sector 1 only
        assert sim.memory(0x08004000, 0x4000) == b"\xff" * 0x4000
        assert sim.memory(FLASH, 0x4000) == a[:0x4000]
        assert dev.status()["state_name"] in ("dfuIDLE", "dfuDNLOAD-IDLE")
        dev.mass_erase()
        assert sim.memory(FLASH, 40000) == b"\xff" * 40000
        dev.leave(0x08000000)
        assert sim.state()["presence"] == "left"
    raises(ValueError, dev.read, FLASH, 4)                                  # closed


def test_flash_a_path_and_leave_address_and_option_bytes_refused():
    _desktop_only()
    sim = dfu.Simulator()
    dev = sim.device
    img = dfu.Image([{"alt": 1, "addr": 0x1FFFC000, "data": b"\xff" * 16}])
    e = raises(dfu.RefusedError, dev.flash, img)
    assert e.code == "refused" and sim.state()["requests"] == 0         # refused before any request
    e = raises(dfu.RefusedError, dev.flash, [{"addr": 0x08100000 - 8, "data": b"x" * 16}])
    assert e.code == "address"
    dev.close()


def test_files_dfu_hex_elf_bin():
    _desktop_only()
    with _TmpDir() as tmp_path:
        _test_files_dfu_hex_elf_bin(tmp_path)


def _test_files_dfu_hex_elf_bin(tmp_path):
    a, b, img = _two_parts()
    path = tmp_path / "fw.dfu"
    path.write_bytes(img.to_dfuse())
    back = dfu.read_file(str(path))
    assert back.format == "dfuse" and back.suffix == {"vid": 0x0483, "pid": 0xDF11, "bcd_device": 0}
    assert [(e["addr"], e["data"][:len(d)]) for e, d in zip(back.elements, (a, b))] == [
        (FLASH, a), (0x08020000 + 5000, b)]
    # A flipped byte: the CRC catches it.
    bad = bytearray(path.read_bytes())
    bad[300] ^= 1
    e = raises(dfu.FileError, dfu.parse, bytes(bad))
    assert e.code == "crc"
    # Intel HEX with an extended linear address record.
    data = _pattern(40, 3)
    lines = [":020000040800F2"]
    for off in range(0, 40, 16):
        chunk = data[off:off + 16]
        rec = bytes([len(chunk), (off >> 8) & 0xFF, off & 0xFF, 0]) + chunk
        lines.append(":" + rec.hex().upper() + "%02X" % ((-sum(rec)) & 0xFF))
    lines.append(":00000001FF")
    h = dfu.parse("\n".join(lines).encode() + b"\n")
    assert h.format == "ihex" and h.elements[0]["addr"] == FLASH and h.elements[0]["data"] == data
    # A minimal ELF32 executable: one PT_LOAD segment at its physical address.
    seg = _pattern(64, 4)
    ehdr = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9) + struct.pack(
        "<HHIIIIIHHHHHH", 2, 40, 1, 0x08000101, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 84, 0x08000000, 0x08000000, 64, 64, 5, 4)
    elf = dfu.parse(ehdr + phdr + seg)
    assert elf.format == "elf" and elf.entry == 0x08000101 and elf.elements[0]["data"] == seg
    # A raw .bin goes where it is told.
    raw = dfu.parse(b"\x01\x02\x03", "bin", 0x08004000)
    assert raw.elements[0]["addr"] == 0x08004000
    # Flashing a path to a .bin at an address.
    bin_path = tmp_path / "fw.bin"
    bin_path.write_bytes(a)
    sim = dfu.Simulator()
    with sim.device as dev:
        dev.flash(str(bin_path), address=0x08004000, leave=False)
        assert sim.memory(0x08004000, len(a)) == a


def test_error_hierarchy_and_layouts():
    _desktop_only()
    for cls in (dfu.ArgumentError, dfu.FileError, dfu.NoDeviceError, dfu.UsbError, dfu.DeviceError,
                dfu.VerifyError, dfu.RefusedError, dfu.CancelledError):
        assert issubclass(cls, dfu.DfuError)
    assert issubclass(dfu.ProtectedError, dfu.DeviceError)
    assert issubclass(dfu.NoDeviceError, ValueError)      # as pydfu's init raised
    name, segs = dfu.parse_layout("@Option Bytes  /0x1FFFC000/01*016 e")
    assert name == "Option Bytes" and segs[0]["size"] == 16
    e = raises(dfu.DeviceError, dfu.parse_layout, "Flash/0x0/1*1Kg")
    assert e.code == "layout" and e.state is None and e.device_string is None


# ---------------------------------------------------------------------------
# Every fault the simulator injects: an exception with the device's report


FAULTS = [
    # faults, session config, class, code, state, status, device string (None: the device said nothing)
    ({"stall_write_at": 5}, {}, "DeviceError", "status", "dfuERROR", "errSTALLEDPKT", None),
    ({"error_write_at": 7}, {}, "DeviceError", "status", "dfuERROR", "errWRITE", "Flash write failed"),
    ({"read_protected": True}, {}, "ProtectedError", "protected", "dfuERROR", "errVENDOR",
     "Read protection active"),
    ({"vanish_at_request": 60}, {}, "NoDeviceError", "no-device", None, None, None),
    ({"erase_busy_polls": 1000}, {"busy_limit_ms": 500}, "UsbError", "timeout", None, None, None),
    ({"no_functional_descriptor": True}, {}, "ArgumentError", "argument", None, None, None),
    ({"runtime": True}, {}, "DeviceError", "state", None, None, None),
]


def test_every_fault_gives_an_exception_with_state_status_and_string():
    _desktop_only()
    a, b, img = _two_parts()
    for faults, config, cls, code, state, status, text in FAULTS:
        with dfu.Device.simulated(faults=faults, **config) as dev:
            e = raises(getattr(dfu, cls), dev.flash, img)
            where = "{}: {!r}".format(faults, e)
            assert type(e).__name__ == cls and e.code == code, where
            assert e.state_name == state and e.status_name == status and e.device_string == text, where
            assert (e.state is None) == (state is None) and e.message and str(e) == e.message, where
            if text:
                assert text in str(e), where


def test_tolerated_faults_succeed():
    _desktop_only()
    a, b, img = _two_parts()
    for faults in ({"vanish_on_leave": True}, {"stall_busy_polls": True}, {"erase_busy_polls": 20}):
        sim = dfu.Simulator(faults=faults)
        with sim.device as dev:
            dev.flash(img)
            assert sim.memory(FLASH, 40000) == a, faults
            assert sim.state()["presence"] in ("left", "reset"), faults
    # No functional descriptor, but the caller gives the transfer size (the
    # device's own: with incrementing blocks it computes addresses from it).
    sim = dfu.Simulator(faults={"no_functional_descriptor": True}, transfer_size=2048)
    with sim.device as dev:
        assert dev.transfer_size == 2048
        dev.flash(img)
        assert sim.memory(FLASH, 40000) == a


def test_a_progress_callback_that_raises_stops_the_flash():
    _desktop_only()
    a, b, img = _two_parts()

    def boom(phase, address, done, total):
        if phase == "write":
            raise KeyError("from the callback")

    sim = dfu.Simulator()
    with sim.device as dev:
        raises(KeyError, dev.flash, img, progress=boom)
        dev.flash(img)                        # the device is usable again
        assert sim.memory(FLASH, 40000) == a
        sim.reset()                           # it left DFU mode: power-cycle it
        e = raises(dfu.CancelledError, dev.flash, img, progress=lambda *e: e[0] == "write")
        assert e.code == "cancelled"


# ---------------------------------------------------------------------------
# Cancellation from another thread


def test_cancel_from_another_thread_mid_flash():
    _desktop_only()
    data = _pattern(300000, 5)
    sim = dfu.Simulator()
    dev = sim.device
    reached, cancelled = threading.Event(), threading.Event()
    at_cancel = {}
    result = {}

    def progress(phase, address, done, total):
        if phase == "write" and done >= 65536 and not reached.is_set():
            at_cancel.update(done=done, dnloads=sim.state()["dnloads"])
            reached.set()
            assert cancelled.wait(10)

    def worker():
        try:
            dev.flash([{"addr": FLASH, "data": data}], progress=progress)
            result["ok"] = True
        except Exception as e:  # noqa: BLE001 - checked below
            result["error"] = e

    t = threading.Thread(target=worker)
    t.start()
    assert reached.wait(10)
    raises(RuntimeError, dev.read, FLASH, 4)      # busy: one operation at a time
    dev.cancel()
    cancelled.set()
    t.join(10)
    assert not t.is_alive()
    e = result["error"]
    assert isinstance(e, dfu.CancelledError) and e.code == "cancelled" and "cancelled" in str(e)
    done = at_cancel["done"]
    # Nothing after the cancel was written: no further DNLOAD, and the flash
    # holds exactly what had been reported written (the rest stays erased).
    assert sim.state()["dnloads"] == at_cancel["dnloads"]
    assert sim.memory(FLASH, done) == data[:done]
    assert sim.memory(FLASH + done, 0x40000 - done) == b"\xff" * (0x40000 - done)
    assert sim.state()["presence"] == "present"
    # The device is still usable, and the cancel does not stick.
    dev.flash([{"addr": FLASH, "data": data}], leave=False)
    assert sim.memory(FLASH, len(data)) == data
    dev.close()


def test_cancel_lands_while_the_gil_is_released():
    _desktop_only()
    # No progress callback: the worker stays in C the whole time. Only a
    # released GIL lets this thread's cancel() in before the flash ends.
    data = _pattern(900000, 6)
    sim = dfu.Simulator(real_time=True)               # 2 ms per write, as the F4's ROM asks
    dev = sim.device
    result = {}

    def worker():
        try:
            dev.flash([{"addr": FLASH, "data": data}], verify=True)
            result["ok"] = True
        except dfu.DfuError as e:
            result["error"] = e

    t = threading.Thread(target=worker)
    t.start()
    # Wait until the flash is under way (the virtual device's DNLOAD count,
    # read while the worker runs in C), then cancel from this thread.
    while t.is_alive() and sim.state()["dnloads"] < 40:
        pass
    dev.cancel()
    t.join()
    assert isinstance(result.get("error"), dfu.CancelledError), result
    assert sim.state()["dnloads"] < 450                       # far from the ~900 of the whole job
    assert sim.state()["presence"] == "present"
    dev.close()


# ---------------------------------------------------------------------------
# pydfu's module API on the simulated device


def test_pydfu_module_api():
    _desktop_only()
    with _TmpDir() as tmp_path:
        _pydfu_module_api(tmp_path)


def _pydfu_module_api(tmp_path):
    import mpx.dfu as pydfu

    a, b, img = _two_parts()
    path = tmp_path / "firmware.dfu"
    path.write_bytes(img.to_dfuse())
    sim = pydfu.Simulator()
    dev = sim.device
    pydfu.init(device=dev)
    layout = pydfu.get_memory_layout(dev)
    assert layout[0] == {"addr": FLASH, "last_addr": FLASH + 0xFFFF, "size": 0x10000, "num_pages": 4,
                         "page_size": 0x4000}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        elements = pydfu.read_dfu_file(str(path))
    assert [sorted(k for k in e if k in ("addr", "size", "data", "num")) for e in elements] == [
        ["addr", "data", "num", "size"]] * 2
    assert "File: " in printed.getvalue() and "address: 0x08000000, size: 40000" in printed.getvalue()
    calls = []
    pydfu.write_elements(elements, False, progress=lambda *c: calls.append(c))
    for addr, size in ((FLASH, 40000), (0x08020000 + 5000, 3000)):
        mine = [c for c in calls if c[0] == addr]
        assert mine[0] == (addr, 0, size) and mine[-1] == (addr, size, size)
        assert [c[1] for c in mine] == sorted(c[1] for c in mine) and all(c[2] == size for c in mine)
    assert sim.memory(FLASH, 40000) == a
    assert pydfu.get_status() == 2                                         # dfuIDLE (no leave yet)
    pydfu.mass_erase()
    assert sim.memory(FLASH, 40000) == b"\xff" * 40000
    # write_memory writes already-erased memory (no erase), as pydfu's does.
    pydfu.page_erase(FLASH)
    progress = []
    pydfu.write_memory(FLASH, a[:5000], lambda *c: progress.append(c), FLASH, 5000)
    assert sim.memory(FLASH, 5000) == a[:5000]
    assert progress[0] == (FLASH, 0, 5000) and progress[-1] == (FLASH, 5000, 5000)
    assert pydfu.get_status() == 5                                         # dfuDNLOAD-IDLE, as pydfu leaves it
    # Over programmed bytes the flash refuses (errPROG): an exception with the report.
    e = raises(pydfu.DeviceError, pydfu.write_memory, FLASH, b"\xff" * 16)
    assert e.state_name == "dfuERROR" and e.status_name == "errPROG"
    pydfu.clr_status()
    pydfu.write_page(b"\x00" * 16, 0x4000)                                 # erased by the mass erase
    assert sim.memory(0x08004000, 16) == b"\x00" * 16
    pydfu.set_address(FLASH)
    assert pydfu.compute_crc(b"123456789") == 0x340BC6D9
    pydfu.exit_dfu()
    st = sim.state()
    assert st["presence"] == "left" and st["jump"] == FLASH
    raises(pydfu.NoDeviceError, pydfu.get_status)                          # exit_dfu released it


def test_pydfu_write_elements_fault_raises():
    _desktop_only()
    import mpx.dfu as pydfu

    a, b, img = _two_parts()
    pydfu.init(device=pydfu.Simulator(faults={"error_write_at": 3}).device)
    e = raises(pydfu.DfuError, pydfu.write_elements, img.elements, False)
    assert e.status_name == "errWRITE" and e.device_string == "Flash write failed"
    pydfu.exit_dfu()


def test_pydfu_get_dfu_devices_without_a_bus_device():
    _desktop_only()
    import mpx.dfu as pydfu

    devices = pydfu.get_dfu_devices(idVendor=0x1209, idProduct=0x0001)
    assert isinstance(devices, list)
    raises(SystemExit, pydfu.list_dfu_devices, idVendor=0x1209, idProduct=0x0001)
    raises(ValueError, pydfu.init, idVendor=0x1209, idProduct=0x0001)


# ---------------------------------------------------------------------------
# pydfu's command line


def _env(**extra):
    env = dict(os.environ)
    if not env.get("MPX_TEST_INSTALLED"):
        env["PYTHONPATH"] = os.path.join(ROOT, "cpython")
    env.pop("MPX_DFU_SIM", None)
    env.update(extra)
    return env


def _run(*args, **extra):
    p = subprocess.run([sys.executable] + list(args), env=_env(**extra), capture_output=True, text=True,
                       timeout=60, cwd="/")
    return p.returncode, p.stdout, p.stderr


def test_cli_list_with_no_device_and_usage_errors():
    _desktop_only()
    for cmd in (["-m", "mpx.dfu"], [os.path.join(ROOT, "tools", "pydfu.py")]):
        # pydfu's -l with nothing in DFU mode: its message, status 1, no traceback.
        rc, out, err = _run(*cmd, "-l", "--vid", "0x1209", "--pid", "0x0001")
        assert rc == 1 and "No DFU capable devices found" in err and "Traceback" not in err, (rc, out, err)
        for bad in (["--bogus"], ["--vid", "zz"], ["-u"]):
            rc, out, err = _run(*cmd, *bad)
            assert rc == 2 and "usage:" in err and "Traceback" not in err, (bad, rc, err)
        rc, out, err = _run(*cmd, "--help")
        assert rc == 0 and all(o in out for o in ("-l", "--vid", "--pid", "-m", "-u", "-x", "-v"))
        # The stm32 Makefile's line, with no board: a clean "no device".
        with _TmpDir() as tmp_path:
            fw = tmp_path / "firmware.dfu"
            fw.write_bytes(_two_parts()[2].to_dfuse())
            rc, out, err = _run(*cmd, "--vid", "0x1209", "--pid", "0x0001", "-u", str(fw))
        assert rc == 1 and "No DFU device found" in err and "Traceback" not in err, (rc, out, err)
        # ... and with no file: that, before looking for a device.
        rc, out, err = _run(*cmd, "--vid", "0x1209", "--pid", "0x0001", "-u", "firmware.dfu")
        assert rc == 1 and err == "DFU: firmware.dfu: No such file or directory\n", (rc, out, err)


def test_cli_reads_its_command_line_as_pydfus_argparse():
    # pydfu's own parser is argparse with these options; ours is argparse
    # too (cli.parser), with USB ids checked to be 0..0xFFFF.
    _desktop_only()
    import argparse
    from mpx.dfu import cli

    ref = argparse.ArgumentParser(prog="pydfu")
    ref.add_argument("-l", "--list", action="store_true", default=False)
    ref.add_argument("--vid", type=lambda t: int(t, 0), default=None)
    ref.add_argument("--pid", type=lambda t: int(t, 0), default=None)
    ref.add_argument("-m", "--mass-erase", action="store_true", default=False)
    ref.add_argument("-u", "--upload", dest="path", default=False)
    ref.add_argument("-x", "--exit", action="store_true", default=False)
    ref.add_argument("-v", "--verbose", action="store_true", default=False)
    fields = ("list", "vid", "pid", "mass_erase", "path", "exit", "verbose")
    good = [[], ["-l"], ["--vid", "0x0483", "--pid", "0xdf11", "-u", "firmware.dfu"], ["--vid=1155", "--pid=57105"],
            ["-ufw.dfu", "-x"], ["-u=fw.dfu"], ["-mxv"], ["-lvufw.dfu"], ["--mass", "--up", "a.dfu", "--ex"],
            ["--list", "--verb"], ["-u", "-"], ["--upload=x=y.dfu"], ["--vid", "0o17", "--pid", "0b101"],
            ["-u", "a", "-u", "b"]]
    bad = [["--bogus"], ["--vid", "zz"], ["-u"], ["--v", "1"], ["--exit=1"], ["-q"], ["extra"], ["-lq"],
           ["--vid"], ["-u", "-x"], ["--pid", "1.5"], ["--vid", "-1"], ["--pid", "0x10000"]]
    with contextlib.redirect_stderr(io.StringIO()):
        for argv in good:
            want = ref.parse_args(argv)
            got = cli.parser().parse_args(argv)
            assert [getattr(got, f) for f in fields] == [getattr(want, f) for f in fields], argv
        assert cli.parser().parse_args(["-u=fw.dfu"]).path == "fw.dfu"     # not "=fw.dfu"
        for argv in bad:
            assert raises(SystemExit, cli.parser().parse_args, argv).code == 2, argv


def test_cli_deploy_against_the_simulated_device():
    _desktop_only()
    with _TmpDir() as tmp_path:
        _test_cli_deploy_against_the_simulated_device(tmp_path)


def _test_cli_deploy_against_the_simulated_device(tmp_path):
    # make deploy's command line, with MPX_DFU_SIM putting the virtual
    # bootloader where the board would be.
    a, b, img = _two_parts()
    path = tmp_path / "firmware.dfu"
    path.write_bytes(img.to_dfuse())
    rc, out, err = _run(os.path.join(ROOT, "tools", "pydfu.py"), "--vid", "0x0483", "--pid", "0xdf11", "-u",
                        str(path), MPX_DFU_SIM="1")
    assert rc == 0, (out, err)
    assert "Writing memory..." in out and "Exiting DFU..." in out and out.rstrip().endswith("Finished")
    assert "100%" in out
    rc, out, err = _run("-m", "mpx.dfu", "-m", "-x", MPX_DFU_SIM="1")
    assert rc == 0 and "Mass erase..." in out and "Finished" in out, (out, err)


def test_gui_example_flashes_and_cancels_on_the_simulated_device():
    _desktop_only()
    example = os.path.join(ROOT, "examples", "dfu_gui_flash.py")
    rc, out, err = _run(example, "--sim", "--console")
    assert rc == 0 and out.rstrip().endswith("done") and "write   100%" in out, (out, err)
    rc, out, err = _run(example, "--sim", "--console", "--cancel-at", "50")
    assert rc == 1 and "[Cancel clicked]" in out and out.rstrip().endswith("cancelled"), (out, err)
    assert "verify" not in out and "leave" not in out


# ---------------------------------------------------------------------------
# Bad input at the user's edge: nothing that is not firmware reaches a device


if not IS_MICROPYTHON:
    JUNK = b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n"
    BOM_HEX = b"\xef\xbb\xbf\r\n\r\n:020000040800F2\r\n\r\n:0400000001020304F2\r\n:00000001FF\r\n"


def test_a_web_page_saved_as_firmware_is_refused():
    _desktop_only()
    with _TmpDir() as tmp_path:
        for name, kind in (("firmware.dfu", "a DfuSe"), ("firmware.hex", "an Intel HEX")):
            path = tmp_path / name
            path.write_bytes(JUNK)
            e = raises(dfu.FileError, dfu.read_file, str(path))
            assert e.code == "format", e.code
            assert str(e) == '{} is not {} file: it starts with "<!DOCTYPE html>", a web page?'.format(path, kind)
        # Raw binary only where the caller says, and never a web page.
        path = tmp_path / "firmware.bin"
        path.write_bytes(_pattern(4096, 9))
        e = raises(dfu.ArgumentError, dfu.read_file, str(path))
        assert "raw binary is written only at an address you give" in str(e)
        assert dfu.read_file(str(path), address=0x08004000).elements[0]["addr"] == 0x08004000
        assert dfu.read_file(str(path), format="bin").elements[0]["addr"] == FLASH
        e = raises(dfu.FileError, dfu.parse, JUNK, "bin", FLASH)
        assert "is not firmware: it starts with" in str(e)


def test_a_refused_file_never_reaches_the_device():
    _desktop_only()
    with _TmpDir() as tmp_path:
        cases = [("firmware.dfu", JUNK, {}, dfu.FileError), ("firmware.hex", JUNK, {}, dfu.FileError),
                 ("firmware.bin", JUNK, {"address": FLASH}, dfu.FileError),
                 ("firmware.bin", _pattern(4096, 9), {}, dfu.ArgumentError),
                 ("empty.dfu", b"", {}, dfu.FileError), ("zeros.bin", bytes(64), {"address": FLASH}, dfu.FileError),
                 ("missing.dfu", None, {}, dfu.FileError)]
        for name, data, kwargs, error in cases:
            path = tmp_path / name
            if data is not None:
                path.write_bytes(data)
            sim = dfu.Simulator()
            raises(error, sim.device.flash, str(path), **kwargs)
            assert sim.state()["requests"] == 0, name
            assert sim.memory(FLASH, 0x4000) == b"\xff" * 0x4000, name


def test_a_hex_file_with_a_byte_order_mark_and_blank_lines_is_hex():
    _desktop_only()
    with _TmpDir() as tmp_path:
        path = tmp_path / "firmware.hex"
        path.write_bytes(BOM_HEX)
        img = dfu.read_file(str(path))
        assert img.format == "ihex" and [(e["addr"], e["data"]) for e in img.elements] == [(FLASH, b"\x01\x02\x03\x04")]
        sim = dfu.Simulator()
        sim.device.flash(str(path))
        assert sim.memory(FLASH, 4) == b"\x01\x02\x03\x04"


def test_addresses_sizes_and_alt_settings_never_wrap():
    _desktop_only()
    dev = dfu.Device.simulated()
    calls = [
        (OverflowError, dev.read, FLASH - 2 ** 32, 16),               # would have read 0x08000000
        (OverflowError, dev.read, 2 ** 64 + FLASH, 16),
        (OverflowError, dev.read, FLASH, -1),
        (ValueError, dev.read, 0xFFFFFFF0, 32),                       # past 4 GiB
        (OverflowError, dev.flash, [{"addr": 2 ** 64 + 0x08004000, "data": b"\x01" * 16}]),  # would have written 0x08004000
        (OverflowError, dev.erase, -0x1000, 16),
        (OverflowError, dev.leave, 2 ** 32 + FLASH),
        (OverflowError, dev.set_address, -1),
        (OverflowError, dev.erase_page, 2 ** 32),
        (OverflowError, dev.write_memory, 2 ** 32 + FLASH, b"\x01"),
        (OverflowError, dev.read, FLASH, 16, 256),                    # alt setting
        (OverflowError, dev.read, FLASH, 16, -1),
        (dfu.ArgumentError, dev.read, FLASH, 16, 5),                  # an alt the device lacks
        (dfu.ArgumentError, dev.erase, FLASH, 16, 5),
    ]
    for error, fn, *args in calls:
        e = raises(error, fn, *args)
        assert str(e), (fn, args)
    assert issubclass(dfu.ArgumentError, ValueError)
    e = raises(dfu.ArgumentError, dev.read, FLASH, 16, 5)
    assert e.code == "no-alt" and 'the device has no alt setting 5 (it has 0 "@Internal Flash' in str(e)
    assert dev.read(FLASH, 4) == b"\xff" * 4                      # and the device is fine


def _dfuse_with_name(raw_name, data):
    """A DfuSe file written by hand (UM0391), with a target name as raw bytes."""
    import zlib
    element = struct.pack("<II", FLASH, len(data)) + data
    target = b"Target" + struct.pack("<BI", 0, 1) + raw_name.ljust(255, b"\0") + struct.pack("<II", len(element), 1)
    body = b"DfuSe\x01" + struct.pack("<IB", 11 + len(target) + len(element), 1) + target + element
    body += struct.pack("<HHHH", 0, 0xDF11, 0x0483, 0x011A) + b"UFD\x10"
    return body + struct.pack("<I", zlib.crc32(body) ^ 0xFFFFFFFF)


def test_a_target_name_in_windows_1252_reads():
    # ST's DfuSe tools write target names in Windows-1252, not UTF-8.
    _desktop_only()
    raw = b"Intern\xe9 Flash \xa9 ACME \x80"
    data = _pattern(64, 3)
    with _TmpDir() as tmp_path:
        path = tmp_path / "st.dfu"
        path.write_bytes(_dfuse_with_name(raw, data))
        img = dfu.read_file(str(path))
        assert img.targets == [(0, "Interné Flash © ACME €")] and img.targets[0].raw == raw
        assert img.elements[0]["data"] == data
        # Written back: the same bytes.
        assert dfu.parse(img.to_dfuse()).targets[0].raw == raw
        # pydfu's functions and command line read it too.
        import mpx.dfu as pydfu
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert pydfu.read_dfu_file(str(path))[0]["data"] == data
        assert 'name: "Interné Flash © ACME €"' in printed.getvalue()
        rc, out, err = _run(os.path.join(ROOT, "tools", "pydfu.py"), "-u", str(path), MPX_DFU_SIM="1")
        assert rc == 0 and out.rstrip().endswith("Finished") and "Traceback" not in err, (rc, out, err)


def test_a_long_target_name_is_never_cut_inside_a_character():
    _desktop_only()
    img = dfu.Image([{"addr": FLASH, "data": _pattern(16, 1)}], targets=[(0, "é" * 200)])
    back = dfu.parse(img.to_dfuse())
    assert back.targets == [(0, "é" * 127)] and len(back.targets[0].raw) == 254


def test_check_raises_what_flash_would_before_any_request():
    _desktop_only()
    sim = dfu.Simulator()
    outside = [{"addr": 0x080F0000, "data": _pattern(70000, 7)}]
    e = raises(dfu.RefusedError, sim.device.check, outside)
    assert e.code == "address" and sim.state()["requests"] == 0
    sim.device.check(outside, force=True)
    sim.device.check(_two_parts()[2])
    assert sim.state()["requests"] == 0


def test_the_simulator_hooks_are_not_on_device():
    _desktop_only()
    for hook in ("sim_memory", "sim_poke", "sim_state", "sim_reset"):
        assert not hasattr(dfu.Device, hook), hook
    sim = dfu.Simulator()
    assert isinstance(sim.device, dfu.Device) and sim.device is sim.device
    assert sim.describe().path == "sim" and sim.describe().idVendor == 0x0483


def _pydfu(*args, **env):
    return _run(os.path.join(ROOT, "tools", "pydfu.py"), *args, **env)


def test_pydfu_exits_non_zero_with_one_line_for_a_file_it_cannot_flash():
    _desktop_only()
    a, b, img = _two_parts()
    good = img.to_dfuse()
    with _TmpDir() as tmp_path:
        stats = str(tmp_path / "stats")
        cases = [("trunc.dfu", good[:300], "trunc.dfu: cut short"),
                 ("badcrc.dfu", good[:-1] + bytes([good[-1] ^ 1]), "CRC"),
                 ("junk.dfu", JUNK, 'is not a DfuSe file: it starts with "<!DOCTYPE html>", a web page?'),
                 ("empty.dfu", b"", "is not a DfuSe file: it is empty"),
                 ("firmware.bin", a, "raw binary is written only at an address you give"),
                 ("outside.dfu", dfu.Image([{"addr": 0x080F0000, "data": _pattern(70000, 7)}]).to_dfuse(),
                  'DFU: 0x08100000 is outside "Internal Flash"')]
        for name, data, says in cases:
            path = tmp_path / name
            path.write_bytes(data)
            rc, out, err = _pydfu("--vid", "0x0483", "--pid", "0xdf11", "-u", str(path), MPX_DFU_SIM="1",
                                  MPX_DFU_SIM_STATS=stats)
            assert rc == 1 and says in err and len(err.splitlines()) == 1, (name, rc, out, err)
            assert "Finished" not in out and "Traceback" not in err, (name, out, err)
            assert "requests 0\n" in open(stats).read(), name             # refused before any request


def test_pydfu_u_then_x_leaves_once_and_succeeds():
    _desktop_only()
    with _TmpDir() as tmp_path:
        path = tmp_path / "firmware.dfu"
        path.write_bytes(_two_parts()[2].to_dfuse())
        rc, out, err = _pydfu("-u", str(path), "-x", MPX_DFU_SIM="1")
        assert rc == 0 and out.count("Exiting DFU...") == 1 and out.rstrip().endswith("Finished"), (rc, out, err)
        assert err == "", err
        rc, out, err = _pydfu("-u=" + str(path), MPX_DFU_SIM="1")          # argparse's reading: the path
        assert rc == 0 and out.rstrip().endswith("Finished"), (rc, out, err)


def test_pydfu_list_sees_the_simulated_device():
    _desktop_only()
    rc, out, err = _pydfu("-l", MPX_DFU_SIM="1")
    assert rc == 0 and "ID 0483:df11" in out and "0x8020000  7 pages of 128K bytes" in out, (rc, out, err)
    rc, out, err = _pydfu("-l", "--vid", "0x1209", "--pid", "0x0001", MPX_DFU_SIM="1")
    assert rc == 1 and "No DFU capable devices found" in err, (rc, out, err)
    rc, out, err = _pydfu("-l", "--vid", "-1")
    assert rc == 2 and "outside 0..0xFFFF" in err, (rc, out, err)


def test_the_docs_transcripts_are_real():
    # docs/dfu.md's (and the README's) "<!-- transcript -->" blocks: each
    # command typed from the repository root, with build/host, prints what
    # the block shows (tests/dfu/test_doc_transcripts.sh).
    _desktop_only()
    build = os.path.join(ROOT, "build", "host")
    if not os.path.exists(os.path.join(build, "bin", "mpx-dfu")):
        skip("no build/host/bin/mpx-dfu: cmake -S . -B build/host && cmake --build build/host")
    p = subprocess.run(["sh", os.path.join(ROOT, "tests", "dfu", "test_doc_transcripts.sh"), ROOT, build],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
