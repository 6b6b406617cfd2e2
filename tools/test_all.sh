#!/bin/sh
# SPDX-License-Identifier: MIT
# Everything `make test` runs, step by step; ends with one summary line.
# Environment: MICROPYTHON_SRC (MicroPython source directories or .tar.gz
# files, ':'-separated: built with the mpx modules by tools/mpy_build.py and
# tested), MICROPYTHON_STM32_DEPS (the stm32 lib/ submodules, .tar.gz, per
# source: SRC=DEPS[:SRC=DEPS...], or one DEPS for the newest release: the
# boards too), MICROPY (MicroPython binaries or qemu firmware.elf already
# built, ':'-separated), FUZZ_SECONDS (per fuzzer, default 5), JOBS.
# MSGPACK_PYTHON_SRC: msgpack-python 1.2.1's source (a directory or .tar.gz):
# its own tests run against mpx.msgpack, and it is the peer of
# tests/py/test_msgpack_peer121.py (default build/msgpack-python-1.2.1).
set -u
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-5}
LOG=build/test-logs
mkdir -p "$LOG"
passed=0
failed=0
failures=""

step() {
  name=$1
  shift
  printf '%-34s ' "$name"
  start=$(date +%s)
  if "$@" > "$LOG/$name.log" 2>&1; then
    passed=$((passed + 1))
    echo "ok ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1))
    failures="$failures $name"
    echo "FAILED (log: $LOG/$name.log)"
    tail -n 30 "$LOG/$name.log" | sed 's/^/    /'
  fi
}

cmake_build() {  # dir, cmake args...
  dir=$1
  shift
  cmake -S . -B "$dir" "$@" && cmake --build "$dir" -j "$JOBS"
}

