#!/usr/bin/env bash
# Configures and builds into build/ (Release). Usage: build.sh [TARGET...] [-- CMAKE_ARGS...]
#   bash scripts/build.sh                       # everything (CLI, tests, benchmarks)
#   bash scripts/build.sh seqrec                # the CLI only
#   bash scripts/build.sh -- -DCMAKE_PREFIX_PATH=/path/to/libtorch   # another (e.g. CUDA) LibTorch
set -euo pipefail
cd "$(dirname "$0")/.."
targets=()
while (($#)) && [[ $1 != -- ]]; do targets+=(--target "$1"); shift; done
[[ ${1:-} == -- ]] && shift
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$(nproc)" "${targets[@]}"
