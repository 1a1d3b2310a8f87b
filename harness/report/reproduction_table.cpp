// The reproduction table (design §4, issue 26): each published number beside ours, mean ± std
// over seeds, with Δ% and a verdict. A trial joins a row when it ran a preset (which names its
// published source) and says which published model row it reproduces (sweep spec
// "reproduces").
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <tuple>

#include "core/errors.h"
#include "harness/presets.h"
#include "harness/report/report_tables.h"
#include "harness/report/table_common.h"
#include "harness/sweep_spec.h"

namespace seqrec {

std::string reproduction_verdict(const Stat& ours, double published) {
  const double delta = relative_percent(ours.mean, published);
  // Within 5%, or within two standard deviations of the seeds (with at least two seeds).
  const bool within =
      std::abs(delta) <= 5.0 || (ours.n >= 2 && std::abs(ours.mean - published) <= 2.0 * ours.std);
  if (within) return "reproduced";
  return ours.mean > published ? "exceeds" : "not reproduced";
}

size_t label_reproductions(std::vector<TrialRecord>& trials, const SweepSpec& spec) {
  std::map<std::string, const SweepTrial*> by_id;
  for (const auto& t : spec.trials)
    if (!t.reproduces.empty()) by_id[t.id] = &t;
  size_t labelled = 0;
  for (auto& t : trials) {
    const auto it = by_id.find(t.trial_id);
    if (it == by_id.end() || !t.reproduces.empty()) continue;
    t.preset = spec.preset;
    t.reproduces = it->second->reproduces;
    ++labelled;
  }
  return labelled;
}

std::vector<PlannedReproduction> planned_reproductions(const SweepSpec& spec) {
  std::vector<PlannedReproduction> planned;
  for (const auto& t : spec.trials) {
    if (t.reproduces.empty()) continue;
    auto it = std::find_if(planned.begin(), planned.end(), [&](const PlannedReproduction& p) {
      return p.dataset == t.dataset && p.model == t.reproduces;
    });
    if (it == planned.end())
      it = planned.insert(planned.end(), {spec.preset, t.dataset, t.reproduces, {}});
    it->trial_ids.push_back(t.id);
  }
  return planned;
}

std::vector<ReproductionRow> reproduction_rows(const std::vector<TrialRecord>& trials,
                                               const Reference& reference,
                                               std::vector<std::string>& notes,
                                               const std::vector<PlannedReproduction>& planned) {
  // One published row: the ok trials that reproduce it, and the trial ids the specs plan for
  // it (shown while none has finished).
  struct RowTrials {
    std::vector<const TrialRecord*> finished;
    std::vector<std::string> planned_ids;
  };
  // (preset, dataset, published model) -> its trials.
  std::map<std::tuple<std::string, std::string, std::string>, RowTrials> groups;
  for (const auto& t : trials)
    if (t.ok() && !t.preset.empty() && !t.reproduces.empty())
      groups[{t.preset, t.dataset, t.reproduces}].finished.push_back(&t);
  for (const auto& p : planned) {
    auto& ids = groups[{p.preset, p.dataset, p.model}].planned_ids;
    ids.insert(ids.end(), p.trial_ids.begin(), p.trial_ids.end());
  }
  std::vector<ReproductionRow> rows;
  for (const auto& [key, group] : groups) {
    const auto& [preset_name, dataset, model] = key;
    const auto& members = group.finished;
    const std::string where =
        members.empty() ? "planned trials of " + dataset : members.front()->rel_dir;
    const Preset* preset = nullptr;
    try {
      preset = &find_preset(preset_name);
    } catch (const InputError&) {
      notes.push_back("reproduction: preset '" + preset_name + "' of " + where +
                      " is not known to this build");
      continue;
    }
    const ReferenceEntry* entry = nullptr;
    for (const auto& e : reference.entries)
      if (e.source == preset->published_source && e.dataset == dataset && e.model == model)
        entry = &e;
    if (!entry) {
      notes.push_back("reproduction: " + preset->published_source + " publishes no '" + model +
                      "' on " + dataset + " (" + where + ")");
      continue;
    }
    for (const auto& [metric, published] : entry->values) {
      ReproductionRow row;
      row.source = entry->source;
      row.preset = preset_name;
      row.dataset = dataset;
      row.model = model;
      row.metric = metric;
      row.published = published;
      std::vector<double> values;
      for (const TrialRecord* t : members) {
        const auto it = t->test.find(metric);
        if (it == t->test.end()) continue;
        values.push_back(it->second);
        row.trials.push_back(t->rel_dir);
      }
      if (values.empty()) {
        if (!members.empty()) continue;  // ran, but without this metric
        row.trials = group.planned_ids;
        row.verdict = "not run yet";
        rows.push_back(std::move(row));
        continue;
      }
      row.ours = summarize(values);
      row.delta_percent = relative_percent(row.ours.mean, published);
      row.verdict = reproduction_verdict(row.ours, published);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

namespace {

// One seed has no spread to show; none has no number.
std::string ours_cell(const Stat& ours) {
  if (ours.n == 0) return "–";
  return ours.n == 1 ? format_metric(ours.mean) : pm(ours);
}

}  // namespace

std::string render_reproduction(const Report& r, TableFormat format) {
  if (format == TableFormat::Csv) {
    std::string out =
        csv_line({"source", "preset", "dataset", "model", "metric", "published", "ours_mean",
                  "ours_std", "seeds", "delta_percent", "verdict", "trials"});
    for (const auto& row : r.reproduction) {
      std::string trials;
      for (const auto& t : row.trials) trials += (trials.empty() ? "" : ";") + t;
      const bool ran = row.ran();
      out += csv_line({row.source, row.preset, row.dataset, row.model, row.metric,
                       format_metric(row.published), ran ? format_metric(row.ours.mean) : "",
                       ran ? format_metric(row.ours.std) : "", std::to_string(row.ours.n),
                       ran ? format_percent(row.delta_percent) : "", row.verdict, trials});
    }
    return out;
  }
  if (format == TableFormat::Json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : r.reproduction)
      rows.push_back(
          {{"source", row.source},
           {"preset", row.preset},
           {"dataset", row.dataset},
           {"model", row.model},
           {"metric", row.metric},
           {"published", json_metric(row.published)},
           {"ours", row.ran() ? json_stat(row.ours) : nlohmann::json()},
           {"delta_percent", row.ran() ? nlohmann::json(std::round(row.delta_percent * 10.0) / 10.0)
                                       : nlohmann::json()},
           {"verdict", row.verdict},
           {"trials", row.trials}});
    return nlohmann::json{{"reproduction", rows}}.dump(2) + "\n";
  }
  TextTable t;
  t.title = "Reproduction of published results";
  t.label = "reproduction";
  t.header = {"source", "dataset", "model", "metric", "published",
              "ours",   "seeds",   "Δ%",    "verdict"};
  t.align = "lllrrrrrl";
  for (const auto& row : r.reproduction)
    t.rows.push_back({{row.source},
                      {row.dataset},
                      {row.model},
                      {row.metric},
                      {format_metric(row.published)},
                      {ours_cell(row.ours)},
                      {std::to_string(row.ours.n)},
                      {row.ran() ? format_percent(row.delta_percent) : "–"},
                      {row.verdict}});
  t.caption =
      "Published: the number the source reports (results/reference/published.json); ours: test "
      "mean ± sample std over seeds of the trials that ran the source's preset; Δ% = (ours − "
      "published) / published × 100. Reproduced: |Δ| ≤ 5% or within 2 std; exceeds: above "
      "that; not reproduced: below it; not run yet: a spec's row whose trials have not "
      "finished.";
  std::ostringstream out;
  if (format == TableFormat::Latex)
    out << "% seqrec report: reproduction. Requires \\usepackage{booktabs}.\n\n";
  out << render_text(t, format);
  return out.str();
}

}  // namespace seqrec
