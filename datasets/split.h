#pragma once
// Leave-one-out split (design §4): per user the last item is the test target, the
// second-to-last the validation target, the rest the training sequence. Validation input =
// training items; test input = training + validation items.
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace seqrec {

struct LeaveOneOutSplit {
  const Dataset* data = nullptr;
  // Per user: number of leading items that form the training sequence (= length - 2).
  std::vector<int64_t> train_length;

  int64_t num_users() const { return static_cast<int64_t>(train_length.size()); }
  const std::vector<int64_t>& sequence(int64_t user) const { return data->sequences[user]; }
  int64_t valid_target(int64_t user) const { return sequence(user)[train_length[user]]; }
  int64_t test_target(int64_t user) const { return sequence(user)[train_length[user] + 1]; }
  // Interactions per item in the training sequences only (index = item id; [0] = 0).
  std::vector<int64_t> train_item_counts() const;
};

// Throws InputError naming the first user with fewer than 3 interactions (design §9).
LeaveOneOutSplit make_leave_one_out_split(const Dataset& data);

}  // namespace seqrec
