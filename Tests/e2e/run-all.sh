#!/usr/bin/env bash
# End-to-end checks of the real binary (CLI and, in tmux, the TUI). Each script in Tests/e2e/cases
# is run with the binary path; the last line is the plain "N passed, N failed" summary.
set -uo pipefail
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
pass=0; fail=0
for t in "$HERE"/cases/*.sh; do
  [ -e "$t" ] || continue
  name="$(basename "$t" .sh)"
  log="$(mktemp)"
  start=$(date +%s)
  if ( cd "$ROOT" && timeout 900 bash "$t" "$BIN" ) >"$log" 2>&1; then
    pass=$((pass+1)); echo "e2e ✔ $name ($(( $(date +%s) - start ))s)"
  else
    fail=$((fail+1)); echo "e2e ✘ $name ($(( $(date +%s) - start ))s)"; tail -n 40 "$log" | sed 's/^/    /'
  fi
  rm -f "$log"
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
