#!/usr/bin/env bash
# `make demo`: until the demo workspace lands, show what seedscope reads in an example file.
set -euo pipefail
BIN="${1:-.build/release/seedscope}"
"$BIN" inspect Tests/Fixtures/sparsify/run/layers.3/seed0/sae.safetensors --stats
