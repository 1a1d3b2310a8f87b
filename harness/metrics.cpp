#include "harness/metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/errors.h"

namespace seqrec {
namespace {

enum class MetricKind { HR, Recall, NDCG, MRR, Precision };

const char* const kMetricNames = "HR, Recall, NDCG, MRR, Precision";
const char* const kTieRuleNames = "expected, pessimistic, optimistic";

MetricKind parse_metric(const std::string& name) {
  if (name == "HR") return MetricKind::HR;
  if (name == "Recall") return MetricKind::Recall;
  if (name == "NDCG") return MetricKind::NDCG;
  if (name == "MRR") return MetricKind::MRR;
  if (name == "Precision") return MetricKind::Precision;
  throw InputError("unknown metric '" + name + "' (accepted: " + kMetricNames + ")");
}

void check_k(int k) {
  if (k < 1) throw InputError("metric cut-off k must be >= 1, got " + std::to_string(k));
}

// The target's rank is uniformly distributed over [first_rank, last_rank]: a tie block of
// t + 1 items (the target and t others) placed after `higher` items. Averaging the metric over
// every order of the tied items is the tie-aware measure of McSherry & Najork, "Computing
// Information Retrieval Performance Measures Efficiently in the Presence of Tied Scores"
// (ECIR 2008). Pessimistic and
// optimistic rules collapse the range to one rank.
struct RankRange {
  int64_t first_rank;
  int64_t last_rank;
};

RankRange rank_range(int64_t higher, int64_t tied, TieRule rule) {
  switch (rule) {
    case TieRule::Pessimistic:
      return {higher + tied + 1, higher + tied + 1};
    case TieRule::Optimistic:
      return {higher + 1, higher + 1};
    case TieRule::Expected:
      return {higher + 1, higher + tied + 1};
  }
  throw std::logic_error("unhandled TieRule");
}

// Expectations, over the rank range, of the three quantities every metric is built from.
struct CutoffExpectations {
  double hit = 0;              // P(rank <= k)
  double reciprocal_rank = 0;  // E[1/rank; rank <= k]
  double discounted_gain = 0;  // E[1/log2(rank + 1); rank <= k]
};

// Only ranks <= k contribute, so the loop runs at most k times however large the tie block
// is (a model that scores everything equal gives t = N - 1).
CutoffExpectations expectations_at(const RankRange& range, int k) {
  CutoffExpectations e;
  const int64_t last_counted = std::min<int64_t>(range.last_rank, k);
  if (last_counted < range.first_rank) return e;
  for (int64_t rank = range.first_rank; rank <= last_counted; ++rank) {
    e.reciprocal_rank += 1.0 / static_cast<double>(rank);
    e.discounted_gain += 1.0 / std::log2(static_cast<double>(rank + 1));
  }
  const double positions = static_cast<double>(range.last_rank - range.first_rank + 1);
  e.hit = static_cast<double>(last_counted - range.first_rank + 1) / positions;
  e.reciprocal_rank /= positions;
  e.discounted_gain /= positions;
  return e;
}

// With one held-out item per user: Recall@k = HR@k, Precision@k = HR@k / k, and the ideal
// DCG is 1 so NDCG@k = DCG@k (the usual full-ranking definitions, e.g. RecBole's metrics with
// a single positive item).
double metric_value(MetricKind kind, const CutoffExpectations& e, int k) {
  switch (kind) {
    case MetricKind::HR:
    case MetricKind::Recall:
      return e.hit;
    case MetricKind::NDCG:
      return e.discounted_gain;
    case MetricKind::MRR:
      return e.reciprocal_rank;
    case MetricKind::Precision:
      return e.hit / static_cast<double>(k);
  }
  throw std::logic_error("unhandled MetricKind");
}

}  // namespace

TieRule parse_tie_rule(const std::string& name) {
  if (name == "expected") return TieRule::Expected;
  if (name == "pessimistic") return TieRule::Pessimistic;
  if (name == "optimistic") return TieRule::Optimistic;
  throw InputError("unknown tie rule '" + name + "' (accepted: " + kTieRuleNames + ")");
}

std::string to_string(TieRule rule) {
  switch (rule) {
    case TieRule::Expected:
      return "expected";
    case TieRule::Pessimistic:
      return "pessimistic";
    case TieRule::Optimistic:
      return "optimistic";
  }
  throw std::logic_error("unhandled TieRule");
}

std::vector<std::string> MetricSpec::columns() const {
  std::vector<std::string> names;
  names.reserve(metrics.size() * ks.size());
  for (const auto& metric : metrics) {
    parse_metric(metric);  // validates the name
    for (int k : ks) {
      check_k(k);
      names.push_back(metric + "@" + std::to_string(k));
    }
  }
  return names;
}

void metrics_from_rank_counts(int64_t higher, int64_t tied, TieRule rule, const MetricSpec& spec,
                              double* out) {
  if (higher < 0 || tied < 0) {
    throw std::invalid_argument("rank counts must be non-negative, got higher=" +
                                std::to_string(higher) + " tied=" + std::to_string(tied));
  }
  const RankRange range = rank_range(higher, tied, rule);
  const size_t num_ks = spec.ks.size();
  // Columns are metric-major (see MetricSpec::columns); each k's expectations are computed
  // once and shared by every metric.
  for (size_t k_index = 0; k_index < num_ks; ++k_index) {
    const int k = spec.ks[k_index];
    check_k(k);
    const CutoffExpectations e = expectations_at(range, k);
    for (size_t m = 0; m < spec.metrics.size(); ++m) {
      out[m * num_ks + k_index] = metric_value(parse_metric(spec.metrics[m]), e, k);
    }
  }
}

}  // namespace seqrec
