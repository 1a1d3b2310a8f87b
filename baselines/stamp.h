#pragma once
// STAMP (Liu, Zeng, Mokhosi & Zhang, KDD 2018): attention over the sequence's items, queried by
// the last item and the sequence mean, gives the general interest; the last item alone gives
// the short-term interest; each passes its own MLP cell and an item is scored by the trilinear
// product <h_s, h_t, x_i> = (h_s * h_t) . x_i.
#include "models/layers/losses.h"
#include "models/sequential_recommender.h"

namespace seqrec {

class STAMPImpl : public SequentialRecommenderImpl {
 public:
  explicit STAMPImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;
  // [B, L] attention weights alpha_i over the first `lengths` items of each row (0 after them).
  torch::Tensor attention(const Batch& batch);
  // [B, d] h_s * h_t: the sequence representation that the trilinear score multiplies with
  // every item embedding. Reads only the first `lengths` items of each row.
  torch::Tensor represent(const Batch& batch);

  torch::nn::Embedding item{nullptr};
  // Attention net alpha_i = w0 . sigmoid(W1 x_i + W2 x_t + W3 m_s + b_a); b_a is w1's bias.
  torch::nn::Linear w0{nullptr}, w1{nullptr}, w2{nullptr}, w3{nullptr};
  // The two MLP cells: h_s = tanh(W_s m_a + b_s), h_t = tanh(W_t x_t + b_t).
  torch::nn::Linear general{nullptr}, short_term{nullptr};
  bool mean_in_memory = false;
  bool score_sigmoid = false;
  NextItemLossOptions loss_options;

 private:
  // What both the attention and the representation read from a batch.
  struct Memory {
    torch::Tensor items;  // [B, L, d] embeddings, zero at and after each row's `lengths`
    torch::Tensor real;   // [B, L] bool, true before `lengths`
    torch::Tensor last;   // [B, d] x_t, the last real item
    torch::Tensor mean;   // [B, d] m_s, the mean of the real items
  };
  Memory memory(const Batch& batch);
  torch::Tensor attention(const Memory& m);
};

}  // namespace seqrec
