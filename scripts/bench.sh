#!/usr/bin/env bash
# Runs the benchmarks (bench/, Google Benchmark) and regenerates results/performance.md.
#   bash scripts/bench.sh                 # all benchmarks, 1 torch thread
#   SEQREC_BENCH_THREADS=2 bash scripts/bench.sh
#   SEQREC_BENCH_DEVICE=cuda bash scripts/bench.sh   # on the GPU: results/performance-cuda.md
# Extra arguments go to seqrec_bench (e.g. --benchmark_filter=Matmul).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
mkdir -p results/performance
device=${SEQREC_BENCH_DEVICE:-cpu}
tag=${device//:/}
out=results/performance/bench-$tag.json
page=results/performance.md
[[ $tag == cpu ]] || page=results/performance-$tag.md
build/seqrec_bench --benchmark_out="$out" --benchmark_out_format=json \
  --benchmark_min_time=2 "$@"
# Peak memory: the one-epoch SASRec (CE) trainings on Beauty, padded and packed, kept in
# results/performance/runs (docs/reproducing.md has their commands); they are CPU runs.
trial=()
for dir in results/performance/runs/*/; do
  [[ $tag == cpu && -f $dir/result.json ]] && trial+=(--trial "${dir%/}")
done
build/seqrec perf-report "$out" "${trial[@]}" --out "$page"
