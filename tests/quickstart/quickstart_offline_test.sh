#!/usr/bin/env bash
# CTest entry `quickstart_offline`: the README's quick start on a fresh checkout with no
# ../shared beside it and no network. It must fall back to a synthetic dataset, say so in one
# line, and still print the comparison table. Usage: quickstart_offline_test.sh SOURCE_ROOT SEQREC
set -euo pipefail
source_root=$1
seqrec=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A checkout of the scripts alone: nothing of ../shared, no data/, no build/. The binary is
# copied out of the source tree too, as datasets are also looked for beside its ancestors.
mkdir -p "$work/checkout" "$work/bin"
cp -r "$source_root/scripts" "$work/checkout/"
cp "$seqrec" "$work/bin/seqrec"
seqrec=$work/bin/seqrec
cd "$work/checkout"
# No network: every address goes to a loopback port where nothing listens.
export SEQREC_MIRROR=http://127.0.0.1:9/ SEQREC_BIN=$seqrec
unset SEQREC_DATA
output=$(bash scripts/quickstart.sh --set epochs=1 --threads 1 2>&1) || {
  echo "$output"; echo "quickstart_offline: the quick start failed"; exit 1; }
echo "$output"
fallback_lines=$(grep -c '^quickstart: .*synthetic dataset' <<<"$output" || true)
[[ $fallback_lines -eq 1 ]] || { echo "quickstart_offline: expected one fallback line, got $fallback_lines"; exit 1; }
grep -q 'sasrec' <<<"$output" || { echo "quickstart_offline: no results table"; exit 1; }
[[ ! -e data/ml-100k ]] || { echo "quickstart_offline: a partial ml-100k was left in data/"; exit 1; }
echo "quickstart_offline: passed"
