#pragma once
// `seqrec report` tables (design §8): leaderboard, ablation and sensitivity tables built
// from finished trial folders, in Markdown, LaTeX (booktabs), CSV and JSON.
//
// Semantics:
//  - ok trials are grouped by (dataset, protocol_hash); each group is its own table, so
//    results under different protocols never share one. Failed trials are listed apart.
//  - A configuration is (model, variant, params + trainer); its seeds are its repetitions.
//    Each model's (and each ablation variant's) configuration is chosen by the best mean
//    VALIDATION value of the protocol's valid_metric (ties: the first configuration in the
//    order of its canonical JSON); the tables then show its TEST numbers over seeds.
//  - Significance: per-user test values of the valid_metric (averaged over the chosen
//    configuration's seeds, users matched by the `user` column) of the best model vs each
//    other one: Wilcoxon signed-rank and paired t-test; marker † when Wilcoxon p < 0.05.
//  - Output is byte-identical for the same folders: everything is sorted, numbers have a
//    fixed format (metrics %.4f, p-values %.3g), there are no timestamps.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/report_text.h"
#include "harness/trial_store.h"

namespace seqrec {

// A published number set (results/reference/published.json, "results" entry).
struct ReferenceEntry {
  std::string source;  // key into Reference::sources
  std::string dataset;
  std::string model;
  std::vector<std::pair<std::string, double>> values;  // "HR@10" -> 0.0605, file order
  std::optional<double> value(const std::string& metric) const;
};

struct Reference {
  std::string path;                            // "" = none
  std::map<std::string, std::string> sources;  // key -> citation
  std::vector<ReferenceEntry> entries;
  // First entry with this dataset (exact) and model (case-insensitive), or nullptr.
  const ReferenceEntry* find(const std::string& dataset, const std::string& model) const;
};

// Reads a published.json; InputError names the file when it is malformed.
Reference load_reference(const std::string& path);

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
};

struct Report {
  std::vector<ReportGroup> groups;  // sorted by dataset, then protocol hash
  std::vector<TrialRecord> failed;  // sorted by folder
  std::vector<std::string> unfinished;
  std::vector<std::string> notes;  // e.g. per_user.csv missing
  Reference reference;
};

// Groups, selects configurations, runs the significance tests (reads per_user.csv).
Report build_report(const TrialScan& scan, const Reference& reference);

// "md"/"markdown", "latex"/"tex", "csv", "json"; InputError otherwise.
TableFormat parse_table_format(const std::string& name);
std::string format_extension(TableFormat format);  // "md", "tex", "csv", "json"

std::string render_leaderboard(const Report& report, TableFormat format);
std::string render_ablation(const Report& report, TableFormat format);
std::string render_sensitivity(const Report& report, TableFormat format);

// Writes leaderboard.EXT, ablation.EXT and sensitivity.EXT for each format into `out_dir`
// (created), atomically. Returns the paths written, in order.
std::vector<std::string> write_report_tables(const Report& report, const std::string& out_dir,
                                             const std::vector<TableFormat>& formats);

}  // namespace seqrec
