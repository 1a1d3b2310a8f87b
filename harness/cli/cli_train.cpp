// `seqrec train`: one trial per model on one dataset, then a comparison table.
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "core/errors.h"
#include "harness/cli/cli_commands.h"
#include "harness/presets.h"
#include "harness/shared_keys.h"
#include "harness/trial.h"

namespace seqrec {
namespace {

struct TrainOptions {
  std::vector<std::string> models;
  std::string dataset;
  std::string config;
  std::string preset;
  std::vector<std::string> sets;
  uint64_t seed = 42;
  std::string out = "runs";
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string device = "cpu";
  int dump_top_k = 0;
  bool explain = false;
  bool quiet = false;
};

std::string metric_cell(const nlohmann::json& result, const std::string& split,
                        const std::string& column) {
  if (!result.contains("metrics") || !result["metrics"][split].contains(column)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", result["metrics"][split][column].get<double>());
  return buf;
}

void print_table(const std::vector<nlohmann::json>& results, const std::string& valid_metric) {
  const std::vector<std::string> test_columns{"HR@10", "NDCG@10", "MRR@10", "HR@20", "NDCG@20"};
  std::printf("\n%-10s %-6s %6s %14s", "model", "status", "epoch", ("val " + valid_metric).c_str());
  for (const auto& c : test_columns) std::printf(" %14s", ("test " + c).c_str());
  std::printf(" %9s\n", "s/epoch");
  for (const auto& r : results) {
    std::printf("%-10s %-6s %6lld %14s", r["model"].get<std::string>().c_str(),
                r["status"].get<std::string>().c_str(),
                static_cast<long long>(r["best_epoch"].get<int64_t>()),
                metric_cell(r, "valid", valid_metric).c_str());
    for (const auto& c : test_columns) std::printf(" %14s", metric_cell(r, "test", c).c_str());
    std::printf(" %9.2f\n", r["seconds"]["train_per_epoch"].get<double>());
  }
  for (const auto& r : results)
    std::printf("%s: %s\n", r["model"].get<std::string>().c_str(),
                r["directory"].get<std::string>().c_str());
}

void validate_device(const std::string& device) {
  try {
    torch::Device d(device);
    if (d.is_cuda() && !torch::cuda::is_available())
      throw InputError("--device " + device + ": CUDA is not available in this build or machine");
  } catch (const c10::Error&) {
    throw InputError("--device '" + device + "' is not a device (use cpu, cuda or cuda:N)");
  }
}

// One setup per model; a key of the preset, the config file or --set goes to the models that
// declare it (layered in that order).
std::vector<TrialSetup> trial_setups(const TrainOptions& o) {
  nlohmann::json config;
  if (!o.config.empty()) config = read_config_file(o.config);
  std::string origin = o.config;
  if (!o.preset.empty())
    origin = (o.config.empty() ? "" : o.config + " over ") + "preset " + o.preset;
  std::vector<TrialSetup> setups;
  for (const auto& model : o.models) {
    nlohmann::json own_config =
        o.preset.empty() ? nlohmann::json::object() : find_preset(o.preset).keys_for(model);
    if (config.is_object()) own_config.update(config);
    own_config = shared_keys_for(model, own_config, o.models);
    std::vector<std::string> own_sets;
    for (const auto& s : o.sets)
      if (shared_key_applies_to(model, s.substr(0, s.find('=')), o.models)) own_sets.push_back(s);
    setups.push_back(make_trial_setup(model, o.dataset, own_config, origin, own_sets, o.seed,
                                      o.threads, o.device));
  }
  return setups;
}

// The command as recorded in result.json, with every default made explicit.
std::string command_line(const TrainOptions& o) {
  std::ostringstream command;
  command << "seqrec train --model ";
  for (size_t i = 0; i < o.models.size(); ++i) command << (i ? "," : "") << o.models[i];
  command << " --dataset " << o.dataset;
  if (!o.preset.empty()) command << " --preset " << o.preset;
  if (!o.config.empty()) command << " --config " << o.config;
  for (const auto& s : o.sets) command << " --set " << s;
  command << " --seed " << o.seed << " --threads " << o.threads << " --device " << o.device;
  return command.str();
}

void run_train_command(const TrainOptions& o) {
  validate_device(o.device);
  const std::vector<TrialSetup> setups = trial_setups(o);
  std::map<std::string, Dataset> loaded;  // by preprocessing filter
  std::vector<nlohmann::json> results;
  for (const auto& setup : setups) {
    const auto key = setup.protocol.to_json()["filter"].dump();
    if (!loaded.count(key)) loaded.emplace(key, load_dataset(o.dataset, setup.protocol.filter));
    TrialOptions options;
    options.out_root = o.out;
    options.dump_top_k = o.dump_top_k;
    options.explain = o.explain;
    options.command = command_line(o);
    options.preset = o.preset;
    const bool quiet = o.quiet;
    options.log = [quiet](const std::string& line) {
      if (!quiet) std::cerr << line << std::endl;
    };
    results.push_back(run_trial(setup, loaded.at(key), options));
  }
  print_table(results, setups.front().protocol.valid_metric);
  bool failed = false;
  for (const auto& r : results)
    if (r["status"] != "ok") {
      std::cerr << "trial " << r["trial_id"].get<std::string>()
                << " failed: " << r["failure"].get<std::string>() << "\n";
      failed = true;
    }
  if (failed) throw CommandExitStatus{kExitSomeFailed};
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  auto* cmd = app.add_subcommand(
      "train",
      "Train and evaluate one or more models on a dataset (one trial each) and print a table.\n"
      "Keys (see `seqrec models --common`) are layered: defaults < model defaults < --config "
      "< --set. Exit code 3 when a trial failed (a NaN loss, say; its result.json says why).");
  cmd->add_option("-m,--model", o->models,
                  "model name(s), repeat or comma-separate (e.g. pop,sasrec)")
      ->required()
      ->delimiter(',');
  cmd->add_option("-d,--dataset", o->dataset,
                  "dataset name (looked up in $SEQREC_DATA, ./data, ../shared/datasets) or folder")
      ->required();
  cmd->add_option("-c,--config", o->config, "JSON file with an object of key: value");
  cmd->add_option("--preset", o->preset,
                  "named protocol preset: the keys a published table used (list: seqrec models "
                  "--common); the config file and --set apply over it");
  cmd->add_option("-s,--set", o->sets, "override one key: --set key=value (repeatable)");
  cmd->add_option("--seed", o->seed, "seed for initialisation, data order, dropout, sampling")
      ->capture_default_str();
  cmd->add_option("-o,--out", o->out, "folder receiving one trial folder per run")
      ->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "intra-op threads (default: all cores)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--device", o->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--dump-topk", o->dump_top_k,
                  "write each test user's top-K items to topk.csv in the trial folder (0 = off)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  cmd->add_flag("--explain", o->explain,
                "write explanation.csv in the trial folder: per test user, the weights the "
                "model mixed its parts with (e.g. the gate and router weights of a mixture of "
                "experts) at the last position; for models that explain themselves");
  cmd->add_flag("-q,--quiet", o->quiet, "no per-epoch progress lines");
  cmd->callback([o] { run_train_command(*o); });
}

}  // namespace seqrec
