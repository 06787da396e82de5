#!/usr/bin/env bash
# Crash safety: run a 3-seed external-trainer run, `kill -9` the engine at random moments (at least 6
# kills, spread over the whole pipeline), restart it each time, and check that
#  - the final report equals an uninterrupted run's,
#  - no job that was recorded done was ever started again (nothing recomputed),
#  - no temp / staging / work files remain, and
#  - a concurrent reader never saw a corrupt JSON file at any moment (outside the hidden scratch
#    folders of running jobs).
# Seeded: SEEDSCOPE_CRASH_SEED picks the kill times (printed).
set -euo pipefail
BIN="$1"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
source "$HERE/helpers/workspace-lib.sh"
tmp="$(mktemp -d)"
cleanup() {
  [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null || true
  touch "$tmp/stop-reader"; wait 2>/dev/null || true
  pkill -9 -f "cli-trainer.sh $BIN [0-9] $tmp" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
SEED="${SEEDSCOPE_CRASH_SEED:-$RANDOM}"
echo "crash test seed $SEED"
RANDOM=$SEED
PH="$(phases_available "$BIN")"
TRAINER="$HERE/helpers/cli-trainer.sh $BIN {seed} {out} 6 0.05"
export FAKE_TRAINER_LOG="$tmp/trainer.log"

# Reference: uninterrupted.
"$BIN" run create r --workspace "$tmp/ref" --seeds 0,1,2 --phases "$PH" --external "$TRAINER" >/dev/null
"$BIN" run start r --workspace "$tmp/ref" --wait --quiet || true
normalized_report "$BIN" "$tmp/ref" r > "$tmp/ref.json"
: > "$FAKE_TRAINER_LOG"

"$BIN" run create r --workspace "$tmp/ws" --seeds 0,1,2 --phases "$PH" --external "$TRAINER" >/dev/null
# Concurrent reader: parses every JSON file in the workspace continuously until told to stop.
python3 - "$tmp/ws" "$tmp/stop-reader" "$tmp/reader.out" <<'PY' &
import json, os, sys, time
ws, stop, out = sys.argv[1:]
reads = bad = 0
while not os.path.exists(stop):
    for root, dirs, files in os.walk(ws):
        # Hidden .<job>.work / .<job>.partial folders are private scratch of a running job (an external
        # trainer writes there as it likes); every published file lives outside them.
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for f in files:
            if f.endswith(".json") and ".tmp-" not in f:
                p = os.path.join(root, f)
                try:
                    with open(p) as fh: json.load(fh)
                    reads += 1
                except FileNotFoundError:
                    pass
                except Exception as e:
                    bad += 1; print(f"CORRUPT {p}: {e}", flush=True)
    time.sleep(0.01)
open(out, "w").write(f"{reads} {bad}\n")
PY
reader=$!

done_jobs() {  # job names recorded done so far
  python3 - "$tmp/ws/runs/r/jobs" <<'PY'
import json, os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
    if f.endswith(".json") and not f.startswith("."):
        if json.load(open(os.path.join(d, f)))["status"] == "done": print(f[:-5])
PY
}

kills=0; phases_seen=""
for attempt in $(seq 1 40); do
  before="$(done_jobs | tr '\n' ' ')"
  lines=$(wc -l < "$FAKE_TRAINER_LOG")
  "$BIN" run start r --workspace "$tmp/ws" --wait --quiet >/dev/null 2>&1 &
  pid=$!
  # 0.05 .. 1.6 s after start: a seed takes ~0.5 s, so kills land in process start-up, trainer runs,
  # checkpoint imports, commits and later seeds / phases.
  sleep "$(( RANDOM % 2 )).$(( RANDOM % 6 + 1 ))$(( RANDOM % 10 ))"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    kills=$((kills + 1))
    running="$( (grep -l '"running"' "$tmp"/ws/runs/r/jobs/*.json 2>/dev/null || true) | xargs -r -n1 basename | sed 's/\.json$//' | tr '\n' ' ')"
    [ -n "$running" ] || running="between-jobs"
    echo "kill $kills after [$before] while [${running}]"
    phases_seen="$phases_seen $running"
  else
    wait "$pid" 2>/dev/null || true
    pid=""
    echo "run finished by itself after $kills kills"
    # Nothing recorded done before this start was started again.
    for j in $before; do
      s="${j#train-seed}"
      if tail -n +$((lines + 1)) "$FAKE_TRAINER_LOG" | grep -q "^start $s "; then echo "recomputed $j"; exit 1; fi
    done
    [ "$kills" -ge 6 ] && break
    # Not enough kills yet: start over in a fresh workspace of the same spec.
    rm -rf "$tmp/ws/runs/r/seed"* "$tmp/ws/runs/r/jobs" "$tmp/ws/runs/r/report."*
    : > "$FAKE_TRAINER_LOG"
    continue
  fi
  pid=""
  for j in $before; do
    s="${j#train-seed}"
    if tail -n +$((lines + 1)) "$FAKE_TRAINER_LOG" | grep -q "^start $s "; then echo "recomputed $j"; exit 1; fi
  done
  [ "$kills" -ge 8 ] && break
done
[ "$kills" -ge 6 ] || { echo "only $kills kills"; exit 1; }
# Final uninterrupted restart (idempotent if already finished); it must not redo finished seeds.
before="$(done_jobs | tr '\n' ' ')"; lines=$(wc -l < "$FAKE_TRAINER_LOG")
"$BIN" run start r --workspace "$tmp/ws" --wait --quiet || true
for j in $before; do
  s="${j#train-seed}"
  if tail -n +$((lines + 1)) "$FAKE_TRAINER_LOG" | grep -q "^start $s "; then echo "recomputed $j"; exit 1; fi
done
touch "$tmp/stop-reader"; wait "$reader"
echo "reader: $(cat "$tmp/reader.out") (reads, corrupt)"
[ "$(cut -d' ' -f2 "$tmp/reader.out")" = "0" ]
[ "$(cut -d' ' -f1 "$tmp/reader.out")" -gt 0 ]
echo "jobs running at kill time:$(echo "$phases_seen" | tr ' ' '\n' | sort -u | tr '\n' ' ')"
normalized_report "$BIN" "$tmp/ws" r > "$tmp/final.json"
diff "$tmp/ref.json" "$tmp/final.json"
for s in 0 1 2; do cmp "$tmp/ref/runs/r/seed$s/checkpoint/sae.safetensors" "$tmp/ws/runs/r/seed$s/checkpoint/sae.safetensors"; done
json_ok "$tmp/ws"
left="$(leftovers "$tmp/ws")"; [ -z "$left" ] || { echo "leftovers: $left"; exit 1; }
# No orphaned trainer survives.
sleep 0.2
! pgrep -f "cli-trainer.sh $BIN [0-9] $tmp/ws" >/dev/null
echo "workspace-crash: ok"
