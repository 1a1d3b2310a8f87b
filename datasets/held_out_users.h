#pragma once
// Which users a stage evaluates. By default every user; the eSASRec benchmark's leave-one-out
// splitter (RecTools' LastNSplitter with its cold and already-seen filters) drops a user whose
// held-out target never occurs before any user's held-out position of that stage (a cold
// item), or already occurs earlier in the user's own sequence. On S3-Rec Beauty the test stage
// keeps 22,311 of 22,363 users: 52 cold targets, no repeated ones.
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/batching.h"
#include "datasets/split.h"

namespace seqrec {

enum class DropUsers { None, ColdOrSeenTarget };
DropUsers parse_drop_users(const std::string& name);  // none | cold_or_seen_target
std::string to_string(DropUsers rule);

struct HeldOutUsers {
  std::vector<int64_t> users;  // kept, ascending user index
  int64_t cold_target = 0;     // dropped: target absent from every user's items before the stage
  int64_t seen_target = 0;     // dropped: target already in the user's own earlier items
};

// "Before the stage" is the training part for validation, and training plus validation item
// for test: what a model evaluated at that stage has been trained on (eSASRec's benchmark
// refits nothing for test, but its splitter counts the validation items as training data).
HeldOutUsers held_out_users(const LeaveOneOutSplit& split, EvalStage stage, DropUsers rule);

}  // namespace seqrec
