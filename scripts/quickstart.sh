#!/usr/bin/env bash
# Quick start: set up, build, then train Pop and SASRec on ml-100k under the default protocol
# (leave-one-out, full ranking, max_len 50) and print a comparison table.
# ml-100k is looked up as --dataset does ($SEQREC_DATA, ./data, ../shared/datasets); when it
# is in none of them, `seqrec dataset get ml-100k` fetches it from GroupLens into ./data, and
# without a network the run falls back to a synthetic dataset and says so.
# SEQREC_BIN=path/to/seqrec skips the build and uses that binary (the test of this script).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z ${SEQREC_BIN:-} ]]; then
  bash scripts/build.sh seqrec
fi
seqrec=${SEQREC_BIN:-build/seqrec}
dataset=ml-100k
if ! "$seqrec" dataset stats ml-100k >/dev/null 2>&1; then
  if ! reason=$("$seqrec" dataset get ml-100k --to data 2>&1 >/dev/null); then
    synth=data/quickstart-synth
    [[ -f $synth/synth.inter ]] ||
      "$seqrec" dataset synth --out "$synth" --users 600 --items 400 --seed 1 >/dev/null
    echo "quickstart: ml-100k is not here and could not be fetched (${reason##*error: }); training on a synthetic dataset instead ($synth)" >&2
    dataset=$synth
  fi
fi
"$seqrec" train --model pop,sasrec --dataset "$dataset" --set loss=ce --out runs/quickstart "$@"
