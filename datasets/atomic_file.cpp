#include "datasets/atomic_file.h"

#include <algorithm>

#include "core/errors.h"

namespace seqrec {
namespace {

bool is_known_type(std::string_view type) {
  return type == "token" || type == "token_seq" || type == "float" || type == "float_seq";
}

std::string column_list(const std::vector<AtomicField>& fields) {
  std::string s;
  for (const auto& f : fields) s += (s.empty() ? "" : ", ") + f.name + ":" + f.type;
  return s;
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  content_ = read_whole_file(path_);
  // Skip a UTF-8 byte order mark some editors add; it would otherwise stick to the first name.
  std::string_view text(content_);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  cursor_ = LineCursor(text);

  std::string_view header;
  if (!cursor_.next(header) || trim(header).empty()) {
    throw input_error_at(path_, 1, "empty file: expected a header of name:type columns");
  }
  std::vector<std::string_view> parts;
  split_fields(header, '\t', parts);
  for (std::string_view part : parts) {
    part = trim(part);
    const size_t colon = part.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      throw input_error_at(path_, 1,
                           "header column '" + std::string(part) +
                               "' is not of the form name:type (types: token, "
                               "token_seq, float, float_seq)");
    }
    AtomicField field{std::string(part.substr(0, colon)), std::string(part.substr(colon + 1))};
    if (!is_known_type(field.type)) {
      throw input_error_at(path_, 1,
                           "header column '" + std::string(part) + "' has unknown type '" +
                               field.type +
                               "' (expected token, token_seq, float or "
                               "float_seq)");
    }
    if (column(field.name) >= 0) {
      throw input_error_at(path_, 1, "header names column '" + field.name + "' twice");
    }
    fields_.push_back(std::move(field));
  }
}

int AtomicFile::column(const std::string& name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int AtomicFile::required_column(const std::string& name,
                                const std::vector<std::string>& types) const {
  const int index = column(name);
  if (index < 0) {
    throw input_error_at(path_, 1,
                         "header has no column '" + name + ":" + types.front() +
                             "' (columns: " + column_list(fields_) + ")");
  }
  const std::string& type = fields_[static_cast<size_t>(index)].type;
  if (std::find(types.begin(), types.end(), type) == types.end()) {
    throw input_error_at(
        path_, 1,
        "column '" + name + "' has type '" + type + "', expected '" + types.front() + "'");
  }
  return index;
}

bool AtomicFile::next_row(std::vector<std::string_view>& fields) {
  std::string_view line;
  while (cursor_.next(line)) {
    if (trim(line).empty()) continue;
    split_fields(line, '\t', fields);
    if (fields.size() != fields_.size()) {
      throw input_error_at(path_, cursor_.line_number(),
                           "expected " + std::to_string(fields_.size()) +
                               " tab-separated columns (" + column_list(fields_) + "), found " +
                               std::to_string(fields.size()));
    }
    return true;
  }
  return false;
}

}  // namespace seqrec
