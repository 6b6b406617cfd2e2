# SPDX-License-Identifier: MIT
# mpx: the two commands of a fresh Debian 12 machine, and a few more.
#
#   make demo     the seed's sessions (MessagePack, FinaliserProxy) and the
#                 examples, on the desktop (and under MicroPython too when
#                 MICROPY=/path/to/micropython is set)
#   make test     every test: C (host, ASan/UBSan, valgrind, Cortex-M4/M7 in
#                 QEMU), Python, fuzzers (a few seconds each), and the
#                 MicroPython tests when MICROPY is set; one summary line
#   make fuzz     the fuzzers for longer (FUZZ_SECONDS, default 300 each)
#   make bench    benchmarks against their peers (bench/README.md)
#   make st-oracle  ST's STM32H747I-DISCO BSP and H7 HAL as the oracle for the
#                 renderer's h747 layer (docs/display.md; the archives from
#                 ../shared, or ST_BSP=... STM32_DEPS=...; V=1 lists every check)
#   make natmod MICROPYTHON_SRC=PATH
#                 msgpack as a native module (.mpy) for every architecture
#                 with a compiler, in build/natmod/<arch>/ (docs/msgpack.md)
#   make clean    remove everything the builds made in this tree (build/, the
#                 extensions built in place, bytecode, egg-info, the display
#                 demo's PNG files); the USB test guest's downloaded kernel
#                 stays in its cache (~/.cache/mpx, tools/vm/build-guest.sh)
PY := /usr/bin/python3

.PHONY: demo test fuzz bench clean python-ext st-oracle natmod

python-ext:
	@tools/deps.sh demo
	@MPX_WERROR=1 $(PY) setup.py -q build_ext --inplace --build-temp build/py-temp
	@$(PY) -m compileall -q cpython/mpx   # bytecode, as an installed package has

demo: python-ext
	@$(PY) tools/demo.py

test:
	@tools/deps.sh test
	@tools/test_all.sh

fuzz:
	@tools/deps.sh test
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-300} tools/test_all.sh fuzz

natmod:
	@tools/deps.sh natmod
	@$(PY) tools/natmod_build.py

bench: python-ext
	@tools/deps.sh bench
	@$(PY) bench/msgpack_desktop.py
	@$(PY) bench/msgpack_micropython.py
	@$(PY) bench/msgpack_natmod.py
	@$(PY) bench/urpc_desktop.py
	@$(PY) bench/rlvgl_desktop.py
	@$(PY) bench/rlvgl_dualcore.py
	@bench/dfu_usb.sh

st-oracle:
	@tests/st-oracle/run.sh $(if $(V),-v)

clean:
	rm -rf build cpython/mpx.egg-info examples/out
	find cpython -name '*.so' -type f -delete
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
