#include "harness/checkpoint.h"

#include <ATen/Context.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/errors.h"
#include "harness/error_text.h"
#include "harness/machine.h"
#include "harness/trial.h"

namespace seqrec {

namespace {

constexpr int64_t kFormat = 1;

// Dropout, negative sampling and augmentations draw from torch's default generators: the CPU
// one always, and the device's own when training elsewhere.
std::vector<torch::Device> generator_devices(torch::Device device) {
  std::vector<torch::Device> out{torch::Device(torch::kCPU)};
  if (!device.is_cpu()) out.push_back(device);
  return out;
}

nlohmann::json epoch_json(const EpochRecord& e) {
  return {{"epoch", e.epoch},
          {"train_loss", e.train_loss},
          {"loss_parts", e.loss_parts},
          {"valid_value", e.valid_value},
          {"train_seconds", e.train_seconds},
          {"eval_seconds", e.eval_seconds}};
}

EpochRecord epoch_from_json(const nlohmann::json& j) {
  EpochRecord e;
  e.epoch = j.at("epoch").get<int64_t>();
  e.train_loss = j.at("train_loss").get<double>();
  e.loss_parts = j.at("loss_parts").get<std::map<std::string, double>>();
  e.valid_value = j.at("valid_value").get<double>();
  e.train_seconds = j.at("train_seconds").get<double>();
  e.eval_seconds = j.at("eval_seconds").get<double>();
  return e;
}

std::vector<std::string> model_tensor_names(torch::nn::Module& model) {
  std::vector<std::string> out;
  for (const auto& p : model.named_parameters()) out.push_back(p.key());
  for (const auto& b : model.named_buffers()) out.push_back(b.key());
  return out;
}

// Doubles go through nlohmann's shortest round-trip formatting, so they come back exact.
nlohmann::json state_json(const TrainingProgress& p, const std::string& owner,
                          const std::mt19937_64& engine, torch::nn::Module& model) {
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& e : p.curve) curve.push_back(epoch_json(e));
  nlohmann::json resumes = nlohmann::json::array();
  for (const auto& r : p.resumes)
    resumes.push_back({{"epoch", r.epoch},
                       {"written_by", r.written_by},
                       {"resumed_by", r.resumed_by},
                       {"written_on", r.written_on},
                       {"resumed_on", r.resumed_on}});
  std::ostringstream engine_state;
  engine_state << engine;
  return {{"format", kFormat},
          {"owner", owner},
          {"written_by", source_version()},
          {"written_on", blas_kernels()},
          {"curve", curve},
          {"best_epoch", p.best_epoch},
          {"best_value", p.best_value},
          {"since_best", p.since_best},
          {"best_valid_columns", p.best_valid.columns},
          {"best_valid_mean", p.best_valid.mean},
          {"train_seconds", p.train_seconds},
          {"valid_eval_seconds", p.valid_eval_seconds},
          {"best_weights", p.best_weights.size()},
          {"model_tensors", model_tensor_names(model)},
          {"resumes", resumes},
          {"shuffle_engine", engine_state.str()}};
}

void restore_state(const nlohmann::json& j, TrainingProgress& p, std::mt19937_64& engine) {
  p.curve.clear();
  for (const auto& e : j.at("curve")) p.curve.push_back(epoch_from_json(e));
  p.best_epoch = j.at("best_epoch").get<int64_t>();
  p.best_value = j.at("best_value").get<double>();
  p.since_best = j.at("since_best").get<int64_t>();
  p.best_valid = EvalResult{};
  p.best_valid.columns = j.at("best_valid_columns").get<std::vector<std::string>>();
  p.best_valid.mean = j.at("best_valid_mean").get<std::vector<double>>();
  p.train_seconds = j.at("train_seconds").get<double>();
  p.valid_eval_seconds = j.at("valid_eval_seconds").get<double>();
  p.resumes.clear();
  for (const auto& r : j.at("resumes"))
    p.resumes.push_back({r.at("epoch").get<int64_t>(), r.at("written_by").get<std::string>(),
                         r.at("resumed_by").get<std::string>(), r.value("written_on", "?"),
                         r.value("resumed_on", "?")});
  std::istringstream engine_state(j.at("shuffle_engine").get<std::string>());
  engine_state >> engine;
}

}  // namespace

