#!/usr/bin/env bash
# Two processes on one workspace: while `run start --wait` runs, a second start is refused with the
# read-only message naming the holder, status works read-only, `run cancel` reaches the engine through
# the workspace, and nothing is corrupted.
set -euo pipefail
BIN="$1"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
source "$HERE/helpers/workspace-lib.sh"
tmp="$(mktemp -d)"
cleanup() { [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
"$BIN" run create slow --workspace "$tmp/ws" --seeds 0,1 --phases train --external "$HERE/helpers/cli-trainer.sh $BIN {seed} {out} 100 0.05" >/dev/null
"$BIN" run create other --workspace "$tmp/ws" --seeds 0 --phases train --external "$HERE/helpers/cli-trainer.sh $BIN {seed} {out} 1 0" >/dev/null
"$BIN" run start slow --workspace "$tmp/ws" --wait >"$tmp/engine.out" 2>&1 &
pid=$!
for i in $(seq 1 100); do grep -q "step" "$tmp/ws/runs/slow/seed0/train.log" 2>/dev/null && break; sleep 0.05; done
if "$BIN" run start other --workspace "$tmp/ws" --wait 2>"$tmp/err"; then echo "second writer accepted"; exit 1; fi
cat "$tmp/err"
grep -q "is open in process $pid (read-only)" "$tmp/err"
[ "$(wc -l < "$tmp/err")" -eq 1 ]
if "$BIN" run start other --workspace "$tmp/ws" 2>"$tmp/err2"; then echo "background start accepted"; exit 1; fi
grep -q "is open in process $pid" "$tmp/err2"
"$BIN" run status --workspace "$tmp/ws" | tee "$tmp/status.txt"
grep -q "engine running in process $pid" "$tmp/status.txt"
grep -q "slow: running" "$tmp/status.txt"
json_ok "$tmp/ws"
"$BIN" run cancel slow --workspace "$tmp/ws" | grep -q "cancel sent to the engine in process $pid"
set +e; wait "$pid"; rc=$?; set -e; pid=""
[ "$rc" -eq 1 ]
"$BIN" run status slow --workspace "$tmp/ws" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)["runs"][0]
assert all(j["status"] == "cancelled" for j in r["jobs"]), r["jobs"]'
! pgrep -f "cli-trainer.sh $BIN 0 $tmp" >/dev/null
json_ok "$tmp/ws"
[ -z "$(leftovers "$tmp/ws")" ]
# The lock is free again: the other run starts.
"$BIN" run start other --workspace "$tmp/ws" --wait --quiet

# Ctrl-C (SIGINT) on `run start --wait`: exit 130, the trainer is stopped, the job stays resumable
# ("interrupted"), and the next start resumes it.
"$BIN" run start slow --workspace "$tmp/ws" --wait >"$tmp/int.out" 2>&1 &
pid=$!
for i in $(seq 1 100); do [ "$(grep -c '^=== seedscope: .* seed 0' "$tmp/ws/runs/slow/seed0/train.log")" -ge 2 ] && break; sleep 0.05; done
sleep 0.5
kill -INT "$pid"
set +e; wait "$pid"; rc=$?; set -e; pid=""
cat "$tmp/int.out"
[ "$rc" -eq 130 ]
grep -q "interrupted; stopping jobs" "$tmp/int.out"
"$BIN" run status slow --workspace "$tmp/ws" | tee "$tmp/st2.txt"
grep -q "slow: interrupted" "$tmp/st2.txt"
grep -q "train-seed0 .*running.*interrupted; resumes on the next start" "$tmp/st2.txt"
sleep 0.2
! pgrep -f "cli-trainer.sh $BIN 0 $tmp" >/dev/null
[ -z "$(find "$tmp/ws" -name '.*.tmp-*' -o -name '.*.partial')" ]
echo "workspace-lock: ok"
