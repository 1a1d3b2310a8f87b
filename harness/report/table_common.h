#pragma once
// What the leaderboard, ablation and sensitivity tables share: titles, labels, cells, the
// lists of failed and unfinished trials, and a configuration's identity in CSV and JSON.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/report/report_tables.h"

namespace seqrec {

inline constexpr const char* kDaggerNote = "† p < 0.05, Wilcoxon signed-rank vs. best";

// (ours - base) / base * 100; NaN when base is 0.
double relative_percent(double ours, double base);

std::string group_title(const std::string& what, const ReportGroup& g);
std::string group_label(const std::string& what, const ReportGroup& g);
std::string stat_or_dash(const Configuration& c, const std::string& metric);
// Reference metrics shown in Markdown/LaTeX: the valid_metric and HR@10, where published.
std::vector<std::string> shown_reference_metrics(const ReportGroup& g);
// The failed trials, unfinished folders and notes, as Markdown or LaTeX lists.
std::string failed_and_unfinished_markdown(const Report& r, TableFormat format);

std::string join_seeds(const Configuration& c);   // "1;2;3"
std::string join_trials(const Configuration& c);  // trial folders, ";"-separated
nlohmann::json config_json(const Configuration& c);
nlohmann::json failed_json(const Report& r);

// The names `names(item)` gives over every item, each once, in first-seen order.
template <typename T, typename F>
std::vector<std::string> union_in_order(const std::vector<T>& items, F names) {
  std::vector<std::string> out;
  for (const auto& item : items)
    for (const auto& n : names(item))
      if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  return out;
}

}  // namespace seqrec
