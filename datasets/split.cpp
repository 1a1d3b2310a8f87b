#include "datasets/split.h"

#include "core/errors.h"
#include "datasets/dataset_files.h"

namespace seqrec {
namespace {

// The file a dataset was read from, so the error names it (design §9); the dataset's name
// when it was built in memory.
std::string source_of(const Dataset& data) {
  if (!data.directory.empty())
    if (const auto files = find_dataset_files(data.directory)) return files->interactions;
  return data.name;
}

}  // namespace

LeaveOneOutSplit make_leave_one_out_split(const Dataset& data) {
  LeaveOneOutSplit split;
  split.data = &data;
  split.train_length.reserve(data.sequences.size());
  for (size_t u = 0; u < data.sequences.size(); ++u) {
    const auto n = static_cast<int64_t>(data.sequences[u].size());
    if (n < 3)
      throw InputError(source_of(data) + ": user '" + data.user_tokens[u] + "' has " +
                       std::to_string(n) +
                       " interaction(s); leave-one-out needs at least 3 (use user_core=3 to "
                       "filter such users)");
    split.train_length.push_back(n - 2);
  }
  return split;
}

std::vector<int64_t> LeaveOneOutSplit::train_item_counts() const {
  std::vector<int64_t> counts(static_cast<size_t>(data->num_items() + 1), 0);
  for (int64_t u = 0; u < num_users(); ++u)
    for (int64_t j = 0; j < train_length[u]; ++j) ++counts[sequence(u)[j]];
  return counts;
}

}  // namespace seqrec
