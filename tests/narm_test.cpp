#include "baselines/narm.h"

#include <boost/test/unit_test.hpp>

#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

BOOST_AUTO_TEST_SUITE(narm)

BOOST_AUTO_TEST_CASE(hidden_state_at_a_position_ignores_later_items) {
  auto built = build_model("narm", synthetic_dataset());
  auto* model = dynamic_cast<NARMImpl*>(built->model.get());
  BOOST_REQUIRE(model);
  model->eval();
  check_causal([&](const torch::Tensor& x) { return model->encode(x); });
}

BOOST_AUTO_TEST_CASE(attention_ignores_padding) {
  auto built = build_model("narm", synthetic_dataset());
  auto* model = dynamic_cast<NARMImpl*>(built->model.get());
  BOOST_REQUIRE(model);
  model->eval();
  torch::NoGradGuard no_grad;
  // Row 0 is short and padded to the batch width; row 1 is the same sequence unpadded.
  Batch padded, alone;
  padded.items = torch::tensor({{3, 5, 7, 0, 0, 0}, {8, 6, 4, 2, 9, 1}}, torch::kInt64);
  padded.lengths = torch::tensor({3, 6}, torch::kInt64);
  alone.items = torch::tensor({{3, 5, 7}}, torch::kInt64);
  alone.lengths = torch::tensor({3}, torch::kInt64);
  auto alpha = model->attention(model->encode(padded.items), padded);
  BOOST_TEST(torch::equal(alpha[0].slice(0, 3), torch::zeros({3})));
  BOOST_TEST(alpha[0].slice(0, 0, 3).ne(0).all().item<bool>());
  auto a = model->score(padded)[0], b = model->score(alone)[0];
  BOOST_TEST(torch::allclose(a, b, 1e-5, 1e-6), "max diff " << (a - b).abs().max().item<double>());
}

BOOST_AUTO_TEST_CASE(narm_beats_popularity_on_ml100k) {
  // One epoch is ~770 steps (every prefix a sample) and already beats Pop clearly.
  check_beats_popularity("narm", {"epochs=1", "patience=1"});
}

BOOST_AUTO_TEST_SUITE_END()
