#pragma once
// The one interface every model implements (design §5).
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "datasets/batch.h"
#include "datasets/batching.h"
#include "datasets/split.h"
#include "harness/params.h"

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

class SequentialRecommenderImpl : public torch::nn::Module {
 public:
  ~SequentialRecommenderImpl() override = default;

  // The full training objective for a training batch (targets set).
  virtual LossParts loss(const Batch& batch) = 0;
  // [B, N+1] scores over every item for the position after each row's last item.
  virtual torch::Tensor score(const Batch& batch) = 0;
  // Hook to change a training batch before loss() (cloze masking, augmentation).
  virtual void prepare_training_batch(Batch& batch) {}
  // Models without trainable parameters (Pop) skip the training loop.
  virtual bool trainable() const { return true; }
};

using SequentialRecommender = std::shared_ptr<SequentialRecommenderImpl>;

}  // namespace seqrec
