#include "baselines/stamp.h"

#include <boost/test/unit_test.hpp>

#include "core/errors.h"
#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

namespace {

// In eval mode: these tests read deterministic outputs.
STAMPImpl& as_stamp(BuiltModel& built) {
  auto& model = model_as<STAMPImpl>(built);
  model.eval();
  return model;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stamp)

// STAMP has no per-position states; its causal property is that the representation of a
// prefix reads only that prefix. Position j of `encode` is the representation of items 0..j,
// computed from the whole row with lengths = j + 1, so a later item could leak in.
BOOST_AUTO_TEST_CASE(prefix_representation_ignores_later_items) {
  auto built = build_model("stamp", synthetic_dataset());
  auto& model = as_stamp(*built);
  check_causal([&](const torch::Tensor& items) {
    std::vector<torch::Tensor> prefixes;
    for (int64_t j = 0; j < items.size(1); ++j) {
      Batch batch;
      batch.items = items;
      batch.lengths = torch::full({items.size(0)}, j + 1, torch::kInt64);
      prefixes.push_back(model.represent(batch));
    }
    return torch::stack(prefixes, 1);  // [1, L, d]
  });
}

BOOST_AUTO_TEST_CASE(padding_changes_neither_attention_nor_scores) {
  auto built = build_model("stamp", synthetic_dataset());
  auto& model = as_stamp(*built);
  torch::NoGradGuard no_grad;
  const PaddingPair pair = short_row_padded_and_alone();
  auto alpha = model.attention(pair.padded);
  BOOST_TEST(torch::equal(alpha[0].slice(0, 3), torch::zeros({3})));
  BOOST_TEST(alpha[0].slice(0, 0, 3).ne(0).all().item<bool>());
  check_padding_changes_no_score(model, pair);
}

BOOST_AUTO_TEST_CASE(every_switch_builds_and_gives_a_finite_loss) {
  const Dataset& data = synthetic_dataset();
  for (const std::vector<std::string>& sets :
       std::vector<std::vector<std::string>>{{"mean_in_memory=true"}, {"score_sigmoid=true"}}) {
    BOOST_TEST_CONTEXT(sets.front()) {
      auto built = build_model("stamp", data, sets);
      built->model->train();
      auto value = built->model->loss(training_batch(*built, 32)).total.item<double>();
      BOOST_TEST(std::isfinite(value));
      BOOST_TEST(value > 0.0);
    }
  }
  // The sigmoid squashes full-softmax logits; with a sampled loss it would mean nothing.
  BOOST_CHECK_THROW(build_model("stamp", data, {"score_sigmoid=true", "loss=bce"}), InputError);
}

BOOST_AUTO_TEST_CASE(stamp_beats_popularity_on_ml100k) {
  check_beats_popularity("stamp", {"epochs=2", "patience=2"});
}

BOOST_AUTO_TEST_SUITE_END()
