#include "harness/report/report_model.h"

#include <algorithm>
#include <cmath>

namespace seqrec {

std::vector<uint64_t> Configuration::seeds() const {
  std::vector<uint64_t> s;
  for (const auto& t : trials) s.push_back(t.seed);
  return s;
}

double Configuration::test_mean(const std::string& metric) const {
  auto it = test.find(metric);
  return it == test.end() ? std::nan("") : it->second.mean;
}

double Configuration::test_std(const std::string& metric) const {
  auto it = test.find(metric);
  return it == test.end() ? std::nan("") : it->second.std;
}

std::vector<std::string> ReportGroup::headline_metrics() const {
  std::vector<std::string> m{valid_metric};
  if (valid_metric != "HR@10" &&
      std::find(columns.begin(), columns.end(), "HR@10") != columns.end())
    m.push_back("HR@10");
  return m;
}

}  // namespace seqrec
