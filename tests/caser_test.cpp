// Caser: the score reads only the last `window` items; sanity check against popularity.
#include "baselines/caser.h"

#include <boost/test/unit_test.hpp>

#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

BOOST_AUTO_TEST_SUITE(caser)

BOOST_AUTO_TEST_CASE(score_depends_only_on_the_last_window_items) {
  auto built = build_model("caser", synthetic_dataset(), {"window=3"});
  auto& model = *built->model;
  model.eval();
  torch::NoGradGuard no_grad;
  Batch batch;
  // Right-padded rows of different lengths; row 1 is shorter than the window.
  batch.items = torch::tensor({{3, 5, 7, 9, 11, 13}, {21, 22, 0, 0, 0, 0}}, torch::kInt64);
  batch.lengths = torch::tensor({6, 2}, torch::kInt64);
  batch.users = torch::tensor({0, 1}, torch::kInt64);
  auto base = model.score(batch);

  Batch older = batch;
  older.items = batch.items.clone();
  older.items[0][2] = 40;  // fourth from last: outside the window of 3
  older.items[0][0] = 41;
  BOOST_TEST(torch::equal(model.score(older), base));

  Batch recent = batch;
  recent.items = batch.items.clone();
  recent.items[0][3] = 40;  // third from last: inside the window
  auto changed = model.score(recent);
  BOOST_TEST(!torch::equal(changed[0], base[0]));
  BOOST_TEST(torch::equal(changed[1], base[1]));

  // The same last items with extra trailing padding (a wider batch) score the same.
  Batch wider = batch;
  wider.items = torch::cat({batch.items, torch::zeros({2, 3}, torch::kInt64)}, 1);
  BOOST_TEST(torch::allclose(model.score(wider), base));
}

BOOST_AUTO_TEST_CASE(windows_are_left_padded_from_right_padded_rows) {
  auto built = build_model("caser", synthetic_dataset(), {"window=3"});
  auto* caser = dynamic_cast<CaserImpl*>(built->model.get());
  BOOST_REQUIRE(caser);
  auto items = torch::tensor({{3, 5, 7, 9}, {21, 22, 0, 0}}, torch::kInt64);
  auto rows = torch::tensor({0, 1, 0}, torch::kInt64);
  auto end = torch::tensor({3, 1, 0}, torch::kInt64);
  auto w = caser->window_items(items, rows, end);
  BOOST_TEST(w.equal(torch::tensor({{5, 7, 9}, {0, 21, 22}, {0, 0, 3}}, torch::kInt64)));
}

BOOST_AUTO_TEST_CASE(caser_beats_popularity_on_ml100k) {
  check_beats_popularity("caser", {"epochs=5", "patience=5"});
}

BOOST_AUTO_TEST_SUITE_END()
