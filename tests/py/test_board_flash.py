# SPDX-License-Identifier: MIT
"""Flashing the STM32H747I-DISCO through its on-board ST-LINK, without a
board (micropython/boards/STM32H747I_DISCO_RLVGL: openocd.cfg and the
deploy-openocd / deploy-stlink lines of mpconfigboard.mk).

- The OpenOCD script against a stand-in target: OpenOCD's own interpreter
  runs it with init, reset, read_memory, flash, verify_image, stm32h7x and
  shutdown replaced by recorders. Both images at their banks, each verified,
  the option bytes as the board's README says (BOOT_CM4_ADD0 when it is not
  the renderer's, BCM4 only when asked, BCM7 never, a BCM7 = 0 board
  refused before anything is written), then a reset.
- The real openocd with the script gets as far as looking for the ST-LINK
  ("open failed"), not a configuration error.
- With a built board (make test with MICROPYTHON_STM32_DEPS):
  `make -n BOARD_DIR=... deploy-openocd` / `deploy-stlink` from ports/stm32
  name both images at their addresses, and the real make gets as far as the
  adapter.

So that an ST-LINK plugged into the machine is never written to, the real
runs name an adapter serial number that no adapter has.

CPython only; needs Debian's openocd and stlink-tools (tools/deps.sh test).
"""
from mpxtest import IS_MICROPYTHON, skip

if not IS_MICROPYTHON:
    import os
    import re
    import shutil
    import subprocess
    import tempfile

    ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    BOARD = os.path.join(ROOT, "micropython", "boards", "STM32H747I_DISCO_RLVGL")
    CFG = os.path.join(BOARD, "openocd.cfg")
    NO_SUCH_ADAPTER = "mpx-test-no-such-adapter"

    # FLASH_OPTSR_CUR bits (RM0399): RDP level 0 (0xAA), BCM7 (23), BCM4 (22).
    RDP0 = 0x0000AA00
    BCM7 = 1 << 23
    BCM4 = 1 << 22
    FACTORY_OPTSR = RDP0 | BCM7 | BCM4 | 0x03000000
    FACTORY_BOOT4 = 0x1FF00810        # BOOT_CM4_ADD1 0x1FF0, BOOT_CM4_ADD0 0x0810

    # Replace the commands that touch the target by recorders.
    STAND_IN = r"""
set mpx_calls {}
proc mpx_rec {args} { global mpx_calls; lappend mpx_calls $args }
rename shutdown mpx_real_shutdown
foreach c {init reset flash verify_image stm32h7x shutdown} {
    catch {rename $c {}}
    proc $c {args} "mpx_rec $c {*}\$args"
}
catch {rename read_memory {}}
proc read_memory {addr width count} {
    global MPX_OPTSR MPX_BOOT4
    mpx_rec read_memory [format 0x%08x $addr]
    if {$addr == 0x5200201c} { return $MPX_OPTSR } { return $MPX_BOOT4 }
}
"""


def _desktop(tool):
    if IS_MICROPYTHON:
        skip("CPython only: runs {} on the host".format(tool))
    if shutil.which(tool) is None:
        skip("{} is not installed (Debian: tools/deps.sh test installs it)".format(tool))


