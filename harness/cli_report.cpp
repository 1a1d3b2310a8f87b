// `seqrec report DIR [--format md,latex,csv,json] [--plots] [--reference FILE] [--out DIR]`:
// leaderboard, ablation and sensitivity tables (and plots) from the trial folders under DIR.
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "harness/cli_commands.h"
#include "harness/errors.h"
#include "harness/report_plots.h"
#include "harness/report_tables.h"
#include "harness/trial_store.h"

namespace seqrec {
namespace {

struct ReportOptions {
  std::string dir;
  std::string formats = "md,latex,csv,json";
  bool plots = false;
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
  const TrialScan scan = scan_trials(o.dir);
  const Report report = build_report(scan, reference);
  const std::string out_dir = o.out.empty() ? (fs::path(o.dir) / "report").string() : o.out;
  const auto written = write_report_tables(report, out_dir, formats);
  std::cout << render_leaderboard(report, TableFormat::Markdown);
  std::cerr << "report: " << scan.trials.size() << " finished trials (" << report.failed.size()
            << " failed, " << scan.unfinished.size() << " unfinished folders ignored) in "
            << report.groups.size() << " table group(s); wrote " << written.size() << " files to "
            << out_dir << "\n";
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
  auto* cmd = app.add_subcommand("report",
                                 "Tables (and plots) from finished trial folders under DIR: a "
                                 "leaderboard per dataset and protocol "
                                 "(mean ± std over seeds of each model's best-by-validation "
                                 "configuration, paired significance tests, "
                                 "published numbers), an ablation table and a sensitivity table "
                                 "per swept hyper-parameter. Writes "
                                 "leaderboard/ablation/sensitivity.{md,tex,csv,json} to DIR/report "
                                 "and prints the Markdown leaderboard");
  cmd->add_option("dir", o->dir,
                  "folder searched recursively for trial folders (those holding result.json)")
      ->required();
  cmd->add_option("--format", o->formats,
                  "comma-separated table formats: md, latex, csv, json (default: all)");
  cmd->add_flag(
      "--plots", o->plots,
      "also write plots to OUT/plots: .dat data, .gp gnuplot script, .svg and .png (default: off)");
  cmd->add_option(
      "--reference", o->reference,
      "published numbers (JSON like results/reference/published.json; default: that file when it "
      "exists relative to the current folder)");
  cmd->add_flag("--no-reference", o->no_reference, "no published-number columns (default: off)");
  cmd->add_option("--out", o->out, "output folder (default: DIR/report)");
  cmd->callback([o] { run_report(*o); });
}

}  // namespace seqrec
