#include "baselines/gru4rec.h"

#include "models/layers/initializers.h"
#include "models/registry.h"

namespace seqrec {

ParamSchema GRU4RecImpl::schema() {
  ParamSchema s;
  s.int_param("embedding", 64, "item embedding width", 1, 4096);
  s.int_param("hidden", 64, "GRU hidden width (projected to the embedding width if different)", 1,
              4096);
  s.int_param("layers", 1, "stacked GRU layers", 1, 16);
  s.float_param("dropout", 0.25, "dropout on the item embeddings (RecBole's GRU4Rec default 0.25)",
                0.0, 0.95);
  return s.extend(next_item_loss_schema("ce"));
}

GRU4RecImpl::GRU4RecImpl(const ModelContext& c) : loss_options(next_item_loss_options(c.params)) {
  const int64_t e = c.params.get_int("embedding");
  const int64_t h = c.params.get_int("hidden");
  item = register_module(
      "item",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(c.data.num_items() + 1, e).padding_idx(0)));
  dropout = register_module("dropout", Dropout(c.params.get_float("dropout")));
  gru = register_module(
      "gru",
      torch::nn::GRU(
          torch::nn::GRUOptions(e, h).num_layers(c.params.get_int("layers")).batch_first(true)));
  if (h != e) projection = register_module("projection", torch::nn::Linear(h, e));
  init_weights_normal(*this);
  init_gru_xavier(gru);
}

torch::Tensor GRU4RecImpl::encode(const torch::Tensor& items) {
  // Batches are right-padded, so the GRU simply runs on over the padding after each row's
  // real items: a recurrent state only depends on earlier inputs, and the positions after
  // `lengths` are ignored by the loss (target 0) and by last_position(). No packing needed.
  auto out = std::get<0>(gru(dropout(item(items))));
  return projection ? projection(out) : out;
}

LossParts GRU4RecImpl::loss(const Batch& batch) {
  auto hidden = encode(batch.items);
  auto mask = batch.target_mask();
  auto l =
      next_item_loss(hidden.index({mask}), batch.targets.index({mask}), item->weight, loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors GRU4RecImpl::score_factors(const Batch& batch) {
  return {batch.last_position(encode(batch.items)), item->weight};
}

SEQREC_REGISTER_MODEL(ModelInfo::of<GRU4RecImpl>("gru4rec")
                          .described_as("GRU4Rec: GRU over the item sequence (Hidasi et al., ICLR "
                                        "2016; RecBole-style sequential variant)")
                          .with_trainer_defaults({{"train_samples", "all_positions"}}));

}  // namespace seqrec
