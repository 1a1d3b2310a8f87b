#include "harness/report/configurations.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace seqrec {

Configuration make_configuration(std::vector<TrialRecord> trials,
                                 const std::vector<std::string>& columns,
                                 const std::string& valid_metric) {
  std::sort(trials.begin(), trials.end(), [](const TrialRecord& a, const TrialRecord& b) {
    return std::tie(a.seed, a.rel_dir) < std::tie(b.seed, b.rel_dir);
  });
  Configuration c;
  c.model = trials.front().model;
  c.variant = trials.front().variant;
  c.params = trials.front().params;
  c.trainer = trials.front().trainer;
  c.key = nlohmann::json{{"params", c.params}, {"trainer", c.trainer}}.dump();
  std::vector<double> valid, seconds;
  for (const auto& t : trials) {
    valid.push_back(t.valid.at(valid_metric));
    seconds.push_back(t.train_seconds);
  }
  for (const auto& col : columns) {
    std::vector<double> v;
    for (const auto& t : trials)
      if (auto it = t.test.find(col); it != t.test.end()) v.push_back(it->second);
    if (!v.empty()) c.test[col] = summarize(v);
  }
  c.valid = summarize(valid);
  c.train_seconds = summarize(seconds);
  c.trials = std::move(trials);
  return c;
}

const Configuration* select_best(const std::vector<Configuration>& configs,
                                 const std::string& model, const std::string& variant) {
  const Configuration* best = nullptr;
  for (const auto& c : configs)
    if (c.model == model && c.variant == variant && (!best || c.valid.mean > best->valid.mean))
      best = &c;
  return best;
}

}  // namespace seqrec
