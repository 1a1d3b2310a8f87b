#include "harness/report/report_plots.h"

#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/atomic_write.h"
#include "harness/trial_store.h"

namespace seqrec {

namespace fs = std::filesystem;

namespace {

struct Figure {
  std::string name;  // file stem
  std::string title;
  std::string data;  // NAME.dat
  std::string body;  // gnuplot commands after the terminal is set, ending with the plot
};

// A double-quoted gnuplot string.
std::string gq(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Tab-separated data fields may not hold tabs or newlines.
std::string field(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return out.empty() ? "-" : out;
}

std::string num(double v) {
  if (std::isnan(v)) return "NaN";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string family(const std::string& metric) { return metric.substr(0, metric.find('@')); }

const char* kCommon =
    "set encoding utf8\n"
    "set datafile separator \"\\t\"\n"
    "set datafile missing \"NaN\"\n"
    "set key outside right top\n"
    "set grid ytics lc rgb \"#dddddd\"\n"
    "set border 3\n"
    "set tics nomirror\n";

Figure bars(const std::string& name, const std::string& title,
            const std::vector<std::string>& metrics,
            const std::vector<std::pair<std::string, const Configuration*>>& rows) {
  Figure f;
  f.name = name;
  f.title = title;
  std::ostringstream data;
  data << "# label";
  for (const auto& m : metrics) data << "\t" << m << "_mean\t" << m << "_std";
  data << "\n";
  for (const auto& [label, c] : rows) {
    data << field(label);
    for (const auto& m : metrics)
      data << "\t" << (c ? num(c->test_mean(m)) : "NaN") << "\t"
           << (c ? num(c->test_std(m)) : "NaN");
    data << "\n";
  }
  f.data = data.str();
  std::ostringstream body;
  body << "set title " << gq(title) << "\n"
       << "set ylabel " << gq("test metric (mean ± std over seeds)") << "\n"
       << "set yrange [0:*]\n"
       << "set style data histograms\n"
       << "set style histogram errorbars gap 1 lw 1.5\n"
       << "set style fill solid 0.75 border -1\n"
       << "set boxwidth 0.9\n"
       << "set xtics " << (rows.size() > 4 ? "rotate by -30 left" : "norotate") << "\n"
       << "plot ";
  for (size_t i = 0; i < metrics.size(); ++i)
    body << (i ? ", \\\n     " : "") << gq(name + ".dat") << " using " << (2 + 2 * i) << ":"
         << (3 + 2 * i) << (i == 0 ? ":xtic(1)" : "") << " title " << gq("test " + metrics[i]);
  body << "\n";
  f.body = body.str();
  return f;
}

std::string group_where(const ReportGroup& g) {
  return g.dataset + " (protocol " + g.protocol_hash + ")";
}

// Validation valid_metric per epoch, one line per model (its chosen configuration's first
// seed); none when no trial has a curve.
std::optional<Figure> curves_figure(const ReportGroup& g) {
  const std::string where = group_where(g);
  Figure f;
  f.name = "curves_" + g.slug;
  f.title = "Validation " + g.valid_metric + " per epoch, " + where;
  std::ostringstream data, plot;
  int block = 0;
  size_t max_epochs = 0;
  for (const auto& row : g.leaderboard) {
    const TrialRecord& t = row.config.trials.front();
    if (!fs::exists(t.curve_path())) continue;
    NumericCsv curve = read_curve_csv(t.curve_path());
    const int e = curve.column("epoch"), v = curve.column("valid_" + g.valid_metric);
    if (e < 0 || v < 0 || curve.rows.empty()) continue;
    data << (block ? "\n\n" : "") << "# " << field(row.config.model) << " seed " << t.seed << " ("
         << t.rel_dir << ")\n# epoch\tvalid_" << g.valid_metric << "\n";
    for (const auto& r : curve.rows) data << num(r[e]) << "\t" << num(r[v]) << "\n";
    max_epochs = std::max(max_epochs, curve.rows.size());
    plot << (block ? ", \\\n     " : "plot ") << gq(f.name + ".dat") << " index " << block
         << " using 1:2 with linespoints pt 7 ps 0.6 lw 2 title " << gq(row.config.model);
    ++block;
  }
  if (block == 0) return std::nullopt;
  f.data = data.str();
  f.body = "set title " + gq(f.title) + "\nset xlabel \"epoch\"\nset ylabel " +
           gq("validation " + g.valid_metric) + "\n" + (max_epochs <= 20 ? "set xtics 1\n" : "") +
           plot.str() + "\n";
  return f;
}

// Test metric@k against k, one line per model: the valid_metric's family, and HR.
std::vector<Figure> at_k_figures(const ReportGroup& g) {
  std::vector<Figure> figs;
  const std::string where = group_where(g);
  std::vector<std::string> families{family(g.valid_metric)};
  if (families[0] != "HR") families.push_back("HR");
  for (const auto& fam : families) {
    std::vector<int64_t> ks;
    for (int64_t k : g.ks)
      if (std::find(g.columns.begin(), g.columns.end(), fam + "@" + std::to_string(k)) !=
          g.columns.end())
        ks.push_back(k);
    if (ks.empty() || g.leaderboard.empty()) continue;
    Figure f;
    f.name = "at_k_" + slugify(fam) + "_" + g.slug;
    f.title = "Test " + fam + "@k, " + where;
    std::ostringstream data, plot;
    data << "# k";
    for (const auto& row : g.leaderboard) data << "\t" << field(row.config.model);
    data << "\n";
    for (int64_t k : ks) {
      data << k;
      for (const auto& row : g.leaderboard)
        data << "\t" << num(row.config.test_mean(fam + "@" + std::to_string(k)));
      data << "\n";
    }
    for (size_t i = 0; i < g.leaderboard.size(); ++i)
      plot << (i ? ", \\\n     " : "plot ") << gq(f.name + ".dat") << " using 1:" << (i + 2)
           << " with linespoints pt 7 lw 2 title " << gq(g.leaderboard[i].config.model);
    std::string xtics;
    for (size_t i = 0; i < ks.size(); ++i) xtics += (i ? ", " : "") + std::to_string(ks[i]);
    f.data = data.str();
    f.body = "set title " + gq(f.title) + "\nset xlabel \"cut-off k\"\nset ylabel " +
             gq("test " + fam + "@k") + "\nset xtics (" + xtics + ")\nset xrange [" +
             std::to_string(ks.front()) + "-0.5:" + std::to_string(ks.back()) +
             "+0.5]\nset yrange [0:*]\n" + plot.str() + "\n";
    figs.push_back(std::move(f));
  }

  return figs;
}

// Bars with error bars of the leaderboard's rows.
std::optional<Figure> leaderboard_figure(const ReportGroup& g) {
  if (g.leaderboard.empty()) return std::nullopt;
  std::vector<std::pair<std::string, const Configuration*>> rows;
  for (const auto& row : g.leaderboard) rows.emplace_back(row.config.model, &row.config);
  return bars("leaderboard_" + g.slug, "Leaderboard, " + group_where(g), g.headline_metrics(),
              rows);
}

// Bars of the full model and each ablation variant, one figure per model with variants.
std::vector<Figure> ablation_figures(const ReportGroup& g) {
  std::vector<Figure> figs;
  for (const auto& b : g.ablations) {
    std::vector<std::pair<std::string, const Configuration*>> rows;
    rows.emplace_back("full model", b.full ? &*b.full : nullptr);
    for (const auto& v : b.variants) rows.emplace_back(v.variant, &v);
    figs.push_back(bars("ablation_" + g.slug + "_" + slugify(b.model),
                        "Ablation of " + b.model + ", " + group_where(g), g.headline_metrics(),
                        rows));
  }
  return figs;
}

// Validation and test valid_metric against one swept hyper-parameter (log x over two
// decades or more).
Figure sensitivity_figure(const ReportGroup& g, const SensitivityBlock& b) {
  const std::string where = group_where(g);
  Figure f;
  f.name = "sensitivity_" + g.slug + "_" + slugify(b.model) + "_" + slugify(b.key);
  f.title = b.model + ": " + g.valid_metric + " against " + b.key + ", " + where;
  bool numeric = true, positive = true;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& r : b.rows) {
    numeric &= r.value.is_number();
    if (r.value.is_number()) {
      const double x = r.value.get<double>();
      positive &= x > 0;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  }
  std::ostringstream data;
  data << "# x\tvalue\tvalid_mean\tvalid_std\ttest_mean\ttest_std\ttrials\n";
  for (size_t i = 0; i < b.rows.size(); ++i) {
    const auto& r = b.rows[i];
    data << (numeric ? num(r.value.get<double>()) : std::to_string(i)) << "\t" << field(r.label)
         << "\t" << num(r.valid.mean) << "\t" << num(r.valid.std) << "\t" << num(r.test.mean)
         << "\t" << num(r.test.std) << "\t" << r.valid.n << "\n";
  }
  f.data = data.str();
  std::ostringstream body;
  body << "set title " << gq(f.title) << "\n"
       << "set xlabel " << gq(b.key) << "\n"
       << "set ylabel " << gq(g.valid_metric + " (mean ± std over trials)") << "\n";
  const bool log_x = numeric && positive && hi / lo >= 100;
  if (log_x) {
    body << "set logscale x\nset xrange [" << num(lo / 2) << ":" << num(hi * 2) << "]\n";
  } else if (numeric) {
    const double pad = hi > lo ? (hi - lo) * 0.1 : 0.5;
    body << "set xrange [" << num(lo - pad) << ":" << num(hi + pad) << "]\n";
  }
  if (numeric) {
    body << "set xtics (";
    for (size_t i = 0; i < b.rows.size(); ++i)
      body << (i ? ", " : "") << gq(b.rows[i].label) << " " << num(b.rows[i].value.get<double>());
    body << ")\n";
  } else {
    body << "set xrange [-0.5:" << b.rows.size() - 0.5 << "]\n";
  }
  const std::string xt = numeric ? "" : ":xtic(2)";
  body << "plot " << gq(f.name + ".dat") << " using 1:3:4" << xt
       << " with yerrorlines pt 7 lw 2 title \"validation\", \\\n     " << gq(f.name + ".dat")
       << " using 1:5:6 with yerrorlines pt 5 lw 2 title \"test\"\n";
  f.body = body.str();
  return f;
}

// Test valid_metric against training time: one point per configuration, one colour per
// model; the configurations the tables show are labelled.
std::optional<Figure> time_quality_figure(const ReportGroup& g) {
  if (g.configurations.empty()) return std::nullopt;
  const std::string where = group_where(g);
  Figure f;
  f.name = "time_quality_" + g.slug;
  f.title = "Test " + g.valid_metric + " against training time, " + where +
            "\none point per configuration; labelled: the configuration chosen by validation";
  std::map<std::string, std::vector<const Configuration*>> by_model;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& c : g.configurations) {
    by_model[c.model].push_back(&c);
    lo = std::min(lo, c.train_seconds.mean);
    hi = std::max(hi, c.train_seconds.mean);
  }
  std::ostringstream data, plot;
  int block = 0;
  for (const auto& [model, cs] : by_model) {
    data << (block ? "\n\n" : "") << "# " << field(model) << "\n# train_seconds\ttest_"
         << g.valid_metric << "\tlabel\tselected\n";
    for (const Configuration* c : cs) {
      // Selected = the configuration the tables show for (model, variant).
      bool selected = true;
      for (const auto& other : g.configurations)
        if (other.model == c->model && other.variant == c->variant &&
            other.valid.mean > c->valid.mean)
          selected = false;
      for (const auto& other : g.configurations)
        if (&other != c && other.model == c->model && other.variant == c->variant &&
            other.valid.mean == c->valid.mean && other.key < c->key)
          selected = false;
      const std::string label = c->model + (c->variant.empty() ? "" : " / " + c->variant);
      data << num(c->train_seconds.mean) << "\t" << num(c->test_mean(g.valid_metric)) << "\t"
           << field(label) << "\t" << (selected ? 1 : 0) << "\n";
    }
    plot << (block ? ", \\\n     " : "plot ") << gq(f.name + ".dat") << " index " << block
         << " using 1:2 with points pt 7 ps 1.5 title " << gq(model);
    ++block;
  }
  plot << ", \\\n     " << gq(f.name + ".dat")
       << " using 1:2:(column(4) > 0 ? stringcolumn(3) : \"\") with labels offset char 0.8,0.6 "
          "left font \",10\" "
          "notitle\n";
  f.data = data.str();
  std::ostringstream body;
  body << "set title " << gq(f.title) << "\n"
       << "set xlabel \"training time (s)\"\n"
       << "set ylabel " << gq("test " + g.valid_metric + " (mean over seeds)") << "\n";
  if (lo > 0 && hi / lo >= 100)
    body << "set logscale x\nset offsets graph 0.05, graph 0.2, graph 0.1, graph 0.1\n";
  else
    body << "set xrange [0:*]\nset offsets 0, graph 0.2, graph 0.1, graph 0.1\n";
  body << plot.str();
  f.body = body.str();
  return f;
}

// Every figure of a group, in the order of the list in report_plots.h.
std::vector<Figure> group_figures(const ReportGroup& g) {
  std::vector<Figure> figs;
  auto add = [&figs](std::optional<Figure> f) {
    if (f) figs.push_back(std::move(*f));
  };
  add(curves_figure(g));
  for (auto& f : at_k_figures(g)) figs.push_back(std::move(f));
  add(leaderboard_figure(g));
  for (auto& f : ablation_figures(g)) figs.push_back(std::move(f));
  for (const auto& b : g.sensitivity) figs.push_back(sensitivity_figure(g, b));
  add(time_quality_figure(g));
  return figs;
}

// Output of a shell command and its exit status.
std::pair<int, std::string> run_capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

PlotOutcome write_report_plots(const Report& report, const std::string& plots_dir, bool render) {
  PlotOutcome outcome;
  fs::create_directories(plots_dir);
  bool have_gnuplot = false, have_cairo = false;
  if (render) {
    have_gnuplot = run_capture("command -v gnuplot >/dev/null 2>&1").first == 0;
    if (have_gnuplot)
      have_cairo = run_capture("gnuplot -e 'set terminal' 2>&1").second.find("pngcairo") !=
                   std::string::npos;
    else
      outcome.warnings.push_back(
          "gnuplot is not installed: wrote the .dat and .gp files of the plots to " + plots_dir +
          " without rendering them");
  }
  const std::string png_terminal =
      have_cairo || !render ? "set terminal pngcairo size 1000,625 font \"sans,12\" noenhanced"
                            : "set terminal png size 1000,625 noenhanced";
  for (const auto& g : report.groups) {
    for (const auto& f : group_figures(g)) {
      const std::string base = (fs::path(plots_dir) / f.name).string();
      std::ostringstream gp;
      std::string comment = f.title;
      std::replace(comment.begin(), comment.end(), '\n', ' ');
      gp << "# seqrec report: " << comment << "\n"
         << "# Data: " << f.name << ".dat. Render: cd into this folder, then gnuplot " << f.name
         << ".gp\n"
         << kCommon << "set terminal svg size 800,500 dynamic font \"sans,12\" noenhanced\n"
         << "set output " << gq(f.name + ".svg") << "\n"
         << f.body << png_terminal << "\n"
         << "set output " << gq(f.name + ".png") << "\n"
         << "replot\nset output\n";
      write_file_atomic(base + ".dat", f.data);
      write_file_atomic(base + ".gp", gp.str());
      outcome.files.push_back(base + ".dat");
      outcome.files.push_back(base + ".gp");
      if (!have_gnuplot) continue;
      auto [rc, text] = run_capture("cd " + shell_quote(plots_dir) + " && gnuplot " +
                                    shell_quote(f.name + ".gp") + " 2>&1");
      if (rc != 0) {
        outcome.warnings.push_back("gnuplot failed on " + base + ".gp: " + text);
        continue;
      }
      for (const char* ext : {".svg", ".png"}) {
        outcome.files.push_back(base + ext);
        outcome.images.push_back(base + ext);
      }
    }
  }
  return outcome;
}

}  // namespace seqrec
