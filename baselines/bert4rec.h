#pragma once
// BERT4Rec (Sun et al., CIKM 2019): a bidirectional (post-LayerNorm, GELU) transformer trained
// with the cloze task — random items are replaced by [mask] and predicted from both sides; at
// inference a [mask] appended after the last item is read out.
#include "models/layers/losses.h"
#include "models/layers/transformer.h"
#include "models/sequential_recommender.h"

namespace seqrec {

class BERT4RecImpl : public SequentialRecommenderImpl {
 public:
  explicit BERT4RecImpl(const ModelContext& context);
  static ParamSchema schema();

  // Cloze masking: each real item becomes [mask] with probability mask_prob (at least one per
  // row: the last real item if the draw masked none); targets = original item where masked,
  // 0 elsewhere. Uses torch's global generator.
  void prepare_training_batch(Batch& batch) override;
  LossParts loss(const Batch& batch) override;
  torch::Tensor score(const Batch& batch) override;
  // [h, 1] · [table, bias]ᵀ (h · tableᵀ without the transform head): score() up to rounding
  // (score() adds the bias after the product).
  ScoreFactors score_factors(const Batch& batch) override;

  // [B, L, d] bidirectional hidden states (key padding mask only).
  torch::Tensor encode(const torch::Tensor& items);
  // Packed: [T, d] states of the real tokens, or [B, d] of each row's last one.
  torch::Tensor encode_packed(const torch::Tensor& items, const TokenLayout& layout,
                              bool last_only);
  // Inputs for scoring: [mask] appended after each row's last item (the oldest item dropped
  // when the row already holds max_len items). Returns {items [B, W], mask positions [B]}.
  std::pair<torch::Tensor, torch::Tensor> append_mask(const Batch& batch) const;
  // [P, d] hidden states -> [P, N+1] scores (the [mask] row is never a candidate).
  torch::Tensor logits(const torch::Tensor& hidden);
  // [N+1, d] candidate rows of the tied item table (without [mask]).
  torch::Tensor output_table() const;
  // [P, d] hidden states -> [P, d] outputs of the prediction head, the scores' queries (the
  // hidden states themselves with prediction_head=tied).
  torch::Tensor head(const torch::Tensor& hidden);
  // [B, d] hidden state at each row's appended [mask].
  torch::Tensor hidden_at_mask(const Batch& batch);

  int64_t num_items;
  int64_t mask_id;  // N + 1
  int64_t max_len;
  double mask_prob;
  bool transform_head;                   // prediction_head=transform; false: the tied table alone
  SequenceEmbedding embedding{nullptr};  // item table of N + 2 rows: 0 = padding, N+1 = [mask]
  torch::nn::LayerNorm embedding_norm{nullptr};
  Dropout embedding_dropout{nullptr};
  TransformerEncoder encoder{nullptr};
  // BERT's prediction head, dense + GELU + LayerNorm, and the output bias [N+1]; all three
  // undefined with prediction_head=tied.
  torch::nn::Linear head_dense{nullptr};
  torch::nn::LayerNorm head_norm{nullptr};
  torch::Tensor output_bias;
};

}  // namespace seqrec
