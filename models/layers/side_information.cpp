#include "models/layers/side_information.h"

#include <algorithm>

#include "core/errors.h"
#include "datasets/dataset.h"

namespace seqrec {
namespace {

std::string dataset_label(const Dataset& data) {
  return "dataset '" + data.name + "' (" + data.directory + ")";
}

std::string needs(const std::string& model, const std::string& what,
                  const std::string& needed_for) {
  return "model '" + model + "' needs " + what + (needed_for.empty() ? "" : " " + needed_for);
}

}  // namespace

void require_timestamps(const Dataset& data, const std::string& model,
                        const std::string& needed_for) {
  if (data.has_timestamps()) return;
  throw InputError(needs(model, "interaction timestamps", needed_for) + ", but " +
                   dataset_label(data) +
                   " has none (add a timestamp:float column to its .inter file)");
}

void require_categories(const Dataset& data, const std::string& model,
                        const std::string& needed_for) {
  if (data.has_categories()) return;
  throw InputError(needs(model, "item categories", needed_for) + ", but " + dataset_label(data) +
                   " has none (add a categories:token_seq, class:token_seq or genre:token_seq "
                   "column to its .item file)");
}

const FloatMatrix& require_features(const Dataset& data, const std::string& model,
                                    const std::string& modality) {
  auto found = data.item_features.find(modality);
  if (found != data.item_features.end()) return found->second;
  std::string present;
  for (const auto& [name, matrix] : data.item_features) {
    present += (present.empty() ? "" : ", ") + name;
  }
  throw InputError("model '" + model + "' needs item features of modality '" + modality +
                   "', but " + dataset_label(data) + " has " +
                   (present.empty() ? std::string("none") : "only: " + present) + " (expected " +
                   data.name + "." + modality +
                   ".npy beside the data; `seqrec features text` "
                   "builds a text modality from item titles)");
}

std::vector<std::string> require_modalities(const Dataset& data, const std::string& model,
                                            const std::vector<std::string>& requested) {
  for (auto m = requested.begin(); m != requested.end(); ++m) {
    if (std::find(requested.begin(), m, *m) != m) {
      throw InputError("model '" + model + "': modalities lists '" + *m + "' twice");
    }
    require_features(data, model, *m);
  }
  return requested;
}

std::vector<std::string> dataset_modalities(const Dataset& data) {
  std::vector<std::string> names;
  for (const auto& [modality, matrix] : data.item_features) names.push_back(modality);
  return names;
}

torch::Tensor feature_tensor(const FloatMatrix& matrix, bool standardize) {
  auto f = torch::from_blob(const_cast<float*>(matrix.values.data()), {matrix.rows, matrix.cols},
                            torch::kFloat32)
               .clone();
  if (standardize && matrix.rows > 1) {
    auto items = f.slice(0, 1);
    auto mean = items.mean(0, /*keepdim=*/true);
    auto std = items.std(0, /*unbiased=*/false, /*keepdim=*/true).clamp_min(1e-8);
    f = torch::cat({torch::zeros_like(f.slice(0, 0, 1)), (items - mean) / std}, 0);
  }
  return f;
}

void register_frozen_modalities(torch::nn::Module& owner, const Dataset& data,
                                const std::vector<std::string>& modalities, int64_t d,
                                bool standardize, std::vector<torch::Tensor>& features,
                                torch::nn::ModuleList& projections) {
  for (size_t m = 0; m < modalities.size(); ++m) {
    const FloatMatrix& matrix = data.item_features.at(modalities[m]);
    features.push_back(owner.register_buffer("features_" + std::to_string(m),
                                             feature_tensor(matrix, standardize)));
    projections->push_back(torch::nn::Linear(matrix.cols, d));
  }
}

}  // namespace seqrec
