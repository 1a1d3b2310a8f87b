// The keys in which published SASRecs differ (issue 26): Kang's block, positions from the end,
// no sqrt(d) scaling, item-table dropout, Xavier-normal initialisation, attention to padding,
// the padding row in the softmax.
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

// SASRec on the synthetic data without dropout, with one key more and without it, built from
// the same seed (so with the same weights).
struct WithAndWithout {
  std::unique_ptr<BuiltModel> with, without;
};
WithAndWithout with_and_without(const std::string& key) {
  const std::vector<std::string> base = {"hidden=16", "dropout=0", "attn_dropout=0", "loss=ce"};
  auto keys = base;
  keys.push_back(key);
  return {build_model("sasrec", synthetic_dataset(), keys),
          build_model("sasrec", synthetic_dataset(), base)};
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
  auto [with, without] = with_and_without("item_dropout=0.5");
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

// attend_padding: the zero slots of attention.h against the window they stand for, built out:
// each row's items at the right end of a max_len window, the padded slots zeroed before every
// block and no key masked but the future (RecTools' SASRec without a key-padding mask).
BOOST_AUTO_TEST_CASE(zero_slots_equal_a_materialised_left_padded_window) {
  torch::manual_seed(11);
  const int64_t B = 4, L = 6, W = 9, d = 8;
  TransformerEncoder encoder(
      TransformerOptions(d, 2).inner(16).layers(2).activation("relu").kang(true));
  encoder->eval();
  torch::NoGradGuard no_grad;
  // Non-zero biases, so the slots' keys and values are not zero.
  for (auto& p : encoder->named_parameters())
    if (p.key().find("bias") != std::string::npos) p.value().normal_(0.0, 0.5);
  const auto lengths = torch::tensor({3, 6, 1, 4}, torch::kLong);
  const auto real = torch::arange(L).unsqueeze(0).lt(lengths.unsqueeze(1));
  const auto x = torch::randn({B, L, d}) * real.unsqueeze(-1);

  auto window = torch::zeros({B, W, d});
  auto window_real = torch::zeros({B, W}, torch::kBool);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t n = lengths[b].item<int64_t>();
    window[b].narrow(0, W - n, n).copy_(x[b].narrow(0, 0, n));
    window_real[b].narrow(0, W - n, n).fill_(true);
  }
  auto h = window;
  for (auto& block : *encoder->blocks)
    h = block->as<TransformerBlockImpl>()->forward(h * window_real.unsqueeze(-1),
                                                   causal_mask(W, h.device()));
  h = encoder->final_norm(h);

  const auto slots = W - lengths;
  const auto padded = encoder->forward(x, causal_mask(L, x.device()), slots);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t n = lengths[b].item<int64_t>();
    BOOST_TEST(torch::allclose(padded[b].narrow(0, 0, n), h[b].narrow(0, W - n, n), 1e-5, 1e-6));
  }
  const auto layout = TokenLayout::of(lengths, L);
  const auto packed =
      encoder->forward_packed(layout.pack(x), layout, AttentionScope::Causal, false, slots);
  BOOST_TEST(torch::allclose(packed, layout.pack(padded), 1e-5, 1e-6));
  const auto last =
      encoder->forward_packed(layout.pack(x), layout, AttentionScope::Causal, true, slots);
  BOOST_TEST(torch::allclose(last, packed.index_select(0, layout.last), 1e-5, 1e-6));
  // Without slots the padding changes the states: the test above is not vacuous.
  BOOST_TEST(!torch::allclose(encoder->forward(x, causal_mask(L, x.device())), padded, 1e-3, 1e-3));
}

// Attention dropout keeps or drops each zero slot on its own, so the output stays unbiased:
// its mean over many draws is the output without dropout.
BOOST_AUTO_TEST_CASE(attention_dropout_over_zero_slots_is_unbiased) {
  torch::manual_seed(12);
  MultiHeadAttention attention(MultiHeadAttentionOptions(4, 1).dropout(0.5));
  torch::NoGradGuard no_grad;
  attention->k->bias.normal_(0.0, 1.0);
  attention->v->bias.fill_(1.0);
  const auto x = torch::randn({1, 2, 4});
  const auto slots = torch::tensor({5}, torch::kLong);
  const auto allowed = causal_mask(2, x.device());
  attention->eval();
  const auto expected = attention->forward(x, x, allowed, slots);
  attention->train();
  auto sum = torch::zeros_like(expected);
  const int draws = 20000;
  for (int i = 0; i < draws; ++i) sum += attention->forward(x, x, allowed, slots);
  BOOST_TEST(torch::allclose(sum / draws, expected, 0.03, 0.03));
}

