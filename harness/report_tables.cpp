#include "harness/report_tables.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>
#include <utility>

#include "harness/atomic_write.h"
#include "harness/errors.h"
#include "harness/significance.h"

namespace seqrec {

namespace fs = std::filesystem;

namespace {

double relative_percent(double ours, double base) {
  if (base == 0.0) return std::nan("");
  return (ours - base) / base * 100.0;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A JSON value as a short label: strings bare, everything else as JSON.
std::string value_label(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string slugify(const std::string& s) {
  std::string out;
  for (char c : s)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
  return out.empty() ? "_" : out;
}

// ---------------------------------------------------------------------------------------------
// Per-user values and significance

struct UserValues {
  std::vector<std::string> users;
  std::vector<double> values;
  std::string error;  // non-empty when unavailable
};

// Per-user test values of `metric` averaged over the configuration's seeds; users that are
// missing from a seed are left out. Order: the first seed's file.
UserValues per_user_mean(const Configuration& c, const std::string& metric) {
  UserValues out;
  std::map<std::string, std::pair<double, int>> acc;
  std::vector<std::string> order;
  for (const auto& t : c.trials) {
    if (!fs::exists(t.per_user_path())) {
      out.error = "per_user.csv missing in " + t.rel_dir;
      return out;
    }
    NumericCsv csv = read_per_user_csv(t.per_user_path());
    int col = csv.column(metric);
    if (col < 0) {
      out.error = t.per_user_path() + " has no column '" + metric + "'";
      return out;
    }
    for (size_t i = 0; i < csv.rows.size(); ++i) {
      auto [it, inserted] = acc.try_emplace(csv.labels[i], 0.0, 0);
      if (inserted && &t == &c.trials.front()) order.push_back(csv.labels[i]);
      it->second.first += csv.rows[i][col];
      it->second.second += 1;
    }
  }
  const int seeds = static_cast<int>(c.trials.size());
  for (const auto& u : order) {
    const auto& [sum, count] = acc.at(u);
    if (count != seeds) continue;
    out.users.push_back(u);
    out.values.push_back(sum / count);
  }
  return out;
}

Significance paired_tests(const UserValues& best, const UserValues& other) {
  Significance s;
  if (!best.error.empty() || !other.error.empty()) {
    s.note = best.error.empty() ? other.error : best.error;
    return s;
  }
  std::map<std::string, double> other_by_user;
  for (size_t i = 0; i < other.users.size(); ++i) other_by_user[other.users[i]] = other.values[i];
  std::vector<double> a, b;
  for (size_t i = 0; i < best.users.size(); ++i) {
    auto it = other_by_user.find(best.users[i]);
    if (it == other_by_user.end()) continue;
    a.push_back(best.values[i]);
    b.push_back(it->second);
  }
  s.users = static_cast<int64_t>(a.size());
  if (a.size() < 2) {
    s.note = "fewer than 2 users in common";
    return s;
  }
  const PairedTestResult w = wilcoxon_signed_rank(a, b);
  const PairedTestResult t = paired_t_test(a, b);
  s.available = true;
  s.wilcoxon_p = w.p_value;
  s.wilcoxon_statistic = w.statistic;
  s.wilcoxon_n = w.n;
  s.t_p = t.p_value;
  s.t_statistic = t.statistic;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Grouping and selection

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

// The best configuration of (model, variant) by mean validation value; the first on ties.
const Configuration* select_best(const std::vector<Configuration>& configs,
                                 const std::string& model, const std::string& variant) {
  const Configuration* best = nullptr;
  for (const auto& c : configs)
    if (c.model == model && c.variant == variant && (!best || c.valid.mean > best->valid.mean))
      best = &c;
  return best;
}

double test_mean(const Configuration& c, const std::string& metric) {
  auto it = c.test.find(metric);
  return it == c.test.end() ? std::nan("") : it->second.mean;
}

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

}  // namespace

std::vector<uint64_t> Configuration::seeds() const {
  std::vector<uint64_t> s;
  for (const auto& t : trials) s.push_back(t.seed);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Reference numbers

std::optional<double> ReferenceEntry::value(const std::string& metric) const {
  for (const auto& [m, v] : values)
    if (m == metric) return v;
  return std::nullopt;
}

const ReferenceEntry* Reference::find(const std::string& dataset, const std::string& model) const {
  for (const auto& e : entries)
    if (e.dataset == dataset && lower(e.model) == lower(model)) return &e;
  return nullptr;
}

Reference load_reference(const std::string& path) {
  Reference ref;
  ref.path = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the reference file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": not valid JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("results") || !j["results"].is_array())
    throw InputError(path + ": expected an object with a 'results' array");
  if (j.contains("sources") && j["sources"].is_object())
    for (auto it = j["sources"].begin(); it != j["sources"].end(); ++it)
      ref.sources[it.key()] =
          it.value().is_object() && it.value().contains("cite") && it.value()["cite"].is_string()
              ? it.value()["cite"].get<std::string>()
              : "";
  size_t index = 0;
  for (const auto& r : j["results"]) {
    const std::string where = path + ": results[" + std::to_string(index++) + "]";
    if (!r.is_object()) throw InputError(where + " is not an object");
    ReferenceEntry e;
    for (const char* key : {"source", "dataset", "model"}) {
      if (!r.contains(key) || !r[key].is_string())
        throw InputError(where + ": key '" + key + "' is missing or not a string");
    }
    e.source = r["source"].get<std::string>();
    e.dataset = r["dataset"].get<std::string>();
    e.model = r["model"].get<std::string>();
    // Every "METRIC@K" number of the entry, by name.
    for (auto it = r.begin(); it != r.end(); ++it)
      if (it.key().find('@') != std::string::npos && it.value().is_number())
        e.values.emplace_back(it.key(), it.value().get<double>());
    ref.entries.push_back(std::move(e));
  }
  return ref;
}

// ---------------------------------------------------------------------------------------------
// The report

Report build_report(const TrialScan& scan, const Reference& reference) {
  Report report;
  report.reference = reference;
  report.unfinished = scan.unfinished;
  std::map<std::pair<std::string, std::string>, std::vector<TrialRecord>> groups;
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
  std::map<std::string, int> hashes_per_dataset;
  for (const auto& [key, trials] : groups) ++hashes_per_dataset[key.first];

  for (auto& [key, trials] : groups) {
    ReportGroup g;
    g.dataset = key.first;
    g.protocol_hash = key.second;
    g.slug = slugify(g.dataset) +
             (hashes_per_dataset[g.dataset] > 1 ? "_" + slugify(g.protocol_hash) : "");
    g.valid_metric = trials.front().valid_metric;
    for (const auto& t : trials)
      for (const auto& c : t.columns)
        if (std::find(g.columns.begin(), g.columns.end(), c) == g.columns.end())
          g.columns.push_back(c);
    if (auto ks = trials.front().protocol.find("ks");
        ks != trials.front().protocol.end() && ks->is_array())
      for (const auto& k : *ks)
        if (k.is_number_integer()) g.ks.push_back(k.get<int64_t>());

    // Configurations, in the order (model, variant, canonical JSON).
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<TrialRecord>> by_config;
    for (auto& t : trials) {
      std::string config = nlohmann::json{{"params", t.params}, {"trainer", t.trainer}}.dump();
      by_config[{t.model, t.variant, config}].push_back(t);
    }
    for (auto& [ckey, ts] : by_config)
      g.configurations.push_back(make_configuration(std::move(ts), g.columns, g.valid_metric));

    std::set<std::string> models;
    std::map<std::string, std::set<std::string>> variants;
    for (const auto& c : g.configurations) {
      models.insert(c.model);
      if (!c.variant.empty()) variants[c.model].insert(c.variant);
    }

    // Leaderboard: the full models.
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
                       return test_mean(a.config, g.valid_metric) >
                              test_mean(b.config, g.valid_metric);
                     });
    if (!g.leaderboard.empty()) g.leaderboard.front().is_best = true;
    if (g.leaderboard.size() > 1) {
      const UserValues best = per_user_mean(g.leaderboard.front().config, g.valid_metric);
      if (!best.error.empty())
        report.notes.push_back(g.dataset + ": no significance tests: " + best.error);
      for (size_t i = 1; i < g.leaderboard.size(); ++i) {
        const UserValues other = per_user_mean(g.leaderboard[i].config, g.valid_metric);
        g.leaderboard[i].significance = paired_tests(best, other);
        if (best.error.empty() && !other.error.empty())
          report.notes.push_back(g.dataset + ": no significance test for " +
                                 g.leaderboard[i].config.model + ": " + other.error);
      }
    }

    // Ablations: models with variants.
    for (const auto& [m, vs] : variants) {
      AblationBlock block;
      block.model = m;
      if (const Configuration* full = select_best(g.configurations, m, "")) block.full = *full;
      for (const auto& v : vs) block.variants.push_back(*select_best(g.configurations, m, v));
      g.ablations.push_back(std::move(block));
    }

    // Sensitivity: keys with more than one value among a model's full-model trials.
    for (const auto& m : models) {
      auto blocks = sensitivity_blocks(g.configurations, m, g.valid_metric);
      for (auto& b : blocks) g.sensitivity.push_back(std::move(b));
    }
    report.groups.push_back(std::move(g));
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Rendering

TableFormat parse_table_format(const std::string& name) {
  const std::string n = lower(name);
  if (n == "md" || n == "markdown") return TableFormat::Markdown;
  if (n == "latex" || n == "tex") return TableFormat::Latex;
  if (n == "csv") return TableFormat::Csv;
  if (n == "json") return TableFormat::Json;
  throw InputError("--format: '" + name + "' is not one of md, latex, csv, json");
}

std::string format_extension(TableFormat format) {
  switch (format) {
    case TableFormat::Markdown:
      return "md";
    case TableFormat::Latex:
      return "tex";
    case TableFormat::Csv:
      return "csv";
    case TableFormat::Json:
      return "json";
  }
  return "txt";
}

namespace {

const char* kDaggerNote = "† p < 0.05, Wilcoxon signed-rank vs. best";

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

// ---- leaderboard

std::string leaderboard_text(const Report& r, TableFormat format) {
  std::ostringstream out;
  if (format == TableFormat::Latex)
    out << "% seqrec report: leaderboard. Requires \\usepackage{booktabs}.\n\n";
  if (r.groups.empty())
    out << (format == TableFormat::Latex ? "% " : "") << "No successful trials.\n\n";
  std::set<std::string> cited;
  for (const auto& g : r.groups) {
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
      for (const auto& row : g.leaderboard) v.push_back(test_mean(row.config, c));
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
        cells.push_back({p ? format_percent(relative_percent(test_mean(row.config, m), *p)) : ""});
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
    out << render_text(t, format);
  }
  if (!cited.empty()) {
    const bool latex = format == TableFormat::Latex;
    out << (latex ? "\\paragraph{Sources of published numbers}\n\\begin{itemize}\n"
                  : "### Sources of published numbers\n\n");
    for (const auto& s : cited) {
      auto it = r.reference.sources.find(s);
      std::string text = s + ": " + (it == r.reference.sources.end() ? "" : it->second);
      out << (latex ? "  \\item " + latex_escape(text) : "- " + md_escape(text)) << "\n";
    }
    out << (latex ? "\\end{itemize}\n\n" : "\n");
  }
  out << failed_and_unfinished_markdown(r, format);
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

template <typename T, typename F>
std::vector<std::string> union_in_order(const std::vector<T>& items, F names) {
  std::vector<std::string> out;
  for (const auto& item : items)
    for (const auto& n : names(item))
      if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  return out;
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
              std::to_string(s.wilcoxon_n), format_p_value(s.t_p),
              printf_string("%.6g", s.t_statistic), std::to_string(s.users),
              std::string(s.significant() ? "1" : "0")})
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
            const double d = relative_percent(test_mean(c, m), *p);
            if (!std::isnan(d)) delta = printf_string("%.2f", d);
          }
        f.push_back(published);
        f.push_back(delta);
      }
      f.push_back(format_seconds(c.train_seconds.mean));
      f.push_back(nlohmann::json{{"params", c.params}, {"trainer", c.trainer}}.dump());
      f.push_back(join_trials(c));
      out += csv_line(f);
    }
  }
  return out;
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
          double ours = test_mean(row.config, m);
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

// ---- ablation

std::vector<std::string> ablation_metrics(const ReportGroup& g) {
  std::vector<std::string> m{g.valid_metric};
  if (g.valid_metric != "HR@10" &&
      std::find(g.columns.begin(), g.columns.end(), "HR@10") != g.columns.end())
    m.push_back("HR@10");
  return m;
}

// Relative drop of the variant vs the full model, %: (full - variant) / full * 100.
double drop_percent(const AblationBlock& b, const Configuration& v, const std::string& m) {
  if (!b.full) return std::nan("");
  return -relative_percent(test_mean(v, m), test_mean(*b.full, m));
}

std::string ablation_text(const Report& r, TableFormat format) {
  std::ostringstream out;
  if (format == TableFormat::Latex)
    out << "% seqrec report: ablations. Requires \\usepackage{booktabs}.\n\n";
  bool any = false;
  for (const auto& g : r.groups) {
    if (g.ablations.empty()) continue;
    any = true;
    const auto metrics = ablation_metrics(g);
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
  const auto metrics = union_in_order(r.groups, ablation_metrics);
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
    const auto metrics = ablation_metrics(g);
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

// ---- sensitivity

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

std::string render_leaderboard(const Report& report, TableFormat format) {
  if (format == TableFormat::Csv) return leaderboard_csv(report);
  if (format == TableFormat::Json) return leaderboard_json(report);
  return leaderboard_text(report, format);
}

std::string render_ablation(const Report& report, TableFormat format) {
  if (format == TableFormat::Csv) return ablation_csv(report);
  if (format == TableFormat::Json) return ablation_json(report);
  return ablation_text(report, format);
}

std::string render_sensitivity(const Report& report, TableFormat format) {
  if (format == TableFormat::Csv) return sensitivity_csv(report);
  if (format == TableFormat::Json) return sensitivity_json(report);
  return sensitivity_text(report, format);
}

std::vector<std::string> write_report_tables(const Report& report, const std::string& out_dir,
                                             const std::vector<TableFormat>& formats) {
  fs::create_directories(out_dir);
  std::vector<std::string> written;
  for (TableFormat f : formats) {
    const std::string ext = format_extension(f);
    const std::pair<const char*, std::string> files[] = {
        {"leaderboard", render_leaderboard(report, f)},
        {"ablation", render_ablation(report, f)},
        {"sensitivity", render_sensitivity(report, f)}};
    for (const auto& [name, content] : files) {
      const std::string path = (fs::path(out_dir) / (std::string(name) + "." + ext)).string();
      write_file_atomic(path, content);
      written.push_back(path);
    }
  }
  return written;
}

}  // namespace seqrec
