// Training throughput on Beauty-shaped batches: one full optimiser step (batch, forward, loss,
// backward, Adam) of each headline model with its default hyper-parameters, over batches of
// Beauty's real sequences in an epoch's shuffled order. Reports sequences/s and, for SASRec,
// the achieved rate of useful FLOPs (counted below) to read against BM_MatmulF32.
// Also the batcher alone: how fast training and evaluation batches are built.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <algorithm>
#include <memory>
#include <string>

#include "datasets/batching.h"
#include "datasets/dataset.h"
#include "datasets/split.h"
#include "harness/precision.h"
#include "harness/trial.h"
#include "models/registry.h"

namespace {

using namespace seqrec;

const Dataset& beauty() {
  static const Dataset data = load_dataset(
      std::string(SEQREC_SOURCE_DIR) + "/../shared/datasets/beauty", PreprocessOptions{});
  return data;
}

const LeaveOneOutSplit& beauty_split() {
  static const LeaveOneOutSplit split = make_leave_one_out_split(beauty());
  return split;
}

// SASRec's useful FLOPs for one step, counted at real positions only (padding excluded),
// forward then x3 for forward + backward:
//   per real position and layer: Q, K, V, O projections 2·4·d², feed-forward 2·2·d·inner,
//   attention scores and mix 2·2·d·ℓ (ℓ = positions it attends to, causal: its index + 1);
//   per position with a target: the full-softmax scores 2·d·(N+1).
// Embedding lookups, LayerNorms, softmax and the optimiser are not counted.
double sasrec_useful_flops(const Batch& batch, const Params& params, int64_t num_items) {
  const double d = static_cast<double>(params.get_int("hidden"));
  const double inner = params.get_int("inner") > 0 ? params.get_int("inner") : d;
  const double layers = static_cast<double>(params.get_int("layers"));
  const auto lengths = batch.lengths.to(torch::kDouble);
  const double positions = lengths.sum().item<double>();
  const double attended = (lengths * (lengths + 1) / 2).sum().item<double>();
  const double targets = batch.targets.gt(0).sum().item<double>();
  const double forward = layers * (positions * (8 * d * d + 4 * d * inner) + attended * 4 * d) +
                         targets * 2 * d * static_cast<double>(num_items + 1);
  return 3 * forward;
}

void train_step(benchmark::State& state, const std::string& model_name, Precision precision) {
  const Dataset& data = beauty();
  const LeaveOneOutSplit& split = beauty_split();
  TrialSetup setup = make_trial_setup(model_name, data.directory, nullptr, "", {}, 42, 1, "cpu");
  torch::manual_seed(42);
  auto model = ModelRegistry::instance()
                   .get(model_name)
                   .create(ModelContext{data, split, setup.params, setup.protocol.max_len});
  model->train();
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  TrainingBatcher batcher(split, setup.trainer.sample_mode, setup.protocol.max_len);
  std::mt19937_64 rng(42);
  const auto order = batcher.epoch_order(rng);
  const auto batch_size = static_cast<size_t>(setup.trainer.batch_size);
  size_t begin = 0;
  double sequences = 0, flops = 0;
  for (auto _ : state) {
    if (begin + batch_size > order.size()) begin = 0;
    Batch batch = batcher.make_batch(order, begin, begin + batch_size);
    begin += batch_size;
    model->prepare_training_batch(batch);
    optimizer.zero_grad();
    torch::Tensor loss;
    {
      AutocastGuard autocast(precision, torch::Device(torch::kCPU));
      loss = model->loss(batch).total;
    }
    loss.backward();
    optimizer.step();
    sequences += static_cast<double>(batch.size());
    if (model_name == "sasrec") flops += sasrec_useful_flops(batch, setup.params, data.num_items());
  }
  state.counters["sequences/s"] = benchmark::Counter(sequences, benchmark::Counter::kIsRate);
  if (flops > 0)
    state.counters["useful FLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsRate);
  state.SetLabel(model_name + ", batch " + std::to_string(batch_size) + ", " +
                 to_string(setup.trainer.sample_mode) + ", " + to_string(precision));
}

void BM_TrainingBatches(benchmark::State& state) {
  TrainingBatcher batcher(beauty_split(), SampleMode::AllPositions, 50);
  std::mt19937_64 rng(42);
  const auto order = batcher.epoch_order(rng);
  size_t begin = 0;
  for (auto _ : state) {
    if (begin + 128 > order.size()) begin = 0;
    benchmark::DoNotOptimize(batcher.make_batch(order, begin, begin + 128).items.data_ptr());
    begin += 128;
  }
  state.counters["sequences/s"] =
      benchmark::Counter(128, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_EvaluationBatches(benchmark::State& state) {
  EvaluationBatcher batcher(beauty_split(), EvalStage::Test, 50);
  int64_t begin = 0;
  for (auto _ : state) {
    if (begin + 512 > batcher.num_users()) begin = 0;
    benchmark::DoNotOptimize(batcher.make_batch(begin, begin + 512).items.data_ptr());
    begin += 512;
  }
  state.counters["users/s"] =
      benchmark::Counter(512, benchmark::Counter::kIsIterationInvariantRate);
}

// Registered for each headline model this build has.
const bool registered = [] {
  for (const char* name : {"sasrec", "bert4rec", "fame", "hm4sr"}) {
    const auto names = ModelRegistry::instance().names();
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    benchmark::RegisterBenchmark(
        ("BM_TrainStep/" + std::string(name)).c_str(),
        [name](benchmark::State& s) { train_step(s, name, Precision::Float32); })
        ->Unit(benchmark::kMillisecond);
  }
  // bfloat16 autocast against float32 on the same steps (issue 7: at least 1.8x per epoch).
  benchmark::RegisterBenchmark("BM_TrainStepBF16/sasrec", [](benchmark::State& s) {
    train_step(s, "sasrec", Precision::BFloat16);
  })->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace

BENCHMARK(BM_TrainingBatches)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EvaluationBatches)->Unit(benchmark::kMicrosecond);
