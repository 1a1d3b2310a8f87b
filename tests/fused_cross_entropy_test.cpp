// The fused full-softmax CE against torch's cross_entropy: the same loss and gradient (to
// float32 rounding, or bfloat16's), padding column excluded, extreme scores finite, bad
// targets refused; and a trial that uses it is repeatable and says so in result.json.
#include "models/layers/fused_cross_entropy.h"

#include <boost/test/unit_test.hpp>

#include "core/errors.h"
#include "model_fixtures.h"
#include "models/layers/kernel_choice.h"
#include "models/layers/losses.h"

using namespace seqrec;
using namespace seqrec::testing;

namespace {

struct LossAndGrad {
  double loss;
  torch::Tensor grad;  // float32
};

LossAndGrad torch_reference(const torch::Tensor& logits, const torch::Tensor& targets) {
  auto x = logits.detach().to(torch::kDouble).requires_grad_(true);
  auto loss = torch::nn::functional::cross_entropy(x.slice(1, 1), targets - 1);
  loss.backward();
  return {loss.item<double>(), x.grad().to(torch::kFloat)};
}

LossAndGrad fused(const torch::Tensor& logits, const torch::Tensor& targets) {
  auto x = logits.detach().clone().requires_grad_(true);
  auto loss = fused_full_softmax_cross_entropy(x, targets);
  BOOST_TEST(loss.scalar_type() == torch::kFloat);
  loss.backward();
  BOOST_TEST(x.grad().scalar_type() == logits.scalar_type());
  return {loss.item<double>(), x.grad().to(torch::kFloat)};
}

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(fused_cross_entropy)

BOOST_AUTO_TEST_CASE(float32_matches_torch_in_loss_and_gradient) {
  torch::manual_seed(3);
  // 1001 columns: not a multiple of the 16 lanes, so the tail loops run too.
  const auto logits = torch::randn({37, 1001}) * 4;
  const auto targets = torch::randint(1, 1001, {37}, torch::kLong);
  const auto expected = torch_reference(logits, targets);
  const auto got = fused(logits, targets);
  BOOST_TEST(std::abs(got.loss - expected.loss) < 1e-5 * expected.loss);
  BOOST_TEST(max_abs(got.grad - expected.grad) < 1e-6 * max_abs(expected.grad) + 1e-9);
}

BOOST_AUTO_TEST_CASE(bfloat16_matches_torch_on_the_same_values_to_bfloat16_rounding) {
  torch::manual_seed(4);
  const auto logits = (torch::randn({50, 777}) * 4).to(torch::kBFloat16);
  const auto targets = torch::randint(1, 777, {50}, torch::kLong);
  const auto expected = torch_reference(logits, targets);  // in double, on the bf16 values
  const auto got = fused(logits, targets);
  BOOST_TEST(std::abs(got.loss - expected.loss) < 1e-5 * expected.loss);
  // bfloat16 keeps 8 significant bits: a relative rounding of 2^-8 per element at most.
  BOOST_TEST(max_abs(got.grad - expected.grad) <= max_abs(expected.grad) / 256);
}

BOOST_AUTO_TEST_CASE(padding_column_is_outside_the_softmax) {
  auto logits = torch::zeros({3, 9});
  logits.select(1, 0).fill_(100.0);  // would dominate the softmax if it were in it
  const auto targets = torch::tensor({1, 4, 8}, torch::kLong);
  const auto got = fused(logits, targets);
  BOOST_TEST(std::abs(got.loss - std::log(8.0)) < 1e-6);  // uniform over 8 real items
  BOOST_TEST(max_abs(got.grad.select(1, 0)) == 0.0);
  // Each row: 1/8 everywhere, minus 1 at the target, over 3 rows.
  BOOST_TEST(std::abs(got.grad[1][4].item<double>() - (1.0 / 8 - 1) / 3) < 1e-7);
  BOOST_TEST(std::abs(got.grad[1][5].item<double>() - 1.0 / 8 / 3) < 1e-7);
}

BOOST_AUTO_TEST_CASE(extreme_scores_stay_finite_and_exact) {
  auto logits = torch::full({2, 6}, -1e4);
  logits[0][2] = 1e4;  // row 0: one item certain and it is the target
  logits[1][3] = 1e4;  // row 1: one item certain and the target is another
  const auto targets = torch::tensor({2, 5}, torch::kLong);
  const auto expected = torch_reference(logits, targets);
  const auto got = fused(logits, targets);
  BOOST_TEST(std::isfinite(got.loss));
  BOOST_TEST(std::abs(got.loss - expected.loss) < 1e-3);  // (0 + 2e4) / 2
  BOOST_TEST(torch::allclose(got.grad, expected.grad, 1e-6, 1e-7));
}

BOOST_AUTO_TEST_CASE(targets_outside_the_items_are_refused) {
  const auto logits = torch::zeros({2, 5});
  BOOST_CHECK_THROW(fused_full_softmax_cross_entropy(logits, torch::tensor({0, 1})), c10::Error);
  BOOST_CHECK_THROW(fused_full_softmax_cross_entropy(logits, torch::tensor({1, 5})), c10::Error);
}

BOOST_AUTO_TEST_CASE(the_loss_function_uses_it_only_inside_the_guard) {
  torch::manual_seed(5);
  const auto logits = torch::randn({20, 300}) * 3;
  const auto targets = torch::randint(1, 300, {20}, torch::kLong);
  const auto direct = fused_full_softmax_cross_entropy(logits, targets).item<float>();
  const auto outside = full_softmax_cross_entropy(logits, targets).item<float>();
  KernelChoice choice;
  choice.cross_entropy = CrossEntropyKernel::Fused;
  KernelChoiceGuard guard(choice);
  BOOST_TEST(full_softmax_cross_entropy(logits, targets).item<float>() == direct);
  BOOST_TEST(std::abs(outside - direct) < 1e-5 * std::abs(outside));
}

BOOST_AUTO_TEST_CASE(trial_with_fast_kernels_is_repeatable_and_recorded) {
  const std::vector<std::string> sets = {"loss=ce", "epochs=2", "patience=2",
                                         "cross_entropy=fused"};
  const auto a = train_trial("sasrec", synthetic_dataset(), sets);
  const auto b = train_trial("sasrec", synthetic_dataset(), sets);
  BOOST_TEST(a.at("trainer").at("cross_entropy") == "fused");
  BOOST_TEST(a.at("metrics") == b.at("metrics"));
  BOOST_CHECK_EXCEPTION(make_trial_setup("sasrec", synthetic_dataset().directory, nullptr, "",
                                         {"cross_entropy=mkl"}, 1, 1, "cpu"),
                        InputError, [](const InputError& e) {
                          return std::string(e.what()).find("cross_entropy") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_SUITE_END()
