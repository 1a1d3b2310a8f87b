#pragma once
// A trial = model + dataset + protocol + hyper-parameters + seed (design §8). Its id is a hash
// of that canonical JSON; it writes one folder: result.json, curve.csv, per_user.csv, log.txt
// (and topk.csv, explanation.csv on request; checkpoint.pt while training), each written to a
// temporary name and renamed, result.json last, so a folder with result.json is a finished trial
// and a crash never leaves half a result.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/atomic_write.h"
#include "core/params.h"
#include "datasets/dataset.h"
#include "harness/protocol.h"
#include "harness/trainer.h"

namespace seqrec {

struct ModelInfo;

struct TrialSetup {
  std::string model;
  std::string dataset;  // name or path as given
  Params params;        // protocol + trainer + model keys, resolved
  ParamSchema model_schema;
  Protocol protocol;
  TrainerConfig trainer;
  uint64_t seed = 42;
  int threads = 1;
  std::string device = "cpu";

  // model, dataset, protocol, every parameter and the seed: what decides the numbers.
  nlohmann::json identity() const;
  std::string id() const;  // stable_hash(identity) - 16 hex digits
};

// Every key a trial of `model` accepts: protocol, trainer (with the model's defaults), model.
ParamSchema trial_schema(const std::string& model);

// Layered configuration (defaults < model defaults < config file < --set), every key checked
// against the model's, the trainer's and the protocol's schema.
TrialSetup make_trial_setup(const std::string& model, const std::string& dataset,
                            const nlohmann::json& config, const std::string& config_origin,
                            const std::vector<std::string>& assignments, uint64_t seed, int threads,
                            const std::string& device);

// Parses a JSON config file (an object of key: value); InputError names the file on failure.
nlohmann::json read_config_file(const std::string& path);

struct TrialOptions {
  std::string out_root = "runs";  // the trial folder is out_root/<id>
  int dump_top_k = 0;
  bool explain = false;  // write explanation.csv (models that explain themselves only)
  // Checkpoint every epoch into the trial folder and resume from it when rerun (design §8).
  bool checkpoints = true;
  std::string command;  // the command line, recorded
  // Sweep bookkeeping, recorded in result.json: the ablation variant ("" = the full model)
  // and the sweep that ran the trial.
  std::string variant;
  std::string sweep;
  std::string preset;      // the protocol preset the keys came from ("" = none), recorded
  std::string reproduces;  // the published model row it reproduces ("" = none), recorded
  std::function<void(const std::string&)> log;
};

// Trains and evaluates one trial on already-loaded data and writes its folder.
// Returns result.json's content.
nlohmann::json run_trial(const TrialSetup& setup, const Dataset& data, const TrialOptions& options);

// The commit this binary was built from (git describe --always --dirty at build time).
std::string source_version();

}  // namespace seqrec
