#include "models/registry.h"

#include <algorithm>

#include "core/errors.h"

namespace seqrec {

ModelRegistry& ModelRegistry::instance() {
  static ModelRegistry registry;
  return registry;
}

bool ModelRegistry::add(ModelInfo info) {
  for (const auto& m : models_)
    if (m.name == info.name) throw std::logic_error("model registered twice: " + info.name);
  models_.push_back(std::move(info));
  return true;
}

const ModelInfo& ModelRegistry::get(const std::string& name) const {
  for (const auto& m : models_)
    if (m.name == name) return m;
  std::string known;
  for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
  throw InputError("unknown model '" + name + "'; registered models: " + known);
}

std::vector<std::string> ModelRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& m : models_) out.push_back(m.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace seqrec
