// Ranking a catalogue chunk by chunk from the factors of the scores (query · itemsᵀ) must give
// exactly what ranking the whole score matrix gives: counts per chunk add up, padding, the
// target and seen items are no candidates in whichever chunk they fall, ties with the target
// survive chunk boundaries, and the top-k dump merges across chunks.
#include <torch/torch.h>

#include <boost/test/unit_test.hpp>
#include <vector>

#include "harness/evaluator.h"
#include "harness/rank_counting.h"

using seqrec::EvalResult;
using seqrec::FullRankingEvaluator;
using seqrec::MetricSpec;
using seqrec::TieRule;

namespace {

// Small integer factors: every product is exact in float32, and with 3 values per entry and
// d = 2 the 60 items fall into few score levels, so ties with the target are everywhere.
struct FactoredProblem {
  torch::Tensor query, items, targets, seen, users;
};

FactoredProblem integer_problem(int64_t users, int64_t num_items, uint64_t seed) {
  torch::manual_seed(seed);
  FactoredProblem p;
  p.query = torch::randint(-1, 2, {users, 2}).to(torch::kFloat);
  p.items = torch::randint(-1, 2, {num_items + 1, 2}).to(torch::kFloat);
  p.items[0].fill_(5);  // padding would beat every item if it were a candidate
  p.targets = torch::randint(1, num_items + 1, {users}, torch::kLong);
  p.seen = torch::randint(0, num_items + 1, {users, 9}, torch::kLong);
  p.seen.select(1, 0).copy_(p.targets);            // every target was seen before
  p.seen.select(1, 1).copy_(p.seen.select(1, 2));  // duplicate seen ids
  p.users = torch::arange(users, torch::kLong);
  return p;
}

EvalResult whole_matrix(const FactoredProblem& p, TieRule rule, bool mask_seen, int top_k) {
  FullRankingEvaluator evaluator(MetricSpec{}, rule, mask_seen, top_k);
  evaluator.add_batch(torch::matmul(p.query, p.items.t()), p.targets, p.seen, p.users);
  return evaluator.finish();
}

EvalResult in_chunks(const FactoredProblem& p, TieRule rule, bool mask_seen, int top_k,
                     int64_t chunk_items) {
  FullRankingEvaluator evaluator(MetricSpec{}, rule, mask_seen, top_k);
  evaluator.add_factored_batch(p.query, p.items, p.targets, p.seen, p.users, chunk_items);
  return evaluator.finish();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(chunked_evaluation)

BOOST_AUTO_TEST_CASE(chunked_ranks_equal_whole_matrix_ranks_with_ties_and_masking) {
  const FactoredProblem p = integer_problem(120, 60, 11);
  for (TieRule rule : {TieRule::Expected, TieRule::Pessimistic, TieRule::Optimistic}) {
    for (bool mask_seen : {false, true}) {
      const EvalResult whole = whole_matrix(p, rule, mask_seen, 0);
      // 1: every item its own chunk; 7: chunks cut tie blocks; 61: one chunk; 1000: larger.
      for (int64_t chunk : {1, 7, 16, 61, 1000}) {
        BOOST_TEST_CONTEXT("rule " << seqrec::to_string(rule) << ", mask_seen " << mask_seen
                                   << ", chunk " << chunk) {
          const EvalResult chunked = in_chunks(p, rule, mask_seen, 0, chunk);
          BOOST_TEST((chunked.per_user == whole.per_user));
          BOOST_TEST((chunked.users == whole.users));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(ties_are_exercised_by_the_integer_problem) {
  const FactoredProblem p = integer_problem(120, 60, 11);
  const torch::Tensor scores = torch::matmul(p.query, p.items.t());
  const auto counts = seqrec::count_ranks_fused(scores, p.targets.view({-1, 1}), torch::Tensor());
  BOOST_TEST(counts.tied.min().item<int64_t>() > 0);
}

BOOST_AUTO_TEST_CASE(copies_of_the_target_tie_with_it_across_chunks_with_float_factors) {
  // Random float factors, d = 64, and three exact copies of each target's row elsewhere in the
  // catalogue: a copy that ties with the target in the whole matrix must tie with it in every
  // chunk, which holds only if the target's score and the chunks' scores are rounded alike.
  torch::manual_seed(5);
  const int64_t users = 40, num_items = 3000;
  FactoredProblem p;
  p.query = torch::randn({users, 64});
  p.items = torch::randn({num_items + 1, 64});
  p.targets = torch::randint(1, 1000, {users}, torch::kLong);
  for (int64_t u = 0; u < users; ++u) {
    const int64_t target = p.targets[u].item<int64_t>();
    for (int64_t copy = 1; copy <= 3; ++copy) p.items[target + copy * 600].copy_(p.items[target]);
  }
  p.seen = torch::zeros({users, 1}, torch::kLong);
  p.users = torch::arange(users, torch::kLong);
  const EvalResult whole = whole_matrix(p, TieRule::Expected, false, 0);
  for (int64_t chunk : {97, 1024, 4096}) {
    BOOST_TEST_CONTEXT("chunk " << chunk) {
      BOOST_TEST((in_chunks(p, TieRule::Expected, false, 0, chunk).per_user == whole.per_user));
    }
  }
  // Whether exact copies of a row score exactly alike is up to the BLAS kernel: OpenBLAS's
  // Haswell kernel (OPENBLAS_CORETYPE=Haswell on some AMD machines) rounds 3 of these 120
  // copies 1-3 ulp away from their target, its SkylakeX kernel none. So the ties are checked
  // against what the scores say, and the problem must exercise them.
  const torch::Tensor scores = torch::matmul(p.query, p.items.t());
  const torch::Tensor targets = p.targets.view({-1, 1});
  const auto counts = seqrec::count_ranks_fused(scores, targets, torch::Tensor());
  const torch::Tensor items_scores = scores.narrow(1, 1, num_items);  // without padding
  const torch::Tensor equal_to_target = (items_scores == scores.gather(1, targets)).sum(1) - 1;
  BOOST_TEST(torch::equal(counts.tied.view(-1), equal_to_target.to(torch::kLong)));
  BOOST_TEST(equal_to_target.sum().item<int64_t>() >= 2 * users);
}

BOOST_AUTO_TEST_CASE(chunk_counts_add_up_to_whole_row_counts_on_both_implementations) {
  const FactoredProblem p = integer_problem(80, 45, 3);
  const torch::Tensor scores = torch::matmul(p.query, p.items.t());
  const torch::Tensor targets = p.targets.view({-1, 1});
  const torch::Tensor target_scores = scores.gather(1, targets);
  const auto whole = seqrec::count_ranks_fused(scores, targets, p.seen);
  for (bool fused : {true, false}) {
    torch::Tensor higher = torch::zeros({80}, torch::kLong),
                  tied = torch::zeros({80}, torch::kLong);
    for (int64_t first = 0; first <= 45; first += 8) {
      const torch::Tensor chunk = scores.narrow(1, first, std::min<int64_t>(8, 46 - first));
      const auto counts =
          fused ? seqrec::count_ranks_in_chunk_fused(chunk, first, target_scores, targets, p.seen)
                : seqrec::count_ranks_in_chunk_with_tensor_ops(chunk, first, target_scores, targets,
                                                               p.seen);
      higher += counts.higher;
      tied += counts.tied;
    }
    BOOST_TEST_CONTEXT("fused " << fused) {
      BOOST_TEST(torch::equal(higher, whole.higher));
      BOOST_TEST(torch::equal(tied, whole.tied));
    }
  }
}

BOOST_AUTO_TEST_CASE(top_k_dump_merges_across_chunks_without_padding_or_seen_items) {
  // Distinct float scores, so the best K are one list whatever the chunking.
  torch::manual_seed(9);
  FactoredProblem p;
  p.query = torch::randn({30, 16});
  p.items = torch::randn({201, 16});
  p.items[0] = p.query.mean(0) * 100;  // padding scores highest for most users
  p.targets = torch::randint(1, 201, {30}, torch::kLong);
  p.seen = torch::randint(0, 201, {30, 20}, torch::kLong);
  p.users = torch::arange(30, torch::kLong);
  for (bool mask_seen : {false, true}) {
    const EvalResult whole = whole_matrix(p, TieRule::Expected, mask_seen, 10);
    for (int64_t chunk : {3, 50, 201}) {
      BOOST_TEST_CONTEXT("mask_seen " << mask_seen << ", chunk " << chunk) {
        const EvalResult chunked = in_chunks(p, TieRule::Expected, mask_seen, 10, chunk);
        BOOST_TEST((chunked.top_items == whole.top_items));
        for (const auto& row : chunked.top_items) BOOST_TEST(row.size() == 10u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(malformed_factors_are_refused) {
  const FactoredProblem p = integer_problem(4, 10, 1);
  FullRankingEvaluator evaluator(MetricSpec{}, TieRule::Expected, true);
  BOOST_CHECK_THROW(
      evaluator.add_factored_batch(p.query, p.items.narrow(1, 0, 1), p.targets, p.seen, p.users, 4),
      std::invalid_argument);
  BOOST_CHECK_THROW(evaluator.add_factored_batch(p.query, p.items, p.targets, p.seen, p.users, 0),
                    std::invalid_argument);
  BOOST_CHECK_THROW(
      evaluator.add_factored_batch(p.query, p.items, p.targets + 100, p.seen, p.users, 4),
      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
