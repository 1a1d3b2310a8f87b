#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "harness/report/report_tables.h"
#include "harness/report/table_common.h"

namespace seqrec {

namespace {

std::string sensitivity_text(const Report& r, TableFormat format) {
  std::ostringstream out;
  if (format == TableFormat::Latex)
    out << "% seqrec report: sensitivity. Requires \\usepackage{booktabs}.\n\n";
  bool any = false;
  for (const auto& g : r.groups) {
    if (g.sensitivity.empty()) continue;
    any = true;
    TextTable t;
    t.title = group_title("Sensitivity", g);
    t.label = group_label("sensitivity", g);
    t.header = {"model",
                "parameter",
                "value",
                "trials",
                "valid " + g.valid_metric,
                "test " + g.valid_metric};
    t.align = "lllrrr";
    for (const auto& b : g.sensitivity) {
      t.rule_before.insert(t.rows.size());
      std::vector<double> valid;
      for (const auto& row : b.rows) valid.push_back(row.valid.mean);
      const auto marks = rank_marks(valid);
      for (size_t i = 0; i < b.rows.size(); ++i) {
        const auto& row = b.rows[i];
        t.rows.push_back(
            {{b.model},
             {b.key},
             {row.label},
             {std::to_string(row.valid.n)},
             {pm(row.valid), marks[i] == Emphasis::Best ? Emphasis::Best : Emphasis::None},
             {pm(row.test)}});
      }
    }
    t.caption =
        "Each hyper-parameter that takes more than one value among a model's full-model trials: " +
        g.valid_metric +
        " mean ± sample std over every trial with that value, i.e. over seeds and over the values "
        "of the "
        "other hyper-parameters. Best validation value in bold (selection uses validation only).";
    out << render_text(t, format);
  }
  if (!any)
    out << (format == TableFormat::Latex ? "% " : "")
        << "No swept hyper-parameters among the trials.\n";
  return out.str();
}

std::string sensitivity_csv(const Report& r) {
  std::string out =
      csv_line({"dataset", "protocol_hash", "valid_metric", "model", "parameter", "value", "trials",
                "configurations", "valid_mean", "valid_std", "test_mean", "test_std"});
  for (const auto& g : r.groups)
    for (const auto& b : g.sensitivity)
      for (const auto& row : b.rows)
        out += csv_line({g.dataset, g.protocol_hash, g.valid_metric, b.model, b.key, row.label,
                         std::to_string(row.valid.n), std::to_string(row.configurations),
                         format_metric(row.valid.mean), format_metric(row.valid.std),
                         format_metric(row.test.mean), format_metric(row.test.std)});
  return out;
}

std::string sensitivity_json(const Report& r) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : r.groups) {
    if (g.sensitivity.empty()) continue;
    nlohmann::json blocks = nlohmann::json::array();
    for (const auto& b : g.sensitivity) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& row : b.rows)
        rows.push_back({{"value", row.value},
                        {"trials", row.valid.n},
                        {"configurations", row.configurations},
                        {"valid", json_stat(row.valid)},
                        {"test", json_stat(row.test)}});
      blocks.push_back({{"model", b.model}, {"parameter", b.key}, {"rows", rows}});
    }
    groups.push_back({{"dataset", g.dataset},
                      {"protocol_hash", g.protocol_hash},
                      {"valid_metric", g.valid_metric},
                      {"parameters", blocks}});
  }
  nlohmann::json j = {
      {"table", "sensitivity"},
      {"aggregation",
       "valid_metric mean and sample std over every full-model trial with the value "
       "(over seeds and the other hyper-parameters' values)"},
      {"groups", groups}};
  return j.dump(2) + "\n";
}

}  // namespace

std::string render_sensitivity(const Report& report, TableFormat format) {
  if (format == TableFormat::Csv) return sensitivity_csv(report);
  if (format == TableFormat::Json) return sensitivity_json(report);
  return sensitivity_text(report, format);
}

}  // namespace seqrec
