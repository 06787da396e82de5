#!/usr/bin/env bash
# A shortened `make demo` in tmux: the demo script builds the workspace and opens the TUI at once; the
# engine inside the TUI trains the 3-seed real-data TopK comparison, profiles and matches it. Within 3
# minutes of the first frame the run must show matching results and a latent's top windows.
set -euo pipefail
BIN="$1"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
SOCK="seedscope-demo-$$"
WS="$(mktemp -d)/ws"
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { T kill-server 2>/dev/null || true; rm -rf "$(dirname "$WS")"; }
trap cleanup EXIT
screen() { T capture-pane -p -t demo; }
wait_for() {
  local want="$1" limit="${2:-10}" start=$SECONDS
  while (( SECONDS - start < limit )); do
    if screen 2>/dev/null | grep -qF -- "$want"; then return 0; fi
    sleep 0.2
  done
  echo "FAIL: timed out after ${limit}s waiting for: $want"; echo "---- screen ----"; screen || true
  echo "---- jobs ----"; "$BIN" run status --workspace "$WS" 2>&1 | tail -20 || true
  exit 1
}
keys() { T send-keys -t demo "$@"; }
cd "$ROOT"
T new-session -d -s demo -x 130 -y 40 \
  "env LANG=C.UTF-8 TERM=xterm-256color DEMO_STEPS=150 DEMO_ONLY_FIRST=1 bash Examples/demo.sh '$BIN' '$WS'; echo EXIT=\$? > '$WS.exit'; sleep 30"
wait_for "kjv-topk" 60
first=$SECONDS
echo "first frame; waiting for the run to finish training, profiling and matching"
wait_for "ready" 180
echo "run ready after $((SECONDS - first))s"
keys Enter; wait_for "histograms:" 20
keys t;     wait_for "s0 latents" 20
keys Enter; wait_for "top activations" 20
screen | head -30
keys q q q Q; sleep 1; keys y 2>/dev/null || true
for _ in $(seq 1 50); do [ -f "$WS.exit" ] && break; sleep 0.2; done
[ -f "$WS.exit" ] && cat "$WS.exit"
"$BIN" report kjv-topk --workspace "$WS" | grep -E "^\| 0–1 "
