#pragma once
// Small datasets, one-call training and checks shared by the model tests.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "datasets/batching.h"
#include "datasets/dataset.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "harness/trial.h"
#include "models/registry.h"
#include "models/sequential_recommender.h"
#include "test_support.h"

namespace seqrec::testing {

// A synthetic dataset (written once per test binary run) with timestamps, categories and
// modality features: every model's inputs.
inline const Dataset& synthetic_dataset() {
  static ScratchDir dir;
  static Dataset data = [] {
    SyntheticOptions options;
    options.users = 300;
    options.items = 120;
    options.min_len = 6;
    options.max_len = 20;
    options.seed = 7;
    write_synthetic_dataset(dir.path(), "synth", options);
    return load_dataset(dir.path(), PreprocessOptions{});
  }();
  return data;
}

inline const Dataset& ml100k_dataset() {
  static Dataset data = load_dataset(shared_dataset("ml-100k"), PreprocessOptions{});
  return data;
}

// Eight interactions of two users and nothing else (no categories, no features; timestamps
// optional), loaded from a folder inside `dir`: the input that a model needing side
// information must refuse with a clear error.
inline Dataset bare_dataset(const ScratchDir& dir, bool with_timestamps = true) {
  dir.write("bare/bare.inter", with_timestamps
                                   ? "user_id:token\titem_id:token\ttimestamp:float\n"
                                     "u1\ta\t1\nu1\tb\t2\nu1\tc\t3\nu1\td\t4\n"
                                     "u2\tb\t1\nu2\tc\t2\nu2\td\t3\nu2\ta\t4\n"
                                   : "user_id:token\titem_id:token\n"
                                     "u1\ta\nu1\tb\nu1\tc\nu1\td\nu2\tb\nu2\tc\nu2\td\nu2\ta\n");
  return load_dataset(dir.file("bare"), PreprocessOptions{});
}

// The device the model tests train and score on: cpu, or what SEQREC_TEST_DEVICE names (the
// CTest label `cuda` sets it to cuda; test_main skips those entries where CUDA is absent).
inline std::string test_device_name() {
  const char* device = std::getenv("SEQREC_TEST_DEVICE");
  return device && *device ? device : "cpu";
}

inline torch::Device test_device() { return torch::Device(test_device_name()); }

// A model built with its defaults plus `sets`, on `data`, with a fixed seed.
struct BuiltModel {
  TrialSetup setup;
  LeaveOneOutSplit split;
  SequentialRecommender model;
};

inline std::unique_ptr<BuiltModel> build_model(const std::string& name, const Dataset& data,
                                               const std::vector<std::string>& sets = {},
                                               uint64_t seed = 1) {
  auto setup = make_trial_setup(name, data.directory, nullptr, "", sets, seed, 1, "cpu");
  torch::manual_seed(seed);
  auto split = make_leave_one_out_split(data);
  auto built = std::make_unique<BuiltModel>(BuiltModel{setup, split, nullptr});
  built->model = ModelRegistry::instance().get(name).create(
      ModelContext{data, built->split, built->setup.params, built->setup.protocol.max_len});
  return built;
}

// Trains through the real trial path into a scratch folder; returns result.json.
inline nlohmann::json train_trial(const std::string& name, const Dataset& data,
                                  const std::vector<std::string>& sets, uint64_t seed = 1) {
  ScratchDir out;
  auto setup =
      make_trial_setup(name, data.directory, nullptr, "", sets, seed, 1, test_device_name());
  TrialOptions options;
  options.out_root = out.path();
  return run_trial(setup, data, options);
}

// Trains Pop and `name` (with `sets`) on `data`, ml-100k unless given: the model's test HR@10
// must beat Pop's. Both are logged, with the model's wall time.
inline void check_beats_popularity(const std::string& name, const std::vector<std::string>& sets,
                                   const Dataset& data = ml100k_dataset()) {
  const double pop_hr = train_trial("pop", data, {})["metrics"]["test"]["HR@10"];
  const nlohmann::json model = train_trial(name, data, sets);
  const double hr = model["metrics"]["test"]["HR@10"];
  BOOST_TEST_MESSAGE(data.name << " test HR@10: pop " << pop_hr << ", " << name << " " << hr << " ("
                               << model["seconds"]["wall"] << " s)");
  BOOST_TEST(hr > pop_hr);
}

// The first `size` training samples of an epoch in a fixed order (seed 3), as the trainer
// builds them for this model's sample mode.
inline Batch training_batch(const BuiltModel& built, size_t size) {
  TrainingBatcher batcher(built.split, built.setup.trainer.sample_mode,
                          built.setup.protocol.max_len);
  std::mt19937_64 rng(3);
  auto order = batcher.epoch_order(rng);
  return batcher.make_batch(order, 0, std::min(order.size(), size));
}

// Causal masking: `encode` maps items [1, L] to per-position outputs [1, L, ...]. Changing
// position 3 of (3 5 7 9 11) and padding position 4 must leave positions 0-2 exactly as they
// were and change position 3.
template <typename Encode>
void check_causal(Encode&& encode) {
  torch::NoGradGuard no_grad;
  auto items = torch::tensor({{3, 5, 7, 9, 11}}, torch::kInt64);
  auto changed = items.clone();
  changed[0][3] = 42;
  changed[0][4] = 0;
  torch::Tensor a = encode(items), b = encode(changed);
  BOOST_TEST(torch::equal(a.slice(1, 0, 3), b.slice(1, 0, 3)));
  BOOST_TEST(!torch::equal(a.slice(1, 3, 4), b.slice(1, 3, 4)));
}

// A short row padded to the width of a long one beside it, and the short row alone.
struct PaddingPair {
  Batch padded, alone;
};

inline PaddingPair short_row_padded_and_alone() {
  PaddingPair p;
  p.padded.items = torch::tensor({{3, 5, 7, 0, 0, 0}, {8, 6, 4, 2, 9, 1}}, torch::kInt64);
  p.padded.lengths = torch::tensor({3, 6}, torch::kInt64);
  p.alone.items = torch::tensor({{3, 5, 7}}, torch::kInt64);
  p.alone.lengths = torch::tensor({3}, torch::kInt64);
  return p;
}

// The short row's scores do not depend on the padding after it (model in eval mode).
inline void check_padding_changes_no_score(SequentialRecommenderImpl& model, const PaddingPair& p) {
  torch::NoGradGuard no_grad;
  auto a = model.score(p.padded)[0], b = model.score(p.alone)[0];
  BOOST_TEST(torch::allclose(a, b, 1e-5, 1e-6), "max diff " << (a - b).abs().max().item<double>());
}

// The registered model of `built` as its concrete type, for tests of its internals.
template <typename Impl>
Impl& model_as(const BuiltModel& built) {
  auto* model = dynamic_cast<Impl*>(built.model.get());
  BOOST_REQUIRE(model);
  return *model;
}

inline int64_t count_parameters(torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

inline std::set<std::string> parameter_names(torch::nn::Module& module) {
  std::set<std::string> names;
  for (const auto& p : module.named_parameters()) names.insert(p.key());
  return names;
}

// Two right-padded sequences of lengths 5 and 2.
inline torch::Tensor two_sequences() {
  return torch::tensor({{3, 5, 7, 9, 11, 0}, {4, 6, 0, 0, 0, 0}}, torch::kInt64);
}

// An explanation.csv as written by --explain: its header line, and per user row the values
// after the user column.
struct ExplanationTable {
  std::string header;
  std::vector<std::vector<double>> rows;
};

inline ExplanationTable read_explanation(const std::string& trial_directory) {
  std::ifstream in(trial_directory + "/explanation.csv");
  ExplanationTable table;
  BOOST_REQUIRE(std::getline(in, table.header));
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string cell;
    std::getline(fields, cell, ',');  // the user
    std::vector<double> values;
    while (std::getline(fields, cell, ',')) values.push_back(std::stod(cell));
    table.rows.push_back(std::move(values));
  }
  return table;
}

}  // namespace seqrec::testing
