// `seqrec perf-report BENCH.json [--trial DIR]... [--out FILE]`: results/performance.md from
// seqrec_bench's JSON (scripts/bench.sh runs both).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "core/atomic_write.h"
#include "core/errors.h"
#include "harness/cli/cli_commands.h"
#include "harness/report/performance_report.h"

namespace seqrec {
namespace {

struct PerfOptions {
  std::string bench;
  std::vector<std::string> trials;
  std::string out = "results/performance.md";
  std::string command;  // empty: scripts/bench.sh for the JSON's device
};

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": invalid JSON (" + std::string(e.what()) + ")");
  }
}

void run_perf_report(const PerfOptions& o) {
  PerformanceInputs inputs;
  inputs.bench = read_json(o.bench);
  inputs.bench_path = o.bench;
  const std::string device =
      inputs.bench.value("context", nlohmann::json::object()).value("device", std::string("cpu"));
  inputs.command = !o.command.empty() ? o.command
                   : device == "cpu"  ? "bash scripts/bench.sh"
                                      : "SEQREC_BENCH_DEVICE=" + device + " bash scripts/bench.sh";
  for (const auto& trial : o.trials)
    inputs.memory_trials.push_back(read_json(trial + "/result.json"));
  write_file_atomic(o.out, render_performance_markdown(inputs));
  std::cerr << "perf-report: wrote " << o.out << "\n";
}

}  // namespace

void add_perf_report_command(CLI::App& app) {
  auto o = std::make_shared<PerfOptions>();
  auto* cmd = app.add_subcommand(
      "perf-report",
      "Writes the performance page (machine, matrix-product ceiling, evaluation and training "
      "throughput, batching, peak memory, each target met or not) from seqrec_bench's JSON output");
  cmd->add_option("bench", o->bench, "seqrec_bench --benchmark_out file (JSON)")->required();
  cmd->add_option("--trial", o->trials,
                  "trial folder whose result.json gives the peak memory of a training run "
                  "(repeat for several; a padded and a packed one are compared)");
  cmd->add_option("--out", o->out, "Markdown file to write")->capture_default_str();
  cmd->add_option("--command", o->command,
                  "the command that wrote the JSON, as the page names it (default: bash "
                  "scripts/bench.sh, with SEQREC_BENCH_DEVICE for a device run); for a filtered "
                  "run of seqrec_bench");
  cmd->callback([o] { run_perf_report(*o); });
}

}  // namespace seqrec
