#pragma once
// Name -> factory + hyper-parameter schema. A model registers itself with one line beside its
// class (SEQREC_REGISTER_MODEL); no central list to edit.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/params.h"

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

  // The registration line names each field:
  //   SEQREC_REGISTER_MODEL(ModelInfo::of<SASRecImpl>("sasrec")
  //                             .described_as("SASRec: ... (Kang & McAuley, ICDM 2018)")
  //                             .with_trainer_defaults({{"train_samples", "all_positions"}}));
  // Model is built by Model(const ModelContext&) and declares its keys in Model::schema().
  template <typename Model>
  static ModelInfo of(std::string name) {
    ModelInfo info;
    info.name = std::move(name);
    info.schema = &Model::schema;
    info.create = [](const ModelContext& context) -> std::shared_ptr<SequentialRecommenderImpl> {
      return std::make_shared<Model>(context);
    };
    return info;
  }
  ModelInfo& described_as(std::string text) {
    description = std::move(text);
    return *this;
  }
  ModelInfo& with_trainer_defaults(nlohmann::json defaults) {
    trainer_defaults = std::move(defaults);
    return *this;
  }
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
// SEQREC_REGISTER_MODEL(ModelInfo::of<Model>("name").described_as("...")...); see ModelInfo.
#define SEQREC_REGISTER_MODEL(...)                                                       \
  static const bool SEQREC_CONCAT(seqrec_model_registered_, __LINE__) [[maybe_unused]] = \
      ::seqrec::ModelRegistry::instance().add(__VA_ARGS__)
