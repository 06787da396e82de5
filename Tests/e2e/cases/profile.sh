#!/usr/bin/env bash
# `seedscope profile` and `seedscope latent` on the committed sparsify fixture with a generated dataset,
# one-line errors on bad input, and (when ../shared/data exists) a real SmolLM2 card.
set -euo pipefail
BIN="$1"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
SAE=Tests/Fixtures/sparsify/run/layers.3/seed0
# A windowed dataset [12, 16, 32] F32 with int32 tokens, written as raw safetensors (no extra packages).
gen() { python3 - "$1" "$2" <<'PY'
import json, struct, sys, numpy as np
rng = np.random.default_rng(0)
d = int(sys.argv[2])
x = rng.standard_normal((12, 16, d)).astype("<f4")
t = rng.integers(0, 500, (12, 16)).astype("<i4")
hdr = {"__metadata__": {"exclude_positions": "0"},
       "activations": {"dtype": "F32", "shape": [12, 16, d], "data_offsets": [0, x.nbytes]},
       "tokens": {"dtype": "I32", "shape": [12, 16], "data_offsets": [x.nbytes, x.nbytes + t.nbytes]}}
h = json.dumps(hdr).encode(); h += b" " * ((8 - len(h) % 8) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + x.tobytes() + t.tobytes())
PY
}
gen "$tmp/data.safetensors" 32
gen "$tmp/data16.safetensors" 16
out="$("$BIN" profile "$SAE" --data "$tmp/data.safetensors" --out "$tmp/p.safetensors" --top 5 --context 3)"
echo "$out"
grep -q "128 latents over 180 tokens (12 windows of 16)" <<<"$out"
"$BIN" profile "$SAE" --data "$tmp/data.safetensors" --out "$tmp/p.safetensors" --json > "$tmp/summary.json"
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert s['latents']==128 and s['tokens']==180 and s['header']['config']['top_k']==20, s" "$tmp/summary.json"
# A latent that fires: its card marks exactly one max per top window.
lat="$(python3 - "$tmp/p.safetensors" <<'PY'
import json, struct, sys
b = open(sys.argv[1], "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8+n])
o = h["count"]["data_offsets"]; counts = struct.unpack("<128q", b[8+n+o[0]:8+n+o[1]])
print(max(range(128), key=lambda i: counts[i]))
PY
)"
card="$("$BIN" latent "$SAE" "$lat" --profile "$tmp/p.safetensors" --top 3)"
echo "$card"
grep -q "^latent $lat" <<<"$card"
[ "$(grep -c '^ *[0-9]\. .*\[\[' <<<"$card")" -eq 3 ]
"$BIN" latent "$SAE" "$lat" --profile "$tmp/p.safetensors" --json | python3 -c "
import json,sys; c=json.load(sys.stdin); e=c['top'][0]; a=e['activations']
assert a.index(max(a)) + e['span_start'] == e['max_position'], e
assert e['marked'].count('[[') == 1"
# Profiling on the fly with --data gives the same card.
diff <("$BIN" latent "$SAE" "$lat" --data "$tmp/data.safetensors" --json) <("$BIN" latent "$SAE" "$lat" --profile "$tmp/p.safetensors" --json)
# One-line errors, exit 1.
check_err() { local pat="$1"; shift; if "$@" 2>"$tmp/err" >/dev/null; then echo "accepted: $*"; exit 1; fi; cat "$tmp/err"; [ "$(wc -l < "$tmp/err")" -eq 1 ]; grep -q -- "$pat" "$tmp/err"; }
check_err "out of range" "$BIN" latent "$SAE" 999 --profile "$tmp/p.safetensors"
check_err "different SAE" "$BIN" latent Tests/Fixtures/sparsify/run/layers.3/seed1 0 --profile "$tmp/p.safetensors"
head -c 3000 "$tmp/p.safetensors" > "$tmp/trunc.safetensors"
check_err "trunc.safetensors" "$BIN" latent "$SAE" 0 --profile "$tmp/trunc.safetensors"
check_err "SAE expects d=32 but .*data16.safetensors has d=16" "$BIN" profile "$SAE" --data "$tmp/data16.safetensors" --out "$tmp/x.safetensors"
check_err "no such file" "$BIN" profile "$SAE" --data "$tmp/missing.safetensors" --out "$tmp/x.safetensors"
[ ! -e "$tmp/x.safetensors" ]
# Activation agreement: an SAE against itself pairs every latent with itself (decoder assignment),
# so every live pair correlates perfectly and shares its top windows; a bad pair is a one-line error.
"$BIN" agree "$SAE" "$SAE" --data "$tmp/data.safetensors" --json --csv "$tmp/agree.csv" > "$tmp/agree.json"
python3 - "$tmp/agree.json" "$tmp/agree.csv" <<'PY'
import csv, json, sys
s = json.load(open(sys.argv[1])); ag = s["agreements"]
assert s["pairs"] == 128 and s["tokens"] == 180 and len(ag) == 128, s["pairs"]
assert all(a["a"] == a["b"] for a in ag)
live = [a for a in ag if a["pearson"] is not None]
assert live and all(abs(a["pearson"] - 1) < 1e-6 and a["top_window_jaccard"] == 1 for a in live)
assert len(list(csv.DictReader(open(sys.argv[2])))) == 128
PY
"$BIN" agree "$SAE" Tests/Fixtures/sparsify/run/layers.3/seed1 --data "$tmp/data.safetensors" --pair 3:5 --limit 1 | grep -q "^1 pairs over 180 tokens"
check_err "latent pair (0, 999) out of range" "$BIN" agree "$SAE" "$SAE" --data "$tmp/data.safetensors" --pair 0:999
check_err "--pair must look like" "$BIN" agree "$SAE" "$SAE" --data "$tmp/data.safetensors" --pair x
# Real data, when available: KJV text with a marked max in every top window.
S=../shared/data
if [ -d "$S/sparsify-L15-topk-m4608-k32" ]; then
  "$BIN" profile "$S/sparsify-L15-topk-m4608-k32/layers.15/seed0" --data "$S/smollm2-L15-kjv" --out "$tmp/real.safetensors"
  real="$("$BIN" latent "$S/sparsify-L15-topk-m4608-k32/layers.15/seed0" 100 --profile "$tmp/real.safetensors" --top 5)"
  echo "$real" | head -12
  [ "$(grep -c '^ *[0-9]\. .*\[\[' <<<"$real")" -eq 5 ]
  grep -qi "the\|and\|lord" <<<"$real"
fi
