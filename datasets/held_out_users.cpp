#include "datasets/held_out_users.h"

#include <algorithm>
#include <numeric>

#include "core/errors.h"

namespace seqrec {

DropUsers parse_drop_users(const std::string& name) {
  if (name == "none") return DropUsers::None;
  if (name == "cold_or_seen_target") return DropUsers::ColdOrSeenTarget;
  throw InputError("drop_users: '" + name + "' is not one of none, cold_or_seen_target");
}

std::string to_string(DropUsers rule) {
  return rule == DropUsers::None ? "none" : "cold_or_seen_target";
}

HeldOutUsers held_out_users(const LeaveOneOutSplit& split, EvalStage stage, DropUsers rule) {
  HeldOutUsers out;
  const int64_t n = split.num_users();
  // Items of user u before the stage's target: positions [0, before(u)).
  const int64_t shift = stage == EvalStage::Test ? 1 : 0;
  auto before = [&](int64_t u) { return split.train_length[u] + shift; };
  auto target = [&](int64_t u) { return split.sequence(u)[before(u)]; };
  if (rule == DropUsers::None) {
    out.users.resize(static_cast<size_t>(n));
    std::iota(out.users.begin(), out.users.end(), 0);
    return out;
  }
  std::vector<char> known(static_cast<size_t>(split.data->num_items()) + 1, 0);
  for (int64_t u = 0; u < n; ++u) {
    const auto& items = split.sequence(u);
    for (int64_t j = 0; j < before(u); ++j) known[items[j]] = 1;
  }
  for (int64_t u = 0; u < n; ++u) {
    const auto& items = split.sequence(u);
    const int64_t t = target(u);
    if (!known[t]) {
      ++out.cold_target;
    } else if (std::find(items.begin(), items.begin() + before(u), t) !=
               items.begin() + before(u)) {
      ++out.seen_target;
    } else {
      out.users.push_back(u);
    }
  }
  return out;
}

}  // namespace seqrec
