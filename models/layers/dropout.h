#pragma once
// Dropout for every model, with a choice of where its keep masks come from (trainer key
// dropout_rng, models/layers/kernel_choice.h). torch's sampler draws one Bernoulli variable at a
// time on CPU builds without MKL (Debian's LibTorch among them): one-epoch SASRec/Beauty trainings
// with dropout 0.5 and 0 differ by about 45 ms per step, and bfloat16 cannot shorten it. The
// counter sampler takes one 64-bit key per call from torch's generator and hashes (key, element
// index) for each element, which vectorises and runs on every thread. Same keep probability
// and scaling, a different random stream: fixed-seed results differ between the two, so
// recorded trials keep torch's.
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "models/layers/kernel_choice.h"

namespace seqrec {

// x with each element zeroed with probability p and the rest scaled by 1 / (1 - p), when
// training; x itself otherwise. The sampler is the calling thread's current_kernels() choice;
// CUDA tensors always use torch's (already parallel) sampler.
torch::Tensor apply_dropout(const torch::Tensor& x, double p, bool training);

// The counter sampler's mask: a contiguous CPU tensor shaped and typed like `like`, holding
// 1 / (1 - p) where element i of the hash of (key, i) falls below 1 - p, else 0. Depends only
// on (key, p, shape, dtype), not on the thread count.
torch::Tensor counter_keep_mask(const torch::Tensor& like, double p, uint64_t key);

// torch::nn::Dropout's drop-in: same name "p", no parameters, identity in eval mode.
class DropoutImpl : public torch::nn::Cloneable<DropoutImpl> {
 public:
  explicit DropoutImpl(double p = 0.5);
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  double p;
};
TORCH_MODULE(Dropout);

}  // namespace seqrec
