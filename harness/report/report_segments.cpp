#include "harness/report/report_segments.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>

#include "core/atomic_write.h"
#include "core/errors.h"

namespace seqrec {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAll = "all";

// The valid_metric first, then HR at the valid_metric's cut-off; only columns the group has.
std::vector<std::string> segment_metrics(const ReportGroup& g) {
  std::vector<std::string> wanted = {g.valid_metric};
  const auto at = g.valid_metric.find('@');
  if (at != std::string::npos) {
    const std::string hr = "HR" + g.valid_metric.substr(at);
    if (hr != g.valid_metric) wanted.push_back(hr);
  }
  std::vector<std::string> out;
  for (const auto& m : wanted)
    for (const auto& c : g.columns)
      if (c == m) out.push_back(m);
  return out;
}

// One trial's per-user values, averaged within each segment of each dimension.
struct TrialSegmentMeans {
  std::vector<std::vector<std::vector<double>>> mean;  // [dimension][metric][segment, all]
  std::vector<std::vector<int64_t>> users;             // [dimension][segment, all]
};

TrialSegmentMeans segment_means(const TrialRecord& t, const std::vector<SegmentDimension>& dims,
                                const std::vector<std::string>& metrics) {
  const std::string path = t.per_user_path();
  if (!fs::exists(path)) throw InputError(path + ": missing; --segments needs every per_user.csv");
  const NumericCsv csv = read_per_user_csv(path);
  std::vector<int> columns;
  for (const auto& m : metrics) {
    columns.push_back(csv.column(m));
    if (columns.back() < 0) throw InputError(path + ": no column '" + m + "'");
  }
  TrialSegmentMeans out;  // `mean` holds sums until every row is read
  for (const auto& d : dims) {
    const size_t cells = d.segments.size() + 1;
    out.mean.emplace_back(metrics.size(), std::vector<double>(cells, 0.0));
    out.users.emplace_back(cells, 0);
  }
  for (size_t row = 0; row < csv.rows.size(); ++row) {
    for (size_t d = 0; d < dims.size(); ++d) {
      const auto found = dims[d].segment_of_user.find(csv.labels[row]);
      if (found == dims[d].segment_of_user.end())
        throw InputError(path + ": line " + std::to_string(row + 2) + ": user '" + csv.labels[row] +
                         "' is not a user of dataset " + t.dataset + " as loaded for --segments");
      const size_t segment = static_cast<size_t>(found->second);
      const size_t all = dims[d].segments.size();
      ++out.users[d][segment];
      ++out.users[d][all];
      for (size_t m = 0; m < metrics.size(); ++m) {
        const double v = csv.rows[row][static_cast<size_t>(columns[m])];
        out.mean[d][m][segment] += v;
        out.mean[d][m][all] += v;
      }
    }
  }
  for (size_t d = 0; d < dims.size(); ++d)
    for (auto& sums : out.mean[d])
      for (size_t s = 0; s < sums.size(); ++s)
        sums[s] = out.users[d][s] > 0 ? sums[s] / static_cast<double>(out.users[d][s])
                                      : std::numeric_limits<double>::quiet_NaN();
  return out;
}

// Rows in leaderboard order, each model's ablation variants right after it.
std::vector<const Configuration*> reported_configurations(const ReportGroup& g) {
  std::vector<const Configuration*> out;
  for (const auto& row : g.leaderboard) {
    out.push_back(&row.config);
    for (const auto& block : g.ablations)
      if (block.model == row.config.model)
        for (const auto& v : block.variants) out.push_back(&v);
  }
  return out;
}

std::string row_label(const SegmentedRow& r) {
  return r.variant.empty() ? r.model : r.model + " [" + r.variant + "]";
}

std::string segment_header(const std::string& label, int64_t users, int64_t all_users) {
  std::ostringstream out;
  out << label << " (" << users;
  if (label != kAll && all_users > 0) {
    char share[32];
    std::snprintf(share, sizeof share, "%.1f%%", 100.0 * static_cast<double>(users) / all_users);
    out << ", " << share;
  }
  return out.str() + ")";
}

std::string stat_text(const Stat& s) { return std::isnan(s.mean) || s.n == 0 ? "–" : pm(s); }

std::string label_safe(const std::string& s) {
  std::string out;
  for (char c : s) out += (c == '@') ? std::string("at") : std::string(1, c);
  return out;
}

std::string segments_text(const std::vector<SegmentTable>& tables, TableFormat format) {
  std::ostringstream out;
  if (format == TableFormat::Latex)
    out << "% seqrec report: segments. Requires \\usepackage{booktabs}.\n\n";
  if (tables.empty())
    out << (format == TableFormat::Latex ? "% " : "") << "No trials to segment.\n";
  for (const auto& st : tables) {
    const auto& d = st.dimension;
    const size_t cells = d.segments.size() + 1;
    for (const auto& metric : st.metrics) {
      TextTable t;
      t.title = "Segments: " + st.dataset + " (protocol " + st.protocol_hash + "), " + d.name +
                ", " + metric;
      t.label = "tab:segments-" + st.slug + "-" + d.name + "-" + label_safe(metric);
      t.header = {"model", segment_header(kAll, st.users.back(), st.users.back())};
      for (size_t s = 0; s + 1 < cells; ++s)
        t.header.push_back(segment_header(d.segments[s], st.users[s], st.users.back()));
      t.align = "l" + std::string(cells, 'r');
      // Columns: all users first, then the segments in order.
      std::vector<size_t> order = {cells - 1};
      for (size_t s = 0; s + 1 < cells; ++s) order.push_back(s);
      std::vector<std::vector<Emphasis>> marks;
      for (size_t s : order) {
        std::vector<double> column;
        for (const auto& r : st.rows) column.push_back(r.values.at(metric)[s].mean);
        marks.push_back(rank_marks(column));
      }
      for (size_t i = 0; i < st.rows.size(); ++i) {
        std::vector<Cell> row = {{row_label(st.rows[i])}};
        for (size_t c = 0; c < order.size(); ++c)
          row.push_back({stat_text(st.rows[i].values.at(metric)[order[c]]), marks[c][i]});
        t.rows.push_back(std::move(row));
      }
      t.caption = "Test users split by " + d.name + ": " + d.definition +
                  ". Users per segment in the header. Test " + metric +
                  ": per seed, the mean over the segment's users, then mean ± sample std over " +
                  "seeds. Best per column in bold, second in italics.";
      out << render_text(t, format);
    }
  }
  return out.str();
}

std::string segments_csv(const std::vector<SegmentTable>& tables) {
  std::string out = csv_line({"dataset", "protocol_hash", "dimension", "segment", "users", "model",
                              "variant", "metric", "seeds", "mean", "std"});
  for (const auto& st : tables) {
    const size_t cells = st.dimension.segments.size() + 1;
    for (const auto& r : st.rows)
      for (const auto& metric : st.metrics)
        for (size_t s = 0; s < cells; ++s) {
          const Stat& v = r.values.at(metric)[s];
          const bool empty = std::isnan(v.mean) || v.n == 0;
          out += csv_line({st.dataset, st.protocol_hash, st.dimension.name,
                           s + 1 < cells ? st.dimension.segments[s] : kAll,
                           std::to_string(st.users[s]), r.model, r.variant, metric,
                           std::to_string(r.seeds), empty ? "" : format_metric(v.mean),
                           empty ? "" : format_metric(v.std)});
        }
  }
  return out;
}

std::string segments_json(const std::vector<SegmentTable>& tables) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& st : tables) {
    const size_t cells = st.dimension.segments.size() + 1;
    auto label = [&](size_t s) { return s + 1 < cells ? st.dimension.segments[s] : kAll; };
    nlohmann::json segments = nlohmann::json::array();
    for (size_t s = 0; s < cells; ++s)
      segments.push_back({{"segment", label(s)}, {"users", st.users[s]}});
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : st.rows) {
      nlohmann::json metrics = nlohmann::json::object();
      for (const auto& metric : st.metrics) {
        nlohmann::json values = nlohmann::json::array();
        for (size_t s = 0; s < cells; ++s) {
          const Stat& v = r.values.at(metric)[s];
          nlohmann::json stat = std::isnan(v.mean) ? nlohmann::json(nullptr) : json_stat(v);
          values.push_back({{"segment", label(s)}, {"test", stat}});
        }
        metrics[metric] = values;
      }
      rows.push_back(
          {{"model", r.model}, {"variant", r.variant}, {"seeds", r.seeds}, {"metrics", metrics}});
    }
    list.push_back({{"dataset", st.dataset},
                    {"protocol_hash", st.protocol_hash},
                    {"dimension", st.dimension.name},
                    {"definition", st.dimension.definition},
                    {"segments", segments},
                    {"rows", rows}});
  }
  nlohmann::json j = {{"table", "segments"},
                      {"aggregation",
                       "per seed the mean of the per-user test value over the segment's users, "
                       "then mean and sample std over seeds"},
                      {"tables", list}};
  return j.dump(2) + "\n";
}

}  // namespace

