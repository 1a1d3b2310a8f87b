// The fused scores of sampled candidates against torch's gather and batched product: the same
// scores and gradients to float32 rounding, repeated candidates accumulated, the same bits at
// any thread count, other types left to torch, bad ids refused; and a trial that uses it is
// repeatable and says so in result.json.
#include "models/layers/candidate_scores.h"

#include <ATen/Parallel.h>

#include <boost/test/unit_test.hpp>

#include "core/errors.h"
#include "model_fixtures.h"
#include "models/layers/kernel_choice.h"
#include "models/layers/losses.h"

using namespace seqrec;
using namespace seqrec::testing;

namespace {

struct ScoresAndGrads {
  torch::Tensor scores, hidden_grad, items_grad;
};

// A fixed random weighting of the scores, so every gradient entry is exercised.
template <typename ScoreFn>
ScoresAndGrads run(ScoreFn score, const torch::Tensor& hidden, const torch::Tensor& items,
                   const torch::Tensor& candidates, const torch::Tensor& weights) {
  auto h = hidden.detach().clone().requires_grad_(true);
  auto e = items.detach().clone().requires_grad_(true);
  auto scores = score(h, e, candidates);
  (scores * weights.to(scores.scalar_type())).sum().backward();
  return {scores.detach().to(torch::kDouble), h.grad().to(torch::kDouble),
          e.grad().to(torch::kDouble)};
}

struct Case {
  torch::Tensor hidden, items, candidates, weights;
};

// d 70: four vector groups and a tail of six. Candidates repeat within and across rows.
Case random_case(int64_t positions = 37, int64_t n = 9, int64_t rows = 50, int64_t d = 70) {
  torch::manual_seed(11);
  Case c{torch::randn({positions, d}), torch::randn({rows, d}),
         torch::randint(0, rows, {positions, n}, torch::kLong), torch::randn({positions, n})};
  c.candidates.index_put_({0}, 3);  // one row holds the same candidate n times
  return c;
}

double max_relative_gap(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max().clamp_min(1e-12)).item<double>();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(candidate_scores)

BOOST_AUTO_TEST_CASE(float32_matches_torch_in_scores_and_gradients) {
  const auto c = random_case();
  const auto reference = run(gathered_candidate_scores, c.hidden.to(torch::kDouble),
                             c.items.to(torch::kDouble), c.candidates, c.weights);
  const auto fused = run(fused_candidate_scores, c.hidden, c.items, c.candidates, c.weights);
  BOOST_TEST(max_relative_gap(fused.scores, reference.scores) < 1e-5);
  BOOST_TEST(max_relative_gap(fused.hidden_grad, reference.hidden_grad) < 1e-5);
  BOOST_TEST(max_relative_gap(fused.items_grad, reference.items_grad) < 1e-5);
  // Rows no candidate names get no gradient at all.
  auto named = torch::zeros({c.items.size(0)}, torch::kBool);
  named.index_put_({c.candidates.flatten()}, true);
  BOOST_TEST(fused.items_grad.index({~named}).abs().sum().item<double>() == 0.0);
}

BOOST_AUTO_TEST_CASE(a_candidate_named_n_times_gets_n_gradients) {
  const auto c = random_case();
  const auto fused = run(fused_candidate_scores, c.hidden, c.items, c.candidates, c.weights);
  // Row 0 names item 3 nine times; item 3's gradient holds those nine terms plus the others'.
  auto expected = torch::zeros({c.items.size(1)}, torch::kDouble);
  for (int64_t p = 0; p < c.candidates.size(0); ++p)
    for (int64_t k = 0; k < c.candidates.size(1); ++k)
      if (c.candidates[p][k].item<int64_t>() == 3)
        expected += c.weights[p][k].item<double>() * c.hidden[p].to(torch::kDouble);
  BOOST_TEST(max_relative_gap(fused.items_grad[3], expected) < 1e-5);
}

BOOST_AUTO_TEST_CASE(the_same_bits_at_any_thread_count) {
  const auto c = random_case(200, 17, 30, 64);
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const auto one = run(fused_candidate_scores, c.hidden, c.items, c.candidates, c.weights);
  at::set_num_threads(3);
  const auto three = run(fused_candidate_scores, c.hidden, c.items, c.candidates, c.weights);
  at::set_num_threads(threads);
  BOOST_TEST(torch::equal(one.scores, three.scores));
  BOOST_TEST(torch::equal(one.hidden_grad, three.hidden_grad));
  BOOST_TEST(torch::equal(one.items_grad, three.items_grad));
}

BOOST_AUTO_TEST_CASE(other_types_are_left_to_torch) {
  const auto c = random_case();
  const auto h = c.hidden.to(torch::kDouble), e = c.items.to(torch::kDouble);
  BOOST_TEST(torch::equal(fused_candidate_scores(h, e, c.candidates),
                          gathered_candidate_scores(h, e, c.candidates)));
}

BOOST_AUTO_TEST_CASE(ids_outside_the_table_are_refused) {
  const auto c = random_case();
  auto bad = c.candidates.clone();
  bad.index_put_({2, 1}, c.items.size(0));
  BOOST_CHECK_THROW(fused_candidate_scores(c.hidden, c.items, bad), c10::Error);
  bad.index_put_({2, 1}, -1);
  BOOST_CHECK_THROW(fused_candidate_scores(c.hidden, c.items, bad), c10::Error);
}

BOOST_AUTO_TEST_CASE(the_losses_use_it_only_inside_the_guard) {
  const auto c = random_case(40, 1, 300, 32);
  const auto targets = torch::randint(1, 300, {40}, torch::kLong);
  for (const std::string kind : {"bce", "sampled_softmax", "gbce"}) {
    NextItemLossOptions o;
    o.kind = kind;
    o.num_negatives = 20;
    torch::manual_seed(3);
    const auto outside = next_item_loss(c.hidden, targets, c.items, o).item<double>();
    KernelChoice choice;
    choice.candidate_scores = CandidateScoresKernel::Fused;
    KernelChoiceGuard guard(choice);
    torch::manual_seed(3);  // the same negatives
    const auto inside = next_item_loss(c.hidden, targets, c.items, o).item<double>();
    BOOST_TEST(std::abs(inside - outside) < 1e-5 * std::abs(outside), kind);
  }
}

BOOST_AUTO_TEST_CASE(trial_with_fused_candidate_scores_is_repeatable_and_recorded) {
  const std::vector<std::string> sets = {"loss=sampled_softmax", "num_negatives=16", "epochs=2",
                                         "patience=2", "candidate_scores=fused"};
  const auto a = train_trial("sasrec", synthetic_dataset(), sets);
  const auto b = train_trial("sasrec", synthetic_dataset(), sets);
  BOOST_TEST(a.at("trainer").at("candidate_scores") == "fused");
  BOOST_TEST(a.at("metrics") == b.at("metrics"));
  BOOST_CHECK_EXCEPTION(make_trial_setup("sasrec", synthetic_dataset().directory, nullptr, "",
                                         {"candidate_scores=blas"}, 1, 1, "cpu"),
                        InputError, [](const InputError& e) {
                          return std::string(e.what()).find("candidate_scores") !=
                                 std::string::npos;
                        });
}

BOOST_AUTO_TEST_SUITE_END()
