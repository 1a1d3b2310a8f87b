#include "harness/report/sensitivity.h"

#include <algorithm>
#include <map>
#include <set>

namespace seqrec {

namespace {

// A JSON value as a short label: strings bare, everything else as JSON.
std::string value_label(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

std::vector<SensitivityBlock> sensitivity_blocks(const std::vector<Configuration>& configs,
                                                 const std::string& model,
                                                 const std::string& valid_metric) {
  // Every hyper-parameter (params, then trainer keys; "trainer." prefix on a clash).
  std::vector<const TrialRecord*> trials;
  for (const auto& c : configs)
    if (c.model == model && c.variant.empty())
      for (const auto& t : c.trials) trials.push_back(&t);
  auto values_of = [](const TrialRecord& t) {
    std::map<std::string, nlohmann::json> v;
    for (auto it = t.params.begin(); it != t.params.end(); ++it) v[it.key()] = it.value();
    for (auto it = t.trainer.begin(); it != t.trainer.end(); ++it)
      v[t.params.contains(it.key()) ? "trainer." + it.key() : it.key()] = it.value();
    return v;
  };
  std::map<std::string, std::map<std::string, std::vector<const TrialRecord*>>> by_key;
  std::map<std::string, std::map<std::string, nlohmann::json>> raw;
  for (const TrialRecord* t : trials)
    for (const auto& [key, value] : values_of(*t)) {
      by_key[key][value.dump()].push_back(t);
      raw[key][value.dump()] = value;
    }
  std::vector<SensitivityBlock> blocks;
  for (const auto& [key, buckets] : by_key) {
    if (buckets.size() < 2) continue;
    SensitivityBlock block;
    block.model = model;
    block.key = key;
    bool numeric = true;
    for (const auto& [dump, ts] : buckets) {
      const nlohmann::json& v = raw[key][dump];
      numeric &= v.is_number();
      SensitivityRow row;
      row.value = v;
      row.label = value_label(v);
      std::vector<double> valid, test;
      std::set<std::string> config_keys;
      for (const TrialRecord* t : ts) {
        valid.push_back(t->valid.at(valid_metric));
        test.push_back(t->test.at(valid_metric));
        config_keys.insert(nlohmann::json{{"params", t->params}, {"trainer", t->trainer}}.dump());
      }
      row.valid = summarize(valid);
      row.test = summarize(test);
      row.configurations = static_cast<int>(config_keys.size());
      block.rows.push_back(std::move(row));
    }
    std::stable_sort(block.rows.begin(), block.rows.end(),
                     [numeric](const SensitivityRow& a, const SensitivityRow& b) {
                       return numeric ? a.value.get<double>() < b.value.get<double>()
                                      : a.label < b.label;
                     });
    blocks.push_back(std::move(block));
  }
  return blocks;
}

}  // namespace seqrec
