#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "harness/report/report_tables.h"
#include "harness/report/table_common.h"

namespace seqrec {

namespace {

// Relative drop of the variant vs the full model, %: (full - variant) / full * 100.
double drop_percent(const AblationBlock& b, const Configuration& v, const std::string& m) {
  if (!b.full) return std::nan("");
  return -relative_percent(v.test_mean(m), b.full->test_mean(m));
}

std::string ablation_text(const Report& r, TableFormat format) {
  std::ostringstream out;
  if (format == TableFormat::Latex)
    out << "% seqrec report: ablations. Requires \\usepackage{booktabs}.\n\n";
  bool any = false;
  for (const auto& g : r.groups) {
    if (g.ablations.empty()) continue;
    any = true;
    const auto metrics = g.headline_metrics();
    TextTable t;
    t.title = group_title("Ablation", g);
    t.label = group_label("ablation", g);
    t.header = {"model", "variant", "seeds"};
    t.align = "llr";
    for (const auto& m : metrics) {
      t.header.push_back(m);
      t.header.push_back("drop % " + m);
      t.align += "rr";
    }
    for (const auto& b : g.ablations) {
      t.rule_before.insert(t.rows.size());
      auto add = [&](const Configuration* c, const std::string& name) {
        std::vector<Cell> cells{{b.model}, {name}, {c ? std::to_string(c->trials.size()) : "0"}};
        for (const auto& m : metrics) {
          cells.push_back({c ? stat_or_dash(*c, m) : "–"});
          cells.push_back(
              {c && name != "full model" ? format_percent(drop_percent(b, *c, m)) : ""});
        }
        t.rows.push_back(std::move(cells));
      };
      add(b.full ? &*b.full : nullptr, "full model");
      for (const auto& v : b.variants) add(&v, v.variant);
    }
    t.caption =
        "Test metrics, mean ± sample std over seeds, of the full model and each ablation variant "
        "(each "
        "with its configuration of best mean validation " +
        g.valid_metric +
        "). Drop % = (full − variant) / full × 100; positive: the variant is worse.";
    out << render_text(t, format);
  }
  if (!any)
    out << (format == TableFormat::Latex ? "% " : "") << "No ablation variants among the trials.\n";
  return out.str();
}

std::string ablation_csv(const Report& r) {
  const auto metrics =
      union_in_order(r.groups, [](const ReportGroup& g) { return g.headline_metrics(); });
  std::vector<std::string> header{"dataset", "protocol_hash", "valid_metric", "model",
                                  "variant", "n_seeds",       "seeds"};
  for (const auto& m : metrics) {
    header.push_back(m + "_mean");
    header.push_back(m + "_std");
    header.push_back("drop_pct_" + m);
  }
  header.push_back("config");
  header.push_back("trials");
  std::string out = csv_line(header);
  for (const auto& g : r.groups)
    for (const auto& b : g.ablations) {
      std::vector<const Configuration*> rows;
      if (b.full) rows.push_back(&*b.full);
      for (const auto& v : b.variants) rows.push_back(&v);
      for (const Configuration* c : rows) {
        std::vector<std::string> f{g.dataset,
                                   g.protocol_hash,
                                   g.valid_metric,
                                   b.model,
                                   c->variant.empty() ? "(full)" : c->variant,
                                   std::to_string(c->trials.size()),
                                   join_seeds(*c)};
        for (const auto& m : metrics) {
          auto it = c->test.find(m);
          f.push_back(it == c->test.end() ? "" : format_metric(it->second.mean));
          f.push_back(it == c->test.end() ? "" : format_metric(it->second.std));
          double d = c->variant.empty() ? std::nan("") : drop_percent(b, *c, m);
          f.push_back(std::isnan(d) ? "" : printf_string("%.2f", d));
        }
        f.push_back(nlohmann::json{{"params", c->params}, {"trainer", c->trainer}}.dump());
        f.push_back(join_trials(*c));
        out += csv_line(f);
      }
    }
  return out;
}

std::string ablation_json(const Report& r) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : r.groups) {
    if (g.ablations.empty()) continue;
    const auto metrics = g.headline_metrics();
    nlohmann::json blocks = nlohmann::json::array();
    for (const auto& b : g.ablations) {
      auto entry = [&](const Configuration& c) {
        nlohmann::json test = nlohmann::json::object(), drop = nlohmann::json::object();
        for (const auto& m : metrics) {
          auto it = c.test.find(m);
          if (it != c.test.end()) test[m] = json_stat(it->second);
          double d = drop_percent(b, c, m);
          if (!c.variant.empty())
            drop[m] = std::isnan(d) ? nlohmann::json(nullptr) : nlohmann::json(rounded(d, "%.2f"));
        }
        nlohmann::json j = {
            {"variant", c.variant}, {"configuration", config_json(c)}, {"test", test}};
        if (!c.variant.empty()) j["drop_pct"] = drop;
        return j;
      };
      nlohmann::json variants = nlohmann::json::array();
      for (const auto& v : b.variants) variants.push_back(entry(v));
      blocks.push_back({{"model", b.model},
                        {"full", b.full ? entry(*b.full) : nlohmann::json(nullptr)},
                        {"variants", variants}});
    }
    groups.push_back({{"dataset", g.dataset},
                      {"protocol_hash", g.protocol_hash},
                      {"valid_metric", g.valid_metric},
                      {"metrics", metrics},
                      {"models", blocks}});
  }
  nlohmann::json j = {{"table", "ablation"},
                      {"drop_pct", "(full - variant) / full * 100 on test means"},
                      {"groups", groups}};
  return j.dump(2) + "\n";
}

}  // namespace

std::string render_ablation(const Report& report, TableFormat format) {
  if (format == TableFormat::Csv) return ablation_csv(report);
  if (format == TableFormat::Json) return ablation_json(report);
  return ablation_text(report, format);
}

}  // namespace seqrec
