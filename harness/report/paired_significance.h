#pragma once
// The paired tests of a leaderboard: per-user test values of two configurations, matched by
// user, compared by the Wilcoxon signed-rank test and the paired t-test (significance.h).
#include <string>
#include <vector>

#include "harness/report/report_model.h"

namespace seqrec {

struct UserValues {
  std::vector<std::string> users;
  std::vector<double> values;
  std::string error;  // non-empty when unavailable
};

// Per-user test values of `metric` averaged over the configuration's seeds; users that are
// missing from a seed are left out. Order: the first seed's file.
UserValues per_user_mean(const Configuration& c, const std::string& metric);

// `best` against `other` over the users both have.
Significance paired_tests(const UserValues& best, const UserValues& other);

}  // namespace seqrec
