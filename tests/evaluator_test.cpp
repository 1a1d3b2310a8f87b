// Full-ranking evaluator: counting-based ranks against a sort-based brute force, masking of
// padding and seen items, per-user rows, batching invariance and the top-k dump.
#include "harness/evaluator.h"

#include <torch/torch.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/rank_counting.h"

using seqrec::EvalResult;
using seqrec::FullRankingEvaluator;
using seqrec::MetricSpec;
using seqrec::TieRule;

namespace {

const std::vector<TieRule> kAllRules{TieRule::Expected, TieRule::Pessimistic, TieRule::Optimistic};

MetricSpec all_metrics_at(std::vector<int> ks) {
  MetricSpec spec;
  spec.ks = std::move(ks);
  return spec;
}

torch::Tensor float_matrix(const std::vector<std::vector<double>>& rows) {
  const int64_t cols = static_cast<int64_t>(rows.at(0).size());
  torch::Tensor m = torch::empty({static_cast<int64_t>(rows.size()), cols}, torch::kFloat);
  auto a = m.accessor<float, 2>();
  for (size_t r = 0; r < rows.size(); ++r) {
    for (int64_t c = 0; c < cols; ++c) a[r][c] = static_cast<float>(rows[r][c]);
  }
  return m;
}

torch::Tensor long_vector(const std::vector<int64_t>& values) {
  return torch::tensor(values, torch::kLong);
}

torch::Tensor long_matrix(const std::vector<std::vector<int64_t>>& rows) {
  const int64_t cols = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
  torch::Tensor m = torch::zeros({static_cast<int64_t>(rows.size()), cols}, torch::kLong);
  auto a = m.accessor<int64_t, 2>();
  for (size_t r = 0; r < rows.size(); ++r) {
    for (int64_t c = 0; c < cols; ++c) a[r][c] = rows[r][c];
  }
  return m;
}

torch::Tensor no_seen(int64_t batch) { return torch::zeros({batch, 0}, torch::kLong); }

EvalResult evaluate_one_batch(const MetricSpec& spec, TieRule rule, bool mask_seen,
                              const torch::Tensor& scores, const torch::Tensor& targets,
                              const torch::Tensor& seen, int dump_top_k = 0) {
  FullRankingEvaluator evaluator(spec, rule, mask_seen, dump_top_k);
  evaluator.add_batch(scores, targets, seen, torch::arange(scores.size(0), torch::kLong));
  return evaluator.finish();
}

// ---- Sort-based brute force, independent of the counting code path. ----

struct Problem {
  std::vector<std::vector<double>> scores;  // [users][N+1], column 0 = padding
  std::vector<int64_t> targets;
  std::vector<std::vector<int64_t>> seen;  // fixed width, 0 = padding
};

// Integer scores in 0..4 over 50 items give large tie blocks; the padding column gets random
// scores too (often the highest). A third of the seen lists contain the target.
Problem random_problem(int users, int items, int seen_width, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> score(0, 4);
  std::uniform_int_distribution<int64_t> item(1, items);
  std::uniform_int_distribution<int64_t> seen_id(0, items);
  std::bernoulli_distribution target_was_seen(1.0 / 3.0);
  Problem p;
  for (int u = 0; u < users; ++u) {
    std::vector<double> row(items + 1);
    for (double& s : row) s = score(rng);
    p.scores.push_back(row);
    p.targets.push_back(item(rng));
    std::vector<int64_t> seen(seen_width);
    for (int64_t& s : seen) s = seen_id(rng);
    if (target_was_seen(rng)) seen[rng() % seen_width] = p.targets.back();
    p.seen.push_back(seen);
  }
  return p;
}

// The target's possible 1-based ranks after a full sort of the candidates by descending score:
// one rank for pessimistic (target last among equals) and optimistic (first among equals),
// every position of the tie block for expected.
std::vector<int64_t> sorted_target_ranks(const std::vector<double>& scores, int64_t target,
                                         const std::vector<int64_t>& seen, bool mask_seen,
                                         TieRule rule) {
  const std::set<int64_t> seen_set(seen.begin(), seen.end());
  std::vector<int64_t> candidates;
  for (int64_t item = 1; item < static_cast<int64_t>(scores.size()); ++item) {
    if (mask_seen && item != target && seen_set.count(item)) continue;
    candidates.push_back(item);
  }
  const bool target_first_among_equals = rule == TieRule::Optimistic;
  std::stable_sort(candidates.begin(), candidates.end(), [&](int64_t a, int64_t b) {
    if (scores[a] != scores[b]) return scores[a] > scores[b];
    if (a == target || b == target) return (a == target) == target_first_among_equals;
    return false;
  });
  const int64_t position =
      std::find(candidates.begin(), candidates.end(), target) - candidates.begin();
  if (rule != TieRule::Expected) return {position + 1};
  std::vector<int64_t> ranks;
  for (int64_t p = 0; p < static_cast<int64_t>(candidates.size()); ++p) {
    if (scores[candidates[p]] == scores[target]) ranks.push_back(p + 1);
  }
  return ranks;
}

double metric_of_rank(const std::string& metric, int k, int64_t rank) {
  if (rank > k) return 0.0;
  if (metric == "HR" || metric == "Recall") return 1.0;
  if (metric == "Precision") return 1.0 / k;
  if (metric == "MRR") return 1.0 / static_cast<double>(rank);
  if (metric == "NDCG") return 1.0 / std::log2(static_cast<double>(rank) + 1.0);
  throw std::logic_error("metric " + metric);
}

// Per-user rows in MetricSpec::columns() order.
std::vector<std::vector<double>> brute_force_rows(const Problem& p, const MetricSpec& spec,
                                                  TieRule rule, bool mask_seen) {
  std::vector<std::vector<double>> rows;
  for (size_t u = 0; u < p.targets.size(); ++u) {
    const std::vector<int64_t> ranks =
        sorted_target_ranks(p.scores[u], p.targets[u], p.seen[u], mask_seen, rule);
    std::vector<double> row;
    for (const auto& metric : spec.metrics) {
      for (int k : spec.ks) {
        double sum = 0;
        for (int64_t rank : ranks) sum += metric_of_rank(metric, k, rank);
        row.push_back(sum / static_cast<double>(ranks.size()));
      }
    }
    rows.push_back(row);
  }
  return rows;
}

// Adds users [begin, end) of `p` as one batch.
void add_users(FullRankingEvaluator& evaluator, const Problem& p, size_t begin, size_t end) {
  const std::vector<std::vector<double>> scores(p.scores.begin() + begin, p.scores.begin() + end);
  const std::vector<int64_t> targets(p.targets.begin() + begin, p.targets.begin() + end);
  const std::vector<std::vector<int64_t>> seen(p.seen.begin() + begin, p.seen.begin() + end);
  evaluator.add_batch(
      float_matrix(scores), long_vector(targets), long_matrix(seen),
      torch::arange(static_cast<int64_t>(begin), static_cast<int64_t>(end), torch::kLong));
}

// Evaluates `p` in consecutive batches of the given sizes (the last one repeats).
EvalResult evaluate_in_batches(const Problem& p, const MetricSpec& spec, TieRule rule,
                               bool mask_seen, const std::vector<size_t>& batch_sizes,
                               int dump_top_k = 0) {
  FullRankingEvaluator evaluator(spec, rule, mask_seen, dump_top_k);
  size_t begin = 0;
  for (size_t i = 0; begin < p.targets.size(); ++i) {
    const size_t size = batch_sizes[std::min(i, batch_sizes.size() - 1)];
    const size_t end = std::min(begin + size, p.targets.size());
    add_users(evaluator, p, begin, end);
    begin = end;
  }
  return evaluator.finish();
}

double max_abs_difference(const std::vector<std::vector<double>>& a,
                          const std::vector<std::vector<double>>& b) {
  double worst = 0;
  for (size_t r = 0; r < a.size(); ++r) {
    for (size_t c = 0; c < a[r].size(); ++c) worst = std::max(worst, std::abs(a[r][c] - b[r][c]));
  }
  return worst;
}

// The example of metrics_test over items 1..6, plus a padding column scored highest:
//   column: 0(pad) 1    2    3    4(T) 5    6
//   score:  5.0    0.9  0.5  0.5  0.5  0.1  0.0
// h = 1 (item 1; padding never counts), t = 2 (items 2, 3).
torch::Tensor example_scores() { return float_matrix({{5.0, 0.9, 0.5, 0.5, 0.5, 0.1, 0.0}}); }

}  // namespace