std::vector<torch::Tensor> model_tensors(torch::nn::Module& model) {
  std::vector<torch::Tensor> out = model.parameters();
  for (auto& b : model.buffers()) out.push_back(b);
  return out;
}

void save_checkpoint(const CheckpointTarget& target, torch::nn::Module& model,
                     torch::optim::Optimizer& optimizer, const std::mt19937_64& shuffle_engine,
                     const TrainingProgress& progress, torch::Device device) {
  if (target.path.empty()) return;
  torch::serialize::OutputArchive archive;
  archive.write("state",
                c10::IValue(state_json(progress, target.owner, shuffle_engine, model).dump()));
  // Flat, by position: nested module archives would carry submodule names into TorchScript,
  // where a name such as "in" is a keyword and cannot be read back.
  const auto weights = model_tensors(model);
  for (size_t i = 0; i < weights.size(); ++i)
    archive.write("model." + std::to_string(i), weights[i]);
  torch::serialize::OutputArchive moments;
  optimizer.save(moments);
  archive.write("optimizer", moments);
  for (size_t i = 0; i < progress.best_weights.size(); ++i)
    archive.write("best." + std::to_string(i), progress.best_weights[i]);
  for (const auto& d : generator_devices(device)) {
    at::Generator generator = at::globalContext().defaultGenerator(d);
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("generator." + d.str(), generator.get_state());
  }
  const std::string tmp = target.path + ".tmp." + std::to_string(::getpid());
  archive.save_to(tmp);
  std::filesystem::rename(tmp, target.path);
}

bool load_checkpoint(const CheckpointTarget& target, torch::nn::Module& model,
                     torch::optim::Optimizer& optimizer, std::mt19937_64& shuffle_engine,
                     TrainingProgress& progress, torch::Device device) {
  if (target.path.empty() || !std::filesystem::exists(target.path)) return false;
  const std::string advice = " (delete it to train this trial from the start)";
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(target.path, device);
    c10::IValue state_text;
    archive.read("state", state_text);
    const auto state = nlohmann::json::parse(state_text.toStringRef());
    if (state.at("format").get<int64_t>() != kFormat)
      throw InputError(target.path + ": checkpoint format " + state.at("format").dump() +
                       " is not this build's " + std::to_string(kFormat) + advice);
    if (state.at("owner").get<std::string>() != target.owner)
      throw InputError(target.path + ": checkpoint of trial " + state.at("owner").dump() +
                       ", not " + target.owner + advice);
    const auto names = state.at("model_tensors").get<std::vector<std::string>>();
    if (names != model_tensor_names(model))
      throw InputError(target.path +
                       ": checkpoint's tensors do not match the model's (the "
                       "architecture changed since it was written)" +
                       advice);
    {
      torch::NoGradGuard no_grad;
      auto weights = model_tensors(model);
      for (size_t i = 0; i < weights.size(); ++i) {
        torch::Tensor saved;
        archive.read("model." + std::to_string(i), saved);
        if (!saved.sizes().equals(weights[i].sizes()))
          throw InputError(target.path + ": tensor " + names[i] + " has shape " +
                           c10::str(saved.sizes()) + " in the checkpoint, " +
                           c10::str(weights[i].sizes()) + " in the model" + advice);
        weights[i].copy_(saved);
      }
    }
    torch::serialize::InputArchive moments;
    archive.read("optimizer", moments);
    optimizer.load(moments);
    restore_state(state, progress, shuffle_engine);
    progress.best_weights.assign(state.at("best_weights").get<size_t>(), torch::Tensor());
    for (size_t i = 0; i < progress.best_weights.size(); ++i)
      archive.read("best." + std::to_string(i), progress.best_weights[i]);
    for (const auto& d : generator_devices(device)) {
      torch::Tensor generator_state;
      archive.read("generator." + d.str(), generator_state);
      at::Generator generator = at::globalContext().defaultGenerator(d);
      std::lock_guard<std::mutex> lock(generator.mutex());
      // Generator states are byte tensors that live on the CPU whatever the device.
      generator.set_state(generator_state.to(torch::kCPU));
    }
    progress.resumes.push_back({static_cast<int64_t>(progress.curve.size()),
                                state.at("written_by").get<std::string>(), source_version(),
                                state.value("written_on", "?"), blas_kernels()});
    return true;
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(target.path + ": cannot resume from this checkpoint: " + error_text(e) +
                     advice);
  }
}

}  // namespace seqrec
