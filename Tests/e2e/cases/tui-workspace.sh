#!/usr/bin/env bash
# `seedscope tui WORKSPACE` on a real workspace built by the CLI: import the sparsify fixture run
# (two seeds), open the TUI in tmux (its engine resumes the run: the import jobs finish; phases with
# no executor in this build fail with a one-line error), check the run row and the jobs panel, then
# a second TUI on the same workspace opens read-only and says so. Exits cleanly with Q.
set -euo pipefail
BIN="$1"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
SOCK="seedscope-e2e-ws-$$"
OUT="$(mktemp -d)"
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { T kill-server 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
screen() { T capture-pane -p -t "$1"; }
wait_for() {
  local win="$1" want="$2" limit="${3:-15}" start=$SECONDS
  while (( SECONDS - start < limit )); do
    if screen "$win" 2>/dev/null | grep -qF -- "$want"; then return 0; fi
    sleep 0.05
  done
  echo "FAIL: timed out waiting for: $want"; echo "---- screen ----"; screen "$win" || true; exit 1
}

WS="$OUT/ws"
"$BIN" import "$ROOT/Tests/Fixtures/sparsify/run/layers.3" --run fixture -w "$WS" >/dev/null
test -f "$WS/runs/fixture/run.json"

cd "$ROOT"
TUI="env LANG=C.UTF-8 LC_ALL= TERM=xterm-256color SEEDSCOPE_THEMES='$ROOT/Themes' '$BIN' tui '$WS'"
T new-session -d -s e2e -x 140 -y 35 "$TUI; echo \"EXIT=\$?\" > '$OUT/exit'; sleep 30"
wait_for e2e "fixture"
wait_for e2e "topk k=8"            # k from the imported checkpoint's cfg.json
T send-keys -t e2e J
wait_for e2e "fixture train-seed0"
# Second opener: read-only notice in the jobs panel.
T new-session -d -s ro -x 140 -y 35 "$TUI; sleep 30"
wait_for ro "fixture"
T send-keys -t ro J
wait_for ro "read-only"
T send-keys -t ro Q Q
T send-keys -t e2e Escape Q Q
for _ in $(seq 1 100); do [[ -f "$OUT/exit" ]] && break; sleep 0.05; done
grep -q "EXIT=0" "$OUT/exit" || { echo "FAIL: tui did not exit cleanly: $(cat "$OUT/exit" 2>/dev/null)"; exit 1; }
echo "ok tui-workspace"
