#pragma once
// Pop: every user gets the items ranked by their number of interactions in the training
// split. No parameters; the sanity floor every model must beat.
#include "models/sequential_recommender.h"

namespace seqrec {

class PopImpl : public SequentialRecommenderImpl {
 public:
  explicit PopImpl(const ModelContext& context);
  static ParamSchema schema() { return {}; }  // no hyper-parameters
  LossParts loss(const Batch& batch) override;
  torch::Tensor score(const Batch& batch) override;
  bool trainable() const override { return false; }

 private:
  torch::Tensor counts_;  // [N+1] float, a buffer so it follows .to(device)
};

}  // namespace seqrec
