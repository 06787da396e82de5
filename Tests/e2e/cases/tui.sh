#!/usr/bin/env bash
# The real binary in a detached tmux: open the synthetic workspace, dive to a latent, show its top
# windows, change the threshold, resize (down to "too small" and back), exit cleanly. Asserts on
# capture-pane text and colours; polls for expected text instead of sleeping.
set -euo pipefail
BIN="$1"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
SOCK="seedscope-e2e-$$"
OUT="$(mktemp -d)"
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { T kill-server 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT

screen() { T capture-pane -p -t e2e; }
# wait_for TEXT [SECONDS]: poll the pane until TEXT appears.
wait_for() {
  local want="$1" limit="${2:-10}" start=$SECONDS
  while (( SECONDS - start < limit )); do
    if screen 2>/dev/null | grep -qF -- "$want"; then return 0; fi
    sleep 0.05
  done
  echo "FAIL: timed out waiting for: $want"; echo "---- screen ----"; screen || true; exit 1
}
keys() { T send-keys -t e2e "$@"; }

cd "$ROOT"
T new-session -d -s e2e -x 120 -y 35 \
  "env LANG=C.UTF-8 LC_ALL= TERM=xterm-256color SEEDSCOPE_THEMES='$ROOT/Themes' '$BIN' tui --synthetic --export-dir '$OUT'; echo \"EXIT=\$?\" > '$OUT/exit'; sleep 30"

# Runs view, with shared fractions filled in by the background ticks.
wait_for "kjv-L10 topk"
wait_for "52."                     # shared-in-all percentage of the first run
wait_for "Enter open"              # key-hint bar
# Overview → table → latent 5.
keys Enter;                 wait_for "histograms: s0 vs s1"
wait_for "shared in k of 4"
keys t;                     wait_for "s0 latents"
keys : 5 Enter;             wait_for "latent s0/5"
keys Enter;                 wait_for "top activations"
wait_for "partner s1/"
wait_for "token '"
# Colours: the latent's tokens have 256-colour backgrounds (heat ramp), the header is coloured.
if ! T capture-pane -e -p -t e2e | grep -q $'\e\\[[0-9;]*48;5;'; then
  echo "FAIL: no 256-colour backgrounds in the latent view"; T capture-pane -e -p -t e2e | head -5 | cat -v; exit 1
fi
# Move the token cursor: the exact activation of the selected token is shown.
keys l;                     wait_for " act "
# Live threshold: τ goes up everywhere.
keys +;                     wait_for "τ=0.75 dec"
keys c;                     wait_for "τ=0.75 enc"
# Export the latent's windows (CSV).
keys s;                     wait_for "exported "
ls "$OUT"/seedscope-latent-*.csv >/dev/null
# Resize: narrow layout, then too small, then back.
T resize-window -t e2e -x 80 -y 24; wait_for "widen to ≥100 columns"
T resize-window -t e2e -x 40 -y 10; wait_for "terminal too small:"
wait_for "have 40×10"
T resize-window -t e2e -x 120 -y 35; wait_for "partner s1/"
# Help is generated from the command table.
keys '?';                   wait_for "hop to the partner latent"
keys q q q q;               wait_for "5 in workspace"
keys Q;                     wait_for "press Q again"
keys Q
for _ in $(seq 1 100); do [ -s "$OUT/exit" ] && break; sleep 0.05; done
grep -q "EXIT=0" "$OUT/exit" || { echo "FAIL: exit status $(cat "$OUT/exit" 2>/dev/null)"; exit 1; }
echo "tui e2e ok"