BOOST_AUTO_TEST_CASE(attend_padding_needs_kangs_block) {
  const Dataset& data = synthetic_dataset();
  BOOST_CHECK_THROW(build_model("sasrec", data, {"attend_padding=true"}), InputError);
  auto built = build_model("sasrec", data, {"attend_padding=true", "kang_block=true"});
  BOOST_TEST(model_as<SASRecImpl>(*built).padded_window == built->setup.protocol.max_len);
}

// softmax_padding: the padding row's score, 0 since the row stays zero, joins the softmax's
// denominator (Klenitskiy & Vasilev's SASRec scores all N+1 rows): torch's CE over the N+1
// columns, padded and packed. Built from the same seed, the default model's loss is the CE
// over the N item columns of the same scores.
BOOST_AUTO_TEST_CASE(softmax_padding_is_ce_over_every_row) {
  auto [with, without] = with_and_without("softmax_padding=true");
  auto& model = model_as<SASRecImpl>(*with);
  model.train();
  without->model->train();
  const Batch batch = training_batch(*with, 32);
  torch::NoGradGuard no_grad;
  const auto mask = batch.target_mask();
  const auto targets = batch.targets.index({mask});
  const auto logits =
      torch::matmul(model.encode(batch.items).index({mask}), model.embedding->item->weight.t());
  BOOST_TEST(logits.select(1, 0).abs().max().item<double>() == 0.0);
  const double over_every_row =
      torch::nn::functional::cross_entropy(logits, targets).item<double>();
  const double over_items =
      torch::nn::functional::cross_entropy(logits.slice(1, 1), targets - 1).item<double>();
  BOOST_TEST(over_every_row > over_items);
  namespace tt = boost::test_tools;
  BOOST_TEST(model.loss(batch).total.item<double>() == over_every_row, tt::tolerance(1e-5));
  BOOST_TEST(without->model->loss(batch).total.item<double>() == over_items, tt::tolerance(1e-5));
  Batch packed = batch;
  packed.pack_tokens();
  BOOST_TEST(model.loss(packed).total.item<double>() == over_every_row, tt::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(softmax_padding_needs_torchs_full_softmax) {
  const Dataset& data = synthetic_dataset();
  BOOST_CHECK_THROW(build_model("sasrec", data, {"softmax_padding=true", "loss=bce"}), InputError);
  BOOST_CHECK_THROW(
      build_model("sasrec", data, {"softmax_padding=true", "loss=ce", "cross_entropy=fused"}),
      InputError);
  BOOST_CHECK_NO_THROW(build_model("sasrec", data, {"softmax_padding=true", "loss=ce"}));
}

BOOST_AUTO_TEST_CASE(rectools_initialisation) {
  const Dataset& data = synthetic_dataset();
  auto built = build_model("sasrec", data, {"hidden=64", "inner=64", "init=rectools"});
  auto& model = model_as<SASRecImpl>(*built);
  for (const auto& b : model.encoder->blocks->children()) {
    const auto& block = *b->as<TransformerBlockImpl>();
    const auto& attention = block.attention;
    // One [3d, d] matrix: std sqrt(2 / 4d); the output projection a [d, d] one: sqrt(2 / 2d).
    const auto qkv = torch::cat({attention->q->weight, attention->k->weight, attention->v->weight});
    BOOST_TEST(std::abs(qkv.std().item<double>() / std::sqrt(2.0 / 256.0) - 1.0) < 0.05);
    BOOST_TEST(
        std::abs(attention->out->weight.std().item<double>() / std::sqrt(2.0 / 128.0) - 1.0) < 0.1);
    BOOST_TEST(attention->k->bias.abs().sum().item<double>() == 0.0);
    // Feed-forward biases uniform on +-1/sqrt(64): std 1/(8 sqrt 3).
    const auto bias = block.feed_forward->in->bias;
    BOOST_TEST(bias.abs().max().item<double>() <= 1.0 / 8.0);
    BOOST_TEST(std::abs(bias.std().item<double>() * 8.0 * std::sqrt(3.0) - 1.0) < 0.3);
  }
  BOOST_TEST(model.embedding->item->weight[0].abs().sum().item<double>() == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
