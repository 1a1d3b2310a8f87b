// The keys in which published SASRecs differ (issue 26): Kang's block, positions from the end,
// no sqrt(d) scaling, item-table dropout, Xavier-normal initialisation.
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "baselines/sasrec.h"
#include "core/errors.h"
#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

namespace {

SASRecImpl& sasrec_in_eval(BuiltModel& built) {
  auto& model = model_as<SASRecImpl>(built);
  model.eval();
  return model;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sasrec_details)

// h = q + MHA(q, x, x) with q = LN(x), u = LN(h), out = u + FFN(u): keys and values are the
// un-normalised input, both residuals the normalised tensors, no dropout on attention output.
BOOST_AUTO_TEST_CASE(kangs_block_is_its_equations) {
  torch::manual_seed(5);
  TransformerBlock block(TransformerOptions(16, 2).inner(32).activation("relu").kang(true));
  block->eval();
  torch::NoGradGuard no_grad;
  // LayerNorms away from 1 and 0, so a normalised residual differs from a raw one.
  block->attention_norm->weight.uniform_(0.5, 1.5);
  block->feed_forward_norm->bias.uniform_(-0.5, 0.5);
  auto x = torch::randn({2, 5, 16}) * 3.0;
  auto allowed = causal_mask(5, x.device());
  auto q = block->attention_norm(x);
  auto u = block->feed_forward_norm(q + block->attention(q, x, allowed));
  auto expected = u + block->feed_forward(u);
  BOOST_TEST(torch::allclose(block->forward(x, allowed), expected, 1e-5, 1e-6));
}

BOOST_AUTO_TEST_CASE(kangs_block_needs_pre_norm) {
  BOOST_CHECK_THROW(
      build_model("sasrec", synthetic_dataset(), {"kang_block=true", "pre_norm=false"}),
      InputError);
}

// RecTools counts positions in a left-padded window from its end: the last item takes row 0.
// Without sqrt(d) scaling an input is the item row plus the position row.
BOOST_AUTO_TEST_CASE(positions_from_the_end_without_scaling) {
  auto built = build_model("sasrec", synthetic_dataset(),
                           {"hidden=16", "positions=from_end", "emb_scale=none"});
  auto& model = sasrec_in_eval(*built);
  torch::NoGradGuard no_grad;
  auto items = torch::tensor({{4, 6, 8, 0, 0}, {1, 2, 3, 5, 7}}, torch::kInt64);
  auto x = model.embedding(items);
  const auto& item = model.embedding->item->weight;
  const auto& position = model.embedding->position->weight;
  for (int64_t j = 0; j < 3; ++j)
    BOOST_TEST(torch::allclose(x[0][j], item[items[0][j].item<int64_t>()] + position[2 - j]));
  BOOST_TEST(torch::allclose(x[1][4], item[7] + position[0]));
  // The default: from the start, scaled by sqrt(hidden).
  auto plain = build_model("sasrec", synthetic_dataset(), {"hidden=16"});
  auto& reference = sasrec_in_eval(*plain);
  auto y = reference.embedding(items);
  BOOST_TEST(torch::allclose(y[0][2], reference.embedding->item->weight[8] * 4.0 +
                                          reference.embedding->position->weight[2]));
}

// Xavier-normal: std sqrt(2 / (fan_in + fan_out)) for every table and weight matrix, zero
// biases, zero padding row.
BOOST_AUTO_TEST_CASE(xavier_normal_initialisation) {
  const Dataset& data = synthetic_dataset();
  auto built = build_model("sasrec", data, {"hidden=64", "init=xavier_normal"});
  auto& model = model_as<SASRecImpl>(*built);
  const auto& table = model.embedding->item->weight;
  const double expected = std::sqrt(2.0 / static_cast<double>(table.size(0) + table.size(1)));
  const double std = table.slice(0, 1).std().item<double>();
  BOOST_TEST(std::abs(std / expected - 1.0) < 0.1, "std " << std << " expected " << expected);
  BOOST_TEST(table[0].abs().sum().item<double>() == 0.0);
  const auto& block = model.encoder->blocks[0]->as<TransformerBlockImpl>();
  const auto& w = block->feed_forward->in->weight;
  const double ff_expected = std::sqrt(2.0 / static_cast<double>(w.size(0) + w.size(1)));
  BOOST_TEST(std::abs(w.std().item<double>() / ff_expected - 1.0) < 0.1);
  BOOST_TEST(block->feed_forward->in->bias.abs().sum().item<double>() == 0.0);
}

// normal_torch_mha: the attention's q, k, v uniform within sqrt(6 / (d + 3d)) (Xavier over
// the stacked [3d, d] in_proj) with zero biases; everything else as init=normal.
BOOST_AUTO_TEST_CASE(normal_torch_mha_initialisation) {
  const Dataset& data = synthetic_dataset();
  auto built = build_model("sasrec", data, {"hidden=64", "init=normal_torch_mha"});
  auto& model = model_as<SASRecImpl>(*built);
  const double bound = std::sqrt(6.0 / (64.0 + 3 * 64.0));
  for (const auto& b : model.encoder->blocks->children()) {
    const auto& attention = b->as<TransformerBlockImpl>()->attention;
    for (const auto& w : {attention->q->weight, attention->k->weight, attention->v->weight}) {
      BOOST_TEST(w.abs().max().item<double>() <= bound);
      // Uniform on [-b, b]: std b / sqrt(3).
      BOOST_TEST(std::abs(w.std().item<double>() / (bound / std::sqrt(3.0)) - 1.0) < 0.1);
    }
    BOOST_TEST(attention->q->bias.abs().sum().item<double>() == 0.0);
    BOOST_TEST(std::abs(attention->out->weight.std().item<double>() / 0.02 - 1.0) < 0.1);
  }
  BOOST_TEST(std::abs(model.embedding->item->weight.slice(0, 1).std().item<double>() / 0.02 - 1.0) <
             0.1);
}

// Item-table dropout acts in training only, on the input look-up and the output scores alike;
// in evaluation the model is the one without it (same seed, same weights).
BOOST_AUTO_TEST_CASE(item_dropout_acts_in_training_only) {
  const Dataset& data = synthetic_dataset();
  const std::vector<std::string> base = {"hidden=16", "dropout=0", "attn_dropout=0", "loss=ce"};
  auto keys = base;
  keys.push_back("item_dropout=0.5");
  auto with = build_model("sasrec", data, keys);
  auto without = build_model("sasrec", data, base);
  const Batch batch = training_batch(*with, 32);
  torch::NoGradGuard no_grad;
  with->model->eval();
  without->model->eval();
  BOOST_TEST(torch::equal(with->model->score(batch), without->model->score(batch)));
  with->model->train();
  without->model->train();
  const double dropped = with->model->loss(batch).total.item<double>();
  const double plain = without->model->loss(batch).total.item<double>();
  BOOST_TEST(std::isfinite(dropped));
  BOOST_TEST(dropped != plain);
}

BOOST_AUTO_TEST_CASE(rectools_sasrec_beats_popularity_on_ml100k) {
  check_beats_popularity("sasrec",
                         {"loss=ce", "kang_block=true", "positions=from_end", "emb_scale=none",
                          "item_dropout=0.2", "init=xavier_normal", "epochs=30", "patience=30"});
}

BOOST_AUTO_TEST_SUITE_END()
