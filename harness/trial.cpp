#include "harness/trial.h"

#include <sys/resource.h>
#include <torch/version.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "core/errors.h"
#include "datasets/held_out_users.h"
#include "datasets/split.h"
#include "harness/explanation.h"
#include "harness/machine.h"
#include "models/registry.h"
#include "models/sequential_recommender.h"
#include "seqrec_version.h"

namespace seqrec {

namespace fs = std::filesystem;

nlohmann::json TrialSetup::identity() const {
  return {{"model", model},
          {"dataset", dataset},
          {"protocol", protocol.to_json()},
          {"params", params.identity_json()},
          {"seed", seed}};
}

std::string TrialSetup::id() const { return stable_hash(identity().dump()); }

nlohmann::json read_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open config file");
  try {
    auto j = nlohmann::json::parse(in);
    if (!j.is_object()) throw InputError(path + ": config must be a JSON object of key: value");
    return j;
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": invalid JSON (" + std::string(e.what()) + ")");
  }
}

ParamSchema trial_schema(const std::string& model) {
  const ModelInfo& info = ModelRegistry::instance().get(model);
  ParamSchema trainer = trainer_schema();
  for (auto it = info.trainer_defaults.begin(); it != info.trainer_defaults.end(); ++it)
    trainer.override_default(it.key(), it.value());
  ParamSchema all = protocol_schema();
  all.extend(trainer).extend(info.schema());
  return all;
}

TrialSetup make_trial_setup(const std::string& model, const std::string& dataset,
                            const nlohmann::json& config, const std::string& config_origin,
                            const std::vector<std::string>& assignments, uint64_t seed, int threads,
                            const std::string& device) {
  ParamSchema model_schema = ModelRegistry::instance().get(model).schema();
  Params params(trial_schema(model));
  if (!config.is_null()) params.set_object(config, config_origin);
  for (const auto& a : assignments) params.set_assignment(a, "--set");
  return TrialSetup{model,
                    dataset,
                    params,
                    model_schema,
                    protocol_from_params(params),
                    trainer_config_from_params(params),
                    seed,
                    threads,
                    device};
}

std::string source_version() { return SEQREC_BUILD_VERSION; }

namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

nlohmann::json metrics_json(const EvalResult& r) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < r.columns.size(); ++i) j[r.columns[i]] = r.mean[i];
  return j;
}

