#!/usr/bin/env bash
# Reproduce the paper-style report (Paulo & Belrose 2025, Tables/Figures on shared latents) for a run:
# shared fractions under every criterion, alignment scores, the N-seed "shared in k of N" distribution,
# dead latents and training metrics — as Markdown, JSON and CSV next to the run.
#
#   Examples/paper-report.sh RUN [WORKSPACE]
set -euo pipefail
RUN="${1:?usage: $0 RUN [WORKSPACE]}"
WS="${2:-demo-workspace}"
BIN="${SEEDSCOPE:-seedscope}"
command -v "$BIN" >/dev/null || BIN="$(dirname "$0")/../.build/release/seedscope"
out="$WS/runs/$RUN"
"$BIN" report "$RUN" --workspace "$WS" --format md | tee "$out/paper-report.md"
"$BIN" report "$RUN" --workspace "$WS" --format json > "$out/paper-report.json"
"$BIN" report "$RUN" --workspace "$WS" --format csv > "$out/paper-report.csv"
echo "written: $out/paper-report.{md,json,csv}" >&2
