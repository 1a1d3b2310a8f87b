#pragma once
// eSASRec (Tikhonovich, Zelinskiy, Petrov et al., RecSys 2025): SASRec's objective with LiGR-style
// gated layers and sampled softmax. Each block normalises before attention and before a SwiGLU
// feed-forward, and adds each sub-layer's output through a sigmoid gate computed from the
// un-normalised residual stream; no final LayerNorm. Around the layers it is RecTools'
// SASRec: positions counted from the end, no sqrt(d) scaling, dropout on the whole item table,
// Xavier-normal initialisation.
#include "models/layers/attention.h"
#include "models/layers/dropout.h"
#include "models/layers/losses.h"
#include "models/layers/transformer.h"
#include "models/sequential_recommender.h"

namespace seqrec {

// out = W_out Drop(SiLU(W_in x) * (W_gate x)), no biases.
class SwiGLUImpl : public torch::nn::Module {
 public:
  SwiGLUImpl(int64_t dim, int64_t inner, double dropout);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Linear in{nullptr}, gate{nullptr}, out{nullptr};
  Dropout dropout{nullptr};
};
TORCH_MODULE(SwiGLU);

class LiGRBlockImpl : public torch::nn::Module {
 public:
  LiGRBlockImpl(int64_t dim, int64_t heads, int64_t ff_mult, double dropout);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& allowed);
  // Packed tokens [T, d] -> [T, d], or [B, d] (each row's last token) for LastOfRow.
  torch::Tensor forward_packed(const torch::Tensor& x, const TokenLayout& layout,
                               PackedQueries queries);

  MultiHeadAttention attention{nullptr};
  SwiGLU feed_forward{nullptr};
  torch::nn::LayerNorm attention_norm{nullptr}, feed_forward_norm{nullptr};
  torch::nn::Linear attention_gate{nullptr}, feed_forward_gate{nullptr};
  Dropout dropout{nullptr};

 private:
  // x + sigmoid(gate(x)) * Drop(update): the gate reads the stream before normalisation.
  torch::Tensor gated(const torch::Tensor& x, torch::nn::Linear& gate, const torch::Tensor& update);
};
TORCH_MODULE(LiGRBlock);

class ESASRecImpl : public SequentialRecommenderImpl {
 public:
  explicit ESASRecImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;
  // [B, L, d] states of every position, items looked up in `table` ([N + 1, d]).
  torch::Tensor encode(const torch::Tensor& items, const torch::Tensor& table);
  // Packed: [T, d] states of every real token, or [B, d] of each row's last one.
  torch::Tensor encode_packed(const torch::Tensor& items, const TokenLayout& layout, bool last_only,
                              const torch::Tensor& table);

  SequenceEmbedding embedding{nullptr};
  torch::nn::ModuleList blocks;
  Dropout item_dropout{nullptr};
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
