#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "harness/report/report_tables.h"
#include "harness/report/table_common.h"

namespace seqrec {

namespace {

// One group's leaderboard; adds the sources it cites to `cited`.
TextTable leaderboard_group_table(const ReportGroup& g, TableFormat format,
                                  std::set<std::string>& cited) {
  TextTable t;
  t.title = group_title("Leaderboard", g);
  t.label = group_label("leaderboard", g);
  const auto ref_metrics = shown_reference_metrics(g);
  const bool any_ref = !ref_metrics.empty();
  t.header = {"model", "seeds"};
  t.align = "lr";
  for (const auto& c : g.columns) {
    t.header.push_back(c);
    t.align += "r";
  }
  for (const auto& m : ref_metrics) {
    t.header.push_back("published " + m);
    t.header.push_back("Δ% " + m);
    t.align += "rr";
  }
  if (any_ref) {
    t.header.push_back("source");
    t.align += "l";
  }
  std::map<std::string, std::vector<Emphasis>> marks;
  for (const auto& c : g.columns) {
    std::vector<double> v;
    for (const auto& row : g.leaderboard) v.push_back(row.config.test_mean(c));
    marks[c] = rank_marks(v);
  }
  for (size_t i = 0; i < g.leaderboard.size(); ++i) {
    const auto& row = g.leaderboard[i];
    std::vector<Cell> cells{{row.config.model}, {std::to_string(row.config.trials.size())}};
    for (const auto& c : g.columns) {
      std::string text = stat_or_dash(row.config, c);
      if (c == g.valid_metric && row.significance.significant()) text += "†";
      cells.push_back({text, marks[c][i]});
    }
    for (const auto& m : ref_metrics) {
      std::optional<double> p = row.reference ? row.reference->value(m) : std::nullopt;
      cells.push_back({p ? format_metric(*p) : ""});
      cells.push_back({p ? format_percent(relative_percent(row.config.test_mean(m), *p)) : ""});
    }
    if (any_ref) {
      cells.push_back({row.reference ? row.reference->source : ""});
      if (row.reference) cited.insert(row.reference->source);
    }
    t.rows.push_back(std::move(cells));
  }
  std::ostringstream caption;
  caption << "Test metrics, mean ± sample std over seeds, of each model's configuration with the "
             "best mean "
             "validation "
          << g.valid_metric << "; rows sorted by test " << g.valid_metric
          << (format == TableFormat::Latex ? "; best in bold, second underlined. "
                                           : "; best in bold, second in italics. ")
          << kDaggerNote;
  if (!g.leaderboard.empty()) caption << " (" << g.leaderboard.front().config.model << ")";
  caption << " on per-user " << g.valid_metric << ".";
  if (any_ref)
    caption << " Published: the number reported by the source; Δ% = (ours − published) / "
               "published × 100.";
  t.caption = caption.str();
  return t;
}

// The citations of the published numbers shown, as a Markdown or LaTeX list.
std::string sources_list(const Report& r, const std::set<std::string>& cited, TableFormat format) {
  if (cited.empty()) return "";
  std::ostringstream out;
  const bool latex = format == TableFormat::Latex;
  out << (latex ? "\\paragraph{Sources of published numbers}\n\\begin{itemize}\n"
                : "### Sources of published numbers\n\n");
  for (const auto& s : cited) {
    auto it = r.reference.sources.find(s);
    std::string text = s + ": " + (it == r.reference.sources.end() ? "" : it->second);
    out << (latex ? "  \\item " + latex_escape(text) : "- " + md_escape(text)) << "\n";
  }
  out << (latex ? "\\end{itemize}\n\n" : "\n");
  return out.str();
}

std::string leaderboard_text(const Report& r, TableFormat format) {
  std::ostringstream out;
  if (format == TableFormat::Latex)
    out << "% seqrec report: leaderboard. Requires \\usepackage{booktabs}.\n\n";
  if (r.groups.empty())
    out << (format == TableFormat::Latex ? "% " : "") << "No successful trials.\n\n";
  std::set<std::string> cited;
  for (const auto& g : r.groups)
    out << render_text(leaderboard_group_table(g, format, cited), format);
  out << sources_list(r, cited, format) << failed_and_unfinished_markdown(r, format);
  return out.str();
}

// The CSV fields of row `i` of group `g`'s leaderboard.
std::vector<std::string> leaderboard_csv_fields(const ReportGroup& g, size_t i,
                                                const std::vector<std::string>& columns,
                                                const std::vector<std::string>& ref_metrics) {
  const auto& row = g.leaderboard[i];
  const Configuration& c = row.config;
  std::vector<std::string> f{g.dataset,
                             g.protocol_hash,
                             g.valid_metric,
                             std::to_string(i + 1),
                             c.model,
                             std::to_string(c.trials.size()),
                             join_seeds(c),
                             format_metric(c.valid.mean),
                             format_metric(c.valid.std)};
  for (const auto& col : columns) {
    auto it = c.test.find(col);
    f.push_back(it == c.test.end() ? "" : format_metric(it->second.mean));
    f.push_back(it == c.test.end() ? "" : format_metric(it->second.std));
  }
  const Significance& s = row.significance;
  if (s.available) {
    for (const std::string& v :
         {format_p_value(s.wilcoxon_p), printf_string("%.6g", s.wilcoxon_statistic),
          std::to_string(s.wilcoxon_n), format_p_value(s.t_p), printf_string("%.6g", s.t_statistic),
          std::to_string(s.users), std::string(s.significant() ? "1" : "0")})
      f.push_back(v);
  } else {
    for (int k = 0; k < 7; ++k) f.push_back("");
  }
  f.push_back(row.reference ? row.reference->source : "");
  for (const auto& m : ref_metrics) {
    std::string published, delta;
    if (row.reference)
      if (const std::optional<double> p = row.reference->value(m)) {
        published = format_metric(*p);
        const double d = relative_percent(c.test_mean(m), *p);
        if (!std::isnan(d)) delta = printf_string("%.2f", d);
      }
    f.push_back(published);
    f.push_back(delta);
  }
  f.push_back(format_seconds(c.train_seconds.mean));
  f.push_back(nlohmann::json{{"params", c.params}, {"trainer", c.trainer}}.dump());
  f.push_back(join_trials(c));
  return f;
}

std::string leaderboard_csv(const Report& r) {
  const auto columns = union_in_order(r.groups, [](const ReportGroup& g) { return g.columns; });
  std::vector<std::string> ref_metrics;
  for (const auto& g : r.groups)
    for (const auto& row : g.leaderboard)
      if (row.reference)
        for (const auto& [m, v] : row.reference->values)
          if (std::find(ref_metrics.begin(), ref_metrics.end(), m) == ref_metrics.end())
            ref_metrics.push_back(m);
  std::vector<std::string> header{"dataset", "protocol_hash", "valid_metric", "rank",     "model",
                                  "n_seeds", "seeds",         "valid_mean",   "valid_std"};
  for (const auto& c : columns) {
    header.push_back(c + "_mean");
    header.push_back(c + "_std");
  }
  for (const char* h : {"wilcoxon_p", "wilcoxon_statistic", "wilcoxon_n", "t_test_p", "t_statistic",
                        "paired_users", "significant", "reference_source"})
    header.push_back(h);
  for (const auto& m : ref_metrics) {
    header.push_back("published_" + m);
    header.push_back("delta_pct_" + m);
  }
  for (const char* h : {"train_seconds_mean", "config", "trials"}) header.push_back(h);
  std::string out = csv_line(header);
  for (const auto& g : r.groups) {
    for (size_t i = 0; i < g.leaderboard.size(); ++i) {
      out += csv_line(leaderboard_csv_fields(g, i, columns, ref_metrics));
    }
  }
  return out;
}

std::string leaderboard_json(const Report& r) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : r.groups) {
    nlohmann::json rows = nlohmann::json::array();
    for (size_t i = 0; i < g.leaderboard.size(); ++i) {
      const auto& row = g.leaderboard[i];
      nlohmann::json test = nlohmann::json::object();
      for (const auto& [m, s] : row.config.test) test[m] = json_stat(s);
      nlohmann::json j = {{"rank", i + 1},
                          {"model", row.config.model},
                          {"best", row.is_best},
                          {"configuration", config_json(row.config)},
                          {"test", test}};
      const Significance& s = row.significance;
      if (!row.is_best) {
        j["significance"] =
            s.available
                ? nlohmann::json{{"vs", g.leaderboard.front().config.model},
                                 {"metric", g.valid_metric},
                                 {"paired_users", s.users},
                                 {"wilcoxon_p", json_p(s.wilcoxon_p)},
                                 {"wilcoxon_statistic", rounded(s.wilcoxon_statistic, "%.6g")},
                                 {"wilcoxon_n", s.wilcoxon_n},
                                 {"t_test_p", json_p(s.t_p)},
                                 {"t_statistic", rounded(s.t_statistic, "%.6g")},
                                 {"significant", s.significant()}}
                : nlohmann::json{{"unavailable", s.note}};
      }
      if (row.reference) {
        nlohmann::json values = nlohmann::json::object();
        for (const auto& [m, p] : row.reference->values) {
          double ours = row.config.test_mean(m);
          values[m] = {
              {"published", p},
              {"delta_pct", std::isnan(ours) || p == 0.0
                                ? nlohmann::json(nullptr)
                                : nlohmann::json(rounded(relative_percent(ours, p), "%.2f"))}};
        }
        auto cite = r.reference.sources.find(row.reference->source);
        j["reference"] = {{"source", row.reference->source},
                          {"cite", cite == r.reference.sources.end() ? "" : cite->second},
                          {"model", row.reference->model},
                          {"values", values}};
      }
      rows.push_back(j);
    }
    groups.push_back({{"dataset", g.dataset},
                      {"protocol_hash", g.protocol_hash},
                      {"valid_metric", g.valid_metric},
                      {"columns", g.columns},
                      {"rows", rows}});
  }
  nlohmann::json j = {
      {"table", "leaderboard"},
      {"selection",
       "each model's configuration with the best mean validation valid_metric; test "
       "numbers over its seeds (sample std)"},
      {"significance", std::string(kDaggerNote) + "; both p-values two-sided"},
      {"reference_file", r.reference.path},
      {"groups", groups},
      {"failed", failed_json(r)},
      {"unfinished", r.unfinished},
      {"notes", r.notes}};
  return j.dump(2) + "\n";
}

}  // namespace

std::string render_leaderboard(const Report& report, TableFormat format) {
  if (format == TableFormat::Csv) return leaderboard_csv(report);
  if (format == TableFormat::Json) return leaderboard_json(report);
  return leaderboard_text(report, format);
}

}  // namespace seqrec
