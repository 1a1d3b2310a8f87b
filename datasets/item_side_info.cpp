#include "datasets/item_side_info.h"

#include <algorithm>

#include "core/errors.h"
#include "datasets/atomic_file.h"

namespace seqrec {

std::unordered_map<std::string, int64_t> item_id_by_token(const Dataset& dataset) {
  std::unordered_map<std::string, int64_t> ids;
  ids.reserve(dataset.item_tokens.size());
  for (size_t id = 1; id < dataset.item_tokens.size(); ++id) {
    ids.emplace(dataset.item_tokens[id], static_cast<int64_t>(id));
  }
  return ids;
}

void set_item_categories(Dataset& dataset, const std::string& field,
                         const std::vector<std::vector<std::string>>& categories_per_item) {
  dataset.category_field = field;
  dataset.category_tokens.clear();
  dataset.item_categories.assign(dataset.item_tokens.size(), {});
  std::unordered_map<std::string, int32_t> index_of;
  for (size_t id = 1; id < categories_per_item.size() && id < dataset.item_tokens.size(); ++id) {
    std::vector<int32_t>& out = dataset.item_categories[id];
    for (const std::string& token : categories_per_item[id]) {
      auto [it, inserted] =
          index_of.emplace(token, static_cast<int32_t>(dataset.category_tokens.size()));
      if (inserted) dataset.category_tokens.push_back(token);
      if (std::find(out.begin(), out.end(), it->second) == out.end()) out.push_back(it->second);
    }
  }
}

void read_atomic_item_file(const std::string& path, Dataset& dataset) {
  AtomicFile file(path);
  const int item_column = file.required_column("item_id", {"token"});
  std::string category_field;
  for (const char* candidate : {"categories", "class", "genre"}) {
    if (file.column(candidate) >= 0) {
      category_field = candidate;
      break;
    }
  }
  const int category_column =
      category_field.empty() ? -1 : file.required_column(category_field, {"token_seq", "token"});
  std::vector<int> text_columns;
  for (size_t c = 0; c < file.fields().size(); ++c) {
    if (static_cast<int>(c) != category_column && file.fields()[c].type == "token_seq") {
      text_columns.push_back(static_cast<int>(c));
    }
  }

  const auto id_of = item_id_by_token(dataset);
  const size_t rows = dataset.item_tokens.size();
  std::vector<std::vector<std::string>> categories(rows);
  std::vector<std::vector<std::vector<std::string>>> texts(
      text_columns.size(), std::vector<std::vector<std::string>>(rows));
  std::vector<long> line_of_item(rows, 0);
  std::vector<std::string_view> fields, tokens;
  while (file.next_row(fields)) {
    const std::string_view token = trim(fields[static_cast<size_t>(item_column)]);
    if (token.empty()) throw input_error_at(path, file.line_number(), "empty item_id");
    const auto it = id_of.find(std::string(token));
    if (it == id_of.end()) continue;  // item never interacted with (or filtered out)
    const auto id = static_cast<size_t>(it->second);
    if (line_of_item[id] != 0) {
      throw input_error_at(path, file.line_number(),
                           "item '" + std::string(token) + "' already listed at line " +
                               std::to_string(line_of_item[id]));
    }
    line_of_item[id] = file.line_number();
    if (category_column >= 0) {
      split_whitespace(fields[static_cast<size_t>(category_column)], tokens);
      categories[id].assign(tokens.begin(), tokens.end());
    }
    for (size_t t = 0; t < text_columns.size(); ++t) {
      split_whitespace(fields[static_cast<size_t>(text_columns[t])], tokens);
      texts[t][id].assign(tokens.begin(), tokens.end());
    }
  }
  if (category_column >= 0) {
    set_item_categories(dataset, category_field, categories);
  }
  for (size_t t = 0; t < text_columns.size(); ++t) {
    dataset.item_token_fields[file.fields()[static_cast<size_t>(text_columns[t])].name] =
        std::move(texts[t]);
  }
}

}  // namespace seqrec
