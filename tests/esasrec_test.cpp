#include "baselines/esasrec.h"

#include <boost/test/unit_test.hpp>

#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

BOOST_AUTO_TEST_SUITE(esasrec)

// The paper's layer, counted from its equations: attention 4d^2 + 4d, two gates 2(d^2 + d),
// SwiGLU 3 m d^2 without biases, two LayerNorms 4d; plus the item and position tables.
BOOST_AUTO_TEST_CASE(parameters_are_those_of_the_ligr_equations) {
  const Dataset& data = synthetic_dataset();
  auto built = build_model("esasrec", data, {"hidden=32", "ff_mult=2", "layers=2", "max_len=20"});
  const int64_t d = 32, m = 2, n = data.num_items();
  const int64_t block = 4 * d * d + 4 * d + 2 * (d * d + d) + 3 * m * d * d + 4 * d;
  BOOST_TEST(count_parameters(*built->model) == (n + 1) * d + 20 * d + 2 * block);
}

// Positions count from the row's end, so a state depends on how many items follow; it must
// not depend on which items they are.
BOOST_AUTO_TEST_CASE(a_state_never_reads_a_later_item) {
  auto built = build_model("esasrec", synthetic_dataset(), {"hidden=32"});
  auto& model = model_as<ESASRecImpl>(*built);
  model.eval();
  torch::NoGradGuard no_grad;
  auto items = torch::tensor({{3, 5, 7, 9, 11}}, torch::kInt64);
  auto changed = items.clone();
  changed[0][3] = 42;
  const auto& table = model.embedding->item->weight;
  auto a = model.encode(items, table), b = model.encode(changed, table);
  BOOST_TEST(torch::equal(a.slice(1, 0, 3), b.slice(1, 0, 3)));
  BOOST_TEST(!torch::equal(a.slice(1, 3, 4), b.slice(1, 3, 4)));
}

BOOST_AUTO_TEST_CASE(the_last_item_takes_the_first_position_row) {
  auto built = build_model("esasrec", synthetic_dataset(), {"hidden=16"});
  auto& model = model_as<ESASRecImpl>(*built);
  model.eval();
  torch::NoGradGuard no_grad;
  auto items = torch::tensor({{4, 6, 8, 0, 0}}, torch::kInt64);
  auto x = model.embedding(items);
  const auto& item = model.embedding->item->weight;
  const auto& position = model.embedding->position->weight;
  for (int64_t j = 0; j < 3; ++j)
    BOOST_TEST(torch::allclose(x[0][j], item[items[0][j].item<int64_t>()] + position[2 - j]));
}

BOOST_AUTO_TEST_CASE(padding_changes_no_score) {
  auto built = build_model("esasrec", synthetic_dataset(), {"hidden=32"});
  auto& model = model_as<ESASRecImpl>(*built);
  model.eval();
  check_padding_changes_no_score(model, short_row_padded_and_alone());
}

BOOST_AUTO_TEST_CASE(esasrec_beats_popularity_on_ml100k) {
  check_beats_popularity("esasrec", {"hidden=64", "loss=ce", "epochs=20", "patience=20"});
}

BOOST_AUTO_TEST_SUITE_END()
