#pragma once
// Scores of sampled candidates (trainer key candidate_scores=fused): for each position p and
// each of its n candidates c, scores[p, c] = hidden[p] . items[candidates[p, c]]. torch's way
// gathers the candidates' rows into a [P, n, d] copy and multiplies it by batched matrix
// products; its backward writes a [P, n, d] gradient and adds it into the table. With 256
// negatives per position at d 256 that copy is about 300 MB per SASRec+SS batch on Beauty,
// most of a CPU step. Here the dot products read the table in place, and the backward adds
// each candidate's gradient straight into the table's rows, in the order index_add would.
// Dot products accumulate in a different order than BLAS's, so scores differ from torch's in
// the last bits.
#include <torch/torch.h>

namespace seqrec {

// hidden [P, d], items [N+1, d], candidates [P, n] int64 row ids. float32 on CPU (also under
// bfloat16 autocast, where it keeps float32); other types and devices use torch's way.
torch::Tensor fused_candidate_scores(const torch::Tensor& hidden, const torch::Tensor& items,
                                     const torch::Tensor& candidates);

// torch's way: index_select, then bmm. The reference the fused one is tested against.
torch::Tensor gathered_candidate_scores(const torch::Tensor& hidden, const torch::Tensor& items,
                                        const torch::Tensor& candidates);

}  // namespace seqrec
