#pragma once
// NARM (Li et al., CIKM 2017): GRU encoder; the global encoder is the last hidden state, the
// local encoder attends over every real position with the last state as query; a bilinear
// decoder scores items against the concatenated context.
#include "models/layers/dropout.h"
#include "models/layers/losses.h"
#include "models/sequential_recommender.h"

namespace seqrec {

class NARMImpl : public SequentialRecommenderImpl {
 public:
  explicit NARMImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;
  // [B, L, hidden] GRU states of every position.
  torch::Tensor encode(const torch::Tensor& items);
  // [B, L] attention weights alpha_j (0 at padding) for the states of `encode`.
  torch::Tensor attention(const torch::Tensor& states, const Batch& batch);
  // [B, embedding] B·dropout([c_global; c_local]) at each row's last real position.
  torch::Tensor represent(const Batch& batch);

  torch::nn::Embedding item{nullptr};
  Dropout embedding_dropout{nullptr}, context_dropout{nullptr};
  torch::nn::GRU gru{nullptr};
  torch::nn::Linear a1{nullptr}, a2{nullptr}, v{nullptr}, decoder{nullptr};
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
