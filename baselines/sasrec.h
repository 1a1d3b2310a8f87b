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
  // [B, L, d] hidden states of every position; items looked up in `table` when given (the
  // item table after item-table dropout), else in the embedding's own rows.
  torch::Tensor encode(const torch::Tensor& items, const torch::Tensor& table = torch::Tensor());
  // Packed batch: [T, d] states of every real token, or [B, d] of each row's last one.
  torch::Tensor encode_packed(const torch::Tensor& items, const TokenLayout& layout, bool last_only,
                              const torch::Tensor& table = torch::Tensor());
  // [B, d] each row's state at its last real position, packed or padded as the batch is.
  torch::Tensor last_states(const Batch& batch);

  SequenceEmbedding embedding{nullptr};
  TransformerEncoder encoder{nullptr};
  Dropout item_dropout{nullptr};
  NextItemLossOptions loss_options;
  // attend_padding=true: the width of the left-padded window whose zeroed slots every query
  // also attends to (max_len); 0 = off.
  int64_t padded_window = 0;

 private:
  torch::Tensor item_table();  // the item table after item-table dropout
  bool drops_items() const;
  // [B] padded slots of each row's window (max_len - length), or undefined when off.
  torch::Tensor zero_slots(const torch::Tensor& lengths) const;
};

}  // namespace seqrec
