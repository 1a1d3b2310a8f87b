#include "harness/shared_keys.h"

#include "harness/trial.h"

namespace seqrec {

bool shared_key_applies_to(const std::string& model, const std::string& key,
                           const std::vector<std::string>& models) {
  if (trial_schema(model).find(key)) return true;
  for (const auto& other : models)
    if (trial_schema(other).find(key)) return false;
  return true;
}

nlohmann::json shared_keys_for(const std::string& model, const nlohmann::json& keys,
                               const std::vector<std::string>& models) {
  nlohmann::json out = nlohmann::json::object();
  for (auto it = keys.begin(); it != keys.end(); ++it)
    if (shared_key_applies_to(model, it.key(), models)) out[it.key()] = it.value();
  return out;
}

}  // namespace seqrec
