#include "harness/report/table_common.h"

#include <cmath>
#include <sstream>

namespace seqrec {

double relative_percent(double ours, double base) {
  if (base == 0.0) return std::nan("");
  return (ours - base) / base * 100.0;
}

std::string group_title(const std::string& what, const ReportGroup& g) {
  return what + ": " + g.dataset + " (protocol " + g.protocol_hash + ")";
}

std::string group_label(const std::string& what, const ReportGroup& g) {
  return "tab:" + what + "-" + g.slug;
}

std::string stat_or_dash(const Configuration& c, const std::string& metric) {
  auto it = c.test.find(metric);
  return it == c.test.end() ? "–" : pm(it->second);
}

// Reference metrics shown in Markdown/LaTeX: the valid_metric and HR@10, where published.
std::vector<std::string> shown_reference_metrics(const ReportGroup& g) {
  std::vector<std::string> out;
  for (const std::string& m : {g.valid_metric, std::string("HR@10")}) {
    if (std::find(out.begin(), out.end(), m) != out.end()) continue;
    for (const auto& row : g.leaderboard)
      if (row.reference && row.reference->value(m)) {
        out.push_back(m);
        break;
      }
  }
  return out;
}

std::string failed_and_unfinished_markdown(const Report& r, TableFormat format) {
  std::ostringstream out;
  const bool latex = format == TableFormat::Latex;
  auto item = [&](const std::string& text) {
    out << (latex ? "  \\item " + latex_escape(text) : "- " + md_escape(text)) << "\n";
  };
  auto list = [&](const std::string& heading, const std::vector<std::string>& items) {
    if (items.empty()) return;
    out << (latex ? "\\paragraph{" + latex_escape(heading) + "}\n\\begin{itemize}\n"
                  : "### " + heading + "\n\n");
    for (const auto& i : items) item(i);
    out << (latex ? "\\end{itemize}\n\n" : "\n");
  };
  std::vector<std::string> failed;
  for (const auto& t : r.failed)
    failed.push_back(t.rel_dir + ": " + t.model + " on " + t.dataset + ", seed " +
                     std::to_string(t.seed) + (t.variant.empty() ? "" : ", variant " + t.variant) +
                     ": " + (t.failure.empty() ? "(no reason recorded)" : t.failure));
  list("Failed trials (in no table)", failed);
  list("Unfinished trial folders (no result.json; ignored)", r.unfinished);
  list("Notes", r.notes);
  return out.str();
}

std::string join_seeds(const Configuration& c) {
  std::string s;
  for (uint64_t seed : c.seeds()) s += (s.empty() ? "" : ";") + std::to_string(seed);
  return s;
}

std::string join_trials(const Configuration& c) {
  std::string s;
  for (const auto& t : c.trials) s += (s.empty() ? "" : ";") + t.rel_dir;
  return s;
}

nlohmann::json config_json(const Configuration& c) {
  nlohmann::json trials = nlohmann::json::array();
  for (const auto& t : c.trials) trials.push_back(t.rel_dir);
  return {{"model", c.model},
          {"variant", c.variant},
          {"params", c.params},
          {"trainer", c.trainer},
          {"seeds", c.seeds()},
          {"trials", trials},
          {"valid", json_stat(c.valid)},
          {"train_seconds", rounded(c.train_seconds.mean, "%.2f")}};
}

nlohmann::json failed_json(const Report& r) {
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& t : r.failed)
    failed.push_back({{"trial", t.rel_dir},
                      {"model", t.model},
                      {"dataset", t.dataset},
                      {"seed", t.seed},
                      {"variant", t.variant},
                      {"protocol_hash", t.protocol_hash},
                      {"failure", t.failure}});
  return failed;
}

}  // namespace seqrec
