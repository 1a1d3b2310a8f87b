// The machine's ceiling: the matrix-product rate at the shapes the models use, in float32
// and bfloat16. Training and evaluation rates elsewhere are read against this number.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench/bench_device.h"

namespace {

// [M, K] x [K, N] with M = rows, K = d = 64 or the FFN width; 2·M·K·N FLOPs per product.
void matmul(benchmark::State& state, torch::ScalarType dtype) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  const auto& device = seqrec::bench::device();
  const auto a = torch::randn({m, k}).to(device, dtype), b = torch::randn({k, n}).to(device, dtype);
  auto out = torch::empty({m, n}, torch::TensorOptions().dtype(dtype).device(device));
  for (auto _ : state) {
    torch::mm_out(out, a, b);
    seqrec::bench::finish_iteration();
    benchmark::DoNotOptimize(out.data_ptr());
  }
  state.counters["FLOP/s"] =
      benchmark::Counter(2.0 * m * k * n, benchmark::Counter::kIsIterationInvariantRate);
}

// Scoring 256 users against Beauty's 12,102 items; the transformer's projections and FFN on
// a batch of 128 sequences of 50 positions.
void shapes(benchmark::internal::Benchmark* b) {
  b->Args({256, 64, 12102})->Args({6400, 64, 64})->Args({6400, 64, 256})->Args({6400, 256, 64});
  b->ArgNames({"M", "K", "N"})->Unit(benchmark::kMillisecond);
}

void BM_MatmulF32(benchmark::State& state) { matmul(state, torch::kFloat); }
void BM_MatmulBF16(benchmark::State& state) { matmul(state, torch::kBFloat16); }

}  // namespace

BENCHMARK(BM_MatmulF32)->Apply(shapes);
BENCHMARK(BM_MatmulBF16)->Apply(shapes);
