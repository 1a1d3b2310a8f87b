#pragma once
// The one interface every model implements (design §5).
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "core/params.h"
#include "datasets/batch.h"
#include "datasets/batching.h"
#include "datasets/split.h"

namespace seqrec {

// The training objective with its named parts, so auxiliary losses can be logged.
struct LossParts {
  torch::Tensor total;
  std::vector<std::pair<std::string, torch::Tensor>> parts;
};

// What a model may read when it is built: the data (sizes, side information), the training
// split (popularity), its resolved parameters and the protocol's max_len.
struct ModelContext {
  const Dataset& data;
  const LeaveOneOutSplit& split;
  const Params& params;
  int64_t max_len;
};

// Scores written as a product query · itemsᵀ. Evaluation of a large catalogue computes it a
// chunk of items at a time, so the [B, N+1] score matrix is never held whole.
struct ScoreFactors {
  torch::Tensor query;  // [B, D]: one row per sequence
  torch::Tensor items;  // [N+1, D]: one row per item, row 0 = padding
  bool defined() const { return query.defined() && items.defined(); }
};

class SequentialRecommenderImpl : public torch::nn::Module {
 public:
  ~SequentialRecommenderImpl() override = default;

  // The full training objective for a training batch (targets set).
  virtual LossParts loss(const Batch& batch) = 0;
  // [B, N+1] scores over every item for the position after each row's last item. By default
  // the product of score_factors(); models whose scores are no such product override it.
  virtual torch::Tensor score(const Batch& batch) {
    const ScoreFactors factors = score_factors(batch);
    TORCH_CHECK(factors.defined(), "a model must override score() or score_factors()");
    return torch::matmul(factors.query, factors.items.t());
  }
  // The factors of score(), or undefined ones when the scores are no product of a per-sequence
  // query and a per-item table (Pop).
  virtual ScoreFactors score_factors(const Batch& batch) { return {}; }
  // Hook to change a training batch before loss() (cloze masking, augmentation).
  virtual void prepare_training_batch(Batch& batch) {}
  // Models without trainable parameters (Pop) skip the training loop.
  virtual bool trainable() const { return true; }

  // Why the model scored a user as it did (gate and router weights), for `seqrec train
  // --explain`: named per-row tensors [B, k] for an evaluation batch; column j of "name" is
  // "name.j". Models that can say override both.
  virtual bool explains() const { return false; }
  virtual std::vector<std::pair<std::string, torch::Tensor>> explain(const Batch& batch) {
    return {};
  }
};

using SequentialRecommender = std::shared_ptr<SequentialRecommenderImpl>;

}  // namespace seqrec
