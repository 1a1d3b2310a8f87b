#include "models/fused_cross_entropy.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "harness/vector_clones.h"

namespace seqrec {

namespace {

// e^x for x <= 0 without a library call, so the row loops vectorise: x = k ln2 + r with
// |r| <= ln2 / 2, e^r by its Taylor series to degree 7 (truncation error below 2e-8),
// 2^k by writing the exponent bits. Below -87 the result would leave float's normal range;
// it is 0 (e^-87 is 1.6e-38 of the row's largest term).
inline float exp_nonpositive(float x) {
  const bool underflows = x < -87.0f;
  x = underflows ? -87.0f : x;
  // Rounds x / ln2 to the nearest integer: adding 1.5 * 2^23 leaves no fraction bits.
  const float k = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  // ln2 split in a high part exact in float and a low correction (Cody-Waite reduction).
  const float r = (x - k * 0.693145751953125f) - k * 1.42860682030941723e-6f;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(k) + 127) << 23;
  float two_to_k;
  std::memcpy(&two_to_k, &bits, sizeof two_to_k);
  return underflows ? 0.0f : p * two_to_k;
}

// Reductions run in kLanes independent accumulators: a vector register's worth, which GCC
// vectorises without reassociating one running sum (that would need -ffast-math).
constexpr int kLanes = 16;

SEQREC_VECTOR_CLONES float row_max(const float* x, int64_t n) {
  float lanes[kLanes];
  for (int l = 0; l < kLanes; ++l) lanes[l] = -std::numeric_limits<float>::infinity();
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) lanes[l] = x[j + l] > lanes[l] ? x[j + l] : lanes[l];
  float m = lanes[0];
  for (int l = 1; l < kLanes; ++l) m = lanes[l] > m ? lanes[l] : m;
  for (; j < n; ++j) m = x[j] > m ? x[j] : m;
  return m;
}

SEQREC_VECTOR_CLONES float row_sum_exp(const float* x, int64_t n, float shift) {
  float lanes[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) lanes[l] += exp_nonpositive(x[j + l] - shift);
  float sum = 0.0f;
  for (int l = 0; l < kLanes; ++l) sum += lanes[l];
  for (; j < n; ++j) sum += exp_nonpositive(x[j] - shift);
  return sum;
}

// out[j] = softmax_j * scale = e^(x_j - lse) * scale; out may alias x.
SEQREC_VECTOR_CLONES void row_scaled_softmax(const float* x, float* out, int64_t n, float lse,
                                             float scale) {
  for (int64_t j = 0; j < n; ++j) out[j] = exp_nonpositive(x[j] - lse) * scale;
}

// bfloat16 is the high half of a float: widening is exact, narrowing rounds to nearest even
// (scores and gradients are finite here; NaN payloads are not preserved).
SEQREC_VECTOR_CLONES void widen(const uint16_t* x, float* out, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    const uint32_t bits = static_cast<uint32_t>(x[j]) << 16;
    std::memcpy(&out[j], &bits, sizeof(float));
  }
}

SEQREC_VECTOR_CLONES void narrow(const float* x, uint16_t* out, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    uint32_t bits;
    std::memcpy(&bits, &x[j], sizeof bits);
    out[j] = static_cast<uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
  }
}

// A row as float32: float rows are read in place, bfloat16 rows widened into `buffer`.
const float* float_row(const float* row, int64_t n, std::vector<float>&) { return row; }
const float* float_row(const uint16_t* row, int64_t n, std::vector<float>& buffer) {
  buffer.resize(static_cast<size_t>(n));
  widen(row, buffer.data(), n);
  return buffer.data();
}

void store_scaled_softmax(const float* row, float* out, int64_t n, float lse, float scale,
                          std::vector<float>&) {
  row_scaled_softmax(row, out, n, lse, scale);
}
void store_scaled_softmax(const uint16_t* row, uint16_t* out, int64_t n, float lse, float scale,
                          std::vector<float>& buffer) {
  const float* widened = float_row(row, n, buffer);
  row_scaled_softmax(widened, buffer.data(), n, lse, scale);
  narrow(buffer.data(), out, n);
}

float element(const float* row, int64_t j) { return row[j]; }
float element(const uint16_t* row, int64_t j) {
  float value;
  widen(row + j, &value, 1);
  return value;
}

