#!/usr/bin/env bash
# An external trainer for the e2e tests, standing in for torchrun / sbatch: a separate process that
# prints sparsify-like "step N/M loss X" lines and then really trains the seed with seedscope's own CLI
# (`seedscope train` on a small generated dataset, d=32) and leaves the checkpoint in OUT the way
# sparsify does ({save_dir}/{hookpoint}/cfg.json + sae.safetensors).
#
# usage: cli-trainer.sh SEEDSCOPE_BIN SEED OUT [STEPS] [SECONDS_PER_STEP]
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
"$BIN" generate --out "$scratch/data" --d 32 --features 64 --l0 4 --tokens 4096 --ctx 64 --seed 5 >/dev/null
"$BIN" train --data "$scratch/data" --arch topk --k 4 --latents 64 --seeds "$SEED" --steps 40 --batch 256 \
  --out "$scratch/run" >/dev/null
mkdir -p "$OUT/layers.3"
cp "$scratch/run/seed$SEED/cfg.json" "$scratch/run/seed$SEED/sae.safetensors" "$OUT/layers.3/"
echo "saved checkpoint to $OUT/layers.3"
log done
