#!/usr/bin/env bash
# `seedscope inspect` on a Python-written safetensors file, and one-line errors on bad input.
set -euo pipefail
BIN="$1"
out="$("$BIN" inspect Tests/Fixtures/sparsify/run/layers.3/seed0/sae.safetensors --stats)"
echo "$out"
grep -q "encoder.weight  F32    \[128, 32\]" <<<"$out"
grep -q "NaN" <<<"$out"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
head -c 100 Tests/Fixtures/sparsify/run/layers.3/seed0/sae.safetensors > "$tmp/trunc.safetensors"
if "$BIN" inspect "$tmp/trunc.safetensors" 2>"$tmp/err"; then echo "truncated file accepted"; exit 1; fi
cat "$tmp/err"
[ "$(wc -l < "$tmp/err")" -eq 1 ]
grep -q "trunc.safetensors" "$tmp/err"