void subtract(float* row, int64_t j, float value) { row[j] -= value; }
void subtract(uint16_t* row, int64_t j, float value) {
  const float updated = element(row, j) - value;
  narrow(&updated, row + j, 1);
}

// Row r's log-sum-exp over columns 1.. and its loss term.
template <typename Bits>
void forward_rows(const torch::Tensor& logits, const torch::Tensor& targets, float* lse,
                  float* row_loss) {
  const int64_t rows = logits.size(0), columns = logits.size(1);
  const auto* data = static_cast<const Bits*>(logits.data_ptr());
  const int64_t* target = targets.data_ptr<int64_t>();
  at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> buffer;
    for (int64_t r = begin; r < end; ++r) {
      const Bits* row = data + r * columns;
      const float* values = float_row(row + 1, columns - 1, buffer);
      const float m = row_max(values, columns - 1);
      lse[r] = m + std::log(row_sum_exp(values, columns - 1, m));
      row_loss[r] = lse[r] - element(row, target[r]);
    }
  });
}

// d loss / d logits[r, j] = (softmax_j - [j == target]) * grad / rows; column 0 gets 0.
template <typename Bits>
void backward_rows(const torch::Tensor& logits, const torch::Tensor& targets, const float* lse,
                   float scale, torch::Tensor& grad) {
  const int64_t rows = logits.size(0), columns = logits.size(1);
  const auto* data = static_cast<const Bits*>(logits.data_ptr());
  auto* out = static_cast<Bits*>(grad.data_ptr());
  const int64_t* target = targets.data_ptr<int64_t>();
  at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> buffer;
    for (int64_t r = begin; r < end; ++r) {
      Bits* out_row = out + r * columns;
      out_row[0] = Bits{0};
      store_scaled_softmax(data + r * columns + 1, out_row + 1, columns - 1, lse[r], scale, buffer);
      subtract(out_row, target[r], scale);
    }
  });
}

class FusedCrossEntropy : public torch::autograd::Function<FusedCrossEntropy> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& scores,
                               const torch::Tensor& targets) {
    const auto logits = scores.contiguous();
    const auto ids = targets.contiguous();
    const auto float_options = logits.options().dtype(torch::kFloat);
    auto lse = torch::empty({logits.size(0)}, float_options);
    auto row_loss = torch::empty({logits.size(0)}, float_options);
    if (logits.scalar_type() == torch::kBFloat16)
      forward_rows<uint16_t>(logits, ids, lse.data_ptr<float>(), row_loss.data_ptr<float>());
    else
      forward_rows<float>(logits, ids, lse.data_ptr<float>(), row_loss.data_ptr<float>());
    ctx->save_for_backward({logits, ids, lse});
    return row_loss.mean();
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_output) {
    const auto saved = ctx->get_saved_variables();
    const auto& logits = saved[0];
    auto grad = torch::empty_like(logits);
    const float scale =
        grad_output[0].item<float>() / static_cast<float>(std::max<int64_t>(1, logits.size(0)));
    if (logits.scalar_type() == torch::kBFloat16)
      backward_rows<uint16_t>(logits, saved[1], saved[2].data_ptr<float>(), scale, grad);
    else
      backward_rows<float>(logits, saved[1], saved[2].data_ptr<float>(), scale, grad);
    return {grad, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor fused_full_softmax_cross_entropy(const torch::Tensor& logits,
                                               const torch::Tensor& targets) {
  const auto type = logits.scalar_type();
  if (!logits.device().is_cpu() || logits.dim() != 2 || logits.size(0) == 0 ||
      (type != torch::kFloat && type != torch::kBFloat16))
    return torch::nn::functional::cross_entropy(logits.slice(1, 1), targets - 1);
  TORCH_CHECK(targets.dim() == 1 && targets.size(0) == logits.size(0),
              "fused cross-entropy: one target per row");
  const auto ids = targets.to(torch::kLong);
  TORCH_CHECK(ids.min().item<int64_t>() >= 1 && ids.max().item<int64_t>() < logits.size(1),
              "fused cross-entropy: targets must be item ids 1..", logits.size(1) - 1);
  return FusedCrossEntropy::apply(logits, ids);
}

}  // namespace seqrec
