#include "models/layers/candidate_scores.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "core/float_vectors.h"

namespace seqrec {

namespace {

using simd::Floats;
using simd::kWidth;

SEQREC_VECTOR_CLONES float dot(const float* a, const float* b, int64_t n) {
  Floats sum = simd::splat(0.0f);
  int64_t j = 0;
  for (; j + kWidth <= n; j += kWidth) sum += simd::load(a + j) * simd::load(b + j);
  float total = simd::horizontal_sum(sum);
  for (; j < n; ++j) total += a[j] * b[j];
  return total;
}

// y[j] += alpha * x[j].
SEQREC_VECTOR_CLONES void add_scaled(float alpha, const float* x, float* y, int64_t n) {
  const Floats a = simd::splat(alpha);
  int64_t j = 0;
  for (; j + kWidth <= n; j += kWidth)
    simd::store(y + j, simd::load(y + j) + a * simd::load(x + j));
  for (; j < n; ++j) y[j] += alpha * x[j];
}

class FusedCandidateScores : public torch::autograd::Function<FusedCandidateScores> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& hidden,
                               const torch::Tensor& items, const torch::Tensor& candidates) {
    const auto h = hidden.contiguous(), table = items.contiguous(), ids = candidates.contiguous();
    const int64_t positions = ids.size(0), n = ids.size(1), d = h.size(1);
    auto scores = torch::empty({positions, n}, h.options());
    const float* hp = h.data_ptr<float>();
    const float* tp = table.data_ptr<float>();
    const int64_t* ip = ids.data_ptr<int64_t>();
    float* out = scores.data_ptr<float>();
    at::parallel_for(0, positions, 16, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p)
        for (int64_t c = 0; c < n; ++c) out[p * n + c] = dot(hp + p * d, tp + ip[p * n + c] * d, d);
    });
    ctx->save_for_backward({h, table, ids});
    return scores;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_output) {
    const auto saved = ctx->get_saved_variables();
    const auto &h = saved[0], &table = saved[1], &ids = saved[2];
    const auto grad = grad_output[0].contiguous();
    const int64_t positions = ids.size(0), n = ids.size(1), d = h.size(1);
    const float* hp = h.data_ptr<float>();
    const float* tp = table.data_ptr<float>();
    const int64_t* ip = ids.data_ptr<int64_t>();
    const float* gp = grad.data_ptr<float>();
    auto grad_hidden = torch::zeros_like(h);
    float* ghp = grad_hidden.data_ptr<float>();
    at::parallel_for(0, positions, 16, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p)
        for (int64_t c = 0; c < n; ++c)
          add_scaled(gp[p * n + c], tp + ip[p * n + c] * d, ghp + p * d, d);
    });
    // Threads split the columns, not the candidates: no two write one element, and every
    // element sums its terms in candidate order whatever the thread count.
    auto grad_items = torch::zeros_like(table);
    float* gtp = grad_items.data_ptr<float>();
    at::parallel_for(0, d, kWidth, [&](int64_t begin, int64_t end) {
      for (int64_t p = 0; p < positions; ++p)
        for (int64_t c = 0; c < n; ++c)
          add_scaled(gp[p * n + c], hp + p * d + begin, gtp + ip[p * n + c] * d + begin,
                     end - begin);
    });
    return {grad_hidden, grad_items, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor gathered_candidate_scores(const torch::Tensor& hidden, const torch::Tensor& items,
                                        const torch::Tensor& candidates) {
  // [P, n, d] x [P, d, 1] -> [P, n]
  return torch::bmm(items.index_select(0, candidates.flatten())
                        .view({candidates.size(0), candidates.size(1), -1}),
                    hidden.unsqueeze(2))
      .squeeze(2);
}

torch::Tensor fused_candidate_scores(const torch::Tensor& hidden, const torch::Tensor& items,
                                     const torch::Tensor& candidates) {
  const bool supported = hidden.device().is_cpu() && items.device().is_cpu() &&
                         hidden.scalar_type() == torch::kFloat &&
                         items.scalar_type() == torch::kFloat &&
                         candidates.scalar_type() == torch::kLong && hidden.dim() == 2 &&
                         items.dim() == 2 && candidates.dim() == 2 &&
                         hidden.size(1) == items.size(1) && hidden.size(0) == candidates.size(0);
  if (!supported) return gathered_candidate_scores(hidden, items, candidates);
  // index_select's bounds check, which the kernel's direct reads would skip.
  if (candidates.numel() > 0) {
    const auto [lowest, highest] = torch::aminmax(candidates);  // one pass over the ids
    TORCH_CHECK(lowest.item<int64_t>() >= 0 && highest.item<int64_t>() < items.size(0),
                "candidate ids must lie in [0, ", items.size(0), ")");
  }
  return FusedCandidateScores::apply(hidden, items, candidates);
}

}  // namespace seqrec
