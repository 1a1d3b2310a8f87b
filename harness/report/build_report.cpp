#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "harness/report/configurations.h"
#include "harness/report/paired_significance.h"
#include "harness/report/report_tables.h"
#include "harness/report/sensitivity.h"

namespace seqrec {

namespace {

using GroupKey = std::pair<std::string, std::string>;  // (dataset, protocol hash)

// ok trials by group; failed ones and duplicated trial ids go to the report's lists.
std::map<GroupKey, std::vector<TrialRecord>> group_trials(const TrialScan& scan, Report& report) {
  std::map<GroupKey, std::vector<TrialRecord>> groups;
  std::map<std::string, std::string> seen_ids;
  for (const auto& t : scan.trials) {
    if (!t.trial_id.empty()) {
      auto [it, inserted] = seen_ids.emplace(t.trial_id, t.rel_dir);
      if (!inserted) {
        report.notes.push_back("trial " + t.trial_id + " in " + t.rel_dir + " duplicates " +
                               it->second + "; ignored");
        continue;
      }
    }
    if (t.ok())
      groups[{t.dataset, t.protocol_hash}].push_back(t);
    else
      report.failed.push_back(t);
  }
  return groups;
}

// The group's metric columns and cut-offs, and its configurations in the order (model,
// variant, canonical JSON).
void describe_group(ReportGroup& g, std::vector<TrialRecord>& trials) {
  g.valid_metric = trials.front().valid_metric;
  for (const auto& t : trials)
    for (const auto& c : t.columns)
      if (std::find(g.columns.begin(), g.columns.end(), c) == g.columns.end())
        g.columns.push_back(c);
  if (auto ks = trials.front().protocol.find("ks");
      ks != trials.front().protocol.end() && ks->is_array())
    for (const auto& k : *ks)
      if (k.is_number_integer()) g.ks.push_back(k.get<int64_t>());
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<TrialRecord>> by_config;
  for (auto& t : trials) {
    std::string config = nlohmann::json{{"params", t.params}, {"trainer", t.trainer}}.dump();
    by_config[{t.model, t.variant, config}].push_back(t);
  }
  for (auto& [key, ts] : by_config)
    g.configurations.push_back(make_configuration(std::move(ts), g.columns, g.valid_metric));
}

// Each model's full-model configuration, sorted by test valid_metric, with the paired tests
// of the best against each other one.
void add_leaderboard(ReportGroup& g, const std::set<std::string>& models,
                     const Reference& reference, std::vector<std::string>& notes) {
  for (const auto& m : models) {
    const Configuration* best = select_best(g.configurations, m, "");
    if (!best) continue;
    LeaderboardRow row;
    row.config = *best;
    if (const ReferenceEntry* e = reference.find(g.dataset, m)) row.reference = *e;
    g.leaderboard.push_back(std::move(row));
  }
  std::stable_sort(g.leaderboard.begin(), g.leaderboard.end(),
                   [&](const LeaderboardRow& a, const LeaderboardRow& b) {
                     return a.config.test_mean(g.valid_metric) > b.config.test_mean(g.valid_metric);
                   });
  if (g.leaderboard.empty()) return;
  g.leaderboard.front().is_best = true;
  if (g.leaderboard.size() < 2) return;
  const UserValues best = per_user_mean(g.leaderboard.front().config, g.valid_metric);
  if (!best.error.empty()) notes.push_back(g.dataset + ": no significance tests: " + best.error);
  for (size_t i = 1; i < g.leaderboard.size(); ++i) {
    const UserValues other = per_user_mean(g.leaderboard[i].config, g.valid_metric);
    g.leaderboard[i].significance = paired_tests(best, other);
    if (best.error.empty() && !other.error.empty())
      notes.push_back(g.dataset + ": no significance test for " + g.leaderboard[i].config.model +
                      ": " + other.error);
  }
}

// Models with variants: the full model and each variant's best configuration.
void add_ablations(ReportGroup& g) {
  std::map<std::string, std::set<std::string>> variants;
  for (const auto& c : g.configurations)
    if (!c.variant.empty()) variants[c.model].insert(c.variant);
  for (const auto& [m, vs] : variants) {
    AblationBlock block;
    block.model = m;
    if (const Configuration* full = select_best(g.configurations, m, "")) block.full = *full;
    for (const auto& v : vs) block.variants.push_back(*select_best(g.configurations, m, v));
    g.ablations.push_back(std::move(block));
  }
}

}  // namespace

Report build_report(const TrialScan& scan, const Reference& reference,
                    const std::vector<PlannedReproduction>& planned) {
  Report report;
  report.reference = reference;
  report.unfinished = scan.unfinished;
  auto groups = group_trials(scan, report);
  std::map<std::string, int> hashes_per_dataset;
  for (const auto& [key, trials] : groups) ++hashes_per_dataset[key.first];

  for (auto& [key, trials] : groups) {
    ReportGroup g;
    g.dataset = key.first;
    g.protocol_hash = key.second;
    g.slug = slugify(g.dataset) +
             (hashes_per_dataset[g.dataset] > 1 ? "_" + slugify(g.protocol_hash) : "");
    describe_group(g, trials);
    std::set<std::string> models;
    for (const auto& c : g.configurations) models.insert(c.model);
    add_leaderboard(g, models, reference, report.notes);
    add_ablations(g);
    // Sensitivity: keys with more than one value among a model's full-model trials.
    for (const auto& m : models)
      for (auto& b : sensitivity_blocks(g.configurations, m, g.valid_metric))
        g.sensitivity.push_back(std::move(b));
    report.groups.push_back(std::move(g));
  }
  report.reproduction = reproduction_rows(scan.trials, reference, report.notes, planned);
  return report;
}

}  // namespace seqrec
