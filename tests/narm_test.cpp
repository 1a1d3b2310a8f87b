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
  const PaddingPair pair = short_row_padded_and_alone();
  auto alpha = model->attention(model->encode(pair.padded.items), pair.padded);
  BOOST_TEST(torch::equal(alpha[0].slice(0, 3), torch::zeros({3})));
  BOOST_TEST(alpha[0].slice(0, 0, 3).ne(0).all().item<bool>());
  check_padding_changes_no_score(*model, pair);
}

BOOST_AUTO_TEST_CASE(narm_beats_popularity_on_ml100k) {
  // One epoch is ~770 steps (every prefix a sample) and already beats Pop clearly.
  check_beats_popularity("narm", {"epochs=1", "patience=1"});
}

BOOST_AUTO_TEST_SUITE_END()