def _stand_in_run(optsr, boot4, bcm4="", files=True):
    """The script's mpx_h747_flash against the stand-in target: (calls, output)."""
    with tempfile.TemporaryDirectory() as tmp:
        cm7 = os.path.join(tmp, "firmware.bin")
        cm4 = os.path.join(tmp, "renderer.bin")
        if files:
            for path in (cm7, cm4):
                with open(path, "wb") as f:
                    f.write(b"\x00\x00\x08\x24" * 16)
        stand_in = os.path.join(tmp, "stand_in.tcl")
        with open(stand_in, "w") as f:
            f.write(STAND_IN + "set MPX_OPTSR {}\nset MPX_BOOT4 {}\n".format(optsr, boot4))
        call = "mpx_h747_flash {} 0x08000000 {} 0x08100000 {}".format(cm7, cm4, bcm4).strip()
        # An error in the script ends openocd at once (exit 1): the calls so
        # far are printed by the catch.
        tcl = ("source {}\nset rc [catch {{{}}} msg]\n"
               "foreach c $mpx_calls {{echo \"CALL $c\"}}\n"
               "if {{$rc}} {{echo \"ERROR $msg\"}}\nmpx_real_shutdown\n").format(stand_in, call)
        p = subprocess.run(["openocd", "-f", CFG, "-c", tcl], capture_output=True, text=True, timeout=60)
        out = p.stdout + p.stderr
        calls = [line[5:] for line in out.splitlines() if line.startswith("CALL ")]
        return [c.replace(tmp + "/", "") for c in calls], out.replace(tmp + "/", "")


def _option_writes(calls):
    return [c for c in calls if c.startswith("stm32h7x option_write")]


def test_openocd_writes_both_banks_verifies_each_and_resets():
    _desktop("openocd")
    calls, out = _stand_in_run(FACTORY_OPTSR, FACTORY_BOOT4)
    assert calls == [
        "init",
        "reset init",
        "read_memory 0x5200201c",
        "read_memory 0x52002048",
        "flash write_image erase firmware.bin 0x08000000 bin",
        "verify_image firmware.bin 0x08000000 bin",
        "flash write_image erase renderer.bin 0x08100000 bin",
        "verify_image renderer.bin 0x08100000 bin",
        "reset run",
        "shutdown",
    ], out
    assert "option bytes: nothing to change" in out
    assert "both images written and verified" in out


def test_openocd_sets_boot_cm4_add0_when_the_cm4_would_boot_elsewhere():
    _desktop("openocd")
    calls, out = _stand_in_run(FACTORY_OPTSR, 0x1FF00800)
    assert _option_writes(calls) == ["stm32h7x option_write 0 0x4c 2064 0xffff"], out
    # After both images are verified, before the reset.
    assert calls.index("verify_image renderer.bin 0x08100000 bin") < calls.index(_option_writes(calls)[0])
    assert calls[-2:] == ["reset run", "shutdown"]
    assert "BOOT_CM4_ADD0 0x0800 -> 0x0810" in out


def test_openocd_changes_bcm4_only_when_asked_and_never_bcm7():
    _desktop("openocd")
    for optsr, bcm4, want in (
            (FACTORY_OPTSR, "", []),                                   # not asked: left as it is
            (FACTORY_OPTSR, "1", []),                                  # asked, already so
            (FACTORY_OPTSR, "0", ["stm32h7x option_write 0 0x20 0 0x00400000"]),
            (RDP0 | BCM7, "1", ["stm32h7x option_write 0 0x20 0x00400000 0x00400000"]),
            (RDP0 | BCM7, "", []),
    ):
        calls, out = _stand_in_run(optsr, FACTORY_BOOT4, bcm4)
        assert _option_writes(calls) == want, (hex(optsr), bcm4, out)
        for c in _option_writes(calls):
            offset, mask = c.split()[3], int(c.split()[5], 16)
            assert offset != "0x20" or mask == BCM4, c        # OPTSR: the BCM4 bit alone
        assert calls[-2:] == ["reset run", "shutdown"], out


def test_openocd_refuses_a_board_whose_cm7_does_not_boot_before_writing():
    _desktop("openocd")
    calls, out = _stand_in_run(RDP0 | BCM4, FACTORY_BOOT4)
    assert "ERROR option byte BCM7 is 0" in out and "never writes BCM7" in out, out
    assert calls == ["init", "reset init", "read_memory 0x5200201c", "read_memory 0x52002048"], out


def test_openocd_refuses_bad_words_before_touching_the_board():
    _desktop("openocd")
    calls, out = _stand_in_run(FACTORY_OPTSR, FACTORY_BOOT4, "2")
    assert "ERROR BCM4 must be 0" in out, out
    assert not any(c.startswith(("flash", "verify", "stm32h7x")) for c in calls), out
    calls, out = _stand_in_run(FACTORY_OPTSR, FACTORY_BOOT4, files=False)
    assert "ERROR no file firmware.bin (build the board first)" in out, out
    assert calls == [], out


