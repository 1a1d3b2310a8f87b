#pragma once
// CORE (Hou, Hu, Zhang & Zhao, SIGIR 2022): a representation-consistent encoder — the sequence
// representation is a convex combination of the input item embeddings themselves, so it lives
// in the item space — and robust distance measuring: dropout on the input and candidate item
// embeddings, cosine similarity over a temperature, full-softmax cross-entropy.
#include "models/layers/transformer.h"
#include "models/sequential_recommender.h"

namespace seqrec {

class COREImpl : public SequentialRecommenderImpl {
 public:
  explicit COREImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  torch::Tensor score(const Batch& batch) override;
  // cos/τ as (s/τ) · tᵀ: score() up to rounding (score() divides after the product).
  ScoreFactors score_factors(const Batch& batch) override;

  // [B, L, L] weights: row t holds α over the real positions j <= t (0 elsewhere) and sums to
  // 1, i.e. the weights CORE gives the prefix ending at t. `embedded` = item embeddings of
  // `items` (after sess_dropout), the transformer's input.
  torch::Tensor prefix_weights(const torch::Tensor& items, const torch::Tensor& embedded);
  // [B, L, d] unnormalised representation of every prefix: Σ_j α_tj · x_j.
  torch::Tensor represent(const torch::Tensor& items);
  // [P, N+1] cos(representation, item) / τ; candidate dropout only while training.
  torch::Tensor logits(const torch::Tensor& representation);
  // The unit-length factors of logits(): {s, t} with logits = s · tᵀ / τ.
  ScoreFactors unit_factors(const torch::Tensor& representation);

  bool transformer;  // encoder = "trm" (else "ave")
  double temperature;
  SequenceEmbedding embedding{nullptr};  // its item table is the only item space
  torch::nn::LayerNorm input_norm{nullptr};
  Dropout input_dropout{nullptr}, sess_dropout{nullptr}, item_dropout{nullptr};
  TransformerEncoder encoder{nullptr};
  torch::nn::Linear weight_head{nullptr};  // hidden state -> α logit
};

}  // namespace seqrec
