#pragma once
// SASRec (Kang & McAuley, ICDM 2018): causal self-attention over the item sequence, next item
// scored by a dot product with the shared item embedding.
#include <string>

#include "models/layers/losses.h"
#include "models/layers/transformer.h"
#include "models/sequential_recommender.h"

namespace seqrec {

class SASRecImpl : public SequentialRecommenderImpl {
 public:
  explicit SASRecImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;
  // [B, L, d] hidden states of every position.
  torch::Tensor encode(const torch::Tensor& items);

  SequenceEmbedding embedding{nullptr};
  TransformerEncoder encoder{nullptr};
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