std::vector<SegmentTable> build_segment_tables(
    const Report& report,
    const std::function<std::vector<SegmentDimension>(const ReportGroup&)>& segments_of) {
  std::vector<SegmentTable> tables;
  for (const auto& g : report.groups) {
    const std::vector<SegmentDimension> dims = segments_of(g);
    const std::vector<std::string> metrics = segment_metrics(g);
    const size_t first_table = tables.size();
    for (const auto& d : dims) {
      SegmentTable t;
      t.dataset = g.dataset;
      t.protocol_hash = g.protocol_hash;
      t.slug = g.slug;
      t.dimension = d;
      t.dimension.segment_of_user.clear();  // only needed while reading per_user.csv
      t.metrics = metrics;
      t.users.assign(d.segments.size() + 1, 0);
      tables.push_back(std::move(t));
    }
    for (const Configuration* c : reported_configurations(g)) {
      std::vector<TrialSegmentMeans> per_trial;
      for (const auto& trial : c->trials) per_trial.push_back(segment_means(trial, dims, metrics));
      for (size_t d = 0; d < dims.size(); ++d) {
        SegmentTable& t = tables[first_table + d];
        if (t.rows.empty() && !per_trial.empty()) t.users = per_trial.front().users[d];
        SegmentedRow row;
        row.model = c->model;
        row.variant = c->variant;
        row.seeds = static_cast<int>(c->trials.size());
        for (size_t m = 0; m < metrics.size(); ++m) {
          std::vector<Stat> stats;
          for (size_t s = 0; s < dims[d].segments.size() + 1; ++s) {
            std::vector<double> over_seeds;
            for (const auto& p : per_trial) over_seeds.push_back(p.mean[d][m][s]);
            stats.push_back(summarize(over_seeds));
          }
          row.values[metrics[m]] = stats;
        }
        t.rows.push_back(std::move(row));
      }
    }
  }
  return tables;
}

std::string render_segments(const std::vector<SegmentTable>& tables, TableFormat format) {
  if (format == TableFormat::Csv) return segments_csv(tables);
  if (format == TableFormat::Json) return segments_json(tables);
  return segments_text(tables, format);
}

std::vector<std::string> write_segment_tables(const std::vector<SegmentTable>& tables,
                                              const std::string& out_dir,
                                              const std::vector<TableFormat>& formats) {
  fs::create_directories(out_dir);
  std::vector<std::string> written;
  for (TableFormat f : formats) {
    const std::string path = (fs::path(out_dir) / ("segments." + format_extension(f))).string();
    write_file_atomic(path, render_segments(tables, f));
    written.push_back(path);
  }
  return written;
}

}  // namespace seqrec
