#pragma once
// Ranking metrics of a single held-out target, computed from counts rather than a sort:
// `higher` = number of candidate items scored strictly above the target, `tied` = number of
// other candidate items scored exactly equal to it.
#include <cstdint>
#include <string>
#include <vector>

namespace seqrec {

enum class TieRule {
  Expected,     // expected metric over a uniformly random order of the tied items (default)
  Pessimistic,  // target ranked after every tied item
  Optimistic,   // target ranked before every tied item
};
TieRule parse_tie_rule(const std::string& name);  // throws InputError on unknown names
std::string to_string(TieRule rule);

struct MetricSpec {
  std::vector<std::string> metrics{"HR", "Recall", "NDCG", "MRR", "Precision"};
  std::vector<int> ks{5, 10, 20};
  // Column names in a fixed order: for each metric, for each k: "HR@5", "HR@10", ...
  std::vector<std::string> columns() const;
};

// Writes one value per column of `spec` into `out` (size spec.columns().size()).
// Single target per user, so Recall@k = HR@k and Precision@k = HR@k / k.
// MRR@k = E[1/rank if rank <= k else 0]; NDCG@k = E[1/log2(rank+1) if rank <= k else 0].
void metrics_from_rank_counts(int64_t higher, int64_t tied, TieRule rule, const MetricSpec& spec,
                              double* out);

}  // namespace seqrec
