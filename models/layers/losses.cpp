#include "models/layers/losses.h"

#include "models/layers/candidate_scores.h"
#include "models/layers/fused_cross_entropy.h"
#include "models/layers/kernel_choice.h"

namespace seqrec {

ParamSchema next_item_loss_schema(const std::string& default_kind) {
  ParamSchema s;
  s.string_param("loss", default_kind,
                 "ce = full softmax over all items; bce = one sampled negative per position "
                 "(SASRec paper); sampled_softmax = softmax over target + num_negatives; gbce = "
                 "generalised BCE of gSASRec (Petrov & Macdonald, RecSys 2023)",
                 {"ce", "bce", "sampled_softmax", "gbce"});
  s.int_param("num_negatives", 256,
              "negatives per position for sampled_softmax and gbce (eSASRec benchmark: 256)", 1);
  s.float_param("gbce_t", 0.75, "gBCE calibration t in [0, 1] (gSASRec default 0.75)", 0.0, 1.0);
  s.string_param("negatives", "uniform_except_target",
                 "how bce, sampled_softmax and gbce draw negatives: uniform over all items with "
                 "replacement, per position; uniform_except_target redraws one equal to the "
                 "position's target (default), uniform keeps it (RecTools 0.13, the eSASRec "
                 "benchmark)",
                 {"uniform_except_target", "uniform"});
  s.added_after_recorded_trials("negatives");
  return s;
}

NextItemLossOptions next_item_loss_options(const Params& p) {
  NextItemLossOptions o;
  o.kind = p.get_string("loss");
  o.num_negatives = p.get_int("num_negatives");
  o.gbce_t = p.get_float("gbce_t");
  o.negatives_avoid_target = p.get_string("negatives") == "uniform_except_target";
  return o;
}

namespace {

// [P, n] uniform items in 1..N, redrawn where they hit the position's target if so asked.
torch::Tensor sample_negatives(const torch::Tensor& targets, int64_t n, int64_t num_items,
                               bool avoid_target) {
  auto opts = targets.options();
  auto negatives = torch::randint(1, num_items + 1, {targets.size(0), n}, opts);
  for (int attempt = 0; avoid_target && attempt < 10; ++attempt) {
    auto clash = negatives.eq(targets.unsqueeze(1));
    if (!clash.any().item<bool>()) break;
    negatives =
        torch::where(clash, torch::randint(1, num_items + 1, negatives.sizes(), opts), negatives);
  }
  return negatives;
}

torch::Tensor candidate_logits(const torch::Tensor& hidden, const torch::Tensor& items,
                               const torch::Tensor& candidates) {
  if (current_kernels().candidate_scores == CandidateScoresKernel::Fused)
    return fused_candidate_scores(hidden, items, candidates);
  return gathered_candidate_scores(hidden, items, candidates);
}

// Cross-entropy over a [P, N] score matrix with torch's own log_softmax and exp. torch's
// cross_entropy keeps the log-probabilities, and in the backward pass nll_loss fills a fresh
// [P, N] gradient of zeros for one entry per row, which log_softmax's backward then reads with
// the log-probabilities to write a third [P, N] tensor. The gradient is softmax minus one-hot,
// scaled: here the backward pass turns the saved log-probabilities into it in place, with the
// same exp and the same products, so it allocates no [P, N] memory.
class InPlaceGradientCrossEntropy : public torch::autograd::Function<InPlaceGradientCrossEntropy> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits,
                               const torch::Tensor& columns) {
    auto log_probabilities = torch::log_softmax(logits, 1, torch::kFloat);
    ctx->saved_data["log_probabilities"] = log_probabilities;
    ctx->saved_data["columns"] = columns;
    ctx->saved_data["dtype"] = static_cast<int64_t>(logits.scalar_type());
    return torch::nll_loss(log_probabilities, columns);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto gradient = ctx->saved_data["log_probabilities"].toTensor();
    const auto columns = ctx->saved_data["columns"].toTensor();
    const auto dtype = static_cast<torch::ScalarType>(ctx->saved_data["dtype"].toInt());
    // nll_loss's mean: each row's target entry of the loss gradient is -weight.
    const auto weight = grad_outputs[0].to(torch::kFloat) / columns.size(0);
    gradient.exp_().mul_(weight);
    gradient.scatter_add_(1, columns.unsqueeze(1), (-weight).expand({columns.size(0), 1}));
    return {gradient.to(dtype), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor full_softmax_cross_entropy(const torch::Tensor& logits,
                                         const torch::Tensor& targets) {
  if (current_kernels().cross_entropy == CrossEntropyKernel::Fused)
    return fused_full_softmax_cross_entropy(logits, targets);
  // Dropping column 0 keeps padding out of the softmax without an in-place mask.
  return torch::nn::functional::cross_entropy(logits.slice(1, 1), targets - 1);
}

PackedTargets packed_targets(const Batch& batch) {
  const TokenLayout& layout = batch.packed;
  PackedTargets out;
  auto targets = layout.pack(batch.targets);
  auto carries = targets.gt(0);
  auto at_last = carries.index_select(0, layout.last);
  out.last_only = carries.sum().eq(at_last.sum()).item<bool>();  // one device sync, not two
  if (out.last_only) {
    out.rows = at_last;
    out.targets = targets.index_select(0, layout.last).index({at_last});
  } else {
    out.rows = carries;
    out.targets = targets.index({carries});
  }
  return out;
}

torch::Tensor packed_next_item_loss(const torch::Tensor& hidden, const torch::Tensor& targets,
                                    const torch::Tensor& items, const NextItemLossOptions& o) {
  if (o.kind != "ce" || o.softmax_over_padding ||
      current_kernels().cross_entropy == CrossEntropyKernel::Fused)
    return next_item_loss(hidden, targets, items, o);
  return InPlaceGradientCrossEntropy::apply(torch::matmul(hidden, items.slice(0, 1).t()),
                                            targets - 1);
}

torch::Tensor next_item_loss(const torch::Tensor& hidden, const torch::Tensor& targets,
                             const torch::Tensor& items, const NextItemLossOptions& o) {
  const int64_t num_items = items.size(0) - 1;
  if (o.kind == "ce") {
    auto logits = torch::matmul(hidden, items.t());
    // Klenitskiy & Vasilev's SASRec keeps padding's zero logit in the softmax denominator.
    if (o.softmax_over_padding) return torch::nn::functional::cross_entropy(logits, targets);
    return full_softmax_cross_entropy(logits, targets);
  }

  auto positive = (hidden * items.index_select(0, targets)).sum(-1);  // [P]
  if (o.kind == "bce") {
    auto negative = candidate_logits(
        hidden, items, sample_negatives(targets, 1, num_items, o.negatives_avoid_target));
    return (torch::softplus(-positive) + torch::softplus(negative).squeeze(1)).mean();
  }
  auto negatives = candidate_logits(
      hidden, items,
      sample_negatives(targets, o.num_negatives, num_items, o.negatives_avoid_target));
  if (o.kind == "sampled_softmax") {
    auto logits = torch::cat({positive.unsqueeze(1), negatives}, 1);
    return torch::nn::functional::cross_entropy(logits,
                                                torch::zeros({logits.size(0)}, targets.options()));
  }
  if (o.kind == "gbce") {
    // gSASRec eq. 6-7: beta = alpha (t (1 - 1/alpha) + 1/alpha), alpha = n / (N - 1);
    // loss = -log(sigmoid(s+)^beta) - sum log(1 - sigmoid(s-)).
    const double alpha = static_cast<double>(o.num_negatives) / std::max<int64_t>(1, num_items - 1);
    const double beta = alpha * (o.gbce_t * (1.0 - 1.0 / alpha) + 1.0 / alpha);
    return (beta * torch::softplus(-positive) + torch::softplus(negatives).sum(1)).mean();
  }
  TORCH_CHECK(false, "unknown loss ", o.kind);
}

}  // namespace seqrec
