#include "harness/report/report_tables.h"

#include <filesystem>
#include <utility>

#include "core/atomic_write.h"
#include "core/errors.h"

namespace seqrec {

namespace fs = std::filesystem;

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
    if (!report.reproduction.empty()) {
      const std::string path = (fs::path(out_dir) / ("reproduction." + ext)).string();
      write_file_atomic(path, render_reproduction(report, f));
      written.push_back(path);
    }
  }
  return written;
}

}  // namespace seqrec
