#include "baselines/narm.h"

#include "models/layers/initializers.h"
#include "models/registry.h"

namespace seqrec {

ParamSchema NARMImpl::schema() {
  ParamSchema s;
  s.int_param("embedding", 64, "item embedding width", 1, 4096);
  s.int_param("hidden", 100, "GRU hidden width (NARM paper: 100)", 1, 4096);
  s.int_param("layers", 1, "stacked GRU layers", 1, 16);
  s.float_param("embedding_dropout", 0.25, "dropout after the item embedding (paper: 0.25)", 0.0,
                0.95);
  s.float_param("context_dropout", 0.5,
                "dropout on [c_global; c_local] before the decoder "
                "(paper: 0.5)",
                0.0, 0.95);
  return s.extend(next_item_loss_schema("ce"));
}

NARMImpl::NARMImpl(const ModelContext& c) : loss_options(next_item_loss_options(c.params)) {
  const int64_t e = c.params.get_int("embedding");
  const int64_t h = c.params.get_int("hidden");
  item = register_module(
      "item",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(c.data.num_items() + 1, e).padding_idx(0)));
  embedding_dropout =
      register_module("embedding_dropout", Dropout(c.params.get_float("embedding_dropout")));
  context_dropout =
      register_module("context_dropout", Dropout(c.params.get_float("context_dropout")));
  gru = register_module(
      "gru",
      torch::nn::GRU(
          torch::nn::GRUOptions(e, h).num_layers(c.params.get_int("layers")).batch_first(true)));
  // The paper's A1, A2, v and B carry no biases.
  a1 = register_module("a1", torch::nn::Linear(torch::nn::LinearOptions(h, h).bias(false)));
  a2 = register_module("a2", torch::nn::Linear(torch::nn::LinearOptions(h, h).bias(false)));
  v = register_module("v", torch::nn::Linear(torch::nn::LinearOptions(h, 1).bias(false)));
  decoder =
      register_module("decoder", torch::nn::Linear(torch::nn::LinearOptions(2 * h, e).bias(false)));
  init_weights_normal(*this);
  init_gru_xavier(gru);
}

torch::Tensor NARMImpl::encode(const torch::Tensor& items) {
  // Right padding: the GRU runs on over the pads after the real items, which never affect an
  // earlier state; the attention zeroes them and last_position() reads the last real one.
  return std::get<0>(gru(embedding_dropout(item(items))));
}

torch::Tensor NARMImpl::attention(const torch::Tensor& states, const Batch& batch) {
  auto last = batch.last_position(states);                         // [B, h]
  auto gate = torch::sigmoid(a1(last).unsqueeze(1) + a2(states));  // [B, L, h]
  auto alpha = v(gate).squeeze(-1);                                // [B, L]
  // Unnormalised weights, as in the paper; padding positions get exactly 0.
  return alpha.masked_fill(batch.items.eq(0), 0.0);
}

torch::Tensor NARMImpl::represent(const Batch& batch) {
  auto states = encode(batch.items);
  auto global = batch.last_position(states);
  auto local = (attention(states, batch).unsqueeze(-1) * states).sum(1);
  return decoder(context_dropout(torch::cat({global, local}, -1)));
}

LossParts NARMImpl::loss(const Batch& batch) {
  // One loss per sample, at its last real position (train_samples = last_position: every
  // prefix of a training sequence is a sample, the paper's augmentation).
  auto targets = batch.last_targets();
  auto mask = targets.gt(0);
  auto l = next_item_loss(represent(batch).index({mask}), targets.index({mask}), item->weight,
                          loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors NARMImpl::score_factors(const Batch& batch) {
  return {represent(batch), item->weight};
}

SEQREC_REGISTER_MODEL(ModelInfo::of<NARMImpl>("narm")
                          .described_as("NARM: GRU with global and attentive local encoders, "
                                        "bilinear decoder (Li et al., CIKM 2017)")
                          .with_trainer_defaults({{"train_samples", "last_position"}}));

}  // namespace seqrec
