#pragma once
// FDSA (Zhang et al., IJCAI 2019): two causal self-attention streams — one over the item
// sequence, one over a feature sequence in which each item's categories are combined into one
// vector by vanilla attention — whose outputs are concatenated and mapped to d; items are
// scored by a dot product with the item embedding.
#include "models/layers/losses.h"
#include "models/layers/transformer.h"
#include "models/sequential_recommender.h"

namespace seqrec {

class FDSAImpl : public SequentialRecommenderImpl {
 public:
  explicit FDSAImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;

  // [B, L, d] combined output of every position (causal: position t sees items <= t).
  torch::Tensor encode(const torch::Tensor& items);
  // Packed: [T, d] combined outputs of the real tokens, or [B, d] of each row's last one.
  torch::Tensor encode_packed(const torch::Tensor& items, const TokenLayout& layout,
                              bool last_only);
  // The two streams' outputs [..., d] each -> [..., d]: concatenated, mapped to d, normalised.
  torch::Tensor combined(const torch::Tensor& item_stream, const torch::Tensor& feature_stream);
  // Item ids of any shape [...] -> [..., d]: one feature vector per item from its categories.
  torch::Tensor features(const torch::Tensor& items);

  bool attention_pooling;  // feature_pooling = "attention" (else "mean")
  // Item id -> category slots, [N+1, C_max]: 0 = unused slot, 1..C = category index + 1,
  // C+1 = the learned "no category" slot, which items without categories (and padding) get
  // so that no item's softmax runs over an empty set. `category_mask` marks used slots.
  torch::Tensor category_index, category_mask;
  SequenceEmbedding embedding{nullptr};  // item table (also the output table) + positions
  torch::nn::Embedding category{nullptr};
  torch::nn::Linear feature_score_hidden{nullptr}, feature_score{nullptr};  // vanilla attention
  torch::nn::LayerNorm item_norm{nullptr}, feature_norm{nullptr}, output_norm{nullptr};
  Dropout dropout{nullptr};
  TransformerEncoder item_encoder{nullptr}, feature_encoder{nullptr};
  torch::nn::Linear combine{nullptr};  // [item; feature] (2d) -> d
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
