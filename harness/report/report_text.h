#pragma once
// What every `seqrec report` table shares: summary statistics, fixed number formats, one table
// model rendered as Markdown or LaTeX (booktabs), and CSV lines. JSON numbers are the printed
// values read back, so a table and its JSON never disagree. Plain structs, no torch.
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/number_format.h"

namespace seqrec {

// Mean and sample standard deviation (n - 1; 0 with one value).
struct Stat {
  double mean = 0.0;
  double std = 0.0;
  int n = 0;
};
Stat summarize(const std::vector<double>& values);

std::string pm(const Stat& s);  // "0.0465 ± 0.0008"

std::string lower(std::string s);           // ASCII lower case
std::string slugify(const std::string& s);  // file-name safe: [A-Za-z0-9.-], the rest '_'

nlohmann::json json_metric(double v);  // rounded to %.4f
nlohmann::json json_p(double p);       // rounded to %.3g; null for NaN
nlohmann::json json_stat(const Stat& s);

enum class TableFormat { Markdown, Latex, Csv, Json };

// A table for Markdown and LaTeX. Text is UTF-8 with ±, †, Δ, which LaTeX output rewrites.
enum class Emphasis { None, Best, Second };
struct Cell {
  std::string text;
  Emphasis emphasis = Emphasis::None;
};
struct TextTable {
  std::string title;
  std::vector<std::string> header;
  std::string align;  // one of l, r, c per column
  std::vector<std::vector<Cell>> rows;
  std::set<size_t> rule_before;  // a \midrule (LaTeX) before these rows
  std::string caption;
  std::string label;
};

std::string md_escape(const std::string& s);     // | * _ ` escaped
std::string latex_escape(const std::string& s);  // LaTeX specials and the symbols above

// Markdown for TableFormat::Markdown, LaTeX for TableFormat::Latex.
std::string render_text(const TextTable& t, TableFormat format);

// Best and second of a column, compared as printed (ties share the mark); NaN is unmarked.
std::vector<Emphasis> rank_marks(const std::vector<double>& values);

// One RFC 4180 line, fields quoted where needed, ending in "\n".
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace seqrec
