#include "harness/report/published_reference.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "harness/report/report_text.h"

namespace seqrec {

std::optional<double> ReferenceEntry::value(const std::string& metric) const {
  for (const auto& [m, v] : values)
    if (m == metric) return v;
  return std::nullopt;
}

const ReferenceEntry* Reference::find(const std::string& dataset, const std::string& model) const {
  for (const auto& e : entries)
    if (e.dataset == dataset && lower(e.model) == lower(model)) return &e;
  return nullptr;
}

Reference load_reference(const std::string& path) {
  Reference ref;
  ref.path = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the reference file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": not valid JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("results") || !j["results"].is_array())
    throw InputError(path + ": expected an object with a 'results' array");
  if (j.contains("sources") && j["sources"].is_object())
    for (auto it = j["sources"].begin(); it != j["sources"].end(); ++it)
      ref.sources[it.key()] =
          it.value().is_object() && it.value().contains("cite") && it.value()["cite"].is_string()
              ? it.value()["cite"].get<std::string>()
              : "";
  size_t index = 0;
  for (const auto& r : j["results"]) {
    const std::string where = path + ": results[" + std::to_string(index++) + "]";
    if (!r.is_object()) throw InputError(where + " is not an object");
    ReferenceEntry e;
    for (const char* key : {"source", "dataset", "model"}) {
      if (!r.contains(key) || !r[key].is_string())
        throw InputError(where + ": key '" + key + "' is missing or not a string");
    }
    e.source = r["source"].get<std::string>();
    e.dataset = r["dataset"].get<std::string>();
    e.model = r["model"].get<std::string>();
    // Every "METRIC@K" number of the entry, by name.
    for (auto it = r.begin(); it != r.end(); ++it)
      if (it.key().find('@') != std::string::npos && it.value().is_number())
        e.values.emplace_back(it.key(), it.value().get<double>());
    ref.entries.push_back(std::move(e));
  }
  return ref;
}

}  // namespace seqrec
