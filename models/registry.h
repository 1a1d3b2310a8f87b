#pragma once
// Name -> factory + hyper-parameter schema. A model registers itself with one line beside its
// class (SEQREC_REGISTER_MODEL); no central list to edit.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/params.h"

namespace seqrec {

class SequentialRecommenderImpl;
struct ModelContext;

struct ModelInfo {
  std::string name;
  std::string description;  // one line, with the paper
  std::function<ParamSchema()> schema;
  // The model's own defaults for trainer keys (e.g. {"lr": 1e-3, "train_samples": "cloze"}).
  nlohmann::json trainer_defaults = nlohmann::json::object();
  std::function<std::shared_ptr<SequentialRecommenderImpl>(const ModelContext&)> create;
};

class ModelRegistry {
 public:
  static ModelRegistry& instance();
  bool add(ModelInfo info);
  // Throws InputError naming the unknown model and listing the known ones.
  const ModelInfo& get(const std::string& name) const;
  std::vector<std::string> names() const;  // sorted

 private:
  std::vector<ModelInfo> models_;
};

}  // namespace seqrec

#define SEQREC_CONCAT_INNER(a, b) a##b
#define SEQREC_CONCAT(a, b) SEQREC_CONCAT_INNER(a, b)
// SEQREC_REGISTER_MODEL({"name", "description", schema_fn, trainer_defaults, factory});
#define SEQREC_REGISTER_MODEL(...)                                                       \
  static const bool SEQREC_CONCAT(seqrec_model_registered_, __LINE__) [[maybe_unused]] = \
      ::seqrec::ModelRegistry::instance().add(::seqrec::ModelInfo __VA_ARGS__)
