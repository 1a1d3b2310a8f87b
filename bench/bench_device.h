#pragma once
// The device the benchmarks run on: SEQREC_BENCH_DEVICE, cpu by default (`cuda` for the GPU
// run of scripts/bench.sh). GPU kernels run asynchronously, so on CUDA every iteration ends
// with a synchronisation and the performance page reads wall time (harness/performance_report).
#include <torch/cuda.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>

namespace seqrec::bench {

inline const torch::Device& device() {
  static const torch::Device chosen = [] {
    const char* name = std::getenv("SEQREC_BENCH_DEVICE");
    return torch::Device(name && *name ? name : "cpu");
  }();
  return chosen;
}

inline std::string device_name() { return device().str(); }

// Waits for the GPU's queued work; nothing to wait for on the CPU.
inline void finish_iteration() {
  if (device().is_cuda()) torch::cuda::synchronize();
}

}  // namespace seqrec::bench
