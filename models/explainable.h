#pragma once
// An optional capability next to SequentialRecommenderImpl: a model that can say why it scored
// a user as it did (gate and router weights). `seqrec train --explain` writes it per test user.
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "datasets/batch.h"

namespace seqrec {

class Explainable {
 public:
  virtual ~Explainable() = default;
  // Named per-row tensors [B, k] for an evaluation batch; column j of "name" is "name.j".
  virtual std::vector<std::pair<std::string, torch::Tensor>> explain(const Batch& batch) = 0;
};

}  // namespace seqrec
