// A whole validation pass over Beauty's 22,363 users (batching, the encoder, the score
// product, ranking and metrics, as Trainer::evaluate runs it) of SASRec with its default
// hyper-parameters, padded and packed, against the bare score product for the same users in
// the same batches (issue 24: the packed pass within 2.5x of the product). The model is
// untrained: the work does not depend on the weights.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench/bench_data.h"
#include "bench/bench_device.h"
#include "datasets/batching.h"
#include "harness/trainer.h"
#include "harness/trial.h"
#include "models/registry.h"

namespace {

using namespace seqrec;

void validation_pass(benchmark::State& state, bool packed) {
  const TrialSetup setup = make_trial_setup("sasrec", bench::beauty().directory, nullptr, "",
                                            {packed ? "execution=packed" : "execution=padded"}, 42,
                                            1, bench::device_name());
  torch::manual_seed(42);
  auto model = ModelRegistry::instance().get("sasrec").create(
      ModelContext{bench::beauty(), bench::beauty_split(), setup.params, setup.protocol.max_len});
  Trainer trainer(model, bench::beauty_split(), setup.protocol, setup.trainer, bench::device(), 42,
                  [](const std::string&) {});
  trainer.evaluate(EvalStage::Validation);  // untimed: buffers allocated, pages faulted in
  int64_t users = 0;
  for (auto _ : state) {
    const EvalResult result = trainer.evaluate(EvalStage::Validation);
    bench::finish_iteration();
    users = static_cast<int64_t>(result.users.size());
  }
  state.counters["users/s"] =
      benchmark::Counter(static_cast<double>(users), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string("sasrec defaults, ") + (packed ? "packed" : "padded") + ", " +
                 std::to_string(users) + " users, batches of " +
                 std::to_string(setup.trainer.eval_batch_size));
}

// The [users, d] x [d, N+1] score product alone, batch by batch into one written buffer.
void BM_ValidationProduct(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  const TrialSetup setup = make_trial_setup("sasrec", bench::beauty().directory, nullptr, "", {},
                                            42, 1, bench::device_name());
  const int64_t users =
      EvaluationBatcher(bench::beauty_split(), EvalStage::Validation, setup.protocol.max_len)
          .num_users();
  const int64_t batch = setup.trainer.eval_batch_size, d = setup.params.get_int("hidden");
  torch::manual_seed(0);
  const auto& device = bench::device();
  const auto queries = torch::randn({users, d}).to(device);
  const auto items = torch::randn({bench::beauty().num_items() + 1, d}).to(device);
  auto scores = torch::empty({batch, items.size(0)}, queries.options());
  auto pass = [&] {
    for (int64_t begin = 0; begin < users; begin += batch) {
      const int64_t rows = std::min(batch, users - begin);
      auto out = scores.narrow(0, 0, rows);
      torch::mm_out(out, queries.narrow(0, begin, rows), items.t());
    }
    bench::finish_iteration();
  };
  pass();  // untimed: the buffer's pages faulted in
  for (auto _ : state) {
    pass();
    benchmark::DoNotOptimize(scores.data_ptr());
  }
  state.counters["users/s"] =
      benchmark::Counter(static_cast<double>(users), benchmark::Counter::kIsIterationInvariantRate);
}

const bool registered = [] {
  benchmark::RegisterBenchmark("BM_ValidationProduct", BM_ValidationProduct)
      ->Unit(benchmark::kMillisecond);
  for (const bool packed : {false, true})
    benchmark::RegisterBenchmark(packed ? "BM_ValidationPass/packed" : "BM_ValidationPass/padded",
                                 [packed](benchmark::State& s) { validation_pass(s, packed); })
        ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
