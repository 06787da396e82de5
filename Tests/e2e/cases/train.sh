#!/usr/bin/env bash
# `seedscope train`: a small TopK run on a generated dataset, kill -9 mid-run, resume, and the final
# weights equal an uninterrupted run's; bad input gives one-line errors.
set -euo pipefail
BIN="$1"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/acts.safetensors" <<'PY'
import json, struct, sys
import numpy as np
rng = np.random.default_rng(7)
W, T, d, F = 64, 32, 32, 96
dirs = rng.standard_normal((F, d)); dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
p = np.minimum(1, 4 * (np.arange(F) + 1.0) ** -0.5 / ((np.arange(F) + 1.0) ** -0.5).sum())
on = rng.random((W * T, F)) < p
x = (on * rng.uniform(0.5, 1.5, (W * T, F))) @ dirs + 0.01 * rng.standard_normal((W * T, d))
a = x.astype(np.float32).reshape(W, T, d).tobytes()
h = json.dumps({"__metadata__": {"exclude_positions": "0"},
                "activations": {"dtype": "F32", "shape": [W, T, d], "data_offsets": [0, len(a)]}}).encode()
h += b" " * ((8 - len(h) % 8) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + a)
PY
args=(--data "$tmp/acts.safetensors" --arch topk --k 4 --latents 128 --seeds 0,1 --steps 300 --batch 128 --lr 3e-3 --checkpoint-every 25)
"$BIN" train "${args[@]}" --out "$tmp/full" --json > "$tmp/full.jsonl"
grep -q '"event":"done"' "$tmp/full.jsonl"
test -f "$tmp/full/seed1/sae.safetensors" && test -f "$tmp/full/seed0/cfg.json"
# Interrupted run: kill -9 at a random point after the first checkpoint, then resume.
"$BIN" train "${args[@]}" --out "$tmp/cut" --json > "$tmp/cut.jsonl" &
pid=$!
for _ in $(seq 1 600); do [ -f "$tmp/cut/checkpoint.json" ] && break; sleep 0.05; done
sleep "0.$((RANDOM % 9))"
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
echo "killed at: $(grep -o '"step": *[0-9]*' "$tmp/cut/checkpoint.json" || echo none)"
if [ -f "$tmp/cut/seed0/sae.safetensors" ]; then echo "run finished before the kill; resume is a no-op check"; fi
"$BIN" train "${args[@]}" --out "$tmp/cut" --resume > "$tmp/resume.txt" || { cat "$tmp/resume.txt"; exit 1; }
for s in 0 1; do
  cmp "$tmp/full/seed$s/sae.safetensors" "$tmp/cut/seed$s/sae.safetensors"
done
# Bad input: one-line errors, non-zero exit.
head -c 100 "$tmp/acts.safetensors" > "$tmp/trunc.safetensors"
if "$BIN" train --data "$tmp/trunc.safetensors" --out "$tmp/bad" 2> "$tmp/err"; then echo "truncated data accepted"; exit 1; fi
[ "$(wc -l < "$tmp/err")" -eq 1 ]; grep -q trunc.safetensors "$tmp/err"
if "$BIN" train --data "$tmp/acts.safetensors" --arch gated --out "$tmp/bad" 2> "$tmp/err"; then echo "gated accepted"; exit 1; fi
[ "$(wc -l < "$tmp/err")" -eq 1 ]
if "$BIN" train "${args[@]}" --out "$tmp/full" 2> "$tmp/err"; then echo "overwrote a run"; exit 1; fi
grep -q -- "--resume" "$tmp/err"
echo "train e2e ok"