def test_real_openocd_with_the_script_looks_for_the_st_link():
    _desktop("openocd")
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("a.bin", "b.bin"):
            open(os.path.join(tmp, name), "wb").write(b"\0" * 64)
        p = subprocess.run(["openocd", "-c", "adapter serial " + NO_SUCH_ADAPTER, "-f", CFG, "-c",
                            "mpx_h747_flash a.bin 0x08000000 b.bin 0x08100000"],
                           capture_output=True, text=True, timeout=60, cwd=tmp)
    out = p.stdout + p.stderr
    assert p.returncode != 0, out
    assert "open failed" in out, out
    assert not re.search(r"can't find|couldn't open|invalid command|unknown command|syntax error", out, re.I), out


# ---- with a built board ----

def _built_h747():
    """(ports/stm32, its build folder) of a board built by make test, or skip."""
    _desktop("make")
    listing = os.path.join(ROOT, "build", "micropython", "firmware.txt")
    if os.path.isfile(listing):
        for line in open(listing):
            label, path, tree = line.split()
            if label.endswith("/stm32-STM32H747I_DISCO_RLVGL") and os.path.isfile(path):
                return os.path.join(tree, "ports", "stm32"), os.path.basename(os.path.dirname(path))
    skip("no STM32H747I_DISCO_RLVGL build (make test with MICROPYTHON_STM32_DEPS builds one)")


def _make(stm32, *args, dry=False):
    cmd = ["make"] + (["-n"] if dry else []) + ["BOARD_DIR=" + BOARD] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=stm32)
    return p.returncode, p.stdout + p.stderr


def test_make_deploy_openocd_names_both_images_at_their_banks():
    stm32, build = _built_h747()
    rc, out = _make(stm32, "deploy-openocd", dry=True)
    assert rc == 0, out
    line = [x for x in out.splitlines() if x.startswith("openocd ")]
    assert line == ['openocd -f {}/openocd.cfg -c "mpx_h747_flash {b}/firmware.bin 0x08000000 '
                    '{b}/cm4_renderer/renderer.bin 0x08100000 "'.format(BOARD, b=build)], out
    rc, out = _make(stm32, "deploy-openocd", "BCM4=0", dry=True)
    assert rc == 0 and '0x08100000 0"' in out, out


def test_make_deploy_stlink_writes_both_images_then_resets():
    stm32, build = _built_h747()
    rc, out = _make(stm32, "deploy-stlink", dry=True)
    assert rc == 0, out
    lines = [x for x in out.splitlines() if x.startswith("st-flash ")]
    assert lines == ["st-flash --connect-under-reset write {}/firmware.bin 0x08000000".format(build),
                     "st-flash --connect-under-reset --reset write {}/cm4_renderer/renderer.bin "
                     "0x08100000".format(build)], out


def test_make_deploy_openocd_gets_as_far_as_the_st_link():
    stm32, _ = _built_h747()
    _desktop("openocd")
    rc, out = _make(stm32, "deploy-openocd", "OPENOCD=openocd -c 'adapter serial {}'".format(NO_SUCH_ADAPTER))
    assert rc != 0, out
    assert "open failed" in out, out
    assert not re.search(r"can't find|couldn't open|invalid command|unknown command|No rule to make", out, re.I), out


def test_make_deploy_stlink_gets_as_far_as_the_st_link():
    stm32, _ = _built_h747()
    _desktop("st-flash")
    rc, out = _make(stm32, "deploy-stlink",
                    "STFLASH=st-flash --connect-under-reset --serial 00{}".format("5A" * 11))
    assert rc != 0, out
    assert "Couldn't find any ST-Link devices" in out, out
    assert "No rule to make" not in out, out
