#include "baselines/bert4rec.h"

#include "models/layers/either_layout.h"
#include "models/layers/initializers.h"
#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {

ParamSchema BERT4RecImpl::schema() {
  // BERT4Rec paper: 2 blocks, 2 heads, d = 64, GELU, dropout 0.1 (0.2 in RecBole), BERT's
  // post-LayerNorm blocks.
  auto s = transformer_schema(/*layers=*/2, /*heads=*/2, /*dropout=*/0.2, "gelu")
               .override_default("pre_norm", false)
               .override_default("inner", 256);
  s.float_param("mask_prob", 0.2,
                "probability of replacing each training item by [mask] (paper: 0.6 Beauty, 0.4 "
                "Steam, 0.2 ML-1m and ML-20m; RecBole 0.2)",
                0.01, 1.0);
  s.string_param("prediction_head", "transform",
                 "transform: BERT's masked-LM head, dense + GELU + LayerNorm before the tied item "
                 "table, plus an output bias (the BERT4Rec paper, RecBole); tied: the hidden "
                 "state scored against the tied item table alone, no bias (Klenitskiy & "
                 "Vasilev's BERT4Rec)",
                 {"transform", "tied"});
  s.added_after_recorded_trials("prediction_head");
  return s;
}

BERT4RecImpl::BERT4RecImpl(const ModelContext& c)
    : num_items(c.data.num_items()),
      mask_id(c.data.num_items() + 1),
      max_len(c.max_len),
      mask_prob(c.params.get_float("mask_prob")),
      transform_head(c.params.get_string("prediction_head") == "transform") {
  const auto options = transformer_options(c.params);
  const int64_t d = options.dim();
  // num_items + 1 "items" -> N + 2 rows; the extra row N + 1 is [mask]. Position embeddings
  // keep max_len rows: at inference the appended [mask] takes position `length`, and a row
  // that already holds max_len items drops its oldest item first (see append_mask).
  embedding = register_module("embedding", SequenceEmbedding(num_items + 1, max_len, d,
                                                             /*dropout=*/0.0,
                                                             /*scale_by_sqrt_dim=*/false));
  embedding_norm =
      register_module("embedding_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
  embedding_dropout = register_module("embedding_dropout", Dropout(options.dropout()));
  encoder = register_module("encoder", TransformerEncoder(options));
  if (transform_head) {
    head_dense = register_module("head_dense", torch::nn::Linear(d, d));
    head_norm =
        register_module("head_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
    output_bias = register_parameter("output_bias", torch::zeros({num_items + 1}));
  }
  init_weights_normal(*this);
}

torch::Tensor BERT4RecImpl::encode(const torch::Tensor& items) {
  auto x = embedding_dropout(embedding_norm(embedding(items)));
  return encoder(x, key_padding_mask(items));
}

torch::Tensor BERT4RecImpl::encode_packed(const torch::Tensor& items, const TokenLayout& layout,
                                          bool last_only) {
  auto x = embedding_dropout(embedding_norm(embedding->forward_packed(items, layout)));
  return encoder->forward_packed(x, layout, AttentionScope::Bidirectional, last_only);
}

torch::Tensor BERT4RecImpl::head(const torch::Tensor& hidden) {
  return transform_head ? head_norm(torch::gelu(head_dense(hidden))) : hidden;
}

torch::Tensor BERT4RecImpl::output_table() const {
  // Tied output: rows 0..N of the item table; row N+1 ([mask]) is never a candidate.
  return embedding->item->weight.slice(0, 0, num_items + 1);
}

torch::Tensor BERT4RecImpl::logits(const torch::Tensor& hidden) {
  auto scores = torch::matmul(head(hidden), output_table().t());
  return transform_head ? scores + output_bias : scores;
}

void BERT4RecImpl::prepare_training_batch(Batch& batch) {
  auto items = batch.items;
  auto real = items.gt(0);
  auto draw = torch::rand(items.sizes(), torch::TensorOptions().device(items.device()));
  auto masked = draw.lt(mask_prob).logical_and(real);
  // Rows where nothing was drawn: mask the last real item.
  auto none = masked.any(1).logical_not().unsqueeze(1);  // [B, 1]
  auto last = torch::zeros_like(masked).scatter(1, (batch.lengths - 1).unsqueeze(1),
                                                torch::ones({items.size(0), 1}, masked.options()));
  masked = masked.logical_or(last.logical_and(none));
  batch.targets = torch::where(masked, items, torch::zeros_like(items));
  batch.items = torch::where(masked, torch::full_like(items, mask_id), items);
}

LossParts BERT4RecImpl::loss(const Batch& batch) {
  const auto at = target_states(
      batch, [&] { return encode(batch.items); },
      [&](bool last_only) { return encode_packed(batch.items, batch.packed, last_only); });
  auto l = full_softmax_cross_entropy(logits(at.states), at.targets);
  return {l, {{"main", l}}};
}

std::pair<torch::Tensor, torch::Tensor> BERT4RecImpl::append_mask(const Batch& batch) const {
  const auto& items = batch.items;
  auto zero_column = torch::zeros({items.size(0), 1}, items.options());
  auto extended = torch::cat({items, zero_column}, 1);  // [B, L+1]
  // Rows already at max_len drop their oldest item so the [mask] still fits in max_len.
  auto full = batch.lengths.ge(max_len);
  auto shifted = torch::cat({extended.slice(1, 1), zero_column}, 1);
  auto x = torch::where(full.unsqueeze(1), shifted, extended);
  auto position = batch.lengths - full.to(torch::kInt64);
  x = x.scatter(1, position.unsqueeze(1), torch::full_like(zero_column, mask_id));
  if (x.size(1) > max_len) x = x.slice(1, 0, max_len);
  return {x, position};
}

torch::Tensor BERT4RecImpl::hidden_at_mask(const Batch& batch) {
  auto [items, position] = append_mask(batch);
  // The appended [mask] is each row's last real token.
  if (batch.packed.defined())
    return encode_packed(items, TokenLayout::of(position + 1, items.size(1)), /*last_only=*/true);
  auto hidden = encode(items);
  auto index = position.view({-1, 1, 1}).expand({hidden.size(0), 1, hidden.size(2)});
  return hidden.gather(1, index).squeeze(1);
}

torch::Tensor BERT4RecImpl::score(const Batch& batch) { return logits(hidden_at_mask(batch)); }

ScoreFactors BERT4RecImpl::score_factors(const Batch& batch) {
  auto h = head(hidden_at_mask(batch));
  if (!transform_head) return {h, output_table()};
  return {torch::cat({h, torch::ones({h.size(0), 1}, h.options())}, 1),
          torch::cat({output_table(), output_bias.unsqueeze(1)}, 1)};
}

SEQREC_REGISTER_MODEL(
    ModelInfo::of<BERT4RecImpl>("bert4rec")
        .described_as("BERT4Rec: bidirectional transformer, cloze training (Sun et al., CIKM 2019)")
        .with_trainer_defaults({{"train_samples", "cloze"}}));

}  // namespace seqrec
