#pragma once
// Full-softmax cross-entropy in one pass per row forward and one backward (trainer key
// cross_entropy=fused). torch's version on a [P, N+1] score matrix copies the sliced
// matrix, writes log-probabilities, a dense gradient of zeros and two more full-size
// temporaries (and under bfloat16 autocast, float32 copies of the log-probabilities): tens of
// milliseconds of a SASRec/Beauty step on one thread (results/performance.md), which
// bfloat16 hardly shortens. Here the forward pass keeps one log-sum-exp per row and the backward
// pass writes softmax minus one-hot straight into the gradient, accumulating in float32 whatever
// the scores' type. Exponentials use a degree-7 polynomial after range reduction (relative
// error about 1e-7, float32 rounding), so values differ from torch's in the last bits.
#include <torch/torch.h>

namespace seqrec {

// Mean over rows of logsumexp(logits[r, 1:]) - logits[r, targets[r]]: column 0 (padding) is
// outside the softmax and gets zero gradient. logits [P, N+1] float32 or bfloat16 on CPU,
// targets [P] int64 in 1..N. Other types and devices use torch's cross_entropy.
torch::Tensor fused_full_softmax_cross_entropy(const torch::Tensor& logits,
                                               const torch::Tensor& targets);

}  // namespace seqrec
