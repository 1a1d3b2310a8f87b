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
# Ninja, not Makefiles: the Makefiles generator lists every source's precompiled-header flags
# in one flags.make that all objects depend on, so adding any source file (a new model)
# rebuilt the whole library; Ninja rebuilds only what changed. A build/ configured by another
# generator is reconfigured from scratch.
if [[ -f build/CMakeCache.txt ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' build/CMakeCache.txt; then
  echo "build: build/ was configured with another generator; reconfiguring it for Ninja"
  rm -rf build/CMakeCache.txt build/CMakeFiles
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$(nproc)" "${targets[@]}"
