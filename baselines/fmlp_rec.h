#pragma once
// FMLP-Rec (Zhou, Yu, Zhao & Wen, WWW 2022): SASRec with self-attention replaced by a learnable
// filter in the frequency domain (rFFT along the sequence, element-wise complex weights,
// inverse rFFT). The filter mixes every position with every other, later ones included, so
// the model reads each sequence left-padded to a fixed length n = max_len with its last item
// at n - 1 and trains on one target per sample (train_samples = last_position).
#include "models/layers/losses.h"
#include "models/layers/transformer.h"
#include "models/sequential_recommender.h"

namespace seqrec {

// Right-padded [B, L] rows with `lengths` real entries -> [B, n] left-padded with 0, each row's
// last entry at n - 1 (rows longer than n keep their last n entries).
torch::Tensor left_align(const torch::Tensor& rows, const torch::Tensor& lengths, int64_t n);

// x + irFFT(rFFT(x) * W) with dropout, then LayerNorm; W [n/2+1, d] complex, stored as real
// [n/2+1, d, 2].
class FilterLayerImpl : public torch::nn::Module {
 public:
  FilterLayerImpl(int64_t length, int64_t dim, double dropout);
  torch::Tensor forward(const torch::Tensor& x);  // [B, n, d] -> [B, n, d]

  int64_t length;
  torch::Tensor filter;
  Dropout dropout{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(FilterLayer);

// Filter layer, then the point-wise feed-forward with residual and LayerNorm.
class FilterBlockImpl : public torch::nn::Module {
 public:
  FilterBlockImpl(int64_t length, int64_t dim, int64_t inner, double dropout,
                  const std::string& activation);
  torch::Tensor forward(const torch::Tensor& x);

  FilterLayer filter{nullptr};
  FeedForward feed_forward{nullptr};
  Dropout dropout{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(FilterBlock);

class FMLPRecImpl : public SequentialRecommenderImpl {
 public:
  explicit FMLPRecImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;
  // [B, n, d] hidden states of left-padded [B, n] items.
  torch::Tensor encode(const torch::Tensor& left_padded_items);

  int64_t length;  // n = the protocol's max_len
  torch::nn::Embedding item{nullptr}, position{nullptr};
  torch::nn::LayerNorm embedding_norm{nullptr};
  Dropout embedding_dropout{nullptr};
  torch::nn::ModuleList blocks;
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
