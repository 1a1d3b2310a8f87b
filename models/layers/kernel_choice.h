#pragma once
// Which implementation of three training kernels a run uses (trainer keys dropout_rng,
// cross_entropy and candidate_scores). The defaults are torch's own, which every recorded trial
// used; the alternatives compute the same functions faster on CPU but round or draw differently, so
// fixed-seed results differ from the defaults'. The trainer sets the choice for the calling
// thread around each forward pass; layers read it where they run.
#include <string>

namespace seqrec {

// Dropout masks: torch's Bernoulli sampler, or a counter-based hash (models/layers/dropout.h).
enum class DropoutRng { Torch, Counter };
// Full-softmax cross-entropy: torch's log_softmax + nll_loss, or one fused pass per row
// forward and one backward (models/fused_cross_entropy.h).
enum class CrossEntropyKernel { Torch, Fused };
// Scores of sampled negatives: torch's gather and batched product, or dot products read from
// the item table in place (models/layers/candidate_scores.h).
enum class CandidateScoresKernel { Torch, Fused };

DropoutRng parse_dropout_rng(const std::string& name);  // torch | counter; InputError otherwise
std::string to_string(DropoutRng rng);
CrossEntropyKernel parse_cross_entropy_kernel(const std::string& name);  // torch | fused
std::string to_string(CrossEntropyKernel kernel);
CandidateScoresKernel parse_candidate_scores_kernel(const std::string& name);  // torch | fused
std::string to_string(CandidateScoresKernel kernel);

struct KernelChoice {
  DropoutRng dropout_rng = DropoutRng::Torch;
  CrossEntropyKernel cross_entropy = CrossEntropyKernel::Torch;
  CandidateScoresKernel candidate_scores = CandidateScoresKernel::Torch;
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
