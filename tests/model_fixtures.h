#pragma once
// Small datasets and one-call training for model tests.
#include <memory>
#include <string>

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
  auto setup = make_trial_setup(name, data.directory, nullptr, "", sets, seed, 1, "cpu");
  TrialOptions options;
  options.out_root = out.path();
  return run_trial(setup, data, options);
}

}  // namespace seqrec::testing
