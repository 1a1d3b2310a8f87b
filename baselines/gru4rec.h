#pragma once
// GRU4Rec (Hidasi et al., ICLR 2016), in its sequential-recommendation form (RecBole; Hidasi &
// Czapp, RecSys 2023): item embedding -> dropout -> GRU -> (projection to the embedding width)
// -> dot product with the shared item embedding, trained with a loss at every position.
#include "models/layers/dropout.h"
#include "models/layers/losses.h"
#include "models/sequential_recommender.h"

namespace seqrec {

class GRU4RecImpl : public SequentialRecommenderImpl {
 public:
  explicit GRU4RecImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;
  // [B, L, embedding] output of every position (already projected to the embedding width).
  torch::Tensor encode(const torch::Tensor& items);

  torch::nn::Embedding item{nullptr};
  Dropout dropout{nullptr};
  torch::nn::GRU gru{nullptr};
  torch::nn::Linear projection{nullptr};  // only when hidden != embedding
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
