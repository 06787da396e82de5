#!/usr/bin/env bash
# Import a sparsify run folder (several seeds of one hookpoint) into a workspace, profile the seeds on
# an activation dataset, match every pair and print the report.
#
#   Examples/import-sparsify.sh SPARSIFY_HOOKPOINT_FOLDER [DATASET] [WORKSPACE]
#
# e.g. Examples/import-sparsify.sh ../shared/data/sparsify-L15-topk-m4608-k32/layers.15 ../shared/data/smollm2-L15-kjv
# (a sparsify `--init_seeds 0 1` run writes {save_dir}/{run}/{hookpoint}/seed0, seed1, … — pass the
# hookpoint folder; the seed numbers come from the folder names).
set -euo pipefail
SRC="${1:?usage: $0 SPARSIFY_HOOKPOINT_FOLDER [DATASET] [WORKSPACE]}"
DATA="${2:-}"
WS="${3:-sparsify-workspace}"
BIN="${SEEDSCOPE:-seedscope}"
command -v "$BIN" >/dev/null || BIN="$(dirname "$0")/../.build/release/seedscope"
RUN="$(basename "$SRC")"
"$BIN" inspect "$SRC"
"$BIN" import "$SRC" --workspace "$WS" --run "$RUN" ${DATA:+--data "$DATA"}
"$BIN" run start "$RUN" --workspace "$WS" --wait
"$BIN" report "$RUN" --workspace "$WS"
echo "explore it: $BIN tui $WS"
