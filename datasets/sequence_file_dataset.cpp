// Reader for S3Rec-style files: "user item item ..." per line (already chronological) and
// an optional item2attributes JSON {"item": [attribute, ...]}.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/errors.h"
#include "datasets/dataset.h"
#include "datasets/item_side_info.h"
#include "datasets/preprocess.h"
#include "datasets/text_parse.h"

namespace seqrec {
namespace {

RawInteractions read_sequence_lines(const std::string& path) {
  const std::string content = read_whole_file(path);
  RawInteractions raw;
  std::unordered_map<std::string, long> line_of_user;
  std::unordered_map<std::string_view, int32_t> item_index;
  LineCursor cursor(content);
  std::string_view line;
  std::vector<std::string_view> tokens;
  while (cursor.next(line)) {
    split_whitespace(line, tokens);
    if (tokens.empty()) continue;
    const std::string user(tokens.front());
    // S3Rec files number users and items with integers; anything else is a corrupt line.
    for (const auto& token : tokens) {
      if (token.find_first_not_of("0123456789") != std::string_view::npos) {
        throw input_error_at(path, cursor.line_number(),
                             "id '" + std::string(token) + "' is not a non-negative integer");
      }
    }
    if (tokens.size() < 2) {
      throw input_error_at(path, cursor.line_number(), "user '" + user + "' has no items");
    }
    auto [it, inserted] = line_of_user.emplace(user, cursor.line_number());
    if (!inserted) {
      throw input_error_at(
          path, cursor.line_number(),
          "user '" + user + "' already has a line (line " + std::to_string(it->second) + ")");
    }
    const auto u = static_cast<int32_t>(raw.user_tokens.size());
    raw.user_tokens.push_back(user);
    for (size_t k = 1; k < tokens.size(); ++k) {
      auto [item, fresh] =
          item_index.emplace(tokens[k], static_cast<int32_t>(raw.item_tokens.size()));
      if (fresh) raw.item_tokens.emplace_back(tokens[k]);
      raw.users.push_back(u);
      raw.items.push_back(item->second);
    }
  }
  if (raw.users.empty()) throw InputError(path + ": no interactions (empty file)");
  return raw;
}

std::string attribute_token(const nlohmann::json& value, const std::string& path,
                            const std::string& key) {
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_string()) return value.get<std::string>();
  throw InputError(path + ": key \"" + key + "\": attributes must be integers or strings, found " +
                   value.dump());
}

void read_item2attributes(const std::string& path, Dataset& dataset) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_whole_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": invalid JSON: " + e.what());
  }
  if (!json.is_object())
    throw InputError(path + ": expected a JSON object {\"item\": [attributes]}");
  const auto id_of = item_id_by_token(dataset);
  std::vector<std::vector<std::string>> categories(dataset.item_tokens.size());
  for (const auto& [key, value] : json.items()) {
    if (!value.is_array()) {
      throw InputError(path + ": key \"" + key + "\": expected a list of attributes, found " +
                       value.dump());
    }
    const auto it = id_of.find(key);
    if (it == id_of.end()) continue;  // item not in the sequences (or filtered out)
    for (const auto& attribute : value) {
      categories[static_cast<size_t>(it->second)].push_back(attribute_token(attribute, path, key));
    }
  }
  set_item_categories(dataset, "attributes", categories);
}

}  // namespace

Dataset load_sequence_file_dataset(const std::string& sequence_file,
                                   const std::string& item2attributes_json,
                                   const PreprocessOptions& options) {
  Dataset dataset = build_sequences(read_sequence_lines(sequence_file), options, sequence_file);
  const std::filesystem::path file(sequence_file);
  dataset.name = file.stem().string();
  dataset.directory = file.parent_path().string();
  if (!item2attributes_json.empty()) read_item2attributes(item2attributes_json, dataset);
  return dataset;
}

}  // namespace seqrec
