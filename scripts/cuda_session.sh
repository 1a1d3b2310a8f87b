#!/usr/bin/env bash
# Everything the project checks on a GPU, in one command for a short machine lease: builds
# against the machine's CUDA LibTorch, looks into the test-binary crash seen on the first CUDA
# build, runs the `cuda` test label and the benchmarks on the GPU, then spends what time is left
# on a sweep. Each stage writes OUTDIR/<stage>.log and one line to OUTDIR/summary.txt, and a
# failed stage does not stop the next one, so one call brings back as much as the lease allows.
#
#   bash scripts/cuda_session.sh OUTDIR [STAGE...]      # default stages: all of them, in order
#     build     configure and build against `python3 -c 'import torch'`'s LibTorch into build-cuda/
#     diagnose  a thrown error in the CLI and in the test binary, with and without libgcc_s
#               preloaded; who exports the unwinder; a cuda-gdb backtrace if a test crashes
#     tests     ctest -L cuda (the model suites on the GPU)
#     bench     the benchmarks on the GPU -> OUTDIR/bench-cuda.json, OUTDIR/performance-cuda.md
#     sweep     SEQREC_SWEEP_SPEC on --device cuda with SEQREC_SWEEP_JOBS trials at once, stopped
#               after SEQREC_SWEEP_SECONDS; the sweep's trial folders -> OUTDIR/runs.tgz
#
# Environment:
#   SEQREC_DEPS_DEBS      a folder of Debian packages to unpack into /opt/deps when the machine
#                         has no apt (Boost.Test, Google Benchmark, CLI11, nlohmann_json): make it
#                         on a Debian 12 machine with `apt-get download libboost1.74-dev
#                         libboost-test1.74-dev libboost-test1.74.0 libbenchmark-dev
#                         libbenchmark1debian libcli11-dev nlohmann-json3-dev`
#   SEQREC_DATA           where the datasets are, when ../shared/datasets is not beside the tree
#                         (a copied working tree): a folder holding beauty/ and ml-100k/
#   SEQREC_VERSION        the commit to record in results, for a copied tree without .git
#   SEQREC_SWEEP_SPEC     default experiments/hm4sr_beauty.json
#   SEQREC_SWEEP_JOBS     default 8
#   SEQREC_SWEEP_SECONDS  default 240
#   SEQREC_BENCH_MIN_TIME default 0.3 (seconds per benchmark)
#   SEQREC_KEEP_CHECKPOINTS=1  put unfinished trials' checkpoint.pt into runs.tgz too (large)
set -uo pipefail
cd "$(dirname "$0")/.."
if (($# < 1)); then
  sed -n '2,/^set -uo/p' "$0" | sed '$d'
  exit 2
fi
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
stages=("$@")
((${#stages[@]})) || stages=(build diagnose tests bench sweep)
build=build-cuda
jobs=$(nproc)
started=$(date +%s)

note() { echo "$*" | tee -a "$out/summary.txt"; }
elapsed() { echo "$(($(date +%s) - started))s"; }

stage_build() {
  local prefix
  prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)') || return 1
  if [[ -n ${SEQREC_DEPS_DEBS:-} ]]; then
    for deb in "$SEQREC_DEPS_DEBS"/*.deb; do dpkg-deb -x "$deb" /opt/deps || return 1; done
    prefix="$prefix;/opt/deps/usr"
  fi
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda,
               "gpu", torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)'
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" &&
    cmake --build "$build" -j "$jobs"
}

run_case() {  # run_case LABEL EXPECTED_RC CMD... : runs CMD, notes its exit status
  local label=$1 expected=$2 rc
  shift 2
  "$@" >"$out/diagnose-$label.txt" 2>&1
  rc=$?
  note "  $label: exit $rc (expected $expected)"
  return $((rc == expected ? 0 : 1))
}

stage_diagnose() {
  local libgcc throw_test=tisasrec/dataset_without_timestamps_is_an_input_error
  libgcc=$(gcc -print-file-name=libgcc_s.so.1)
  run_case cli-throw 2 "$build/seqrec" train --model pop --dataset /nonexistent --out "$out/x"
  run_case test-throw 0 "$build/seqrec_tests" --run_test=$throw_test
  local plain=$?
  run_case test-throw-libgcc-preloaded 0 env LD_PRELOAD="$libgcc" \
    "$build/seqrec_tests" --run_test=$throw_test
  run_case trial-on-cuda 0 env SEQREC_TEST_DEVICE=cuda \
    "$build/seqrec_tests" --run_test=models/sasrec_beats_popularity_on_ml100k
  # Two unwinders in one process (libgcc's and one linked into a GPU library) is the leading
  # suspect: list every loaded library that defines the unwinder's entry point.
  # The first in load order (ldd's position) wins the symbol lookup.
  echo "libraries defining _Unwind_RaiseException (position in ldd's load order):"
  local position=0
  for lib in $(ldd "$build/seqrec_tests" | awk '$3 ~ /^\// {print $3}'); do
    position=$((position + 1))
    # grep reads all of nm's output: with -q, nm's SIGPIPE would fail the pipeline (pipefail).
    nm -D --defined-only "$lib" 2>/dev/null | grep ' _Unwind_RaiseException' >/dev/null &&
      echo "  $position $lib"
  done
  if ((plain != 0)) && command -v cuda-gdb >/dev/null; then
    timeout 120 cuda-gdb -batch -ex run -ex bt -ex 'info sharedlibrary' --args \
      "$build/seqrec_tests" --run_test=$throw_test --catch_system_errors=no \
      >"$out/diagnose-backtrace.txt" 2>&1
  fi
  return 0
}

stage_tests() { (cd "$build" && ctest -L cuda -j 4 --output-on-failure --timeout 900); }

stage_bench() {
  SEQREC_BENCH_DEVICE=cuda "$build/seqrec_bench" --benchmark_out="$out/bench-cuda.json" \
    --benchmark_out_format=json --benchmark_min_time="${SEQREC_BENCH_MIN_TIME:-0.3}" &&
    "$build/seqrec" perf-report "$out/bench-cuda.json" --out "$out/performance-cuda.md"
}

stage_sweep() {
  local spec=${SEQREC_SWEEP_SPEC:-experiments/hm4sr_beauty.json}
  local runs
  runs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["out"])' "$spec")
  # The Beauty text modality (issue 5's specs read it from data/beauty).
  if grep -q '"data/beauty"' "$spec" && [[ ! -f data/beauty/beauty.item ]]; then
    "$build/seqrec" features text --dataset beauty --fields title,categories --dim 128 \
      --out data/beauty || return 1
  fi
  # HM4SR's Beauty sweep: titles and categories as two modalities (docs/reproducing.md).
  if grep -q '"data/beauty-mm"' "$spec" && [[ ! -f data/beauty-mm/beauty.category.npy ]]; then
    "$build/seqrec" features text --dataset beauty --fields title --dim 128 --name text \
      --out data/beauty-mm || return 1
    "$build/seqrec" features text --dataset data/beauty-mm --fields categories --dim 128 \
      --name category || return 1
  fi
  timeout --signal=TERM --kill-after=20 "${SEQREC_SWEEP_SECONDS:-240}" \
    "$build/seqrec" sweep "$spec" --device cuda --jobs "${SEQREC_SWEEP_JOBS:-8}" --threads 2
  local rc=$?
  "$build/seqrec" sweep "$spec" --list
  local exclude=(--exclude=checkpoint.pt --exclude='*.tmp.*')
  [[ ${SEQREC_KEEP_CHECKPOINTS:-0} == 1 ]] && exclude=(--exclude='*.tmp.*')
  tar -czf "$out/runs.tgz" "${exclude[@]}" "$runs"
  ((rc == 0 || rc == 124))  # 124: stopped by the time limit, as planned
}

for stage in "${stages[@]}"; do
  if ! declare -F "stage_$stage" >/dev/null; then
    note "unknown stage '$stage'"
    continue
  fi
  note "== $stage (at $(elapsed))"
  if "stage_$stage" >"$out/$stage.log" 2>&1; then
    note "   $stage: ok (at $(elapsed))"
  else
    note "   $stage: FAILED (at $(elapsed)); see $stage.log"
  fi
done
