#!/usr/bin/env bash
# Every command in the README's fenced blocks marked `sh runnable` runs as written: the blocks are
# extracted and executed in a temp dir that links the repository's Examples/ and Tests/Fixtures/,
# with `seedscope` on PATH.
set -euo pipefail
BIN="$1"
ROOT="$(pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/Tests"
ln -s "$BIN" "$tmp/bin/seedscope"
ln -s "$ROOT/Examples" "$tmp/Examples"
ln -s "$ROOT/Tests/Fixtures" "$tmp/Tests/Fixtures"
awk '/^```sh runnable/{on=1; next} /^```/{on=0} on' README.md > "$tmp/commands.sh"
n=$(grep -cvE '^\s*(#|$)' "$tmp/commands.sh" || true)
echo "running $n README commands"
[ "$n" -gt 0 ]
cd "$tmp"
PATH="$tmp/bin:$PATH" bash -euo pipefail -x commands.sh
