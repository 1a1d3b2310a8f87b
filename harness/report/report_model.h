#pragma once
// What `seqrec report` builds from trial folders before it renders anything (design §8):
// configurations with their seeds, per (dataset, protocol) group a leaderboard, ablation
// blocks and sensitivity blocks. The semantics are in report_tables.h.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/report/published_reference.h"
#include "harness/report/report_text.h"
#include "harness/trial_store.h"

namespace seqrec {

// One configuration and its seeds.
struct Configuration {
  std::string model;
  std::string variant;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json trainer = nlohmann::json::object();
  std::string key;                   // canonical JSON of {"params", "trainer"}
  std::vector<TrialRecord> trials;   // sorted by seed, then folder
  Stat valid;                        // validation valid_metric over seeds
  std::map<std::string, Stat> test;  // each test metric@k over seeds
  Stat train_seconds;
  std::vector<uint64_t> seeds() const;
  // Test mean / std of `metric` over seeds; NaN when the trials have no such column.
  double test_mean(const std::string& metric) const;
  double test_std(const std::string& metric) const;
};

struct Significance {
  bool available = false;
  std::string note;  // why not available
  double wilcoxon_p = 0.0, wilcoxon_statistic = 0.0;
  int64_t wilcoxon_n = 0;  // non-zero differences
  double t_p = 0.0, t_statistic = 0.0;
  int64_t users = 0;  // paired users
  bool significant() const { return available && wilcoxon_p < 0.05; }
};

struct LeaderboardRow {
  Configuration config;
  bool is_best = false;       // first row: the reference of the significance tests
  Significance significance;  // vs the best row (not set on the best row itself)
  std::optional<ReferenceEntry> reference;
};

struct AblationBlock {
  std::string model;
  std::optional<Configuration> full;    // variant ""
  std::vector<Configuration> variants;  // sorted by variant name
};

struct SensitivityRow {
  std::string label;  // the value as shown
  nlohmann::json value;
  Stat valid, test;  // of the valid_metric over every trial with this value
  int configurations = 0;
};

struct SensitivityBlock {
  std::string model;
  std::string key;
  std::vector<SensitivityRow> rows;  // numeric values ascending, else by label
};

struct ReportGroup {
  std::string dataset;
  std::string protocol_hash;
  std::string valid_metric;
  std::vector<std::string> columns;  // every test metric@k present, protocol order
  std::vector<int64_t> ks;
  std::vector<LeaderboardRow> leaderboard;    // sorted by test valid_metric, descending
  std::vector<AblationBlock> ablations;       // sorted by model
  std::vector<SensitivityBlock> sensitivity;  // sorted by model, then key
  std::vector<Configuration>
      configurations;  // every configuration of the group, by model, variant, key
  std::string slug;  // file-name-safe group name: dataset, plus the hash when a dataset has several
  // The metrics of bar charts and ablation tables: valid_metric, and HR@10 where present.
  std::vector<std::string> headline_metrics() const;
};

// One published number beside ours (design §4): the trials that ran a preset and name the
// published model row they reproduce, over their seeds.
struct ReproductionRow {
  std::string source;  // published.json source key (the preset's)
  std::string preset;
  std::string dataset;
  std::string model;   // the published row's model, as printed there
  std::string metric;  // e.g. NDCG@10
  double published = 0.0;
  Stat ours;                        // test metric over the trials' seeds
  std::vector<std::string> trials;  // their folders
  double delta_percent = 0.0;       // (ours - published) / published * 100
  std::string verdict;              // reproduced | exceeds | not reproduced | not run yet
  bool ran() const { return ours.n > 0; }
};

// A published row that a sweep spec names ("reproduces") whether or not its trials have run,
// so that the table lists what is still to run.
struct PlannedReproduction {
  std::string preset;
  std::string dataset;
  std::string model;                   // the published row's model
  std::vector<std::string> trial_ids;  // the spec's trials for it
};

struct Report {
  std::vector<ReportGroup> groups;            // sorted by dataset, then protocol hash
  std::vector<ReproductionRow> reproduction;  // sorted by source, dataset, model, metric
  std::vector<TrialRecord> failed;            // sorted by folder
  std::vector<std::string> unfinished;
  std::vector<std::string> notes;  // e.g. per_user.csv missing
  Reference reference;
};

}  // namespace seqrec
