#pragma once
// In-batch InfoNCE / NT-Xent between two views of the same B rows, written once for every
// contrastive model (CL4SRec, DuoRec, HM4SR's IDCL and PCL).
#include <torch/torch.h>

namespace seqrec {

// Which in-batch samples serve as negatives for an anchor.
enum class ContrastNegatives {
  // NT-Xent (SimCLR; CL4SRec, DuoRec): 2B anchors, each with its partner view as the positive
  // and the other 2B - 2 views of both sides as negatives.
  BothViews,
  // Cross-view InfoNCE (CLIP-style; HM4SR's IDCL): anchor a_i, positive b_i, negatives b_j
  // (j != i); with `symmetric`, also b_i against every a_j.
  OtherView,
};

struct InfoNCEOptions {
  TORCH_ARG(double, temperature) = 1.0;
  // Normalise both views to unit length first (cosine similarity); false = dot product.
  TORCH_ARG(bool, cosine) = false;
  TORCH_ARG(ContrastNegatives, negatives) = ContrastNegatives::BothViews;
  // OtherView only: average the a -> b and b -> a directions (BothViews is symmetric anyway).
  TORCH_ARG(bool, symmetric) = false;
};

// Mean over anchors of -log softmax(sim / temperature)[positive]. a, b: [B, d] (row i of a and
// row i of b are a positive pair). false_negatives: optional [B, B] bool, true where rows i and
// j must not be each other's negative (e.g. they share a target); such pairs are dropped from
// the softmax in every block (a-a, a-b, b-a, b-b); the diagonal is ignored (an anchor's own
// positive is never dropped). Stable for any scale (log-softmax); B = 1 gives 0, not NaN.
torch::Tensor info_nce(const torch::Tensor& a, const torch::Tensor& b,
                       const InfoNCEOptions& options = {},
                       const torch::Tensor& false_negatives = {});

// [B, B] bool: rows with equal labels (e.g. the same next item), for `false_negatives`.
torch::Tensor same_label_mask(const torch::Tensor& labels);

}  // namespace seqrec
