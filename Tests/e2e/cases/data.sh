#!/usr/bin/env bash
# Datasets: inspect summary, exact --text decoding, --tokens display, generate, one-line errors.
set -euo pipefail
BIN="$1"
DS=Examples/data/smollm2-L10
out="$("$BIN" inspect "$DS")"
echo "$out"
grep -q "111 windows × 128 tokens = 14208 rows, d = 576, F16" <<<"$out"
grep -q "excluded    positions 0; 14097 usable rows" <<<"$out"
grep -q "tokenizer   BPE, 49152 ids" <<<"$out"
# Exact decode (transformers' tok.decode(tokens[1, :32]) with default skip_special_tokens=False).
want='<|endoftext|>, and they knew that they were naked; and they sewed fig leaves together, and made themselves aprons. And they heard the voice of the LORD'
got="$("$BIN" inspect "$DS" --text 128:160)"
[ "$got" = "$want" ] || { echo "decode mismatch: $got"; exit 1; }
# Byte-exact: no trailing newline when piped.
[ "$("$BIN" inspect "$DS" --text 128:129 | wc -c)" -eq 13 ]
toks="$("$BIN" inspect "$DS" --tokens --text 0:6)"
echo "$toks"
grep -qE "^ +2 +216  ·$" <<<"$toks"
grep -qE "^ +4 +198  ↵$" <<<"$toks"
"$BIN" inspect "$DS" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["rows"]==14208 and d["excluded_positions"]==[0], d'

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
"$BIN" generate --out "$tmp/gen" --d 32 --features 64 --l0 4 --tokens 4096 --seed 3 --families --noise 0.1
g="$("$BIN" inspect "$tmp/gen")"
grep -q "64 windows × 64 tokens = 4096 rows, d = 32, F32" <<<"$g"
grep -q "WordLevel, 66 ids" <<<"$g"
"$BIN" inspect "$tmp/gen" --text 0:8 | grep -qE "^(f[0-9]+|<none>)( (f[0-9]+|<none>)){7}$"
# Same seed → identical bytes.
"$BIN" generate --out "$tmp/gen2" --d 32 --features 64 --l0 4 --tokens 4096 --seed 3 --families --noise 0.1 >/dev/null
cmp "$tmp/gen/activations.safetensors" "$tmp/gen2/activations.safetensors"

# Errors: one line naming the file.
check_err() {  # expected-substring file args...
  local needle="$1"; shift
  if "$BIN" "$@" 2>"$tmp/err" >/dev/null; then echo "accepted: $*"; exit 1; fi
  cat "$tmp/err"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || { echo "not one line"; exit 1; }
  grep -qF -- "$needle" "$tmp/err" || { echo "missing '$needle'"; exit 1; }
}
mkdir -p "$tmp/notok" && cp "$DS/activations.safetensors" "$tmp/notok/"
check_err "no tokenizer.json beside" inspect "$tmp/notok" --text 0:5
mkdir -p "$tmp/small" && cp "$tmp/gen/tokenizer.json" "$tmp/small/" && cp "$DS/activations.safetensors" "$tmp/small/"
check_err "has 66 token ids but" inspect "$tmp/small" --tokens
check_err "--text takes A:B" inspect "$DS" --text 5:3
head -c 100000 "$DS/activations.safetensors" > "$tmp/trunc.safetensors"
check_err "trunc.safetensors" inspect "$tmp/trunc.safetensors"
check_err "orthogonal features need F ≤ d" generate --out "$tmp/x" --d 8 --features 16 --max-cosine 0
echo "data e2e ok"