host() {
  cmake_build build/host -DCMAKE_BUILD_TYPE=RelWithDebInfo && ctest --test-dir build/host --output-on-failure
}
release() {
  # What most users type: Release, with gcc (and its tests) and with clang.
  # (The default, RelWithDebInfo, is the host step; Debug and MinSizeRel
  # build warning-free too.)
  cmake_build build/release -DCMAKE_BUILD_TYPE=Release && ctest --test-dir build/release --output-on-failure &&
    CC=clang cmake_build build/release-clang -DCMAKE_BUILD_TYPE=Release
}
valgrind_c() {
  for t in build/host/tests/c/test_*; do
    [ -x "$t" ] || continue
    valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite "$t" > /dev/null || return 1
  done
}
sanitizers() {
  CC=clang cmake_build build/san -DMPX_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    ctest --test-dir build/san --output-on-failure
}
tsan() {
  # The rings under two threads with ThreadSanitizer.
  CC=clang cmake_build build/tsan -DMPX_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/c/test_ring_threads
}
tsan_link_open() {
  # The board's link-open sequence against the CM4 model (two threads).
  CC=clang cmake_build build/tsan -DMPX_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/c/test_link_open
}
cortex() {
  cmake_build "build/$1" -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake -DMPX_ARM_CPU="$1" \
    -DCMAKE_BUILD_TYPE=MinSizeRel && ctest --test-dir "build/$1" --output-on-failure
}
st_oracle() {
  # ST's BSP and H7 HAL for the STM32H747I-DISCO against the renderer's h747
  # layer, both ways docs/display.md shows (the second lists every check in
  # the log); says why and passes where ST's archives are not found.
  if where=$(tests/st-oracle/run.sh --where); then
    echo "$where"
    make -s st-oracle && make -s st-oracle V=1 "$(echo "$where" | grep '^ST_BSP=')" \
      "$(echo "$where" | grep '^STM32_DEPS=')"
  else
    echo "SKIPPED: $where"
  fi
}
cortex_m4() { cortex cortex-m4; }
cortex_m7() { cortex cortex-m7; }
python_ext() {
  # Built in place, with its bytecode as an installed package has (the USB
  # guest reads this tree read-only: without .pyc files every start of
  # tools/pydfu.py would compile mpx.dfu again).
  MPX_WERROR=1 $PY setup.py -q build_ext --inplace --build-temp build/py-temp &&
    $PY -m compileall -q cpython/mpx
}
pip_install() {
  # The README's install path, offline, into a throw-away venv: its commands
  # and modules work from outside the source tree; then the Python tests
  # against the installed copy.
  venv=$PWD/build/venv
  elsewhere=$(mktemp -d) || return 1
  rm -rf "$venv" &&
    $PY -m venv --system-site-packages "$venv" &&
    MPX_WERROR=1 "$venv/bin/pip" install -q --no-build-isolation --no-index . &&
    (cd "$elsewhere" && "$venv/bin/mpx-dfu" --version && "$venv/bin/mpx-dfu-sim" --help > sim-help && head -n 1 sim-help &&
      "$venv/bin/python" -c "import mpx, mp_rlvgl; print('mpx', mpx.__version__, 'from', mpx.__file__)") &&
    (cd build && MPX_TEST_INSTALLED=1 venv/bin/python -m pytest -q -rs -p no:cacheprovider ../tests/py)
  status=$?
  rm -rf "$elsewhere"
  return $status
}
fuzz() {
  CC=clang cmake_build build/fuzz -DMPX_FUZZ=ON -DMPX_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo || return 1
  $PY tools/fuzz_corpus.py build/fuzz/corpus-decode --prefix-byte &&
    $PY tools/fuzz_corpus.py build/fuzz/corpus-roundtrip || return 1
  for f in decode roundtrip; do
    mkdir -p "build/fuzz/artifacts-$f"
    "build/fuzz/fuzz/fuzz_mpk_$f" -max_total_time="$FUZZ_SECONDS" -max_len=4096 \
      -artifact_prefix="build/fuzz/artifacts-$f/" "build/fuzz/corpus-$f" || return 1
  done
  mkdir -p build/fuzz/corpus-urpc build/fuzz/artifacts-urpc
  build/fuzz/fuzz/fuzz_urpc_deframer -max_total_time="$FUZZ_SECONDS" -max_len=4096 \
    -artifact_prefix=build/fuzz/artifacts-urpc/ build/fuzz/corpus-urpc || return 1
  $PY tools/dfu_seeds.py build/fuzz/corpus-dfu || return 1
  for f in file hex elf layout sim source; do
    mkdir -p "build/fuzz/artifacts-dfu-$f"
    "build/fuzz/fuzz/fuzz_dfu_$f" -max_total_time="$FUZZ_SECONDS" -max_len=8192 \
      -artifact_prefix="build/fuzz/artifacts-dfu-$f/" "build/fuzz/corpus-dfu/$f" || return 1
  done
}
usb_e2e() {
  # mpx-dfu, mpx-dfu-sim and dfu-util over a real USB bus in a QEMU guest.
  tests/usb/run.sh
}
usermod_cmake() {
  rm -rf build/usermod-check && cmake -S tests/cmake -B build/usermod-check
}
MPB=build/micropython
micropython_build() {
  # MicroPython from MICROPYTHON_SRC with the mpx modules (unix 64-bit for
  # each source; unix 32-bit, qemu Cortex-M7 and the stm32 boards for the
  # newest release among them).
  rm -f "$MPB/targets.txt" "$MPB/firmware.txt"
  mkdir -p "$MPB"
  $PY tools/mpy_build.py --list "$MPB/targets.txt" --dfu-list "$MPB/firmware.txt"
}
# MICROPY for pytest and the demo: what the user named and what was built.
micropy_paths() {
  paths=${MICROPY:-}
  if [ -f "$MPB/targets.txt" ]; then
    while read -r _ path _; do paths="${paths:+$paths:}$path"; done < "$MPB/targets.txt"
  fi
  echo "$paths"
}
msgpack121_suite() {
  # msgpack-python 1.2.1's own tests against mpx.msgpack, when its source is
  # at hand (MSGPACK_PYTHON_SRC: a directory or tarball; else SKIPPED).
  $PY tools/msgpack121_suite.py
}
pytest_py() {
  MICROPY=$(micropy_paths) $PY -m pytest -q -rs -p no:cacheprovider tests/py
}
micropython() {
  set --
  [ -f "$MPB/targets.txt" ] && set -- --list "$MPB/targets.txt"
  $PY tools/mpy_test.py "$@"
}
micropython_own_suite() {
  # MicroPython's own tests/run-tests.py, unchanged, on each unix 64-bit
  # build with the mpx modules (tools/mpy_suite.sh names what it leaves out).
  [ -f "$MPB/targets.txt" ] || { echo "SKIPPED: MICROPYTHON_SRC not set"; return 0; }
  # A micropython-lib unittest from any built tree (the stm32 submodules
  # bring one) serves the trees that have none.
  unittest=""
  while read -r _ _ tree; do
    d="$tree/lib/micropython-lib/python-stdlib/unittest"
    [ -d "$d" ] && unittest=$d && break
  done < "$MPB/targets.txt"
  grep '/unix64 ' "$MPB/targets.txt" | while read -r label path tree; do
    tools/mpy_suite.sh "$label" "$path" "$tree" "$unittest" || exit 1
  done
}
natmod() {
  # msgpack as a native module (.mpy) for every architecture with a compiler
  # (build/natmod), loaded by stock unix and qemu builds (no user C modules)
  # of each source, and compared with the built-in module of
  # micropython-build's firmware.
  [ -n "${MICROPYTHON_SRC:-}" ] || { echo "SKIPPED: MICROPYTHON_SRC not set"; return 0; }
  make natmod MICROPYTHON_SRC="$MICROPYTHON_SRC" &&  # the documented command
    $PY tools/natmod_build.py --firmware --list build/natmod/firmware.txt &&
    $PY tools/natmod_test.py --list build/natmod/firmware.txt --builtin "$MPB/targets.txt"
}
stm32_firmware() {
  # Each board's firmware.dfu, read back by mpx-dfu: a valid DfuSe file whose
  # image starts at the board's flash.
  [ -s "$MPB/firmware.txt" ] || { echo "SKIPPED: MICROPYTHON_STM32_DEPS or MICROPYTHON_SRC not set"; return 0; }
  while read -r label path _; do
    echo "== $label: mpx-dfu info $path"
    build/host/bin/mpx-dfu info "$path" > "$path.info" || { cat "$path.info"; return 1; }
    cat "$path.info"
    grep -q "0x08000000" "$path.info" || { echo "$label: no element at 0x08000000"; return 1; }
    case "$label" in
      *H747*)  # one image for both cores: the CM4 renderer in flash bank 2, byte for byte
        # (MicroPython's dfu.py pads each element with zeros to 8 bytes)
        renderer=$(dirname "$path")/cm4_renderer/renderer.bin
        want=$($PY -c 'import sys, zlib; d = open(sys.argv[1], "rb").read(); d += bytes(-len(d) % 8)
print("%d bytes  crc32 %08x" % (len(d), zlib.crc32(d)))' "$renderer") || return 1
        grep -q "0x08100000\.\..* $want\$" "$path.info" ||
          { echo "$label: no CM4 element at 0x08100000 holding $renderer ($want)"; return 1; } ;;
    esac
  done < "$MPB/firmware.txt"
}

