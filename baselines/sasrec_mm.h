#pragma once
// SASRec-MM: SASRec (Kang & McAuley, ICDM 2018) whose item representation fuses the ID
// embedding with each modality's frozen feature, projected to d by a trainable linear map
// (early fusion, the usual multi-modal SASRec baseline). The fused table is both the input
// item embedding and the candidate table that scores items.
#include <string>
#include <vector>

#include "models/layers/losses.h"
#include "models/layers/transformer.h"
#include "models/sequential_recommender.h"

namespace seqrec {

class SASRecMMImpl : public SequentialRecommenderImpl {
 public:
  explicit SASRecMMImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;
  // [N+1, d] fused item table; row 0 (padding) zeros.
  torch::Tensor item_table();
  // [B, L, d] hidden states of every position.
  torch::Tensor encode(const torch::Tensor& items) { return encode(items, item_table()); }
  torch::Tensor encode(const torch::Tensor& items, const torch::Tensor& table);
  // Packed: [T, d] states of the real tokens, or [B, d] of each row's last one.
  torch::Tensor encode_packed(const torch::Tensor& items, const TokenLayout& layout,
                              const torch::Tensor& table, bool last_only);

  std::string fusion;                    // sum | concat
  std::vector<std::string> modalities;   // in the order of `features` and `projections`
  std::vector<torch::Tensor> features;   // frozen buffers [N+1, F_m]
  SequenceEmbedding embedding{nullptr};  // ID table, positions, dropout
  torch::nn::ModuleList projections;     // Linear(F_m, d) per modality
  torch::nn::Linear fuse{nullptr};       // concat only: (1 + M)·d -> d
  TransformerEncoder encoder{nullptr};
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
