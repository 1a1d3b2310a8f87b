// Ranking metrics from rank counts: hand-computed cases for every tie rule and metric.
#include "harness/metrics.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "core/errors.h"

using seqrec::InputError;
using seqrec::MetricSpec;
using seqrec::TieRule;

namespace {

constexpr double kTolerance = 1e-12;

MetricSpec spec_of(std::vector<std::string> metrics, std::vector<int> ks) {
  MetricSpec spec;
  spec.metrics = std::move(metrics);
  spec.ks = std::move(ks);
  return spec;
}

// The single value of `metric`@k for one target with `higher` items above it and `tied`
// items equal to it.
double metric_at(const std::string& metric, int k, int64_t higher, int64_t tied, TieRule rule) {
  const MetricSpec spec = spec_of({metric}, {k});
  double value = -1;
  seqrec::metrics_from_rank_counts(higher, tied, rule, spec, &value);
  return value;
}

double dcg(int rank) { return 1.0 / std::log2(rank + 1.0); }

bool message_contains(const std::exception& e, const std::string& part) {
  return std::string(e.what()).find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

// The running example: 6 candidate items scored
//   item: a    b    c    T    d    e
//   score 0.9  0.5  0.5  0.5  0.1  0.0      (T = target)
// one item is higher (h = 1) and two others tie with the target (t = 2), so the tie block
// covers ranks 2, 3, 4:
//   pessimistic rank = h + t + 1 = 4, optimistic rank = h + 1 = 2,
//   expected: rank 2, 3 or 4, each with probability 1/3.
constexpr int64_t kHigher = 1;
constexpr int64_t kTied = 2;

BOOST_AUTO_TEST_CASE(pessimistic_rule_ranks_target_after_every_tied_item) {
  // rank 4: a hit only from k = 4 on.
  BOOST_TEST(metric_at("HR", 3, kHigher, kTied, TieRule::Pessimistic) == 0.0);
  BOOST_TEST(metric_at("HR", 4, kHigher, kTied, TieRule::Pessimistic) == 1.0);
  BOOST_TEST(metric_at("MRR", 3, kHigher, kTied, TieRule::Pessimistic) == 0.0);
  BOOST_TEST(metric_at("MRR", 5, kHigher, kTied, TieRule::Pessimistic) == 0.25,
             boost::test_tools::tolerance(kTolerance));
  // NDCG@5 = 1/log2(5) = 0.430676558073393...
  BOOST_TEST(metric_at("NDCG", 5, kHigher, kTied, TieRule::Pessimistic) == 0.430676558073393,
             boost::test_tools::tolerance(1e-14));
  // Precision@5 = HR@5 / 5 = 1/5.
  BOOST_TEST(metric_at("Precision", 5, kHigher, kTied, TieRule::Pessimistic) == 0.2,
             boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(optimistic_rule_ranks_target_before_every_tied_item) {
  // rank 2.
  BOOST_TEST(metric_at("HR", 1, kHigher, kTied, TieRule::Optimistic) == 0.0);
  BOOST_TEST(metric_at("HR", 2, kHigher, kTied, TieRule::Optimistic) == 1.0);
  BOOST_TEST(metric_at("Recall", 2, kHigher, kTied, TieRule::Optimistic) == 1.0);
  BOOST_TEST(metric_at("MRR", 2, kHigher, kTied, TieRule::Optimistic) == 0.5,
             boost::test_tools::tolerance(kTolerance));
  // NDCG@2 = 1/log2(3) = 0.630929753571457...
  BOOST_TEST(metric_at("NDCG", 2, kHigher, kTied, TieRule::Optimistic) == 0.6309297535714574,
             boost::test_tools::tolerance(1e-14));
  // Precision@10 = 1/10.
  BOOST_TEST(metric_at("Precision", 10, kHigher, kTied, TieRule::Optimistic) == 0.1,
             boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(expected_rule_with_k_before_the_tie_block_gives_zero) {
  // k = 1 < first rank of the block (2): no position of the target counts.
  for (const char* metric : {"HR", "Recall", "NDCG", "MRR", "Precision"}) {
    BOOST_TEST(metric_at(metric, 1, kHigher, kTied, TieRule::Expected) == 0.0);
  }
}

BOOST_AUTO_TEST_CASE(expected_rule_with_k_at_the_start_of_the_tie_block_counts_one_position) {
  // k = 2: only rank 2 counts, probability 1/3.
  BOOST_TEST(metric_at("HR", 2, kHigher, kTied, TieRule::Expected) == 1.0 / 3.0,
             boost::test_tools::tolerance(kTolerance));
  // MRR@2 = (1/2) / 3 = 1/6.
  BOOST_TEST(metric_at("MRR", 2, kHigher, kTied, TieRule::Expected) == 1.0 / 6.0,
             boost::test_tools::tolerance(kTolerance));
  // NDCG@2 = (1/log2(3)) / 3 = 0.6309297535714574 / 3 = 0.2103099178571525.
  BOOST_TEST(metric_at("NDCG", 2, kHigher, kTied, TieRule::Expected) == 0.2103099178571525,
             boost::test_tools::tolerance(1e-14));
  // Precision@2 = (1/3) / 2 = 1/6.
  BOOST_TEST(metric_at("Precision", 2, kHigher, kTied, TieRule::Expected) == 1.0 / 6.0,
             boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(expected_rule_with_k_inside_the_tie_block_counts_positions_up_to_k) {
  // k = 3: ranks 2 and 3 count.
  // HR@3 = 2/3.
  BOOST_TEST(metric_at("HR", 3, kHigher, kTied, TieRule::Expected) == 2.0 / 3.0,
             boost::test_tools::tolerance(kTolerance));
  BOOST_TEST(metric_at("Recall", 3, kHigher, kTied, TieRule::Expected) == 2.0 / 3.0,
             boost::test_tools::tolerance(kTolerance));
  // NDCG@3 = (1/log2(3) + 1/log2(4)) / 3 = (0.6309297535714574 + 0.5) / 3 = 0.3769765845238191.
  BOOST_TEST(metric_at("NDCG", 3, kHigher, kTied, TieRule::Expected) == 0.3769765845238191,
             boost::test_tools::tolerance(1e-14));
  // MRR@3 = (1/2 + 1/3) / 3 = (5/6) / 3 = 5/18.
  BOOST_TEST(metric_at("MRR", 3, kHigher, kTied, TieRule::Expected) == 5.0 / 18.0,
             boost::test_tools::tolerance(kTolerance));
  // Precision@3 = (2/3) / 3 = 2/9.
  BOOST_TEST(metric_at("Precision", 3, kHigher, kTied, TieRule::Expected) == 2.0 / 9.0,
             boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(expected_rule_with_k_at_the_end_of_the_tie_block_counts_every_position) {
  // k = 4 = last rank of the block: every position counts.
  BOOST_TEST(metric_at("HR", 4, kHigher, kTied, TieRule::Expected) == 1.0);
  // MRR@4 = (1/2 + 1/3 + 1/4) / 3 = (13/12) / 3 = 13/36.
  BOOST_TEST(metric_at("MRR", 4, kHigher, kTied, TieRule::Expected) == 13.0 / 36.0,
             boost::test_tools::tolerance(kTolerance));
  // NDCG@4 = (1/log2(3) + 1/log2(4) + 1/log2(5)) / 3
  //        = (0.6309297535714574 + 0.5 + 0.4306765580733931) / 3 = 0.5205354372149502.
  BOOST_TEST(metric_at("NDCG", 4, kHigher, kTied, TieRule::Expected) == 0.5205354372149502,
             boost::test_tools::tolerance(1e-14));
  // Precision@4 = 1/4.
  BOOST_TEST(metric_at("Precision", 4, kHigher, kTied, TieRule::Expected) == 0.25,
             boost::test_tools::tolerance(kTolerance));
  // k = 20 beyond the block changes nothing but Precision: 1/20.
  BOOST_TEST(metric_at("MRR", 20, kHigher, kTied, TieRule::Expected) == 13.0 / 36.0,
             boost::test_tools::tolerance(kTolerance));
  BOOST_TEST(metric_at("Precision", 20, kHigher, kTied, TieRule::Expected) == 0.05,
             boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(expected_rank_with_three_ties_is_average_over_positions) {
  // h = 0, t = 3: the target is equally likely at ranks 1, 2, 3, 4.
  // MRR@10 = (1 + 1/2 + 1/3 + 1/4) / 4 = (25/12) / 4 = 25/48.
  BOOST_TEST(metric_at("MRR", 10, 0, 3, TieRule::Expected) == 25.0 / 48.0,
             boost::test_tools::tolerance(kTolerance));
  // NDCG@10 = (1 + 1/log2(3) + 1/2 + 1/log2(5)) / 4.
  BOOST_TEST(
      metric_at("NDCG", 10, 0, 3, TieRule::Expected) == (dcg(1) + dcg(2) + dcg(3) + dcg(4)) / 4.0,
      boost::test_tools::tolerance(kTolerance));
  // HR@1 = 1/4: only the first of four positions is a hit.
  BOOST_TEST(metric_at("HR", 1, 0, 3, TieRule::Expected) == 0.25,
             boost::test_tools::tolerance(kTolerance));
}

BOOST_AUTO_TEST_CASE(without_ties_all_rules_agree) {
  for (TieRule rule : {TieRule::Expected, TieRule::Pessimistic, TieRule::Optimistic}) {
    // rank 3: NDCG@5 = 1/log2(4) = 0.5, MRR@5 = 1/3.
    BOOST_TEST(metric_at("NDCG", 5, 2, 0, rule) == 0.5, boost::test_tools::tolerance(kTolerance));
    BOOST_TEST(metric_at("MRR", 5, 2, 0, rule) == 1.0 / 3.0,
               boost::test_tools::tolerance(kTolerance));
    BOOST_TEST(metric_at("HR", 2, 2, 0, rule) == 0.0);
    // rank 1 is a perfect score.
    BOOST_TEST(metric_at("NDCG", 1, 0, 0, rule) == 1.0);
    BOOST_TEST(metric_at("MRR", 1, 0, 0, rule) == 1.0);
  }
}

BOOST_AUTO_TEST_CASE(huge_tie_block_is_computed_exactly_without_looping_over_it) {
  // A constant model over a billion items: t = 10^9 - 1, the target is at any of 10^9 ranks.
  // HR@10 = 10 / 10^9; MRR@10 = H(10) / 10^9 with H(10) = 7381/2520.
  const int64_t tied = 999999999;
  BOOST_TEST(metric_at("HR", 10, 0, tied, TieRule::Expected) == 1e-8,
             boost::test_tools::tolerance(kTolerance));
  BOOST_TEST(metric_at("MRR", 10, 0, tied, TieRule::Expected) == 7381.0 / 2520.0 / 1e9,
             boost::test_tools::tolerance(kTolerance));
  BOOST_TEST(metric_at("HR", 10, 0, tied, TieRule::Pessimistic) == 0.0);
  BOOST_TEST(metric_at("HR", 10, 0, tied, TieRule::Optimistic) == 1.0);
}

BOOST_AUTO_TEST_CASE(values_are_written_metric_major_in_column_order) {
  const MetricSpec spec = spec_of({"HR", "MRR"}, {1, 3});
  const std::vector<std::string> expected_columns{"HR@1", "HR@3", "MRR@1", "MRR@3"};
  BOOST_TEST(spec.columns() == expected_columns, boost::test_tools::per_element());
  std::vector<double> values(4, -1);
  // Example block: h = 1, t = 2, expected rule.
  seqrec::metrics_from_rank_counts(kHigher, kTied, TieRule::Expected, spec, values.data());
  const std::vector<double> expected{0.0, 2.0 / 3.0, 0.0, 5.0 / 18.0};
  for (size_t i = 0; i < values.size(); ++i) {
    BOOST_TEST(values[i] == expected[i], boost::test_tools::tolerance(kTolerance));
  }
}

BOOST_AUTO_TEST_CASE(default_spec_has_every_metric_at_5_10_20) {
  const std::vector<std::string> columns = MetricSpec{}.columns();
  BOOST_TEST(columns.size() == 15u);
  BOOST_TEST(columns.front() == "HR@5");
  BOOST_TEST(columns.back() == "Precision@20");
}

BOOST_AUTO_TEST_CASE(tie_rules_parse_and_print_by_name) {
  for (TieRule rule : {TieRule::Expected, TieRule::Pessimistic, TieRule::Optimistic}) {
    BOOST_TEST((seqrec::parse_tie_rule(seqrec::to_string(rule)) == rule));
  }
  BOOST_TEST(seqrec::to_string(TieRule::Expected) == "expected");
}

BOOST_AUTO_TEST_CASE(unknown_tie_rule_is_an_input_error_naming_it_and_the_accepted_ones) {
  BOOST_CHECK_EXCEPTION(seqrec::parse_tie_rule("median"), InputError, [](const InputError& e) {
    return message_contains(e, "'median'") && message_contains(e, "expected") &&
           message_contains(e, "pessimistic") && message_contains(e, "optimistic");
  });
}

BOOST_AUTO_TEST_CASE(unknown_metric_is_an_input_error_naming_it_and_the_accepted_ones) {
  const MetricSpec spec = spec_of({"HR", "AUC"}, {10});
  const auto names_auc_and_accepted = [](const InputError& e) {
    return message_contains(e, "'AUC'") && message_contains(e, "NDCG") &&
           message_contains(e, "Precision");
  };
  BOOST_CHECK_EXCEPTION(spec.columns(), InputError, names_auc_and_accepted);
  double values[2];
  BOOST_CHECK_EXCEPTION(seqrec::metrics_from_rank_counts(0, 0, TieRule::Expected, spec, values),
                        InputError, names_auc_and_accepted);
}

BOOST_AUTO_TEST_CASE(non_positive_cutoff_is_an_input_error) {
  BOOST_CHECK_THROW(spec_of({"HR"}, {0}).columns(), InputError);
}

BOOST_AUTO_TEST_SUITE_END()
