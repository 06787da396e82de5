#!/usr/bin/env bash
# `seedscope match` on the sparsify fixture seeds: scipy's shared fraction, stored results reused,
# JSON output, and one-line errors on bad inputs.
set -euo pipefail
BIN="$1"
F=Tests/Fixtures/sparsify/run/layers.3
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
out="$("$BIN" match $F/seed0 $F/seed1 --out "$tmp/res" 2>/dev/null)"
echo "$out"
# scipy (Tests/Fixtures/matching/matching.json): strict 0.0390625, same partner 0.46875 at t=0.7.
grep -qE "strict \(enc & dec > t\) +3\.91%" <<<"$out"
grep -qE "enc/dec agree +46\.88%" <<<"$out"
ls "$tmp"/res/pairs/*/match.json "$tmp"/res/pairs/*/match.safetensors "$tmp"/res/pairs/*/latents.csv >/dev/null
again="$("$BIN" match $F/seed0 $F/seed1 --out "$tmp/res" --json --threshold 0.5 2>/dev/null)"
grep -q '"reused": true' <<<"$again"
grep -q '"strict": 0.359375' <<<"$again"
# Three SAEs: consensus.
"$BIN" match $F/seed0 $F/seed1 $F/seed0 --out "$tmp/res3" 2>/dev/null | grep -q "in exactly 3 of 3"
test -f "$tmp/res3/consensus.json"
# Bad inputs: a missing folder, a different width.
if "$BIN" match $F/seed0 "$tmp/nope" --out "$tmp/x" 2>"$tmp/err"; then echo "missing input accepted"; exit 1; fi
cat "$tmp/err"; [ "$(wc -l < "$tmp/err")" -eq 1 ]; grep -q "nope" "$tmp/err"
mkdir -p "$tmp/wide"
python3 - "$F/seed0" "$tmp/wide" <<'PY'
import json, struct, sys, shutil
src, dst = sys.argv[1], sys.argv[2]
cfg = json.load(open(src + "/cfg.json")); cfg["d_in"] = 16
json.dump(cfg, open(dst + "/cfg.json", "w"))
def t(name, shape): return {"dtype": "F32", "shape": shape}
tensors = [("W_dec", [128, 16]), ("b_dec", [16]), ("encoder.bias", [128]), ("encoder.weight", [128, 16])]
hdr, off, body = {}, 0, b""
for n, s in tensors:
    k = 1
    for x in s: k *= x
    hdr[n] = {"dtype": "F32", "shape": s, "data_offsets": [off, off + 4 * k]}; off += 4 * k
    body += struct.pack("<%df" % k, *([0.25] * k))
h = json.dumps(hdr).encode(); h += b" " * ((8 - len(h) % 8) % 8)
open(dst + "/sae.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + body)
PY
if "$BIN" match $F/seed0 "$tmp/wide" --out "$tmp/x" 2>"$tmp/err"; then echo "different d accepted"; exit 1; fi
cat "$tmp/err"; [ "$(wc -l < "$tmp/err")" -eq 1 ]; grep -q "wide" "$tmp/err"
