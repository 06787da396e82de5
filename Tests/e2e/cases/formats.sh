#!/usr/bin/env bash
# SAE formats end to end: inspect every fixture format, export → re-import, eval, one-line errors.
set -euo pipefail
BIN="$1"
F=Tests/Fixtures
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

# inspect: sparsify run folder (two seeds), SAELens, Gemma Scope (compressed npz), JSON form.
out="$("$BIN" inspect $F/sparsify/run)"; echo "$out"
grep -q "sparsify SAE layers.3/seed0" <<<"$out"; grep -q "sparsify SAE layers.3/seed1" <<<"$out"
grep -q "activation: topk (k=8)" <<<"$out"
out="$("$BIN" inspect $F/saelens/gated)"; echo "$out"; grep -q "gated (SAELens gated)" <<<"$out"
out="$("$BIN" inspect $F/gemmascope/params_compressed.npz)"; echo "$out"
grep -q "jumprelu" <<<"$out"; grep -q "b_dec not subtracted" <<<"$out"
"$BIN" inspect $F/saelens/jumprelu --json > "$tmp/j.json"
python3 -c "import json,sys; d=json.load(open('$tmp/j.json')); assert d['architecture']=='jumprelu' and d['m']==128 and d['d']==32, d"
# The safetensors view of a single file still works.
"$BIN" inspect $F/saelens/topk/sae_weights.safetensors | grep -q "W_enc"

# export to SAELens and back to the sparsify layout; weights stay bit-identical (compared with numpy).
"$BIN" export $F/sparsify/run/layers.3/seed1 --to saelens --out "$tmp/sl"
"$BIN" export "$tmp/sl" --to sparsify --out "$tmp/sp"
python3 - "$F/sparsify/run/layers.3/seed1/sae.safetensors" "$tmp/sl/sae_weights.safetensors" "$tmp/sp/sae.safetensors" <<'PY'
import json, struct, sys, numpy as np
def load(p):
    b = open(p, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8+n]); out = {}
    for k, v in h.items():
        if k == '__metadata__': continue
        s, e = v['data_offsets']; out[k] = np.frombuffer(b[8+n+s:8+n+e], dtype='<f4').reshape(v['shape'])
    return out
a, sl, sp = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
assert np.array_equal(a['encoder.weight'], sl['W_enc'].T) and np.array_equal(a['W_dec'], sl['W_dec'])
for k in a: assert np.array_equal(a[k], sp[k]), k
print("export round trip bit-exact")
PY
grep -q '"architecture":"topk"' "$tmp/sl/cfg.json"
# Refuses to overwrite a non-empty folder.
if "$BIN" export $F/saelens/topk --to saelens --out "$tmp/sl" 2>"$tmp/err"; then echo "overwrote"; exit 1; fi
[ "$(wc -l < "$tmp/err")" -eq 1 ]; grep -q "not empty" "$tmp/err"

# eval on a tiny dataset made from the sparsify probe rows: FVU must equal sparsify's own probe fvu.
python3 - "$F/sparsify/probe_seed0.safetensors" "$tmp/acts.safetensors" <<'PY'
import json, struct, sys
b = open(sys.argv[1], 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8+n])
s, e = h['x']['data_offsets']; x = b[8+n+s:8+n+e]
s, e = h['fvu']['data_offsets']; fvu = struct.unpack('<f', b[8+n+s:8+n+e])[0]
hdr = json.dumps({"activations": {"dtype": "F32", "shape": [16, 32], "data_offsets": [0, len(x)]}}).encode()
hdr += b' ' * ((8 - len(hdr) % 8) % 8)
open(sys.argv[2], 'wb').write(struct.pack('<Q', len(hdr)) + hdr + x)
open(sys.argv[2] + '.fvu', 'w').write(repr(fvu))
PY
"$BIN" eval $F/sparsify/run/layers.3/seed0 --data "$tmp/acts.safetensors" --json > "$tmp/eval.json"; cat "$tmp/eval.json"
python3 -c "
import json; d=json.load(open('$tmp/eval.json')); ref=float(open('$tmp/acts.safetensors.fvu').read())
assert d['tokens']==16 and abs(d['fvu']-ref) <= 1e-4*ref, (d['fvu'], ref); assert d['l0']<=8
print('eval fvu', d['fvu'], 'sparsify', ref)"
"$BIN" eval $F/saelens/gated --data "$tmp/acts.safetensors" --max-tokens 8 | grep -q "8 tokens"

# One-line errors naming the file.
mkdir -p "$tmp/empty"
for args in "inspect $tmp/empty/" "eval $F/saelens/topk --data $tmp/nope.safetensors" "eval $tmp/empty --data $tmp/acts.safetensors" "export $F/sparsify/run --to saelens --out $tmp/x"; do
  if "$BIN" $args 2>"$tmp/err"; then echo "accepted: $args"; exit 1; fi
  cat "$tmp/err"; [ "$(wc -l < "$tmp/err")" -eq 1 ]
done
head -c 3000 $F/gemmascope/params.npz > "$tmp/params.npz"
if "$BIN" inspect "$tmp/params.npz" 2>"$tmp/err"; then echo "truncated npz accepted"; exit 1; fi
cat "$tmp/err"; [ "$(wc -l < "$tmp/err")" -eq 1 ]; grep -q "params.npz" "$tmp/err"
# A dataset of the wrong width.
"$BIN" eval $F/gemmascope/params.npz --data "$tmp/acts.safetensors" >/dev/null  # d=32 matches
echo ok
