#include "models/side_information.h"

#include "harness/errors.h"
#include "models/sequential_recommender.h"

namespace seqrec {
namespace {

std::string dataset_label(const Dataset& data) {
  return "dataset '" + data.name + "' (" + data.directory + ")";
}

}  // namespace

void require_timestamps(const ModelContext& c, const std::string& model) {
  if (c.data.has_timestamps()) return;
  throw InputError("model '" + model + "' needs interaction timestamps, but " +
                   dataset_label(c.data) + " has none (add a timestamp:float column to its .inter file)");
}

void require_categories(const ModelContext& c, const std::string& model) {
  if (c.data.has_categories()) return;
  throw InputError("model '" + model + "' needs item categories, but " + dataset_label(c.data) +
                   " has none (add a categories:token_seq, class:token_seq or genre:token_seq "
                   "column to its .item file)");
}

const FloatMatrix& require_features(const ModelContext& c, const std::string& model,
                                    const std::string& modality) {
  auto found = c.data.item_features.find(modality);
  if (found != c.data.item_features.end()) return found->second;
  std::string present;
  for (const auto& [name, matrix] : c.data.item_features) {
    present += (present.empty() ? "" : ", ") + name;
  }
  throw InputError("model '" + model + "' needs item features of modality '" + modality + "', but " +
                   dataset_label(c.data) + " has " +
                   (present.empty() ? std::string("none") : "only: " + present) + " (expected " +
                   c.data.name + "." + modality + ".npy beside the data; `seqrec features text` "
                   "builds a text modality from item titles)");
}

}  // namespace seqrec
