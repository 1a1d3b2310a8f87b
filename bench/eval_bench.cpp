// Full-ranking evaluation throughput against the bare score product of the same shape
// (issue 7: evaluation may cost at most 1.3x the product). 256 users, d = 64, catalogues of
// 12k (Beauty), 100k and 1M items; seen lists of 50 items masked, every default metric.
// On SEQREC_BENCH_DEVICE=cuda everything lives on the GPU (the evaluator's counts come back
// to the host at the end of each batch, which also waits for the GPU).
// BM_ChunkedRankingEval ranks from the score factors a chunk of items at a time, as the
// trainer does for catalogues above eval_chunk_items: its time includes the product.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench/bench_device.h"
#include "harness/evaluator.h"
#include "harness/trainer.h"

namespace {

constexpr int64_t kUsers = 256, kDim = 64, kSeen = 50;

struct Problem {
  torch::Tensor queries, items, targets, seen, users;
  explicit Problem(int64_t num_items) {
    torch::manual_seed(0);
    const auto& device = seqrec::bench::device();
    queries = torch::randn({kUsers, kDim}).to(device);
    items = torch::randn({num_items + 1, kDim}).to(device);
    targets = torch::randint(1, num_items + 1, {kUsers}, torch::kLong).to(device);
    seen = torch::randint(0, num_items + 1, {kUsers, kSeen}, torch::kLong).to(device);
    users = torch::arange(kUsers, torch::kLong).to(device);
  }
};

// The [users, N+1] score buffer, written once before timing: at 1M items it is 1 GB, one
// iteration lasts seconds, and the first write's page faults (which a trainer pays once per
// run, not per batch) would otherwise be most of the measured product.
torch::Tensor written_score_buffer(const Problem& p) {
  auto scores = torch::empty({kUsers, p.items.size(0)}, p.queries.options());
  torch::mm_out(scores, p.queries, p.items.t());
  seqrec::bench::finish_iteration();
  return scores;
}

void BM_ScoreProduct(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  const Problem p(state.range(0));
  torch::Tensor scores = written_score_buffer(p);
  for (auto _ : state) {
    torch::mm_out(scores, p.queries, p.items.t());
    seqrec::bench::finish_iteration();
    benchmark::DoNotOptimize(scores.data_ptr());
  }
  state.counters["users/s"] =
      benchmark::Counter(kUsers, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_FullRankingEval(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  const Problem p(state.range(0));
  seqrec::MetricSpec spec;  // the protocol's default metrics and cut-offs
  torch::Tensor scores = written_score_buffer(p);
  for (auto _ : state) {
    seqrec::FullRankingEvaluator evaluator(spec, seqrec::TieRule::Expected, /*mask_seen=*/true);
    torch::mm_out(scores, p.queries, p.items.t());
    evaluator.add_batch(scores, p.targets, p.seen, p.users);
    benchmark::DoNotOptimize(evaluator.finish().mean.data());
  }
  state.counters["users/s"] =
      benchmark::Counter(kUsers, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ChunkedRankingEval(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  const Problem p(state.range(0));
  seqrec::MetricSpec spec;
  const int64_t chunk_items = seqrec::TrainerConfig{}.eval_chunk_items;
  for (auto _ : state) {
    seqrec::FullRankingEvaluator evaluator(spec, seqrec::TieRule::Expected, /*mask_seen=*/true);
    evaluator.add_factored_batch(p.queries, p.items, p.targets, p.seen, p.users, chunk_items);
    benchmark::DoNotOptimize(evaluator.finish().mean.data());
  }
  state.counters["users/s"] =
      benchmark::Counter(kUsers, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["chunk_items"] = static_cast<double>(chunk_items);
}

void catalogues(benchmark::internal::Benchmark* b) {
  b->Arg(12102)->Arg(100000)->Arg(1000000)->ArgName("items")->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK(BM_ScoreProduct)->Apply(catalogues);
BENCHMARK(BM_FullRankingEval)->Apply(catalogues);
BENCHMARK(BM_ChunkedRankingEval)->Apply(catalogues);
