// Dropout's two mask samplers: torch's stays bit-identical to torch::dropout (recorded trials
// depend on it); the counter sampler keeps the right share at the right scale, is a pure
// function of its key, and makes training repeatable under a fixed seed.
#include "models/layers/dropout.h"

#include <ATen/Parallel.h>

#include <boost/test/unit_test.hpp>

#include "core/errors.h"
#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

BOOST_AUTO_TEST_SUITE(dropout)

BOOST_AUTO_TEST_CASE(torch_sampler_is_torch_dropout_bit_for_bit) {
  const auto x = torch::randn({64, 50, 32});
  torch::manual_seed(5);
  const auto expected = torch::dropout(x, 0.3, true);
  torch::manual_seed(5);
  Dropout module(0.3);
  BOOST_TEST(torch::equal(module(x), expected));
  module->eval();
  BOOST_TEST(torch::equal(module(x), x));
}

BOOST_AUTO_TEST_CASE(counter_mask_keeps_one_minus_p_scaled_by_its_inverse) {
  for (const double p : {0.1, 0.5, 0.9}) {
    for (const auto dtype : {torch::kFloat, torch::kBFloat16, torch::kDouble}) {
      const auto like = torch::empty({1000, 1000}, torch::TensorOptions().dtype(dtype));
      const auto mask = counter_keep_mask(like, p, 12345).to(torch::kDouble);
      const auto kept = mask.ne(0);
      const double share = kept.to(torch::kDouble).mean().item<double>();
      // 1e6 Bernoulli(1 - p) draws: the standard error is at most 5e-4.
      BOOST_TEST(std::abs(share - (1 - p)) < 3e-3, "p " << p << " kept share " << share);
      const auto scale = torch::full({1}, 1.0 / (1 - p), like.options()).to(torch::kDouble);
      BOOST_TEST(mask.masked_select(kept).eq(scale).all().item<bool>());
      BOOST_TEST(mask.scalar_type() == torch::kDouble);
    }
  }
}

BOOST_AUTO_TEST_CASE(counter_mask_depends_on_its_key_alone) {
  const auto like = torch::empty({300, 777});
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const auto one_thread = counter_keep_mask(like, 0.5, 99);
  at::set_num_threads(2);
  const auto two_threads = counter_keep_mask(like, 0.5, 99);
  at::set_num_threads(threads);
  BOOST_TEST(torch::equal(one_thread, two_threads));
  const auto other_key = counter_keep_mask(like, 0.5, 100);
  // Two independent masks at p = 0.5 agree on about half the elements.
  const double agree = one_thread.eq(other_key).to(torch::kDouble).mean().item<double>();
  BOOST_TEST(std::abs(agree - 0.5) < 0.01);
  // Neighbouring elements are not correlated: P(both kept) = 1/4.
  const auto kept = one_thread.ne(0).flatten().to(torch::kDouble);
  const double both = (kept.slice(0, 1) * kept.slice(0, 0, -1)).mean().item<double>();
  BOOST_TEST(std::abs(both - 0.25) < 0.01);
}

BOOST_AUTO_TEST_CASE(counter_sampler_is_used_only_inside_its_guard_and_follows_the_seed) {
  const auto x = torch::randn({32, 50, 64}).requires_grad_(true);
  Dropout module(0.5);
  torch::manual_seed(8);
  const auto outside = module(x);
  torch::manual_seed(8);
  BOOST_TEST(torch::equal(outside, torch::dropout(x, 0.5, true)));
  torch::Tensor first, second;
  {
    KernelChoice counter;
    counter.dropout_rng = DropoutRng::Counter;
    KernelChoiceGuard guard(counter);
    torch::manual_seed(8);
    first = module(x);
    torch::manual_seed(8);
    second = module(x);
    BOOST_TEST(!torch::equal(first, module(x)));  // the next call draws a new key
  }
  BOOST_TEST(torch::equal(first, second));
  BOOST_TEST(!torch::equal(first, outside));
  // Gradients flow through the kept elements only, scaled as the forward pass was.
  first.sum().backward();
  BOOST_TEST(torch::equal(x.grad(), (first / x).nan_to_num(0).where(x.ne(0), first)));
}

BOOST_AUTO_TEST_CASE(trial_with_counter_sampler_is_repeatable_and_recorded) {
  const std::vector<std::string> sets = {"loss=ce", "epochs=2", "patience=2",
                                         "dropout_rng=counter"};
  const auto a = train_trial("sasrec", synthetic_dataset(), sets);
  const auto b = train_trial("sasrec", synthetic_dataset(), sets);
  const auto torch_sampler =
      train_trial("sasrec", synthetic_dataset(), {"loss=ce", "epochs=2", "patience=2"});
  BOOST_TEST(a.at("trainer").at("dropout_rng") == "counter");
  BOOST_TEST(a.at("metrics") == b.at("metrics"));
  BOOST_TEST(a.at("trial_id") != torch_sampler.at("trial_id"));
  BOOST_TEST(a.at("metrics") != torch_sampler.at("metrics"));
}

BOOST_AUTO_TEST_CASE(unknown_sampler_is_an_error_naming_the_key) {
  BOOST_CHECK_EXCEPTION(make_trial_setup("sasrec", synthetic_dataset().directory, nullptr, "",
                                         {"dropout_rng=mkl"}, 1, 1, "cpu"),
                        InputError, [](const InputError& e) {
                          return std::string(e.what()).find("dropout_rng") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_SUITE_END()
