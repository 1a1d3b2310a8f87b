#include "models/layers/contrastive.h"

#include <limits>

namespace seqrec {

namespace {

// -log softmax(logits)[row, positive[row]] with `excluded` entries left out of the softmax.
// -inf (not a large negative number) removes them exactly; the positive is never excluded, so
// every row keeps a finite maximum and the log-softmax stays finite.
torch::Tensor nll_per_anchor(const torch::Tensor& logits, const torch::Tensor& excluded,
                             const torch::Tensor& positive) {
  auto kept = logits.masked_fill(excluded, -std::numeric_limits<double>::infinity());
  return -torch::log_softmax(kept, 1).gather(1, positive.unsqueeze(1)).squeeze(1);
}

torch::Tensor unit(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  return F::normalize(x, F::NormalizeFuncOptions().dim(1));
}

}  // namespace

torch::Tensor same_label_mask(const torch::Tensor& labels) {
  return labels.unsqueeze(0).eq(labels.unsqueeze(1));
}

torch::Tensor info_nce(const torch::Tensor& a, const torch::Tensor& b, const InfoNCEOptions& o,
                       const torch::Tensor& false_negatives) {
  TORCH_CHECK(a.dim() == 2 && a.sizes() == b.sizes(), "info_nce: views must both be [B, d]");
  TORCH_CHECK(o.temperature() > 0, "info_nce: temperature must be positive");
  const int64_t B = a.size(0);
  const auto device = a.device();
  auto eye = torch::eye(B, torch::TensorOptions().dtype(torch::kBool).device(device));
  // The diagonal of false_negatives would be the anchor's own positive: never drop it.
  torch::Tensor dropped = torch::zeros({B, B}, eye.options());
  if (false_negatives.defined()) {
    TORCH_CHECK(false_negatives.sizes() == eye.sizes(), "info_nce: false_negatives must be [B, B]");
    dropped = false_negatives.to(device, torch::kBool).logical_and(eye.logical_not());
  }
  auto x = o.cosine() ? unit(a) : a;
  auto y = o.cosine() ? unit(b) : b;

  if (o.negatives() == ContrastNegatives::BothViews) {
    auto z = torch::cat({x, y}, 0);                           // [2B, d]
    auto logits = torch::matmul(z, z.t()) / o.temperature();  // [2B, 2B]
    auto index = torch::arange(2 * B, torch::TensorOptions().dtype(torch::kInt64).device(device));
    auto positive = (index + B).remainder(2 * B);
    auto self = torch::eye(2 * B, eye.options());
    auto excluded = self.logical_or(dropped.repeat({2, 2}));
    return nll_per_anchor(logits, excluded, positive).mean();
  }

  auto logits = torch::matmul(x, y.t()) / o.temperature();  // [B, B], positives on the diagonal
  auto positive = torch::arange(B, torch::TensorOptions().dtype(torch::kInt64).device(device));
  auto loss = nll_per_anchor(logits, dropped, positive).mean();
  if (o.symmetric()) loss = 0.5 * (loss + nll_per_anchor(logits.t(), dropped.t(), positive).mean());
  return loss;
}

}  // namespace seqrec
