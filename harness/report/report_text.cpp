#include "harness/report/report_text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <sstream>
#include <string_view>
#include <utility>

#include "core/number_format.h"

namespace seqrec {

// ---------------------------------------------------------------------------------------------
// Numbers and statistics

Stat summarize(const std::vector<double>& values) {
  Stat s;
  s.n = static_cast<int>(values.size());
  if (values.empty()) return s;
  double sum = 0.0;
  for (double v : values) sum += v;
  s.mean = sum / values.size();
  if (values.size() > 1) {
    double ss = 0.0;
    for (double v : values) ss += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(ss / (values.size() - 1));
  }
  return s;
}

nlohmann::json json_metric(double v) { return rounded(v, "%.4f"); }
nlohmann::json json_p(double p) {
  if (std::isnan(p)) return nullptr;
  return rounded(p, "%.3g");
}
nlohmann::json json_stat(const Stat& s) {
  return {{"mean", json_metric(s.mean)}, {"std", json_metric(s.std)}, {"n", s.n}};
}

std::string pm(const Stat& s) { return format_metric(s.mean) + " ± " + format_metric(s.std); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string slugify(const std::string& s) {
  std::string out;
  for (char c : s)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
  return out.empty() ? "_" : out;
}

// ---------------------------------------------------------------------------------------------
// Tables

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '*' || c == '_' || c == '`') out += '\\';
    out += c;
  }
  return out;
}

// The non-ASCII symbols the tables print (UTF-8), as LaTeX writes them.
constexpr std::pair<std::string_view, std::string_view> kLatexSymbols[] = {
    {"±", "$\\pm$"}, {"†", "$^{\\dagger}$"}, {"Δ", "$\\Delta$"}, {"—", "---"},
    {"–", "--"},     {"−", "$-$"},           {"×", "$\\times$"}};

std::string latex_escape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const auto symbol = std::find_if(
        std::begin(kLatexSymbols), std::end(kLatexSymbols),
        [&](const auto& entry) { return s.compare(i, entry.first.size(), entry.first) == 0; });
    if (symbol != std::end(kLatexSymbols)) {
      out += symbol->second;
      i += symbol->first.size() - 1;
      continue;
    }
    switch (c) {
      case '&':
      case '%':
      case '$':
      case '#':
      case '_':
      case '{':
      case '}':
        out += '\\';
        out += c;
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '<':
        out += "$<$";
        break;
      case '>':
        out += "$>$";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

std::string render_markdown(const TextTable& t) {
  std::ostringstream out;
  out << "## " << md_escape(t.title) << "\n\n";
  out << "|";
  for (const auto& h : t.header) out << " " << md_escape(h) << " |";
  out << "\n|";
  for (char a : t.align) out << (a == 'l' ? "---" : a == 'c' ? ":---:" : "---:") << "|";
  out << "\n";
  for (const auto& row : t.rows) {
    out << "|";
    for (const auto& c : row) {
      std::string text = md_escape(c.text);
      if (!text.empty() && c.emphasis == Emphasis::Best) text = "**" + text + "**";
      if (!text.empty() && c.emphasis == Emphasis::Second) text = "*" + text + "*";
      out << " " << text << " |";
    }
    out << "\n";
  }
  if (!t.caption.empty()) out << "\n" << t.caption << "\n";
  out << "\n";
  return out.str();
}

std::string render_latex(const TextTable& t) {
  std::ostringstream out;
  out << "\\begin{table}[htbp]\n\\centering\n\\small\n";
  out << "\\caption{" << latex_escape(t.title) << ". " << latex_escape(t.caption) << "}\n";
  out << "\\label{" << t.label << "}\n";
  out << "\\begin{tabular}{@{}" << t.align << "@{}}\n\\toprule\n";
  for (size_t i = 0; i < t.header.size(); ++i) out << (i ? " & " : "") << latex_escape(t.header[i]);
  out << " \\\\\n\\midrule\n";
  for (size_t r = 0; r < t.rows.size(); ++r) {
    if (r > 0 && t.rule_before.count(r)) out << "\\midrule\n";
    for (size_t i = 0; i < t.rows[r].size(); ++i) {
      const Cell& c = t.rows[r][i];
      std::string text = latex_escape(c.text);
      if (!text.empty() && c.emphasis == Emphasis::Best) text = "\\textbf{" + text + "}";
      if (!text.empty() && c.emphasis == Emphasis::Second) text = "\\underline{" + text + "}";
      out << (i ? " & " : "") << text;
    }
    out << " \\\\\n";
  }
  out << "\\bottomrule\n\\end{tabular}\n\\end{table}\n\n";
  return out.str();
}

}  // namespace

std::string render_text(const TextTable& t, TableFormat format) {
  return format == TableFormat::Latex ? render_latex(t) : render_markdown(t);
}

// Best and second of a column, compared as printed (ties share the mark).
std::vector<Emphasis> rank_marks(const std::vector<double>& values) {
  std::vector<double> shown;
  for (double v : values) shown.push_back(std::isnan(v) ? v : rounded(v, "%.4f"));
  std::set<double, std::greater<double>> distinct;
  for (double v : shown)
    if (!std::isnan(v)) distinct.insert(v);
  std::vector<Emphasis> marks(values.size(), Emphasis::None);
  if (distinct.empty()) return marks;
  const double best = *distinct.begin();
  const double second = distinct.size() > 1 ? *std::next(distinct.begin()) : std::nan("");
  for (size_t i = 0; i < shown.size(); ++i) {
    if (shown[i] == best)
      marks[i] = Emphasis::Best;
    else if (shown[i] == second)
      marks[i] = Emphasis::Second;
  }
  return marks;
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
  return out + "\n";
}

}  // namespace seqrec