BOOST_AUTO_TEST_SUITE(evaluator)

BOOST_AUTO_TEST_CASE(ranks_are_counted_with_padding_excluded_for_every_tie_rule) {
  const MetricSpec spec = all_metrics_at({2, 4});
  const torch::Tensor targets = long_vector({4});
  // Pessimistic rank 4: HR@2 = 0, HR@4 = 1, MRR@4 = 1/4.
  // Optimistic rank 2: HR@2 = 1, MRR@2 = 1/2, NDCG@2 = 1/log2(3).
  // Expected ranks {2, 3, 4}: HR@2 = 1/3, MRR@4 = (1/2 + 1/3 + 1/4) / 3 = 13/36.
  const EvalResult pessimistic =
      evaluate_one_batch(spec, TieRule::Pessimistic, false, example_scores(), targets, no_seen(1));
  BOOST_TEST(pessimistic.value("HR@2") == 0.0);
  BOOST_TEST(pessimistic.value("HR@4") == 1.0);
  BOOST_TEST(pessimistic.value("MRR@4") == 0.25, boost::test_tools::tolerance(1e-12));
  const EvalResult optimistic =
      evaluate_one_batch(spec, TieRule::Optimistic, false, example_scores(), targets, no_seen(1));
  BOOST_TEST(optimistic.value("HR@2") == 1.0);
  BOOST_TEST(optimistic.value("MRR@2") == 0.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(optimistic.value("NDCG@2") == 1.0 / std::log2(3.0),
             boost::test_tools::tolerance(1e-12));
  const EvalResult expected =
      evaluate_one_batch(spec, TieRule::Expected, false, example_scores(), targets, no_seen(1));
  BOOST_TEST(expected.value("HR@2") == 1.0 / 3.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(expected.value("MRR@4") == 13.0 / 36.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(expected.value("Precision@2") == 1.0 / 6.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(padding_column_never_counts_even_with_the_highest_score) {
  // Padding 100 is above everything; item 3 is the best real item and is the target.
  const torch::Tensor scores = float_matrix({{100.0, 1.0, 2.0, 3.0}});
  const EvalResult r = evaluate_one_batch(all_metrics_at({1}), TieRule::Pessimistic, false, scores,
                                          long_vector({3}), no_seen(1));
  BOOST_TEST(r.value("HR@1") == 1.0);
  BOOST_TEST(r.value("MRR@1") == 1.0);
}

BOOST_AUTO_TEST_CASE(padding_column_never_ties_with_the_target) {
  const torch::Tensor scores = float_matrix({{3.0, 1.0, 2.0, 3.0}});
  const EvalResult r = evaluate_one_batch(all_metrics_at({1}), TieRule::Expected, false, scores,
                                          long_vector({3}), no_seen(1));
  BOOST_TEST(r.value("HR@1") == 1.0);
}

BOOST_AUTO_TEST_CASE(agrees_with_sort_based_brute_force_on_random_ties) {
  // 200 users, 50 items, integer scores 0..4, seen lists of 8 (some holding the target);
  // every metric at k = 1, 5, 10, 20, every tie rule, masking on and off.
  const Problem p = random_problem(200, 50, 8, 20240601);
  const MetricSpec spec = all_metrics_at({1, 5, 10, 20});
  for (TieRule rule : kAllRules) {
    for (bool mask_seen : {false, true}) {
      BOOST_TEST_CONTEXT("rule " << seqrec::to_string(rule) << ", mask_seen " << mask_seen) {
        const EvalResult r = evaluate_in_batches(p, spec, rule, mask_seen, {64});
        const auto expected = brute_force_rows(p, spec, rule, mask_seen);
        BOOST_TEST_REQUIRE(r.per_user.size() == expected.size());
        BOOST_TEST(max_abs_difference(r.per_user, expected) <= 1e-12);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(fused_and_tensor_op_rank_counts_agree) {
  // The CPU evaluates with the fused one-pass count, other devices with tensor ops: both
  // must give the same counts, in float and double, with seen lists holding duplicates,
  // padding and the target.
  const Problem p = random_problem(300, 50, 12, 99);
  torch::Tensor seen = torch::empty({300, 12}, torch::kLong);
  for (int64_t u = 0; u < 300; ++u)
    for (int64_t j = 0; j < 12; ++j) seen[u][j] = p.seen[u][j % 6];  // each id twice
  const torch::Tensor targets = torch::tensor(p.targets, torch::kLong).view({-1, 1});
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    const torch::Tensor scores = float_matrix(p.scores).to(dtype);
    for (const torch::Tensor& masked : {seen, torch::Tensor()}) {
      const auto fused = seqrec::count_ranks_fused(scores, targets, masked);
      const auto ops = seqrec::count_ranks_with_tensor_ops(scores, targets, masked);
      BOOST_TEST(torch::equal(fused.higher, ops.higher));
      BOOST_TEST(torch::equal(fused.tied, ops.tied));
      BOOST_TEST(fused.tied.max().item<int64_t>() > 0);  // ties are exercised
    }
  }
}

BOOST_AUTO_TEST_CASE(masking_seen_items_changes_ranks_of_random_problem) {
  // Guards the brute-force comparison against a vacuous pass: the seen lists must matter.
  const Problem p = random_problem(200, 50, 8, 7);
  const MetricSpec spec = all_metrics_at({10});
  const EvalResult masked = evaluate_in_batches(p, spec, TieRule::Expected, true, {200});
  const EvalResult unmasked = evaluate_in_batches(p, spec, TieRule::Expected, false, {200});
  BOOST_TEST(masked.value("NDCG@10") > unmasked.value("NDCG@10"));
}

BOOST_AUTO_TEST_CASE(seen_target_is_still_ranked_and_other_seen_items_are_excluded) {
  // Items 1 and 2 score above the target 3; both were seen, and so was the target itself.
  const torch::Tensor scores = float_matrix({{0.0, 9.0, 8.0, 7.0, 1.0}});
  const torch::Tensor seen = long_matrix({{1, 0, 3, 2}});
  const MetricSpec spec = all_metrics_at({1});
  const EvalResult masked =
      evaluate_one_batch(spec, TieRule::Pessimistic, true, scores, long_vector({3}), seen);
  BOOST_TEST(masked.value("HR@1") == 1.0);  // rank 1 among {3, 4}
  const EvalResult unmasked =
      evaluate_one_batch(spec, TieRule::Pessimistic, false, scores, long_vector({3}), seen);
  BOOST_TEST(unmasked.value("MRR@1") == 0.0);  // rank 3 among {1, 2, 3, 4}
}

BOOST_AUTO_TEST_CASE(non_finite_target_score_throws) {
  const MetricSpec spec = all_metrics_at({1});
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                    -std::numeric_limits<float>::infinity()}) {
    torch::Tensor scores = float_matrix({{0.0, 1.0, 2.0}, {0.0, 1.0, 2.0}});
    scores[1][2] = bad;
    FullRankingEvaluator evaluator(spec, TieRule::Expected, false);
    BOOST_CHECK_THROW(
        evaluator.add_batch(scores, long_vector({1, 2}), no_seen(2), long_vector({10, 11})),
        std::runtime_error);
  }
}

BOOST_AUTO_TEST_CASE(target_ids_outside_the_catalog_are_refused) {
  FullRankingEvaluator evaluator(all_metrics_at({1}), TieRule::Expected, false);
  const torch::Tensor scores = float_matrix({{0.0, 1.0, 2.0}});
  BOOST_CHECK_THROW(evaluator.add_batch(scores, long_vector({0}), no_seen(1), long_vector({0})),
                    std::invalid_argument);
  BOOST_CHECK_THROW(evaluator.add_batch(scores, long_vector({3}), no_seen(1), long_vector({0})),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(rows_can_be_returned_by_user_index_whatever_order_they_were_added_in) {
  // Targets at ranks 1, 2 and 3 for users 42, 7 and 19.
  const torch::Tensor scores = float_matrix({{0, 3, 2, 1}, {0, 3, 2, 1}, {0, 3, 2, 1}});
  FullRankingEvaluator evaluator(all_metrics_at({5}), TieRule::Expected, false);
  evaluator.add_batch(scores, long_vector({1, 2, 3}), no_seen(3), long_vector({42, 7, 19}));
  const EvalResult r = evaluator.finish(FullRankingEvaluator::RowOrder::ByUser);
  const std::vector<int64_t> expected_users{7, 19, 42};
  BOOST_TEST(r.users == expected_users, boost::test_tools::per_element());
  const size_t mrr = std::find(r.columns.begin(), r.columns.end(), "MRR@5") - r.columns.begin();
  const std::vector<double> expected_mrr{1.0 / 2, 1.0 / 3, 1.0};
  for (size_t u = 0; u < expected_mrr.size(); ++u)
    BOOST_TEST(r.per_user[u][mrr] == expected_mrr[u], boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.mean[mrr] == (1.0 + 1.0 / 2 + 1.0 / 3) / 3, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(per_user_rows_follow_batch_order_and_carry_user_ids) {
  // Three users whose targets sit at ranks 1, 2 and 3 (no ties).
  const torch::Tensor scores = float_matrix({{0, 3, 2, 1}, {0, 3, 2, 1}, {0, 3, 2, 1}});
  FullRankingEvaluator evaluator(all_metrics_at({5}), TieRule::Expected, false);
  evaluator.add_batch(scores, long_vector({1, 2, 3}), no_seen(3), long_vector({42, 7, 19}));
  evaluator.add_batch(scores.narrow(0, 0, 1), long_vector({3}), no_seen(1), long_vector({3}));
  const EvalResult r = evaluator.finish();
  const std::vector<int64_t> expected_users{42, 7, 19, 3};
  BOOST_TEST(r.users == expected_users, boost::test_tools::per_element());
  const size_t mrr = std::find(r.columns.begin(), r.columns.end(), "MRR@5") - r.columns.begin();
  const std::vector<double> expected_mrr{1.0, 1.0 / 2, 1.0 / 3, 1.0 / 3};
  for (size_t u = 0; u < expected_mrr.size(); ++u) {
    BOOST_TEST(r.per_user[u][mrr] == expected_mrr[u], boost::test_tools::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(means_equal_the_mean_of_per_user_rows) {
  const Problem p = random_problem(100, 30, 5, 11);
  const EvalResult r =
      evaluate_in_batches(p, all_metrics_at({1, 5, 10}), TieRule::Expected, true, {32});
  BOOST_TEST_REQUIRE(r.mean.size() == r.columns.size());
  for (size_t c = 0; c < r.columns.size(); ++c) {
    double sum = 0;
    for (const auto& row : r.per_user) sum += row[c];
    BOOST_TEST(r.mean[c] == sum / static_cast<double>(r.per_user.size()),
               boost::test_tools::tolerance(1e-12));
    BOOST_TEST(r.value(r.columns[c]) == r.mean[c]);
  }
}

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_how_users_are_split_into_batches) {
  const Problem p = random_problem(200, 50, 8, 3);
  const MetricSpec spec = all_metrics_at({1, 5, 10, 20});
  const EvalResult whole = evaluate_in_batches(p, spec, TieRule::Expected, true, {200});
  for (const std::vector<size_t>& split :
       std::vector<std::vector<size_t>>{{1}, {7}, {64}, {3, 150, 1}}) {
    const EvalResult batched = evaluate_in_batches(p, spec, TieRule::Expected, true, split);
    BOOST_TEST(batched.users == whole.users, boost::test_tools::per_element());
    BOOST_TEST((batched.per_user == whole.per_user));  // bit-identical rows
    BOOST_TEST(batched.mean == whole.mean, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(top_k_dump_lists_best_items_never_padding_never_seen) {
  // Distinct scores: the best items are 5, 4, 3, 2, 1 in that order; padding is highest.
  const torch::Tensor scores = float_matrix({{99, 1, 2, 3, 4, 5, 0.5}, {99, 6, 5, 4, 3, 2, 1}});
  const torch::Tensor seen = long_matrix({{5, 0, 3}, {0, 0, 0}});
  const EvalResult unmasked = evaluate_one_batch(all_metrics_at({1}), TieRule::Expected, false,
                                                 scores, long_vector({1, 1}), seen, 3);
  const std::vector<std::vector<int64_t>> best_unmasked{{5, 4, 3}, {1, 2, 3}};
  BOOST_TEST((unmasked.top_items == best_unmasked));
  const EvalResult masked = evaluate_one_batch(all_metrics_at({1}), TieRule::Expected, true, scores,
                                               long_vector({1, 1}), seen, 3);
  const std::vector<std::vector<int64_t>> best_masked{{4, 2, 1}, {1, 2, 3}};
  BOOST_TEST((masked.top_items == best_masked));
}

BOOST_AUTO_TEST_CASE(top_k_dump_on_random_problem_never_lists_padding_or_seen_items) {
  const Problem p = random_problem(50, 30, 10, 5);
  const EvalResult r = evaluate_in_batches(p, all_metrics_at({10}), TieRule::Expected, true, {16},
                                           /*dump_top_k=*/10);
  BOOST_TEST_REQUIRE(r.top_items.size() == 50u);
  for (size_t u = 0; u < r.top_items.size(); ++u) {
    const std::set<int64_t> seen(p.seen[u].begin(), p.seen[u].end());
    BOOST_TEST(r.top_items[u].size() == 10u);
    for (int64_t item : r.top_items[u]) {
      BOOST_TEST(item != 0);
      BOOST_TEST((item == p.targets[u] || seen.count(item) == 0));
    }
  }
}

BOOST_AUTO_TEST_CASE(top_k_dump_is_shorter_when_fewer_unmasked_items_remain) {
  const torch::Tensor scores = float_matrix({{9, 1, 2, 3}});
  const EvalResult r = evaluate_one_batch(all_metrics_at({1}), TieRule::Expected, true, scores,
                                          long_vector({1}), long_matrix({{2, 3}}), 5);
  const std::vector<std::vector<int64_t>> only_target{{1}};
  BOOST_TEST((r.top_items == only_target));
}

BOOST_AUTO_TEST_CASE(caller_scores_are_left_unchanged) {
  const torch::Tensor scores = float_matrix({{9, 1, 2, 3}});
  const torch::Tensor before = scores.clone();
  evaluate_one_batch(all_metrics_at({1}), TieRule::Expected, true, scores, long_vector({1}),
                     long_matrix({{2, 3}}), 2);
  BOOST_TEST(torch::equal(scores, before));
}

BOOST_AUTO_TEST_CASE(double_scores_are_compared_without_rounding_to_float) {
  // 1 + 1e-12 and 1 are equal in float32 but not in double: the target must be ranked first.
  const torch::Tensor scores =
      torch::tensor({0.0, 1.0, 1.0 + 1e-12}, torch::kDouble).reshape({1, 3});
  const EvalResult r = evaluate_one_batch(all_metrics_at({1}), TieRule::Pessimistic, false, scores,
                                          long_vector({2}), no_seen(1));
  BOOST_TEST(r.value("HR@1") == 1.0);
}

BOOST_AUTO_TEST_CASE(unknown_metric_or_column_is_an_input_error) {
  MetricSpec spec;
  spec.metrics = {"NDCG", "AUC"};
  BOOST_CHECK_THROW(FullRankingEvaluator(spec, TieRule::Expected, false), seqrec::InputError);
  const EvalResult r = evaluate_one_batch(all_metrics_at({10}), TieRule::Expected, false,
                                          example_scores(), long_vector({4}), no_seen(1));
  BOOST_CHECK_EXCEPTION(r.value("NDCG@11"), seqrec::InputError, [](const seqrec::InputError& e) {
    const std::string message = e.what();
    return message.find("NDCG@11") != std::string::npos &&
           message.find("NDCG@10") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(cuda_scores_give_the_same_rows_as_cpu_scores) {
  if (!torch::cuda::is_available()) {
    BOOST_TEST_MESSAGE("CUDA not available; CPU-only build, nothing to compare");
    return;
  }
  const Problem p = random_problem(100, 50, 8, 17);
  const MetricSpec spec = all_metrics_at({1, 5, 10, 20});
  std::vector<std::vector<int64_t>> seen = p.seen;
  FullRankingEvaluator on_cuda(spec, TieRule::Expected, true, 5);
  on_cuda.add_batch(float_matrix(p.scores).to(torch::kCUDA),
                    long_vector(p.targets).to(torch::kCUDA), long_matrix(seen).to(torch::kCUDA),
                    torch::arange(100, torch::kLong));
  const EvalResult cuda = on_cuda.finish();
  const EvalResult cpu = evaluate_in_batches(p, spec, TieRule::Expected, true, {100}, 5);
  BOOST_TEST((cuda.per_user == cpu.per_user));
  BOOST_TEST(cuda.users == cpu.users, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
