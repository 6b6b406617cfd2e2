#!/bin/sh
# SPDX-License-Identifier: MIT
# The transcripts in the docs are real: every block that follows a line
# "<!-- transcript -->" in docs/dfu.md and README.md (4-space indented; "$ "
# starts a command, typed as a user types it from the repository root; the
# other lines are what it prints, stdout and stderr together) runs here, in
# a scratch folder whose build/host is the build under test, and must print
# exactly that (run by ctest). python3 is /usr/bin/python3, the Debian 12
# interpreter the README is written for.
#   tests/dfu/test_doc_transcripts.sh SOURCE_DIR BUILD_DIR [--print]
# --print shows what the commands print now, to paste into the docs.
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
print=${3:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
failed=0

for doc in "$src/docs/dfu.md" "$src/README.md"; do
  [ -f "$doc" ] || continue
  # One file per block: its lines without the indentation.
  rm -f "$T"/block.*
  awk -v dir="$T" '
    /^<!-- transcript -->$/ { inblock = 1; k++; started = 0; next }
    inblock && /^    / { sub(/^    /, ""); print > (dir "/block." k); started = 1; next }
    inblock && /^$/ && !started { next }
    inblock { inblock = 0 }
  ' "$doc"
  for block in "$T"/block.*; do
    [ -f "$block" ] || continue
    n=$((n + 1))
    # The repository root as a user has it, with build/host the build
    # under test; what the commands write stays in the scratch folder.
    work="$T/work.$n"
    mkdir -p "$work/build"
    for entry in "$src"/* "$src"/.[!.]*; do
      [ -e "$entry" ] && [ "$(basename "$entry")" != build ] && ln -s "$entry" "$work/$(basename "$entry")"
    done
    ln -s "$build" "$work/build/host"
    : > "$T/got"
    # Each command in its own shell, in order; "echo $?" shows the status
    # of the command before it.
    status=0
    grep '^\$ ' "$block" | sed 's/^\$ //' > "$T/commands"
    while IFS= read -r cmd; do
      printf '$ %s\n' "$cmd" >> "$T/got"
      if [ "$cmd" = 'echo $?' ]; then
        echo "$status" >> "$T/got"
        continue
      fi
      # python3 is Debian's (/usr/bin first), as on the Debian 12 machine the README is for.
      (cd "$work" && env -u MPX_DFU_SIM -u MPX_DFU_SIM_IMAGE -u MPX_DFU_SIM_STATS -u PYTHONPATH \
        PATH="/usr/bin:/bin:$PATH" sh -c "$cmd") < /dev/null >> "$T/got" 2>&1
      status=$?
    done < "$T/commands"
    name="$(basename "$doc") transcript $n ($(head -n 1 "$T/commands"))"
    if [ -n "$print" ]; then
      echo "== $name"
      sed 's/^/    /' "$T/got"
    elif cmp -s "$block" "$T/got"; then
      echo "ok $n - $name"
    else
      failed=$((failed + 1))
      echo "not ok $n - $name"
      diff "$block" "$T/got" | sed 's/^/#   /'
    fi
  done
done
echo "1..$n"
[ "$n" -gt 0 ] && [ "$failed" -eq 0 ]
