#!/usr/bin/env bash
# `seedscope import`: a sparsify run folder with several seeds is listed and imported as seeds (by
# reference and by copy); a mismatched or corrupt checkpoint is a one-line error naming the file; JSON
# output for scripts; report and status read the result.
set -euo pipefail
BIN="$1"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
out="$("$BIN" import Tests/Fixtures/sparsify/run --workspace "$tmp/ws" --run ref)"
echo "$out"
grep -q "seed 0 ← .*layers.3/seed0" <<<"$out"
grep -q "seed 1 ← .*layers.3/seed1" <<<"$out"
test -f "$tmp/ws/runs/ref/seed1/checkpoint/source.json"
"$BIN" import Tests/Fixtures/sparsify/run/layers.3/seed1 Tests/Fixtures/sparsify/run/layers.3/seed0 --workspace "$tmp/ws" --run cp --copy --seeds 5,7 --json > "$tmp/imp.json"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert [s["seed"] for s in j["seeds"]]==[5,7] and all(s["status"]=="done" for s in j["seeds"]), j' "$tmp/imp.json"
cmp "$tmp/ws/runs/cp/seed5/checkpoint/sae.safetensors" Tests/Fixtures/sparsify/run/layers.3/seed1/sae.safetensors
"$BIN" report cp --workspace "$tmp/ws" --format json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert [s["latents"] for s in r["seeds"]]==[128,128], r'
"$BIN" run status --workspace "$tmp/ws" | grep -q "cp: partial, 2/4 jobs done"
# A truncated checkpoint: one line naming the file, exit 1, nothing committed.
mkdir -p "$tmp/bad/seed0"
cp Tests/Fixtures/sparsify/run/layers.3/seed0/cfg.json "$tmp/bad/seed0/"
head -c 2000 Tests/Fixtures/sparsify/run/layers.3/seed0/sae.safetensors > "$tmp/bad/seed0/sae.safetensors"
if "$BIN" import "$tmp/bad" --workspace "$tmp/ws" --run bad 2>"$tmp/err"; then echo "corrupt import accepted"; exit 1; fi
cat "$tmp/err"; [ "$(wc -l < "$tmp/err")" -eq 1 ]; grep -q "bad/seed0/sae.safetensors" "$tmp/err"
[ ! -e "$tmp/ws/runs/bad/seed0/checkpoint" ]
if "$BIN" import "$tmp/nowhere" --workspace "$tmp/ws" --run x 2>"$tmp/err"; then exit 1; fi
grep -q "nowhere: no such file or folder" "$tmp/err"
echo "workspace-import: ok"
