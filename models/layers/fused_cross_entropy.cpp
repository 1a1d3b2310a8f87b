#include "models/layers/fused_cross_entropy.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/float_vectors.h"

namespace seqrec {

namespace {

// The row loops are written on vector types instead of trusting the auto-vectoriser, which
// leaves a max reduction or a bfloat16 widening scalar.
using simd::Floats;
using simd::horizontal_sum;
using simd::kWidth;
using simd::load;
using simd::splat;
using simd::store;
using Ints = int32_t __attribute__((vector_size(4 * kWidth)));
using Words = uint32_t __attribute__((vector_size(4 * kWidth)));
using HalfWords = uint16_t __attribute__((vector_size(2 * kWidth)));

// bfloat16 is the high half of a float: widening is exact.
SEQREC_INLINE_INTO_CLONES inline Floats load(const uint16_t* p) {
  HalfWords half;
  std::memcpy(&half, p, sizeof half);
  return reinterpret_cast<Floats>(__builtin_convertvector(half, Words) << 16);
}

// Narrowing rounds to nearest even (values here are finite; NaN payloads are not kept).
SEQREC_INLINE_INTO_CLONES inline void store(uint16_t* p, Floats v) {
  const Words bits = reinterpret_cast<Words>(v);
  const HalfWords half =
      __builtin_convertvector((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16, HalfWords);
  std::memcpy(p, &half, sizeof half);
}

// e^x for x <= 0 without a library call: x = k ln2 + r with |r| <= ln2 / 2, e^r by its Taylor
// series to degree 7 (truncation error below 2e-8), 2^k by writing the exponent bits. Below
// -87 the result would leave float's normal range; it is 0 (e^-87 is 1.6e-38 of the row's
// largest term), and so is e^-inf.
SEQREC_INLINE_INTO_CLONES inline Floats exp_nonpositive(Floats x) {
  const Ints underflows = x < -87.0f;
  x = underflows ? splat(-87.0f) : x;
  // Rounds x / ln2 to the nearest integer: adding 1.5 * 2^23 leaves no fraction bits.
  const Floats k = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  // ln2 split in a high part exact in float and a low correction (Cody-Waite reduction).
  const Floats r = (x - k * 0.693145751953125f) - k * 1.42860682030941723e-6f;
  Floats p = splat(1.0f / 5040);
  for (const float c : {1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f})
    p = p * r + c;
  const Ints exponent = (__builtin_convertvector(k, Ints) + 127) << 23;
  return underflows ? splat(0.0f) : p * reinterpret_cast<Floats>(exponent);
}

// A row's elements kWidth at a time; the last partial group is copied into a group padded
// with `pad`, so every element goes through the same vector code.
template <typename Bits, typename Body>
SEQREC_INLINE_INTO_CLONES inline void for_each_group(const Bits* x, int64_t n, Bits pad,
                                                     Body&& body) {
  int64_t j = 0;
  for (; j + kWidth <= n; j += kWidth) body(load(x + j), j, kWidth);
  if (j == n) return;
  Bits tail[kWidth];
  for (int l = 0; l < kWidth; ++l) tail[l] = j + l < n ? x[j + l] : pad;
  body(load(tail), j, static_cast<int>(n - j));
}

// -inf in each element type (bfloat16's is float's high half).
constexpr float kFloatMinusInfinity = -std::numeric_limits<float>::infinity();
constexpr uint16_t kBFloat16MinusInfinity = 0xFF80;
inline float minus_infinity(const float*) { return kFloatMinusInfinity; }
inline uint16_t minus_infinity(const uint16_t*) { return kBFloat16MinusInfinity; }

SEQREC_INLINE_INTO_CLONES inline float horizontal_max(Floats v) {
  float m = v[0];
  for (int l = 1; l < kWidth; ++l) m = v[l] > m ? v[l] : m;
  return m;
}

// max_j x_j and sum_j e^(x_j - max): the row's log-sum-exp is their log plus the max.
template <typename Bits>
SEQREC_INLINE_INTO_CLONES inline void max_and_sum_exp(const Bits* x, int64_t n, float& max,
                                                      float& sum) {
  Floats m = splat(kFloatMinusInfinity);
  for_each_group(x, n, minus_infinity(x),
                 [&](Floats v, int64_t, int) SEQREC_INLINE_INTO_CLONES { m = v > m ? v : m; });
  max = horizontal_max(m);
  const Floats shift = splat(max);
  Floats s = splat(0.0f);
  for_each_group(x, n, minus_infinity(x), [&](Floats v, int64_t, int) SEQREC_INLINE_INTO_CLONES {
    s += exp_nonpositive(v - shift);
  });
  sum = horizontal_sum(s);
}

// out[j] = e^(x_j - lse) * scale, the softmax scaled by the incoming gradient.
template <typename Bits>
SEQREC_INLINE_INTO_CLONES inline void scaled_softmax(const Bits* x, Bits* out, int64_t n, float lse,
                                                     float scale) {
  const Floats shift = splat(lse), factor = splat(scale);
  for_each_group(x, n, minus_infinity(x),
                 [&](Floats v, int64_t j, int count) SEQREC_INLINE_INTO_CLONES {
                   const Floats y = exp_nonpositive(v - shift) * factor;
                   if (count == kWidth) return store(out + j, y);
                   Bits group[kWidth];
                   store(group, y);
                   std::copy(group, group + count, out + j);
                 });
}

SEQREC_VECTOR_CLONES void row_max_and_sum_exp(const float* x, int64_t n, float& max, float& sum) {
  max_and_sum_exp(x, n, max, sum);
}
SEQREC_VECTOR_CLONES void row_max_and_sum_exp(const uint16_t* x, int64_t n, float& max,
                                              float& sum) {
  max_and_sum_exp(x, n, max, sum);
}
SEQREC_VECTOR_CLONES void row_scaled_softmax(const float* x, float* out, int64_t n, float lse,
                                             float scale) {
  scaled_softmax(x, out, n, lse, scale);
}
SEQREC_VECTOR_CLONES void row_scaled_softmax(const uint16_t* x, uint16_t* out, int64_t n, float lse,
                                             float scale) {
  scaled_softmax(x, out, n, lse, scale);
}

float element(const float* row, int64_t j) { return row[j]; }
float element(const uint16_t* row, int64_t j) {
  uint16_t group[kWidth] = {row[j]};
  return load(group)[0];  // the vector widening, so both paths share one conversion
}

void subtract(float* row, int64_t j, float value) { row[j] -= value; }
void subtract(uint16_t* row, int64_t j, float value) {
  uint16_t group[kWidth];
  store(group, splat(element(row, j) - value));  // the vector rounding, likewise
  row[j] = group[0];
}

// Row r's log-sum-exp over columns 1.. and its loss term.
template <typename Bits>
void forward_rows(const torch::Tensor& logits, const torch::Tensor& targets, float* lse,
                  float* row_loss) {
  const int64_t rows = logits.size(0), columns = logits.size(1);
  const auto* data = static_cast<const Bits*>(logits.data_ptr());
  const int64_t* target = targets.data_ptr<int64_t>();
  at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const Bits* row = data + r * columns;
      float max = 0.0f, sum = 0.0f;
      row_max_and_sum_exp(row + 1, columns - 1, max, sum);
      lse[r] = max + std::log(sum);
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
    for (int64_t r = begin; r < end; ++r) {
      Bits* out_row = out + r * columns;
      out_row[0] = Bits{0};
      row_scaled_softmax(data + r * columns + 1, out_row + 1, columns - 1, lse[r], scale);
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
