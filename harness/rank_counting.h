#pragma once
// The target's rank among all candidates, by counting (design §7): for each row, how many
// unmasked items score higher than the target and how many tie with it. Two implementations
// with one meaning:
// - fused (CPU): one pass over each score row, rows in parallel. Seen items are not masked in
//   a copy of the scores; their contribution is subtracted afterwards, so the score matrix is
//   read once and never written. This keeps evaluation close to the cost of the score matrix
//   product itself (bench/eval_bench.cpp).
// - tensor ops (any device): mask a private copy of the scores, then compare and sum.
// Both also count within a chunk of the catalogue (columns first_item .. first_item+C-1)
// against a given target score, so a large catalogue can be ranked chunk by chunk without
// the [B, N+1] matrix; the counts of the chunks add up to the counts of the whole row.
#include <torch/torch.h>

namespace seqrec {

struct RankCounts {
  torch::Tensor higher;  // [B] int64 on the CPU: unmasked items scoring above the target
  torch::Tensor tied;    // [B] int64 on the CPU: unmasked items other than the target tied with it
};

// `values` flattened, as contiguous int64 on the CPU: the form of RankCounts and of the user
// ids the evaluator reads row by row, from whatever device and integer type they came.
torch::Tensor to_cpu_int64(const torch::Tensor& values);

// Double scores stay double (rounding them to float could create ties that are not there);
// half and bfloat16 (autocast), float and integer scores are compared in float32, which
// represents every one of them exactly.
// scores [B, N+1] (column 0 = padding, never a candidate); target_ids [B, 1]
// in [1, N]; seen_ids [B, S] in [0, N] (0 = padding) or undefined when nothing is masked. A
// seen target is still ranked. Target scores must be finite (checked by the caller).
RankCounts count_ranks_fused(const torch::Tensor& scores, const torch::Tensor& target_ids,
                             const torch::Tensor& seen_ids);
RankCounts count_ranks_with_tensor_ops(const torch::Tensor& scores, const torch::Tensor& target_ids,
                                       const torch::Tensor& seen_ids);

// The same counts over one chunk: chunk_scores [B, C] are the scores of items first_item ..
// first_item+C-1, target_scores [B, 1] the targets' scores (finite). The target's own column,
// padding and seen items are no candidates wherever they fall.
RankCounts count_ranks_in_chunk_fused(const torch::Tensor& chunk_scores, int64_t first_item,
                                      const torch::Tensor& target_scores,
                                      const torch::Tensor& target_ids,
                                      const torch::Tensor& seen_ids);
RankCounts count_ranks_in_chunk_with_tensor_ops(const torch::Tensor& chunk_scores,
                                                int64_t first_item,
                                                const torch::Tensor& target_scores,
                                                const torch::Tensor& target_ids,
                                                const torch::Tensor& seen_ids);

// A private copy of a chunk's scores in float (double stays double) with padding and seen
// items other than the target at -inf: the input of the top-k dump. With first_item 0 and
// the whole row it is the masked score matrix.
torch::Tensor masked_scores(const torch::Tensor& chunk_scores, int64_t first_item,
                            const torch::Tensor& target_ids, const torch::Tensor& seen_ids);

}  // namespace seqrec
