// FMLP-Rec: the left-padded layout, independence from batch layout, the learnable filter, the
// last_position default its non-causal filter needs, and a sanity check against popularity.
#include "baselines/fmlp_rec.h"

#include <boost/test/unit_test.hpp>

#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

BOOST_AUTO_TEST_SUITE(fmlp_rec)

BOOST_AUTO_TEST_CASE(right_padded_rows_become_left_padded_with_the_last_item_at_the_end) {
  auto rows = torch::tensor({{3, 5, 7, 9}, {21, 22, 0, 0}, {8, 0, 0, 0}}, torch::kInt64);
  auto lengths = torch::tensor({4, 2, 1}, torch::kInt64);
  BOOST_TEST(left_align(rows, lengths, 5)
                 .equal(torch::tensor({{0, 3, 5, 7, 9}, {0, 0, 0, 21, 22}, {0, 0, 0, 0, 8}},
                                      torch::kInt64)));
  // Longer than n: the last n items are kept.
  BOOST_TEST(left_align(rows, lengths, 3)
                 .equal(torch::tensor({{5, 7, 9}, {0, 21, 22}, {0, 0, 8}}, torch::kInt64)));
}

BOOST_AUTO_TEST_CASE(scores_do_not_depend_on_trailing_padding_or_batch_layout) {
  auto built = build_model("fmlp_rec", synthetic_dataset());
  built->model->eval();
  torch::NoGradGuard no_grad;
  Batch alone, batched;
  alone.items = torch::tensor({{3, 5, 7}}, torch::kInt64);
  alone.lengths = torch::tensor({3}, torch::kInt64);
  batched.items = torch::tensor({{8, 9, 10, 11, 12, 13}, {3, 5, 7, 0, 0, 0}}, torch::kInt64);
  batched.lengths = torch::tensor({6, 3}, torch::kInt64);
  auto a = built->model->score(alone);
  auto b = built->model->score(batched);
  BOOST_TEST(torch::allclose(a[0], b[1], 1e-5, 1e-6));
  BOOST_TEST(!torch::allclose(b[0], b[1]));
}

BOOST_AUTO_TEST_CASE(filter_is_applied_in_the_frequency_domain_and_is_not_causal) {
  auto built = build_model("fmlp_rec", synthetic_dataset());
  auto* model = &model_as<FMLPRecImpl>(*built);
  model->eval();
  torch::NoGradGuard no_grad;
  auto& layer = *model->blocks[0]->as<FilterBlockImpl>()->filter;
  const int64_t n = model->length;
  BOOST_TEST(layer.filter.sizes() == torch::IntArrayRef({n / 2 + 1, 64, 2}));
  auto x = torch::randn({2, n, 64});
  // W = 1 passes the sequence through (orthonormal FFT pair): x + x, normalised.
  layer.filter.select(-1, 0).fill_(1.0);
  layer.filter.select(-1, 1).zero_();
  BOOST_TEST(torch::allclose(layer.forward(x), layer.norm(x + x), 1e-4, 1e-5));
  // W = 0 removes it: only the residual remains.
  layer.filter.zero_();
  BOOST_TEST(torch::allclose(layer.forward(x), layer.norm(x), 1e-4, 1e-5));
  // A generic filter mixes positions both ways: the first output depends on the last input,
  // which is why training must put the target after the whole input (last_position).
  layer.filter.normal_();
  auto changed = x.clone();
  changed.select(1, n - 1).add_(1.0);
  auto y = layer.forward(x), z = layer.forward(changed);
  BOOST_TEST(!torch::allclose(y.select(1, 0), z.select(1, 0)));
}

BOOST_AUTO_TEST_CASE(filter_is_learned) {
  auto built = build_model("fmlp_rec", synthetic_dataset());
  auto* model = &model_as<FMLPRecImpl>(*built);
  auto filter = model->blocks[0]->as<FilterBlockImpl>()->filter->filter;
  bool registered = false;
  for (const auto& p : model->parameters()) registered |= p.is_same(filter);
  BOOST_TEST(registered);
  auto before = filter.detach().clone();
  TrainingBatcher batcher(built->split, built->setup.trainer.sample_mode,
                          built->setup.protocol.max_len);
  std::mt19937_64 rng(1);
  auto order = batcher.epoch_order(rng);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  model->train();
  for (size_t b = 0; b < 5 * 32; b += 32) {
    optimizer.zero_grad();
    model->loss(batcher.make_batch(order, b, b + 32)).total.backward();
    BOOST_TEST(filter.grad().abs().sum().item<double>() > 0.0);
    optimizer.step();
  }
  BOOST_TEST(!torch::allclose(filter.detach(), before));
}

BOOST_AUTO_TEST_CASE(trains_on_last_position_samples_by_default) {
  auto built = build_model("fmlp_rec", synthetic_dataset());
  BOOST_TEST(to_string(built->setup.trainer.sample_mode) == "last_position");
}

BOOST_AUTO_TEST_CASE(fmlp_rec_beats_popularity_on_ml100k) {
  // last_position makes an epoch ~100k samples (~800 steps): one epoch over windows of 20 in
  // batches of 256 (FMLP-Rec code's batch size) is enough and takes about 30 s at one thread.
  check_beats_popularity("fmlp_rec", {"epochs=1", "patience=1", "max_len=20", "batch_size=256"});
}

BOOST_AUTO_TEST_SUITE_END()
