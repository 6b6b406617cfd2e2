#!/bin/sh
# SPDX-License-Identifier: MIT
# ST's code as the oracle for the renderer's STM32H747I-DISCO layer (`make
# st-oracle`, and a step of `make test`): unpack ST's BSP and the H7 HAL
# under build/st-oracle/src, build them with our h747 layer and the harness
# in tests/st-oracle for this x86-64 host, run, print "N passed, N failed"
# (exit 1 when any check failed).
#
# The archives: ST_BSP=/path/to/st-h747-disco-bsp.tar.gz (or its unpacked
# BSP/ folder) and STM32_DEPS=/path/to/micropython-*-stm32-deps.tar.gz (or a
# folder holding lib/stm32lib); by default from the shared folder beside the
# checkout, as .ci/run finds it (../shared; for a git worktree, also the
# shared folder beside its main checkout).
#   tests/st-oracle/run.sh [-v]     build and run (-v: every check)
#   tests/st-oracle/run.sh --where  only say where the archives are (lines
#                                   ST_BSP=... and STM32_DEPS=...), or why the
#                                   oracle cannot run here (exit 1)
# A path given in ST_BSP or STM32_DEPS that does not exist is an error.
set -eu
cd "$(dirname "$0")/../.."
where=0
args=""
for a in "$@"; do
  case "$a" in
    --where) where=1 ;;
    -v) args="-v" ;;
    *) echo "usage: tests/st-oracle/run.sh [-v | --where]" >&2; exit 2 ;;
  esac
done
OUT=build/st-oracle
JOBS=${JOBS:-2}

missing() {
  if [ "$where" = 1 ]; then
    echo "$1"
  else
    echo "st-oracle: $1" >&2
  fi
  exit 1
}

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) missing "the oracle traps register accesses with x86-64 Linux page faults; this is $(uname -s)/$(uname -m)" ;;
esac

# The shared folders to look in: ../shared, and for a worktree the one
# beside its main checkout.
shared_dirs() {
  echo "$(cd .. && pwd)/shared"
  common=$(git rev-parse --git-common-dir 2>/dev/null || true)
  if [ -n "$common" ] && [ -d "$common" ]; then
    echo "$(cd "$common/../.." && pwd)/shared"
  fi
}

# A path the user named must be there (no skipping past a typo).
for v in ST_BSP STM32_DEPS; do
  eval "p=\${$v:-}"
  if [ -n "$p" ] && [ ! -e "$p" ]; then
    echo "st-oracle: $v=$p does not exist" >&2
    exit 1
  fi
done
if [ -z "${ST_BSP:-}" ]; then
  for d in $(shared_dirs); do
    [ -f "$d/st/st-h747-disco-bsp.tar.gz" ] && ST_BSP=$d/st/st-h747-disco-bsp.tar.gz && break
  done
fi
if [ -z "${STM32_DEPS:-}" ]; then
  for d in $(shared_dirs); do
    for f in "$d/micropython/micropython-1.28.0-stm32-deps.tar.gz" "$d"/micropython/*-stm32-deps.tar.gz; do
      [ -f "$f" ] && STM32_DEPS=$f && break 2
    done
  done
fi
[ -n "${ST_BSP:-}" ] || missing "ST's BSP archive not found (set ST_BSP=/path/to/st-h747-disco-bsp.tar.gz; looked in $(shared_dirs | paste -sd ' '))"
[ -n "${STM32_DEPS:-}" ] || missing "the stm32 deps archive with ST's H7 HAL not found (set STM32_DEPS=/path/to/micropython-1.28.0-stm32-deps.tar.gz)"

if [ "$where" = 1 ]; then
  echo "ST_BSP=$ST_BSP"
  echo "STM32_DEPS=$STM32_DEPS"
  exit 0
fi

# Unpack (again only when an archive changed) under build/, never into the tree.
mkdir -p "$OUT/src"
unpack() {  # archive-or-folder, folder name, tar members...
  src=$1 name=$2
  shift 2
  if [ -d "$src" ]; then
    (cd "$src" && pwd)
    return
  fi
  dest=$OUT/src/$name
  stamp="$(cd "$(dirname "$src")" && pwd)/$(basename "$src") $(stat -c '%s %Y' "$src")"
  if [ ! -f "$dest/.stamp" ] || [ "$(cat "$dest/.stamp")" != "$stamp" ]; then
    rm -rf "$dest" && mkdir -p "$dest"
    tar -xzf "$src" -C "$dest" "$@" >&2 || { echo "st-oracle: cannot unpack $src" >&2; exit 1; }
    echo "$stamp" > "$dest/.stamp"
  fi
  (cd "$dest" && pwd)
}
st_root=$(unpack "$ST_BSP" bsp)
hal_root=$(unpack "$STM32_DEPS" deps lib/stm32lib/CMSIS/STM32H7xx/Include lib/stm32lib/STM32H7xx_HAL_Driver)
# The BSP folder inside what was given: .../BSP (with STM32H747I-DISCO/ and Components/).
ST=$(find "$st_root" -maxdepth 3 -type d -name STM32H747I-DISCO -path '*/BSP/*' | head -n 1)
[ -n "$ST" ] || missing "no BSP/STM32H747I-DISCO in $ST_BSP"
ST=$(dirname "$ST")
HAL=$hal_root/lib/stm32lib
[ -d "$HAL" ] || HAL=$hal_root
[ -d "$HAL/STM32H7xx_HAL_Driver/Src" ] || missing "no STM32H7xx_HAL_Driver in $STM32_DEPS"

echo "st-oracle: ST's BSP from $ST_BSP, the H7 HAL from $STM32_DEPS"
nice -n 10 make -s -j"$JOBS" -f tests/st-oracle/oracle.mk OUT="$OUT" ST="$ST" HAL="$HAL"
exec "$OUT/st-oracle" $args
