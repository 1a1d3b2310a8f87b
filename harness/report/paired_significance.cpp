#include "harness/report/paired_significance.h"

#include <filesystem>
#include <map>
#include <utility>

#include "harness/report/significance.h"

namespace seqrec {

namespace fs = std::filesystem;

UserValues per_user_mean(const Configuration& c, const std::string& metric) {
  UserValues out;
  std::map<std::string, std::pair<double, int>> acc;
  std::vector<std::string> order;
  for (const auto& t : c.trials) {
    if (!fs::exists(t.per_user_path())) {
      out.error = "per_user.csv missing in " + t.rel_dir;
      return out;
    }
    NumericCsv csv = read_per_user_csv(t.per_user_path());
    int col = csv.column(metric);
    if (col < 0) {
      out.error = t.per_user_path() + " has no column '" + metric + "'";
      return out;
    }
    for (size_t i = 0; i < csv.rows.size(); ++i) {
      auto [it, inserted] = acc.try_emplace(csv.labels[i], 0.0, 0);
      if (inserted && &t == &c.trials.front()) order.push_back(csv.labels[i]);
      it->second.first += csv.rows[i][col];
      it->second.second += 1;
    }
  }
  const int seeds = static_cast<int>(c.trials.size());
  for (const auto& u : order) {
    const auto& [sum, count] = acc.at(u);
    if (count != seeds) continue;
    out.users.push_back(u);
    out.values.push_back(sum / count);
  }
  return out;
}

Significance paired_tests(const UserValues& best, const UserValues& other) {
  Significance s;
  if (!best.error.empty() || !other.error.empty()) {
    s.note = best.error.empty() ? other.error : best.error;
    return s;
  }
  std::map<std::string, double> other_by_user;
  for (size_t i = 0; i < other.users.size(); ++i) other_by_user[other.users[i]] = other.values[i];
  std::vector<double> a, b;
  for (size_t i = 0; i < best.users.size(); ++i) {
    auto it = other_by_user.find(best.users[i]);
    if (it == other_by_user.end()) continue;
    a.push_back(best.values[i]);
    b.push_back(it->second);
  }
  s.users = static_cast<int64_t>(a.size());
  if (a.size() < 2) {
    s.note = "fewer than 2 users in common";
    return s;
  }
  const PairedTestResult w = wilcoxon_signed_rank(a, b);
  const PairedTestResult t = paired_t_test(a, b);
  s.available = true;
  s.wilcoxon_p = w.p_value;
  s.wilcoxon_statistic = w.statistic;
  s.wilcoxon_n = w.n;
  s.t_p = t.p_value;
  s.t_statistic = t.statistic;
  return s;
}

}  // namespace seqrec
