#include "harness/report/same_data.h"

#include <algorithm>

#include "core/errors.h"

namespace seqrec {

namespace {

constexpr const char* kCounts[] = {"users", "items", "interactions"};

std::string counts_text(const nlohmann::json& info) {
  std::string text;
  for (const char* key : kCounts) {
    if (!info.contains(key)) continue;
    if (!text.empty()) text += ", ";
    text += info[key].dump() + " " + key;
  }
  return text.empty() ? "no recorded counts" : text;
}

}  // namespace

SameData parse_same_data(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == assignment.size())
    throw InputError("--same-data '" + assignment + "': expected FROM=TO, two dataset names");
  SameData same{assignment.substr(0, eq), assignment.substr(eq + 1)};
  if (same.from == same.to)
    throw InputError("--same-data '" + assignment + "': FROM and TO are the same dataset");
  return same;
}

std::string report_as_same_data(std::vector<TrialRecord>& trials, const SameData& same) {
  const auto named = [&](const std::string& name) {
    return std::find_if(trials.begin(), trials.end(),
                        [&](const TrialRecord& t) { return t.dataset == name; });
  };
  const auto target = named(same.to);
  const std::string option = "--same-data " + same.from + "=" + same.to;
  for (const auto& name : {same.from, same.to})
    if (named(name) == trials.end())
      return option + ": no finished trial on dataset '" + name + "'; nothing renamed";
  const nlohmann::json& expected = target->dataset_info;
  int64_t renamed = 0;
  for (auto& t : trials) {
    if (t.dataset != same.from) continue;
    for (const char* key : kCounts) {
      // Both sides must have recorded the count: a missing one could hide other data.
      if (!t.dataset_info.contains(key) || !expected.contains(key) ||
          t.dataset_info[key] != expected[key])
        throw InputError(option + ": " + t.result_path() + " recorded " +
                         counts_text(t.dataset_info) + ", but " + target->result_path() +
                         " recorded " + counts_text(expected));
    }
    t.dataset = same.to;
    ++renamed;
  }
  return std::to_string(renamed) + " trial(s) on " + same.from + " are reported as " + same.to +
         " (" + option + "): both recorded " + counts_text(expected);
}

}  // namespace seqrec
