// Reader for RecBole atomic files: NAME.inter (+ optional NAME.item).
#include <string_view>
#include <unordered_map>

#include "core/errors.h"
#include "datasets/atomic_file.h"
#include "datasets/dataset.h"
#include "datasets/dataset_files.h"
#include "datasets/item_side_info.h"
#include "datasets/preprocess.h"

namespace seqrec {
namespace {

// Interns tokens in order of first appearance. Keys view the file buffer, so no string is
// allocated per row for the 1M-line files.
class TokenIndex {
 public:
  explicit TokenIndex(std::vector<std::string>& tokens) : tokens_(tokens) {}
  int32_t index(std::string_view token) {
    auto [it, inserted] = index_.emplace(token, static_cast<int32_t>(tokens_.size()));
    if (inserted) tokens_.emplace_back(token);
    return it->second;
  }

 private:
  std::vector<std::string>& tokens_;
  std::unordered_map<std::string_view, int32_t> index_;
};

// Timestamps are optional; every other column besides user and item is ignored (ratings,
// review text...), since sequential recommendation uses implicit feedback.
RawInteractions read_inter_file(AtomicFile& file) {
  const std::string& path = file.path();
  const int user_column = file.required_column("user_id", {"token"});
  const int item_column = file.required_column("item_id", {"token"});
  const int time_column =
      file.column("timestamp") >= 0 ? file.required_column("timestamp", {"float"}) : -1;

  RawInteractions raw;
  TokenIndex users(raw.user_tokens), items(raw.item_tokens);
  std::vector<std::string_view> fields;
  while (file.next_row(fields)) {
    const std::string_view user = trim(fields[static_cast<size_t>(user_column)]);
    const std::string_view item = trim(fields[static_cast<size_t>(item_column)]);
    if (user.empty()) throw input_error_at(path, file.line_number(), "empty user_id");
    if (item.empty()) throw input_error_at(path, file.line_number(), "empty item_id");
    raw.users.push_back(users.index(user));
    raw.items.push_back(items.index(item));
    if (time_column >= 0) {
      const std::string_view text = fields[static_cast<size_t>(time_column)];
      const auto value = parse_finite_double(text);
      if (!value) {
        throw input_error_at(path, file.line_number(),
                             "timestamp '" + std::string(text) + "' is not a finite number");
      }
      raw.timestamps.push_back(*value);
    }
  }
  return raw;
}

}  // namespace

Dataset load_atomic_dataset(const std::string& directory, const PreprocessOptions& options) {
  const auto files = find_dataset_files(directory);
  if (!files || files->format != DatasetFiles::Format::Atomic) {
    throw InputError(directory + ": no RecBole atomic file NAME.inter in this folder");
  }
  RawInteractions raw;
  {
    AtomicFile inter(files->interactions);
    raw = read_inter_file(inter);
  }
  if (raw.users.empty()) throw InputError(files->interactions + ": no interactions (header only)");
  Dataset dataset = build_sequences(raw, options, files->interactions);
  dataset.name = files->name;
  dataset.directory = directory;
  if (!files->items.empty()) read_atomic_item_file(files->items, dataset);
  return dataset;
}

}  // namespace seqrec
