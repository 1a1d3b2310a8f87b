#pragma once
// Sweep specifications (design §8): a JSON file naming datasets, models with a grid or a
// seeded random space over their keys, ablation variants and seeds. Expansion order is fixed
// (dataset, model entry, configuration, variant, seed), so trial indices and ids are stable
// across runs and machines.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/trial.h"

namespace seqrec {

struct SweepTrial {
  int64_t index = 0;  // position in the expansion, 0-based (Slurm array index)
  std::string dataset;
  std::string model;
  std::string variant;     // "" = the full model
  std::string reproduces;  // the published model row this entry reproduces ("" = none)
  nlohmann::json
      keys;  // every key set by the spec for this trial (base, set, grid/random point, variant)
  uint64_t seed = 0;
  std::string id;  // trial id (TrialSetup::id)
};

struct SweepSpec {
  std::string path;  // the spec file
  std::string name;
  std::string preset;  // "" = none; recorded with each trial
  std::string
      out;  // folder receiving the trial folders (relative to the spec's folder if relative)
  std::vector<SweepTrial> trials;
};

// Reads, validates and expands a spec. Every trial's keys are checked against its model's
// schema; errors are InputError naming the file and the JSON path (e.g. models[1].grid.lr).
SweepSpec load_sweep_spec(const std::string& path);

// The TrialSetup of one expanded trial.
TrialSetup sweep_trial_setup(const SweepSpec& spec, const SweepTrial& trial, int threads,
                             const std::string& device);

}  // namespace seqrec
