#pragma once
// Which implementation of two training kernels a run uses (trainer keys dropout_rng and
// cross_entropy). The defaults are torch's own, which every recorded trial used; the
// alternatives compute the same functions faster on CPU but round or draw differently, so
// fixed-seed results differ from the defaults'. The trainer sets the choice for the calling
// thread around each forward pass; layers read it where they run.
#include <string>

namespace seqrec {

// Dropout masks: torch's Bernoulli sampler, or a counter-based hash (models/layers/dropout.h).
enum class DropoutRng { Torch, Counter };
// Full-softmax cross-entropy: torch's log_softmax + nll_loss, or one fused pass per row
// forward and one backward (models/fused_cross_entropy.h).
enum class CrossEntropyKernel { Torch, Fused };

DropoutRng parse_dropout_rng(const std::string& name);  // torch | counter; InputError otherwise
std::string to_string(DropoutRng rng);
CrossEntropyKernel parse_cross_entropy_kernel(const std::string& name);  // torch | fused
std::string to_string(CrossEntropyKernel kernel);

struct KernelChoice {
  DropoutRng dropout_rng = DropoutRng::Torch;
  CrossEntropyKernel cross_entropy = CrossEntropyKernel::Torch;
};

// The calling thread's choice: torch's kernels outside any guard.
const KernelChoice& current_kernels();

class KernelChoiceGuard {
 public:
  explicit KernelChoiceGuard(const KernelChoice& choice);
  ~KernelChoiceGuard();
  KernelChoiceGuard(const KernelChoiceGuard&) = delete;
  KernelChoiceGuard& operator=(const KernelChoiceGuard&) = delete;

 private:
  KernelChoice previous_;
};

}  // namespace seqrec
