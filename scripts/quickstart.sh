#!/usr/bin/env bash
# Quick start: set up, build, then train Pop and SASRec on ml-100k under the default protocol
# (leave-one-out, full ranking, max_len 50) and print a comparison table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh seqrec
build/seqrec train --model pop,sasrec --dataset ml-100k --set loss=ce --out runs/quickstart "$@"
