#include "baselines/sasrec.h"

#include "models/layers/initializers.h"
#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {

ParamSchema SASRecImpl::schema() {
  // SASRec paper: d = 50, 2 blocks, 1 head, ReLU, dropout 0.5 on the sparse Amazon data.
  return transformer_schema(/*layers=*/2, /*heads=*/1, /*dropout=*/0.5, "relu")
      .extend(next_item_loss_schema("bce"));
}

SASRecImpl::SASRecImpl(const ModelContext& c) : loss_options(next_item_loss_options(c.params)) {
  const auto options = transformer_options(c.params);
  embedding = register_module("embedding",
                              SequenceEmbedding(c.data.num_items(), c.max_len, options.dim(),
                                                options.dropout(), /*scale_by_sqrt_dim=*/true));
  encoder = register_module("encoder", TransformerEncoder(options));
  init_weights_normal(*this);
}

torch::Tensor SASRecImpl::encode(const torch::Tensor& items) {
  return encoder(embedding(items), causal_mask(items.size(1), items.device()));
}

torch::Tensor SASRecImpl::encode_packed(const torch::Tensor& items, const TokenLayout& layout,
                                        bool last_only) {
  return encoder->forward_packed(embedding->forward_packed(items, layout), layout,
                                 AttentionScope::Causal, last_only);
}

torch::Tensor SASRecImpl::last_states(const Batch& batch) {
  if (batch.packed.defined()) return encode_packed(batch.items, batch.packed, /*last_only=*/true);
  return batch.last_position(encode(batch.items));
}

LossParts SASRecImpl::loss(const Batch& batch) {
  if (batch.packed.defined()) {
    const PackedTargets t = packed_targets(batch);
    auto l = packed_next_item_loss(t.states(encode_packed(batch.items, batch.packed, t.last_only)),
                                   t.targets, embedding->item->weight, loss_options);
    return {l, {{"main", l}}};
  }
  auto hidden = encode(batch.items);
  auto mask = batch.target_mask();
  auto l = next_item_loss(hidden.index({mask}), batch.targets.index({mask}),
                          embedding->item->weight, loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors SASRecImpl::score_factors(const Batch& batch) {
  return {last_states(batch), embedding->item->weight};
}

SEQREC_REGISTER_MODEL(ModelInfo::of<SASRecImpl>("sasrec")
                          .described_as("SASRec: causal self-attention (Kang & McAuley, ICDM 2018)")
                          .with_trainer_defaults({{"train_samples", "all_positions"}}));

}  // namespace seqrec
