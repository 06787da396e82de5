# Shared helpers for the workspace e2e cases (sourced).
# phases_available BIN → the comma-separated pipeline phases this build can run after training
# (match/consensus only when their executors are registered), read from `run status --json`.
phases_available() {
  local bin="$1" tmp; tmp="$(mktemp -d)"
  "$bin" run create probe --workspace "$tmp/ws" --seeds 0 --external 'true {out}' >/dev/null
  "$bin" run status --workspace "$tmp/ws" --json | python3 -c '
import json, sys
ex = json.load(sys.stdin)["executors"]
ph = ["train"] + [p for p in ("match", "consensus") if ex.get(p)]
print(",".join(ph))'
  rm -rf "$tmp"
}

# json_ok DIR → fails (prints the file) if any *.json under DIR does not parse.
json_ok() {
  python3 - "$1" <<'PY'
import json, os, sys
bad = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]   # private scratch of running jobs
    for f in files:
        if f.endswith(".json") and ".tmp-" not in f:
            p = os.path.join(root, f)
            try:
                json.load(open(p))
            except FileNotFoundError:
                pass
            except Exception as e:
                print(f"corrupt JSON {p}: {e}"); bad += 1
sys.exit(1 if bad else 0)
PY
}

# leftovers DIR → lists temp/staging/work files (should be empty when a run is finished).
leftovers() { find "$1" \( -name '.*.tmp-*' -o -name '.*.partial' -o -name '.*.work' \) -print; }

# normalized_report BIN WS RUN → the JSON report without volatile fields (times, attempts).
normalized_report() {
  "$1" report "$3" --workspace "$2" --format json | python3 -c '
import json, sys
r = json.load(sys.stdin)
r.pop("generated", None)
for j in r["jobs"]: j.pop("seconds", None)
for s in r["seeds"]:
    s.pop("checkpoint", None)
    t = s.get("training") or {}
    for k in ("seconds", "command"): t.pop(k, None)
print(json.dumps(r, sort_keys=True, indent=1))'
}
