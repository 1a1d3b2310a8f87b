#pragma once
// Reading finished trial folders back (design §8): the input of `seqrec report`.
// A trial folder holds result.json (written last, atomically), curve.csv and per_user.csv;
// a folder without result.json is unfinished and is not a trial. Plain structs, no torch.
// Malformed files raise InputError naming the file (and line, for CSV).
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seqrec {

// One result.json, the fields a report needs.
struct TrialRecord {
  std::string dir;      // the folder as found (scan root joined with rel_dir)
  std::string rel_dir;  // relative to the scanned root, '/'-separated ("." for the root)
  std::string trial_id;
  std::string status;   // "ok" or "failed"
  std::string failure;  // reason when failed
  std::string model;
  std::string dataset;                                     // dataset.name
  nlohmann::json dataset_info = nlohmann::json::object();  // name, directory, counts as recorded
  std::string protocol_hash;
  nlohmann::json protocol = nlohmann::json::object();
  nlohmann::json params = nlohmann::json::object();   // the model's hyper-parameters
  nlohmann::json trainer = nlohmann::json::object();  // trainer keys (lr, batch_size, ...)
  uint64_t seed = 0;
  std::string variant;  // "" = the full model, else an ablation variant
  std::string sweep;
  std::string preset;                   // protocol preset the keys came from ("" = none)
  std::string reproduces;               // the published model row the trial reproduces ("" = none)
  std::string valid_metric;             // protocol.valid_metric, e.g. "NDCG@10"
  std::vector<std::string> columns;     // metric@k of metrics.test: protocol metrics x ks first
  std::map<std::string, double> valid;  // metrics.valid (empty unless ok)
  std::map<std::string, double> test;   // metrics.test (empty unless ok)
  double train_seconds = 0.0;
  int64_t best_epoch = -1;

  bool ok() const { return status == "ok"; }
  std::string result_path() const { return dir + "/result.json"; }
  std::string curve_path() const { return dir + "/curve.csv"; }
  std::string per_user_path() const { return dir + "/per_user.csv"; }
};

// Parses DIR/result.json. `rel_dir` is recorded as given.
TrialRecord read_trial(const std::string& dir, const std::string& rel_dir = ".");

struct TrialScan {
  std::vector<TrialRecord> trials;      // sorted by rel_dir
  std::vector<std::string> unfinished;  // rel_dirs of folders with trial files but no result.json
};

// Every folder under `root` (recursively, root included) that holds result.json.
// InputError when `root` is not a folder or a result.json is malformed.
TrialScan scan_trials(const std::string& root);
// Several roots scanned as one: each trial's rel_dir is its root joined with its folder below
// that root (e.g. "results/a/runs/1234"), so folders of different roots never collide.
TrialScan scan_trials(const std::vector<std::string>& roots);

// A CSV of numbers with a header, optionally with a text first column (the user token).
struct NumericCsv {
  std::string path;
  std::vector<std::string> header;        // every column, the label column included
  bool has_label = false;                 // the first column is text (per_user.csv)
  std::vector<std::string> labels;        // first column when it is a label, else empty
  std::vector<std::vector<double>> rows;  // the numeric columns only
  // Index into a row of the numeric column `name`, or -1.
  int column(const std::string& name) const;
};

// curve.csv: epoch,train_loss[,loss_<part>...],valid_<metric>,train_seconds,eval_seconds.
NumericCsv read_curve_csv(const std::string& path);
// per_user.csv: user,<metric@k>...; one row per test user.
NumericCsv read_per_user_csv(const std::string& path);

}  // namespace seqrec
