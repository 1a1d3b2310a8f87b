#!/usr/bin/env bash
# Configures and builds everything (Release) into build/. Extra arguments go to cmake, e.g.
#   bash scripts/build.sh -DCMAKE_PREFIX_PATH=/path/to/libtorch   (a CUDA-enabled LibTorch)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$(nproc)"
