#!/usr/bin/env bash
# Set up, build, run the whole test suite (one CTest entry per Boost.Test suite).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)"
