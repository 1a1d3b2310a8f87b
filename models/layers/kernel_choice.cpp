#include "models/layers/kernel_choice.h"

#include "core/errors.h"

namespace seqrec {

namespace {
thread_local KernelChoice current;
}  // namespace

DropoutRng parse_dropout_rng(const std::string& name) {
  if (name == "torch") return DropoutRng::Torch;
  if (name == "counter") return DropoutRng::Counter;
  throw InputError("dropout_rng must be torch or counter, not '" + name + "'");
}

std::string to_string(DropoutRng rng) { return rng == DropoutRng::Torch ? "torch" : "counter"; }

CrossEntropyKernel parse_cross_entropy_kernel(const std::string& name) {
  if (name == "torch") return CrossEntropyKernel::Torch;
  if (name == "fused") return CrossEntropyKernel::Fused;
  throw InputError("cross_entropy must be torch or fused, not '" + name + "'");
}

std::string to_string(CrossEntropyKernel kernel) {
  return kernel == CrossEntropyKernel::Torch ? "torch" : "fused";
}

CandidateScoresKernel parse_candidate_scores_kernel(const std::string& name) {
  if (name == "torch") return CandidateScoresKernel::Torch;
  if (name == "fused") return CandidateScoresKernel::Fused;
  throw InputError("candidate_scores must be torch or fused, not '" + name + "'");
}

std::string to_string(CandidateScoresKernel kernel) {
  return kernel == CandidateScoresKernel::Torch ? "torch" : "fused";
}

const KernelChoice& current_kernels() { return current; }

KernelChoiceGuard::KernelChoiceGuard(const KernelChoice& choice) : previous_(current) {
  current = choice;
}

KernelChoiceGuard::~KernelChoiceGuard() { current = previous_; }

}  // namespace seqrec