# Steps: name and function. `tools/test_all.sh fuzz` runs only the steps
# whose names contain "fuzz".
# The Python extension comes before the USB step: its guest runs tools/pydfu.py.
STEPS="micropython-build:micropython_build host-build-and-ctest:host release-gcc-clang:release python-extension:python_ext
usb-e2e-qemu:usb_e2e valgrind-c-tests:valgrind_c asan-ubsan-ctest:sanitizers tsan-rings:tsan tsan-link-open:tsan_link_open
cortex-m4-qemu:cortex_m4 cortex-m7-qemu:cortex_m7 st-oracle:st_oracle pytest:pytest_py
pip-install:pip_install fuzz-${FUZZ_SECONDS}s-each:fuzz micropython-usermod-cmake:usermod_cmake micropython-tests:micropython
micropython-own-test-suite:micropython_own_suite micropython-stm32-firmware:stm32_firmware
msgpack-python-1.2.1-suite:msgpack121_suite micropython-natmod:natmod"
ran=""
for entry in $STEPS; do
  name=${entry%%:*}
  case "$name" in
    *"${1:-}"*) step "$name" "${entry#*:}"; ran="$ran $name" ;;
  esac
done

note=""
if echo "$ran" | grep -q micropython-tests; then
  if grep -q "SKIPPED" "$LOG/micropython-tests.log"; then
    note=" (MicroPython tests skipped: neither MICROPYTHON_SRC nor MICROPY set)"
  else
    # The MicroPython results per build, e.g. "1.28.0/unix64 101 passed 0 failed".
    note=$(awk '/^totals /{sub(":", "", $2); printf "%s%s %s passed %s failed", sep, $2, $3, $5; sep = ", "}' \
      "$LOG/micropython-tests.log")
    [ -n "$note" ] && note=" (MicroPython per build: $note)"
  fi
fi
if echo "$ran" | grep -q st-oracle; then
  # The oracle's tally, or why it was skipped.
  o=$(grep -E '^SKIPPED|^st-oracle: [0-9]+ passed' "$LOG/st-oracle.log" | tail -n 1)
  [ -n "$o" ] && note="$note (st-oracle: ${o#st-oracle: })"
fi
if [ "$failed" -eq 0 ]; then
  echo "make test: all $passed steps passed$note"
  exit 0
fi
echo "make test: $failed of $((passed + failed)) steps FAILED:$failures$note"
exit 1
