#!/usr/bin/env bash
# Runs the benchmarks (bench/, Google Benchmark) and regenerates results/performance.md.
#   bash scripts/bench.sh                 # all benchmarks, 1 torch thread
#   SEQREC_BENCH_THREADS=2 bash scripts/bench.sh
# Extra arguments go to seqrec_bench (e.g. --benchmark_filter=Matmul).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
mkdir -p results/performance
out=results/performance/bench-cpu.json
build/seqrec_bench --benchmark_out="$out" --benchmark_out_format=json \
  --benchmark_min_time=2 "$@"
# Peak memory: the one-epoch SASRec (CE) training on Beauty kept in results/performance/runs
# (docs/reproducing.md has its command), when it is there.
trial=()
for dir in results/performance/runs/*/; do
  [[ -f $dir/result.json ]] && trial=(--trial "${dir%/}")
done
build/seqrec perf-report "$out" "${trial[@]}" --out results/performance.md
