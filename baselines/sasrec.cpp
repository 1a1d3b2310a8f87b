#include "baselines/sasrec.h"

#include "models/registry.h"

namespace seqrec {

ParamSchema transformer_schema(int64_t layers, int64_t heads, double dropout,
                               const std::string& activation) {
  ParamSchema s;
  s.int_param("hidden", 64, "embedding and hidden width d", 1, 4096);
  s.int_param("layers", layers, "transformer blocks", 1, 64);
  s.int_param("heads", heads, "attention heads (must divide hidden)", 1, 64);
  s.int_param("inner", 0, "feed-forward width; 0 = hidden, as in SASRec's code", 0, 65536);
  s.float_param("dropout", dropout, "dropout on embeddings, residuals and feed-forward", 0.0, 0.95);
  s.float_param("attn_dropout", dropout, "dropout on attention weights", 0.0, 0.95);
  s.string_param("activation", activation, "feed-forward activation", {"gelu", "relu"});
  s.bool_param("pre_norm", true,
               "LayerNorm before each sub-layer and after the stack (SASRec's code); false = "
               "after each residual (BERT/RecBole)");
  return s;
}

TransformerOptions transformer_options(const Params& p) {
  const int64_t d = p.get_int("hidden");
  const int64_t inner = p.get_int("inner");
  return TransformerOptions(d, p.get_int("heads"))
      .inner(inner > 0 ? inner : d)
      .layers(p.get_int("layers"))
      .dropout(p.get_float("dropout"))
      .attn_dropout(p.get_float("attn_dropout"))
      .activation(p.get_string("activation"))
      .pre_norm(p.get_bool("pre_norm"));
}

ParamSchema with_default_sources(const ParamSchema& base, const std::string& model,
                                 const std::map<std::string, std::string>& notes) {
  ParamSchema out;
  for (auto spec : base.specs()) {
    auto note = notes.find(spec.name);
    if (note != notes.end()) spec.help += " [" + model + ": " + note->second + "]";
    out.add(spec);
  }
  return out;
}

ParamSchema SASRecImpl::schema() {
  // SASRec paper: d = 50, 2 blocks, 1 head, ReLU, dropout 0.5 on the sparse Amazon data.
  return transformer_schema(/*layers=*/2, /*heads=*/1, /*dropout=*/0.5, "relu")
      .extend(next_item_loss_schema("bce"));
}

SASRecImpl::SASRecImpl(const ModelContext& c) : loss_options(next_item_loss_options(c.params)) {
  const auto options = transformer_options(c.params);
  TORCH_CHECK(options.dim() % options.heads() == 0, "hidden must be divisible by heads");
  embedding = register_module("embedding",
                              SequenceEmbedding(c.data.num_items(), c.max_len, options.dim(),
                                                options.dropout(), /*scale_by_sqrt_dim=*/true));
  encoder = register_module("encoder", TransformerEncoder(options));
  init_weights_normal(*this);
}

torch::Tensor SASRecImpl::encode(const torch::Tensor& items) {
  return encoder(embedding(items), causal_mask(items.size(1), items.device()));
}

LossParts SASRecImpl::loss(const Batch& batch) {
  auto hidden = encode(batch.items);
  auto mask = batch.target_mask();
  auto l = next_item_loss(hidden.index({mask}), batch.targets.index({mask}),
                          embedding->item->weight, loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors SASRecImpl::score_factors(const Batch& batch) {
  return {batch.last_position(encode(batch.items)), embedding->item->weight};
}

SEQREC_REGISTER_MODEL({"sasrec",
                       "SASRec: causal self-attention (Kang & McAuley, ICDM 2018)",
                       SASRecImpl::schema,
                       {{"train_samples", "all_positions"}},
                       [](const ModelContext& c) { return std::make_shared<SASRecImpl>(c); }});

}  // namespace seqrec
