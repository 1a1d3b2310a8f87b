#pragma once
// Keys given once for several models (`seqrec train --model a,b --set ...`, a sweep's `base`):
// a key goes to the models whose schema declares it, so loss=ce reaches SASRec and not Pop. A
// key that no model of the list declares goes to every one of them, so that validation refuses
// it with the usual unknown-key error instead of it being dropped in silence.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seqrec {

bool shared_key_applies_to(const std::string& model, const std::string& key,
                           const std::vector<std::string>& models);
// The keys of `keys` (an object) that apply to `model` among `models`.
nlohmann::json shared_keys_for(const std::string& model, const nlohmann::json& keys,
                               const std::vector<std::string>& models);

}  // namespace seqrec
