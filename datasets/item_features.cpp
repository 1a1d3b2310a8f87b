#include "datasets/item_features.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "core/errors.h"
#include "datasets/atomic_file.h"
#include "datasets/item_side_info.h"
#include "datasets/text_parse.h"

namespace seqrec {
namespace fs = std::filesystem;

namespace {

// Which item each feature row belongs to, and where that was said (for messages).
struct RowItems {
  std::string source;  // NAME.item or NAME.<modality>.ids
  std::vector<std::string> tokens;
  std::vector<long> lines;  // line of each row in `source`
};

RowItems rows_of_item_file(const std::string& path) {
  AtomicFile file(path);
  const int column = file.required_column("item_id", {"token"});
  RowItems rows{path, {}, {}};
  std::vector<std::string_view> fields;
  while (file.next_row(fields)) {
    const std::string_view token = trim(fields[static_cast<size_t>(column)]);
    if (token.empty()) throw input_error_at(path, file.line_number(), "empty item_id");
    rows.tokens.emplace_back(token);
    rows.lines.push_back(file.line_number());
  }
  return rows;
}

// One token per line. Blank lines would silently shift every later row, so only trailing
// ones are allowed.
RowItems rows_of_ids_file(const std::string& path) {
  const std::string content = read_whole_file(path);
  RowItems rows{path, {}, {}};
  LineCursor cursor(content);
  std::string_view line;
  long blank_line = 0;
  while (cursor.next(line)) {
    const std::string_view token = trim(line);
    if (token.empty()) {
      if (blank_line == 0) blank_line = cursor.line_number();
      continue;
    }
    if (blank_line != 0) {
      throw input_error_at(path, blank_line, "empty line (expected one item token per line)");
    }
    if (token.find_first_of(" \t") != std::string_view::npos) {
      throw input_error_at(path, cursor.line_number(),
                           "'" + std::string(token) + "' is not one item token");
    }
    rows.tokens.emplace_back(token);
    rows.lines.push_back(cursor.line_number());
  }
  return rows;
}

// Every item token of the raw files, before preprocessing: an ids file may list items that
// filtering dropped, but a token found nowhere is a mistake (wrong dataset, wrong column).
std::unordered_set<std::string> raw_item_tokens(const DatasetFiles& files) {
  std::unordered_set<std::string> tokens;
  std::vector<std::string_view> fields;
  if (files.format == DatasetFiles::Format::Atomic) {
    AtomicFile inter(files.interactions);
    const int column = inter.required_column("item_id", {"token"});
    while (inter.next_row(fields)) tokens.emplace(trim(fields[static_cast<size_t>(column)]));
    if (!files.items.empty()) {
      for (auto& token : rows_of_item_file(files.items).tokens) tokens.insert(std::move(token));
    }
  } else {
    const std::string content = read_whole_file(files.interactions);
    LineCursor cursor(content);
    std::string_view line;
    while (cursor.next(line)) {
      split_whitespace(line, fields);
      for (size_t i = 1; i < fields.size(); ++i) tokens.emplace(fields[i]);
    }
  }
  return tokens;
}

}  // namespace

std::map<std::string, FeatureFile> find_feature_files(const DatasetFiles& files) {
  std::map<std::string, FeatureFile> found;
  const fs::path dir = fs::path(files.interactions).parent_path();
  const std::string prefix = files.name + ".", suffix = ".npy";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir.empty() ? fs::path(".") : dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file(ec) || file.size() <= prefix.size() + suffix.size() ||
        file.compare(0, prefix.size(), prefix) != 0 ||
        file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string modality =
        file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
    const fs::path ids = dir / (prefix + modality + ".ids");
    found[modality] = {(dir / file).string(), fs::is_regular_file(ids, ec) ? ids.string() : ""};
  }
  return found;
}

std::vector<std::string> item_file_order(const std::string& item_file) {
  return rows_of_item_file(item_file).tokens;
}

void read_item_features(const DatasetFiles& files, Dataset& dataset) {
  const auto feature_files = find_feature_files(files);
  if (feature_files.empty()) return;
  const auto id_of = item_id_by_token(dataset);
  const bool has_item_file = files.format == DatasetFiles::Format::Atomic && !files.items.empty();
  RowItems item_file_rows;  // read once, shared by the modalities without an ids file
  std::unordered_set<std::string> raw_tokens;
  bool raw_tokens_read = false;

  for (const auto& [modality, file] : feature_files) {
    RowItems ids_rows;
    if (!file.ids.empty()) {
      ids_rows = rows_of_ids_file(file.ids);
    } else if (!has_item_file) {
      const std::string item_path =
          (fs::path(files.interactions).parent_path() / (files.name + ".item")).string();
      throw InputError(file.npy + ": cannot tell which item each row is: neither " + item_path +
                       " (rows in its order) nor " + file.npy.substr(0, file.npy.size() - 4) +
                       ".ids (one item token per line) exists");
    } else if (item_file_rows.tokens.empty()) {
      item_file_rows = rows_of_item_file(files.items);
    }
    const RowItems& rows = file.ids.empty() ? item_file_rows : ids_rows;

    const FloatMatrix matrix = read_npy_float32(file.npy);
    if (matrix.rows != static_cast<int64_t>(rows.tokens.size())) {
      throw InputError(file.npy + ": has " + std::to_string(matrix.rows) + " rows, but " +
                       rows.source + " lists " + std::to_string(rows.tokens.size()) +
                       " items (one row per item, in that order)");
    }
    if (matrix.cols < 1) throw InputError(file.npy + ": has no columns");

    FloatMatrix features;
    features.rows = dataset.num_items() + 1;
    features.cols = matrix.cols;
    features.values.assign(static_cast<size_t>(features.rows * features.cols), 0.0f);
    std::vector<bool> filled(static_cast<size_t>(features.rows), false);
    std::unordered_map<std::string_view, long> line_of;
    line_of.reserve(rows.tokens.size());
    for (size_t r = 0; r < rows.tokens.size(); ++r) {
      const std::string& token = rows.tokens[r];
      const auto [previous, inserted] = line_of.emplace(token, rows.lines[r]);
      if (!inserted) {
        throw input_error_at(rows.source, rows.lines[r],
                             "item '" + token + "' already listed at line " +
                                 std::to_string(previous->second) + ", so the rows of " + file.npy +
                                 " are ambiguous");
      }
      const auto id = id_of.find(token);
      if (id == id_of.end()) {
        if (file.ids.empty()) continue;  // NAME.item lists items with no interactions
        if (!raw_tokens_read) {
          raw_tokens = raw_item_tokens(files);
          raw_tokens_read = true;
        }
        if (raw_tokens.count(token) == 0) {
          throw input_error_at(rows.source, rows.lines[r],
                               "item '" + token + "' is in neither " + files.interactions +
                                   (files.items.empty() ? "" : " nor " + files.items));
        }
        continue;  // dropped by preprocessing
      }
      const auto row = static_cast<size_t>(id->second);
      std::copy_n(matrix.values.begin() + static_cast<std::ptrdiff_t>(r * matrix.cols), matrix.cols,
                  features.values.begin() + static_cast<std::ptrdiff_t>(row * features.cols));
      filled[row] = true;
    }
    for (size_t id = 1; id < filled.size(); ++id) {
      if (!filled[id]) {
        throw InputError(file.npy + ": no row for item '" + dataset.item_tokens[id] +
                         "' of the data (" + rows.source + " does not list it)");
      }
    }
    dataset.item_features[modality] = std::move(features);
  }
}

}  // namespace seqrec
