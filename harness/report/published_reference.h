#pragma once
// Published numbers (results/reference/published.json) that a report sets beside ours.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seqrec {

// A published number set (results/reference/published.json, "results" entry).
struct ReferenceEntry {
  std::string source;  // key into Reference::sources
  std::string dataset;
  std::string model;
  std::vector<std::pair<std::string, double>> values;  // "HR@10" -> 0.0605, file order
  std::optional<double> value(const std::string& metric) const;
};

struct Reference {
  std::string path;                            // "" = none
  std::map<std::string, std::string> sources;  // key -> citation
  std::vector<ReferenceEntry> entries;
  // First entry with this dataset (exact) and model (case-insensitive), or nullptr.
  const ReferenceEntry* find(const std::string& dataset, const std::string& model) const;
};

// Reads a published.json; InputError names the file when it is malformed.
Reference load_reference(const std::string& path);

}  // namespace seqrec
