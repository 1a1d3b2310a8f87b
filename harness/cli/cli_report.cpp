// `seqrec report DIR... [--format md,latex,csv,json] [--plots] [--segments] [--same-data FROM=TO]
// [--reference FILE] [--out DIR]`: leaderboard, ablation and sensitivity tables (plots,
// per-segment tables) from the trial folders under each DIR.
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "core/errors.h"
#include "datasets/dataset.h"
#include "datasets/split.h"
#include "harness/cli/cli_commands.h"
#include "harness/protocol.h"
#include "harness/report/report_plots.h"
#include "harness/report/report_segments.h"
#include "harness/report/report_tables.h"
#include "harness/report/same_data.h"
#include "harness/sweep_spec.h"
#include "harness/trial_store.h"

namespace seqrec {
namespace {

struct ReportOptions {
  std::vector<std::string> dirs;
  std::vector<std::string> specs;      // sweep specs whose preset and rows label matching trials
  std::vector<std::string> same_data;  // FROM=TO: FROM's trials reported as TO's
  std::string formats = "md,latex,csv,json";
  bool plots = false;
  bool segments = false;
  std::string reference;
  bool no_reference = false;
  std::string out;
};

std::vector<TableFormat> parse_formats(const std::string& list) {
  std::vector<TableFormat> formats;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    TableFormat f = parse_table_format(item);
    bool seen = false;
    for (TableFormat g : formats) seen |= (g == f);
    if (!seen) formats.push_back(f);
  }
  if (formats.empty()) throw InputError("--format: no format given (md, latex, csv, json)");
  return formats;
}

// The dataset a group's trials trained on, as they saw it: found by the recorded argument
// (a name is looked up as `seqrec train` does) or else at the recorded folder, filtered by the
// recorded protocol, and checked against the recorded counts so that segments never describe
// other data than the trials'.
Dataset dataset_of_group(const ReportGroup& g) {
  const TrialRecord& t = g.configurations.front().trials.front();
  const nlohmann::json& info = t.dataset_info;
  const std::string split = t.protocol.value("split", std::string("loo"));
  if (split != "loo")
    throw InputError(t.result_path() + ": --segments supports the leave-one-out split, not '" +
                     split + "'");
  const PreprocessOptions filter = recorded_filter(t.protocol);
  const std::string argument = info.value("argument", t.dataset);
  const std::string directory = info.value("directory", std::string());
  std::string where = argument;
  Dataset data;
  try {
    data = load_dataset(argument, filter);
  } catch (const InputError&) {
    if (directory.empty() || !std::filesystem::exists(directory)) throw;
    where = directory;
    data = load_dataset(directory, filter);
  }
  const std::pair<const char*, int64_t> counts[] = {{"users", data.num_users()},
                                                    {"items", data.num_items()},
                                                    {"interactions", data.num_interactions()}};
  for (const auto& [key, loaded] : counts) {
    if (!info.contains(key) || !info[key].is_number_integer()) continue;
    const int64_t recorded = info[key].get<int64_t>();
    if (recorded != loaded)
      throw InputError(t.result_path() + ": dataset '" + where + "' has " + std::to_string(loaded) +
                       " " + key + " after the recorded filter, but " + "the trial recorded " +
                       std::to_string(recorded));
  }
  return data;
}

std::vector<SegmentDimension> segments_of_group(const ReportGroup& g) {
  const Dataset data = dataset_of_group(g);
  std::cerr << "report: segments of " << g.dataset << " from " << data.directory << "\n";
  return test_case_segments(make_leave_one_out_split(data));
}

void run_report(const ReportOptions& o) {
  namespace fs = std::filesystem;
  const auto formats = parse_formats(o.formats);
  Reference reference;
  if (!o.no_reference) {
    if (!o.reference.empty())
      reference = load_reference(o.reference);
    else if (fs::exists("results/reference/published.json"))
      reference = load_reference("results/reference/published.json");
  }
  TrialScan scan = scan_trials(o.dirs);
  std::vector<std::string> same_data_notes;
  for (const auto& assignment : o.same_data)
    same_data_notes.push_back(report_as_same_data(scan.trials, parse_same_data(assignment)));
  std::vector<PlannedReproduction> planned;
  for (const auto& path : o.specs) {
    const SweepSpec spec = load_sweep_spec(path);
    const size_t labelled = label_reproductions(scan.trials, spec);
    std::cerr << "report: " << labelled << " trial(s) labelled as runs of " << path << "\n";
    for (auto& p : planned_reproductions(spec)) planned.push_back(std::move(p));
  }
  Report report = build_report(scan, reference, planned);
  report.notes.insert(report.notes.begin(), same_data_notes.begin(), same_data_notes.end());
  const std::string out_dir =
      o.out.empty() ? (fs::path(o.dirs.front()) / "report").string() : o.out;
  const auto written = write_report_tables(report, out_dir, formats);
  std::cout << render_leaderboard(report, TableFormat::Markdown);
  std::cerr << "report: " << scan.trials.size() << " finished trials (" << report.failed.size()
            << " failed, " << scan.unfinished.size() << " unfinished folders ignored) in "
            << report.groups.size() << " table group(s); wrote " << written.size() << " files to "
            << out_dir << "\n";
  if (o.segments) {
    const auto tables = build_segment_tables(report, segments_of_group);
    const auto files = write_segment_tables(tables, out_dir, formats);
    std::cerr << "report: " << tables.size() << " segment table(s) in " << files.size()
              << " files in " << out_dir << "\n";
  }
  if (o.plots) {
    const PlotOutcome plots = write_report_plots(report, (fs::path(out_dir) / "plots").string());
    for (const auto& w : plots.warnings) std::cerr << "warning: " << w << "\n";
    std::cerr << "report: " << plots.images.size() << " plot images, " << plots.files.size()
              << " plot files in " << (fs::path(out_dir) / "plots").string() << "\n";
  }
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand(
      "report",
      "Tables (and plots) from finished trial folders under DIR: a "
      "leaderboard per dataset and protocol "
      "(mean ± std over seeds of each model's best-by-validation "
      "configuration, paired significance tests, "
      "published numbers), an ablation table and a sensitivity table "
      "per swept hyper-parameter. Writes "
      "leaderboard/ablation/sensitivity.{md,tex,csv,json} (and reproduction.* when trials "
      "reproduce published rows) to DIR/report "
      "and prints the Markdown leaderboard");
  cmd->add_option("dir", o->dirs,
                  "folders searched recursively for trial folders (those holding result.json); "
                  "several are reported as one (default output: the first's report/)")
      ->required();
  cmd->add_option("--format", o->formats,
                  "comma-separated table formats: md, latex, csv, json (default: all)");
  cmd->add_flag(
      "--plots", o->plots,
      "also write plots to OUT/plots: .dat data, .gp gnuplot script, .svg and .png (default: off)");
  cmd->add_flag("--segments", o->segments,
                "also write segments.EXT: test metrics of each model and ablation variant "
                "within segments of the test users (test transition seen in training or not, "
                "input length, target popularity); loads each group's dataset (default: off)");
  cmd->add_option(
      "--reference", o->reference,
      "published numbers (JSON like results/reference/published.json; default: that file when it "
      "exists relative to the current folder)");
  cmd->add_flag("--no-reference", o->no_reference, "no published-number columns (default: off)");
  cmd->add_option("--out", o->out, "output folder (default: DIR/report)");
  cmd->add_option("--spec", o->specs,
                  "a sweep spec with a preset and \"reproduces\" entries: trials under DIR with "
                  "the same trial id join its reproduction rows, whichever spec ran them; a "
                  "row none of whose trials has finished is listed as not run yet "
                  "(repeatable; default: none)");
  cmd->add_option("--same-data", o->same_data,
                  "FROM=TO: report the trials recorded on dataset FROM in TO's tables, for one "
                  "set of interactions under two names (e.g. beauty=beauty-mm, the copy that "
                  "`seqrec features text --out` writes); refused unless both recorded the same "
                  "users, items and interactions (repeatable; default: none)")
      // One FROM=TO per flag, so that a folder after it stays a folder; flags accumulate.
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->callback([o] { run_report(*o); });
}

}  // namespace seqrec