// Peak resident memory of this process so far (Linux reports KiB). A sweep that runs several
// trials in one process reports the peak over all of them up to this one.
int64_t peak_rss_bytes() {
  struct rusage usage {};
  return ::getrusage(RUSAGE_SELF, &usage) == 0 ? static_cast<int64_t>(usage.ru_maxrss) * 1024 : 0;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string curve_csv(const TrainingOutcome& o, const std::string& valid_metric) {
  std::ostringstream out;
  std::vector<std::string> parts;
  if (!o.curve.empty())
    for (const auto& [name, v] : o.curve.front().loss_parts) parts.push_back(name);
  out << "epoch,train_loss";
  for (const auto& p : parts) out << ",loss_" << p;
  out << ",valid_" << valid_metric << ",train_seconds,eval_seconds\n";
  for (const auto& e : o.curve) {
    out << e.epoch << "," << fmt(e.train_loss);
    for (const auto& p : parts) out << "," << fmt(e.loss_parts.count(p) ? e.loss_parts.at(p) : 0.0);
    out << "," << fmt(e.valid_value) << "," << fmt(e.train_seconds) << "," << fmt(e.eval_seconds)
        << "\n";
  }
  return out.str();
}

std::string per_user_csv(const EvalResult& r, const Dataset& data) {
  std::ostringstream out;
  out << "user";
  for (const auto& c : r.columns) out << "," << c;
  out << "\n";
  for (size_t i = 0; i < r.per_user.size(); ++i) {
    out << data.user_tokens[r.users[i]];
    for (double v : r.per_user[i]) out << "," << fmt(v);
    out << "\n";
  }
  return out.str();
}

std::string topk_csv(const EvalResult& r, const Dataset& data) {
  std::ostringstream out;
  out << "user,rank,item\n";
  for (size_t i = 0; i < r.top_items.size(); ++i)
    for (size_t k = 0; k < r.top_items[i].size(); ++k)
      out << data.user_tokens[r.users[i]] << "," << (k + 1) << ","
          << data.item_tokens[r.top_items[i][k]] << "\n";
  return out.str();
}

// Per stage, how many users were evaluated and why the others were left out (protocol key
// drop_users).
nlohmann::json held_out_json(const LeaveOneOutSplit& split, DropUsers rule) {
  nlohmann::json j;
  for (const auto& [name, stage] :
       {std::pair{"valid", EvalStage::Validation}, std::pair{"test", EvalStage::Test}}) {
    const HeldOutUsers kept = held_out_users(split, stage, rule);
    j[name] = {{"evaluated", kept.users.size()},
               {"dropped_cold_target", kept.cold_target},
               {"dropped_seen_target", kept.seen_target}};
  }
  return j;
}

// result.json without the metrics and files of a finished trial (see run_trial).
nlohmann::json result_json(const TrialSetup& setup, const Dataset& data,
                           const TrainingOutcome& outcome, int64_t num_parameters,
                           const TrialOptions& options, const std::string& started, double wall) {
  return {
      {"trial_id", setup.id()},
      {"status", outcome.status},
      {"model", setup.model},
      {"dataset",
       {{"name", data.name},
        {"argument", setup.dataset},
        {"directory", data.directory},
        {"users", data.num_users()},
        {"items", data.num_items()},
        {"interactions", data.num_interactions()}}},
      {"protocol", setup.protocol.to_json()},
      {"protocol_hash", setup.protocol.hash()},
      {"params", setup.params.to_json(setup.model_schema)},
      {"trainer", setup.params.to_json(trainer_schema())},
      {"train_samples", to_string(setup.trainer.sample_mode)},
      {"seed", setup.seed},
      {"threads", setup.threads},
      {"device", setup.device},
      {"num_parameters", num_parameters},
      {"best_epoch", outcome.best_epoch},
      {"epochs_run", static_cast<int64_t>(outcome.curve.size())},
      {"seconds",
       {{"train", outcome.train_seconds},
        {"train_per_epoch",
         outcome.curve.empty() ? 0.0 : outcome.train_seconds / outcome.curve.size()},
        {"valid_eval", outcome.valid_eval_seconds},
        {"valid_eval_per_epoch",
         outcome.curve.empty() ? 0.0 : outcome.valid_eval_seconds / outcome.curve.size()},
        {"test_eval", outcome.test_eval_seconds},
        {"wall", wall}}},
      {"peak_rss_bytes", peak_rss_bytes()},
      {"machine", machine_json()},
      {"versions",
       {{"seqrec", source_version()},
        {"torch", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                      "." + std::to_string(TORCH_VERSION_PATCH)}}},
      {"command", options.command},
      {"variant", options.variant},
      {"sweep", options.sweep},
      {"started", started},
      {"finished", utc_now()}};
}

// A checkpointed trial's log as it goes, so that a resumed run's log.txt starts with the
// runs before it instead of at the epoch it resumes after.
const char* const kRunningLogName = "log.running.txt";

// The log of the runs a resumed trial continues: kept only while their checkpoint is there to
// resume from, since without it the trial starts over and their epochs are not its own.
std::string earlier_runs_log(const std::string& checkpoint, const std::string& running_log) {
  std::error_code ec;
  if (!fs::exists(checkpoint, ec)) {
    fs::remove(running_log, ec);
    return "";
  }
  std::ifstream in(running_log, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One open per line: a trial logs a few lines an epoch, and each must survive a kill.
void append_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << line << "\n";
}

}  // namespace

nlohmann::json run_trial(const TrialSetup& setup, const Dataset& data,
                         const TrialOptions& options) {
  const std::string dir = (fs::path(options.out_root) / setup.id()).string();
  const std::string checkpoint = dir + "/checkpoint.pt";
  const std::string running_log = dir + "/" + kRunningLogName;
  std::ostringstream log_text;
  if (options.checkpoints) log_text << earlier_runs_log(checkpoint, running_log);
  auto log = [&](const std::string& line) {
    log_text << line << "\n";
    if (options.checkpoints) append_line(running_log, line);
    if (options.log) options.log(line);
  };
  const auto started = utc_now();
  const auto wall_start = std::chrono::steady_clock::now();
  torch::set_num_threads(setup.threads);
  torch::manual_seed(setup.seed);
  const torch::Device device(setup.device);

  LeaveOneOutSplit split = make_leave_one_out_split(data);
  const ModelInfo& info = ModelRegistry::instance().get(setup.model);
  SequentialRecommender model =
      info.create(ModelContext{data, split, setup.params, setup.protocol.max_len});
  if (options.explain && !model->explains())
    throw InputError("--explain: model '" + setup.model +
                     "' has no explanation to write: it does not implement "
                     "SequentialRecommenderImpl::explain()");
  int64_t num_parameters = 0;
  for (const auto& p : model->parameters()) num_parameters += p.numel();
  fs::create_directories(dir);
  log("trial " + setup.id() + ": " + setup.model + " on " + data.name + " (" +
      std::to_string(data.num_users()) + " users, " + std::to_string(data.num_items()) +
      " items), " + std::to_string(num_parameters) + " parameters, seed " +
      std::to_string(setup.seed) + ", " + std::to_string(setup.threads) + " threads, " +
      setup.device + (device.is_cpu() ? ", BLAS kernels " + blas_kernels() : ""));

  Trainer trainer(model, split, setup.protocol, setup.trainer, device, setup.seed, log);
  if (options.checkpoints) trainer.enable_checkpoints(checkpoint, setup.id());
  TrainingOutcome outcome = trainer.run(options.dump_top_k);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  nlohmann::json result = result_json(setup, data, outcome, num_parameters, options, started, wall);
  if (outcome.status == "ok") {
    result["metrics"] = {{"valid", metrics_json(outcome.valid)},
                         {"test", metrics_json(outcome.test)}};
    write_file_atomic(dir + "/per_user.csv", per_user_csv(outcome.test, data));
    if (options.dump_top_k > 0) write_file_atomic(dir + "/topk.csv", topk_csv(outcome.test, data));
    if (options.explain)
      write_file_atomic(dir + "/explanation.csv",
                        explanation_csv(*model, split, data, setup.protocol.max_len, device,
                                        setup.trainer.eval_batch_size));
  } else {
    result["failure"] = outcome.failure;
  }
  if (!options.preset.empty()) result["preset"] = options.preset;
  if (!options.reproduces.empty()) result["reproduces"] = options.reproduces;
  if (setup.protocol.drop_users != DropUsers::None)
    result["held_out_users"] = held_out_json(split, setup.protocol.drop_users);
  if (!outcome.resumes.empty()) {
    result["resumed"] = nlohmann::json::array();
    for (const auto& r : outcome.resumes)
      result["resumed"].push_back({{"after_epoch", r.epoch},
                                   {"written_by", r.written_by},
                                   {"resumed_by", r.resumed_by},
                                   {"written_on", r.written_on},
                                   {"resumed_on", r.resumed_on}});
  }
  log("wrote " + dir);
  write_file_atomic(dir + "/curve.csv", curve_csv(outcome, setup.protocol.valid_metric));
  write_file_atomic(dir + "/log.txt", log_text.str());
  write_file_atomic(dir + "/result.json", result.dump(2) + "\n");
  // The finished result supersedes the checkpoint and the running log; the checkpoint would
  // only bloat results/.
  std::error_code ignored;
  fs::remove(checkpoint, ignored);
  fs::remove(running_log, ignored);
  result["directory"] = dir;
  return result;
}

}  // namespace seqrec
