// Google Benchmark entry point for seqrec_bench. Torch's intra-op thread count comes from
// SEQREC_BENCH_THREADS (default 1, the setting of the recorded CPU trainings) and is written
// into the JSON context with the CPU, its bfloat16 support, the BLAS library actually loaded
// and its kernels, torch's CPU capability and the device (SEQREC_BENCH_DEVICE,
// bench/bench_device.h), so a result says how it was taken (`seqrec perf-report` prints them).
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "bench/bench_device.h"
#include "harness/heap_tuning.h"
#include "harness/machine.h"
#include "harness/precision.h"
#include "harness/trial.h"

namespace {

// The GPU's name as the driver reports it (LibTorch's C++ API has no portable call for it).
std::string gpu_name() {
  std::string name;
  if (FILE* pipe =
          popen("nvidia-smi --query-gpu=name --format=csv,noheader -i 0 2>/dev/null", "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, pipe)) name += buf;
    pclose(pipe);
  }
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
  return name.empty() ? "?" : name;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  // As in the CLI: without it every step's score matrices cost page faults, and the training
  // benchmarks would time the kernel's page clearing instead of the harness.
  seqrec::keep_freed_memory_in_heap();
  const char* threads = std::getenv("SEQREC_BENCH_THREADS");
  torch::set_num_threads(threads ? std::atoi(threads) : 1);
  benchmark::AddCustomContext("cpu_model", seqrec::cpu_model_name());
  benchmark::AddCustomContext("cpu_bf16", seqrec::cpu_has_bfloat16() ? "yes" : "no");
  benchmark::AddCustomContext("device", seqrec::bench::device_name());
  if (seqrec::bench::device().is_cuda()) benchmark::AddCustomContext("gpu", gpu_name());
  benchmark::AddCustomContext("torch_threads", std::to_string(torch::get_num_threads()));
  benchmark::AddCustomContext("torch_version", TORCH_VERSION);
  benchmark::AddCustomContext("blas", seqrec::blas_library());
  benchmark::AddCustomContext("blas_kernels", seqrec::blas_kernels());
  benchmark::AddCustomContext("torch_cpu_capability", seqrec::torch_cpu_capability());
  benchmark::AddCustomContext("seqrec", seqrec::source_version());
  benchmark::AddCustomContext("date", utc_now());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
