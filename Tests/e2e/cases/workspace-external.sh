#!/usr/bin/env bash
# An external-trainer run end to end through the CLI: `run create --external` with the stand-in trainer
# (which produces real checkpoints by calling seedscope), `run start --wait`, status, report; the
# checkpoints are imported and load; the report lists them. Then the same spec through a background
# engine (`run start` without --wait) gives the same report.
set -euo pipefail
BIN="$1"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
source "$HERE/helpers/workspace-lib.sh"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
PH="$(phases_available "$BIN")"
echo "phases with executors in this build: $PH"
TRAINER="$HERE/helpers/cli-trainer.sh $BIN {seed} {out} 4 0.05"

"$BIN" run create ext --workspace "$tmp/ws" --seeds 0,1,2 --phases "$PH" --external "$TRAINER" --json | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s["kind"]=="external" and s["seeds"]==[0,1,2], s'
"$BIN" run start ext --workspace "$tmp/ws" --wait | tee "$tmp/out.txt"
grep -q "train-seed2: done" "$tmp/out.txt"
"$BIN" run status ext --workspace "$tmp/ws" --json > "$tmp/status.json"
python3 - "$tmp/status.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
r = s["runs"][0]
assert r["state"] == "done", r
assert all(j["status"] == "done" for j in r["jobs"]), r["jobs"]
assert s.get("engine_pid") is None
PY
for s in 0 1 2; do
  "$BIN" inspect "$tmp/ws/runs/ext/seed$s/checkpoint/sae.safetensors" | grep -q "encoder.weight  F32    \[64, 32\]"
  grep -q "step 4/4 loss" "$tmp/ws/runs/ext/seed$s/train.log"
done
"$BIN" inspect "$tmp/ws/runs/ext/seed2/checkpoint" >/dev/null   # the trained checkpoint loads as an SAE
"$BIN" report ext --workspace "$tmp/ws" > "$tmp/report.md"
grep -q "| 2 | done | 64 | 32 | external | 4 |" "$tmp/report.md"
"$BIN" report ext --workspace "$tmp/ws" --format csv | head -1 | grep -q "^seed_a,seed_b,threshold,shared"
test -f "$tmp/ws/runs/ext/report.md" && test -f "$tmp/ws/runs/ext/report.json"
if [[ "$PH" == *match* ]]; then
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r["pairs"])==3 and r["consensus"], r' "$tmp/ws/runs/ext/report.json"
fi
json_ok "$tmp/ws"
[ -z "$(leftovers "$tmp/ws")" ]

# The same run through a background engine.
"$BIN" run create ext2 --workspace "$tmp/ws" --seeds 0,1,2 --phases "$PH" --external "$TRAINER" >/dev/null
"$BIN" run start ext2 --workspace "$tmp/ws" | tee "$tmp/bg.txt"
grep -q "started in the background" "$tmp/bg.txt"
for i in $(seq 1 200); do
  st="$("$BIN" run status ext2 --workspace "$tmp/ws" --json)"
  python3 -c 'import json,sys; s=json.loads(sys.argv[1]); sys.exit(0 if s.get("engine_pid") is None else 1)' "$st" && break
  sleep 0.1
done
diff <(normalized_report "$BIN" "$tmp/ws" ext | sed 's/"ext"/RUN/') <(normalized_report "$BIN" "$tmp/ws" ext2 | sed 's/"ext2"/RUN/')

# A failing trainer: one-line error naming the log, exit 1, other seeds still done.
"$BIN" run create bad --workspace "$tmp/ws" --seeds 0,1 --phases train --external "$TRAINER" >/dev/null
if FAKE_TRAINER_FAIL_SEED=1 "$BIN" run start bad --workspace "$tmp/ws" --wait 2>"$tmp/err"; then echo "failure not reported"; exit 1; fi
cat "$tmp/err"
grep -q "train-seed1: failed: .*seed1/train.log: external trainer for seed 1 failed (exit status 3)" "$tmp/err"
"$BIN" run status bad --workspace "$tmp/ws" | grep -q "train-seed0 .*done"
echo "workspace-external: ok"
