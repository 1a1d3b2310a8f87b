#pragma once
// `seqrec report --same-data FROM=TO`: trials recorded on dataset FROM reported in TO's tables,
// for one set of interactions known under two names, e.g. `beauty` and the copy that
// `seqrec features text --out data/beauty-mm` wrote with feature files beside it. Without it
// the two stay in separate tables, since a report groups trials by dataset name and protocol.
#include <string>
#include <vector>

#include "harness/trial_store.h"

namespace seqrec {

struct SameData {
  std::string from;  // dataset name as recorded (result.json dataset.name)
  std::string to;
};

// Parses "FROM=TO"; InputError naming the option otherwise.
SameData parse_same_data(const std::string& assignment);

// Renames FROM's trials to TO and returns the report note that says so. When either name has
// no finished trial (an empty folder, a sweep not run yet) nothing is renamed and the note says
// that. InputError when a FROM trial recorded other users, items or interactions than TO's
// first trial (the counts are what every result.json keeps of its data).
std::string report_as_same_data(std::vector<TrialRecord>& trials, const SameData& same);

}  // namespace seqrec
