#!/usr/bin/env bash
# `make demo`: build a demo workspace and open the TUI on it at once. The engine inside the TUI trains,
# profiles and matches the runs in the background; re-running reuses everything already done.
#
#   (a) kjv-topk      3 seeds of a TopK SAE (k=16, 1152 latents) on real SmolLM2-135M layer-10 activations
#   (b) kjv-relu      3 seeds of a ReLU+L1 SAE at about the same L0 (λ=5 gives L0 ≈ 14 here), same data
#   (c) kjv-topk-wide 2 seeds of a 4× wider TopK SAE (4608 latents): wider shares fewer (the paper's trend)
#   (d) groundtruth   3 seeds of TopK on synthetic data with known features: how many each seed recovers
#
# Usage: Examples/demo.sh [BIN] [WORKSPACE]   (env: DEMO_STEPS scales training; DEMO_NO_TUI=1 runs headless)
set -euo pipefail
BIN="${1:-.build/release/seedscope}"
WS="${2:-demo-workspace}"
STEPS="${DEMO_STEPS:-1500}"
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="$HERE/data/smollm2-L10"

have_run() { [ -f "$WS/runs/$1/run.json" ]; }
create() {  # name, then run-create options
  local name="$1"; shift
  have_run "$name" || "$BIN" run create "$name" --workspace "$WS" "$@" >/dev/null
}

mkdir -p "$WS"
create kjv-topk --data "$DATA" --arch topk --k 16 --latents 1152 --seeds 0,1,2 --steps "$STEPS" --lr 0.001 --priority 3
if [ -z "${DEMO_ONLY_FIRST:-}" ]; then
  # λ chosen so the ReLU SAE's L0 lands near TopK's 32 on this data (see README).
  create kjv-relu --data "$DATA" --arch relu --latents 1152 --seeds 0,1,2 --steps "$STEPS" --lr 0.001 --hyper l1=${DEMO_L1:-5} --priority 2
  create kjv-topk-wide --data "$DATA" --arch topk --k 16 --latents 4608 --seeds 0,1 --steps "$STEPS" --lr 0.001 --priority 1
  if [ ! -f "$WS/data/groundtruth/activations.safetensors" ]; then
    "$BIN" generate --out "$WS/data/groundtruth" --d 64 --features 512 --l0 8 --tokens 65536 --seed 7 >/dev/null
  fi
  create groundtruth --data "$WS/data/groundtruth" --arch topk --k 8 --latents 1024 --seeds 0,1,2 --steps $((STEPS * 4)) --batch-size 512 --lr 0.002 --priority 0
fi
if [ -n "${DEMO_NO_TUI:-}" ]; then
  for r in kjv-topk kjv-relu kjv-topk-wide groundtruth; do have_run "$r" && "$BIN" run start "$r" --workspace "$WS" --wait; done
  exit 0
fi
# The TUI hosts the engine: opening a workspace read-write resumes every unfinished run.
exec "$BIN" tui "$WS"
