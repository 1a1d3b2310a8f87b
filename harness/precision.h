#pragma once
// Training precision (issue 7): float32, or bfloat16 autocast for the forward pass and loss of
// each step. Under autocast, matrix products run in bfloat16 (twice the float32 rate or more
// on CPUs with bfloat16 instructions, see results/performance.md) while weights, optimiser
// state, softmax and the loss stay float32. Evaluation always runs in float32: bfloat16 keeps
// 8 mantissa bits, and rounding scores would create ties between items that are not there.
#include <torch/torch.h>

#include <string>

namespace seqrec {

enum class Precision { Float32, BFloat16 };
Precision parse_precision(const std::string& name);  // float32 | bf16; InputError otherwise
std::string to_string(Precision precision);

// True when the CPU executes bfloat16 products natively (AVX512-BF16 or AMX); elsewhere CPU
// autocast still works but is emulated and slower than float32.
bool cpu_has_bfloat16();

// Autocast on `device` for the guard's lifetime when `precision` is bfloat16; nothing
// otherwise. Leaving clears autocast's cache of lower-precision weight copies, which would
// otherwise outlive the optimiser step that changes the weights.
class AutocastGuard {
 public:
  AutocastGuard(Precision precision, torch::Device device);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool was_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kBFloat16;
};

}  // namespace seqrec
