#!/bin/sh
# SPDX-License-Identifier: MIT
# MicroPython's own test suite (tests/run-tests.py), unchanged, on a unix
# build that carries the mpx modules: the modules must not break the port.
#
#   tools/mpy_suite.sh LABEL MICROPYTHON_BINARY MICROPYTHON_SOURCE_TREE [UNITTEST_DIR]
#
# Every test runs; run-tests.py itself skips what the build lacks (ffi, ssl,
# btree: the build line of the README turns them off) and ignores the tests
# it marks flaky. Some tests use micropython-lib's unittest, which a release
# archive does not carry (lib/micropython-lib is a submodule): the tree's own
# copy is used, else UNITTEST_DIR (python-stdlib/unittest of another tree's
# micropython-lib), else those tests are left out, each named. The
# open-file limit is 1024 as the suite expects (extmod/select_poll_fd.py).
# Results go to build/micropython/suite-LABEL; the source tree is only read.
set -eu
label=$1
binary=$(realpath "$2")
tree=$(realpath "$3")
root=$(cd "$(dirname "$0")/.." && pwd)
results="$root/build/micropython/suite-$(echo "$label" | tr / -)"
rm -rf "$results"
ulimit -n 1024
echo "== $label: $tree/tests/run-tests.py with $binary"
unittest=${4:+$(realpath "$4")}
set --
if [ ! -d "$tree/lib/micropython-lib/python-stdlib/unittest" ]; then
  if [ -n "$unittest" ] && [ -d "$unittest" ]; then
    echo "unittest for the tests that need it: $unittest"
    # The search path run-tests.py sets, with that unittest.
    export MICROPYPATH=".frozen:$tree/extmod:$unittest"
    set -- --keep-path
  else
    for t in $(cd "$tree/tests" && grep -rlE '^ *(import|from) unittest' --include='*.py' basics extmod micropython misc unicode float stress thread cmdline 2>/dev/null); do
      echo "left out: $t (needs micropython-lib's unittest, not in this source)"
      set -- "$@" -e "^$t\$"
    done
  fi
fi
cd "$tree/tests"
MICROPY_MICROPYTHON="$binary" /usr/bin/python3 ./run-tests.py -j "${JOBS:-$(nproc)}" \
  --result-dir "$results" "$@" > "$results.log" 2>&1 || status=$?
# The summary: how many ran, passed, were skipped, and any failure.
sed -n '/tests performed/,$p' "$results.log" | cut -c1-400
if [ "${status:-0}" -ne 0 ] && grep -q 'tests performed' "$results.log"; then
  # The REPL tests (cmdline/repl_*) talk to a pty with timing of their own and
  # have been seen to fail once on a loaded machine: the failures get one
  # more run, named here whatever its outcome.
  echo "failed on the first run:"
  grep -E '^FAIL ' "$results.log" || true
  status=0
  MICROPY_MICROPYTHON="$binary" /usr/bin/python3 ./run-tests.py --result-dir "$results" "$@" \
    --run-failures > "$results.retry.log" 2>&1 || status=$?
  echo "their second run:"
  sed -n '/tests performed/,$p' "$results.retry.log" | cut -c1-400
fi
if [ "${status:-0}" -ne 0 ]; then
  echo "$label: run-tests.py FAILED (whole log: $results.log)"
  grep -E '^FAIL|^fail' "$results.log" || true
  exit 1
fi
