#pragma once
// Caser (Tang & Wang, WSDM 2018): the embeddings of the last L items form an L x d "image";
// horizontal convolutions (heights 1..L, max-pooled over time) capture union-level patterns,
// vertical convolutions (L x 1) point-level ones; the result, with a user embedding, scores
// every item against a separate output table plus a per-item bias.
#include "models/layers/dropout.h"
#include "models/layers/losses.h"
#include "models/sequential_recommender.h"

namespace seqrec {

class CaserImpl : public SequentialRecommenderImpl {
 public:
  explicit CaserImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;

  // The last `window` items ending at position end[p] of row rows[p] of `items` (right-padded
  // batch), left-padded with 0 where the sequence is shorter: [P, window].
  torch::Tensor window_items(const torch::Tensor& items, const torch::Tensor& rows,
                             const torch::Tensor& end) const;
  // [P, window] item windows and [P] users -> [P, 2d] representation (conv features, user).
  torch::Tensor encode(const torch::Tensor& windows, const torch::Tensor& users);
  // Output table with the bias as an extra column, and the matching constant column on the
  // representation: <[h, 1], [W_i, b_i]> = <h, W_i> + b_i, so the shared losses apply as is.
  torch::Tensor output_table() const;
  static torch::Tensor with_bias_input(const torch::Tensor& hidden);

  int64_t window;
  torch::nn::Embedding item{nullptr}, user{nullptr};
  torch::nn::ModuleList horizontal;     // Conv2d(1, h_filters, (h, d)) for h = 1..window
  torch::nn::Conv2d vertical{nullptr};  // Conv2d(1, v_filters, (window, 1))
  Dropout dropout{nullptr};
  torch::nn::Linear fc{nullptr};
  torch::nn::Embedding output{nullptr};  // [N+1, 2d], separate from the input table
  torch::Tensor output_bias;             // [N+1]
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
