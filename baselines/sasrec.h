#pragma once
// SASRec (Kang & McAuley, ICDM 2018): causal self-attention over the item sequence, next item
// scored by a dot product with the shared item embedding.
#include <map>
#include <string>

#include "models/layers/transformer.h"
#include "models/losses.h"
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

// The schema's transformer keys (hidden, layers, heads, inner, dropout, attn_dropout,
// activation, pre_norm) → options; reused by every SASRec-like model.
ParamSchema transformer_schema(int64_t layers, int64_t heads, double dropout,
                               const std::string& activation);
TransformerOptions transformer_options(const Params& params);

// `base` with a note on where `model`'s default comes from appended to the help of each key
// in `notes` ("[CORE: default 0.5 = RecBole ...]"), for models that reuse shared keys.
ParamSchema with_default_sources(const ParamSchema& base, const std::string& model,
                                 const std::map<std::string, std::string>& notes);

}  // namespace seqrec
