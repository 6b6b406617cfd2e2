#!/bin/sh
# SPDX-License-Identifier: MIT
# Everything `make test` runs, step by step; ends with one summary line.
# Environment: MICROPY (MicroPython binary or qemu firmware.elf, ':'-separated
# for several), FUZZ_SECONDS (per fuzzer, default 5), JOBS.
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
cortex() {
  cmake_build "build/$1" -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake -DMPX_ARM_CPU="$1" \
    -DCMAKE_BUILD_TYPE=MinSizeRel && ctest --test-dir "build/$1" --output-on-failure
}
cortex_m4() { cortex cortex-m4; }
cortex_m7() { cortex cortex-m7; }
python_ext() {
  MPX_WERROR=1 $PY setup.py -q build_ext --inplace --build-temp build/py-temp
}
pytest_py() {
  $PY -m pytest -q -rs -p no:cacheprovider tests/py
}
pip_install() {
  # The README's install path, offline, into a throw-away venv; then the
  # Python tests against the installed copy.
  rm -rf build/venv &&
    $PY -m venv --system-site-packages build/venv &&
    build/venv/bin/pip install -q --no-build-isolation --no-index . &&
    (cd build && MPX_TEST_INSTALLED=1 venv/bin/python -m pytest -q -rs -p no:cacheprovider ../tests/py)
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
  for f in file hex elf layout sim; do
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
micropython() {
  $PY tools/mpy_test.py
}

# Steps: name and function. `tools/test_all.sh fuzz` runs only the steps
# whose names contain "fuzz".
STEPS="host-build-and-ctest:host usb-e2e-qemu:usb_e2e valgrind-c-tests:valgrind_c asan-ubsan-ctest:sanitizers tsan-rings:tsan
cortex-m4-qemu:cortex_m4 cortex-m7-qemu:cortex_m7 python-extension:python_ext pytest:pytest_py
pip-install:pip_install fuzz-${FUZZ_SECONDS}s-each:fuzz micropython-usermod-cmake:usermod_cmake micropython-tests:micropython"
ran=""
for entry in $STEPS; do
  name=${entry%%:*}
  case "$name" in
    *"${1:-}"*) step "$name" "${entry#*:}"; ran="$ran $name" ;;
  esac
done

if echo "$ran" | grep -q micropython-tests && grep -q "SKIPPED" "$LOG/micropython-tests.log"; then
  note=" (MicroPython tests skipped: MICROPY not set)"
else
  note=""
fi
if [ "$failed" -eq 0 ]; then
  echo "make test: all $passed steps passed$note"
  exit 0
fi
echo "make test: $failed of $((passed + failed)) steps FAILED:$failures$note"
exit 1
