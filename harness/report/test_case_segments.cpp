#include "harness/report/test_case_segments.h"

#include <cstdint>
#include <unordered_set>

namespace seqrec {
namespace {

// Index of the first upper bound that `value` does not exceed; the last segment is open.
int bucket(int64_t value, const std::vector<int64_t>& upper_bounds) {
  int i = 0;
  while (i < static_cast<int>(upper_bounds.size()) && value > upper_bounds[i]) ++i;
  return i;
}

SegmentDimension transition_segments(const LeaveOneOutSplit& split) {
  const Dataset& data = *split.data;
  const auto items = static_cast<uint64_t>(data.num_items()) + 1;
  auto pair_key = [items](int64_t from, int64_t to) {
    return static_cast<uint64_t>(from) * items + static_cast<uint64_t>(to);
  };
  std::unordered_set<uint64_t> seen;
  for (int64_t u = 0; u < split.num_users(); ++u) {
    const auto& seq = split.sequence(u);
    for (int64_t i = 1; i < split.train_length[u]; ++i) seen.insert(pair_key(seq[i - 1], seq[i]));
  }
  SegmentDimension d;
  d.name = "transition";
  d.definition =
      "seen: the test input's last item followed by the test target occurs as two consecutive "
      "items of some user's training sequence; unseen: it does not";
  d.segments = {"seen", "unseen"};
  for (int64_t u = 0; u < split.num_users(); ++u) {
    const bool was_seen = seen.count(pair_key(split.valid_target(u), split.test_target(u))) > 0;
    d.segment_of_user[data.user_tokens[u]] = was_seen ? 0 : 1;
  }
  return d;
}

SegmentDimension input_length_segments(const LeaveOneOutSplit& split) {
  SegmentDimension d;
  d.name = "input_length";
  d.definition =
      "items in the test input (training and validation items, before max_len truncation)";
  d.segments = {"1-5", "6-10", "11-20", "21+"};
  for (int64_t u = 0; u < split.num_users(); ++u)
    d.segment_of_user[split.data->user_tokens[u]] = bucket(split.train_length[u] + 1, {5, 10, 20});
  return d;
}

SegmentDimension target_popularity_segments(const LeaveOneOutSplit& split) {
  const std::vector<int64_t> counts = split.train_item_counts();
  SegmentDimension d;
  d.name = "target_popularity";
  d.definition = "interactions with the test target in the training sequences";
  d.segments = {"0", "1-9", "10-99", "100+"};
  for (int64_t u = 0; u < split.num_users(); ++u)
    d.segment_of_user[split.data->user_tokens[u]] =
        bucket(counts[static_cast<size_t>(split.test_target(u))], {0, 9, 99});
  return d;
}

}  // namespace

std::vector<SegmentDimension> test_case_segments(const LeaveOneOutSplit& split) {
  return {transition_segments(split), input_length_segments(split),
          target_popularity_segments(split)};
}

}  // namespace seqrec
