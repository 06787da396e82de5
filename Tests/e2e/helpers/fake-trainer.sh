#!/usr/bin/env bash
# Stand-in for an external trainer (torchrun / sbatch) in the e2e tests, until the native trainer is
# merged: it "trains" for a few steps (printing sparsify-like "step N/M loss X" lines) and then produces
# a REAL checkpoint by calling seedscope itself — `seedscope import --copy` of the sparsify fixture
# seed (SEED mod 2) into a private scratch workspace — and moves it into OUT.
# TODO(lead): switch to `seedscope train … --seed SEED --out OUT` once the native trainer lands.
#
# usage: fake-trainer.sh SEEDSCOPE_BIN SEED OUT [STEPS] [SECONDS_PER_STEP]
# env:   FAKE_TRAINER_LOG  append "start SEED PID" / "done SEED PID" lines here (tests count runs)
#        FAKE_TRAINER_FAIL_SEED  exit 3 for this seed (failure-path tests)
set -euo pipefail
BIN="$1"; SEED="$2"; OUT="$3"; STEPS="${4:-5}"; DT="${5:-0.1}"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
log() { [ -n "${FAKE_TRAINER_LOG:-}" ] && echo "$1 $SEED $$" >> "$FAKE_TRAINER_LOG" || true; }
log start
if [ "${FAKE_TRAINER_FAIL_SEED:-x}" = "$SEED" ]; then echo "fake-trainer: simulated failure for seed $SEED" >&2; exit 3; fi
for ((i = 1; i <= STEPS; i++)); do
  sleep "$DT"
  echo "step $i/$STEPS loss $(awk -v i="$i" -v s="$SEED" 'BEGIN { printf "%.4f", 1.0 / (i + s) }')"
done
scratch="$(mktemp -d)"; trap 'rm -rf "$scratch"' EXIT
src="$ROOT/Tests/Fixtures/sparsify/run/layers.3/seed$((SEED % 2))"
"$BIN" import "$src" --workspace "$scratch/ws" --run r --copy --seeds 0 >/dev/null
mkdir -p "$OUT/layers.3"
cp "$scratch/ws/runs/r/seed0/checkpoint/cfg.json" "$scratch/ws/runs/r/seed0/checkpoint/sae.safetensors" "$OUT/layers.3/"
echo "saved checkpoint to $OUT/layers.3"
log done
