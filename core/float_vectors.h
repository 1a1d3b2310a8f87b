#pragma once
// Eight floats as one GCC vector: one AVX2 register (the lower half of an AVX-512 one) or two
// SSE2 ones, whichever clone (core/vector_clones.h) runs. Hot row loops are written on this type
// instead of trusting the auto-vectoriser, which leaves reductions scalar without -ffast-math.
// Not sixteen: GCC 12 lowers comparisons and selects on a vector wider than the clone's
// registers one element at a time, which made the AVX2 clones of these loops scalar (the fused
// CE ran at 0.6x torch's on an AVX2-only EPYC; results/performance/vector-width.md).
#include <cstdint>
#include <cstring>

#include "core/vector_clones.h"

// The helpers take and return 32-byte vectors; GCC warns that their ABI depends on AVX being
// enabled. They are inlined into the per-instruction-set clones, so no call crosses a
// translation unit or compiler.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace seqrec::simd {

constexpr int kWidth = 8;
using Floats = float __attribute__((vector_size(4 * kWidth)));

SEQREC_INLINE_INTO_CLONES inline Floats splat(float value) { return Floats{} + value; }

SEQREC_INLINE_INTO_CLONES inline Floats load(const float* p) {
  Floats v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

SEQREC_INLINE_INTO_CLONES inline void store(float* p, Floats v) { std::memcpy(p, &v, sizeof v); }

SEQREC_INLINE_INTO_CLONES inline float horizontal_sum(Floats v) {
  float sum = 0.0f;
  for (int l = 0; l < kWidth; ++l) sum += v[l];
  return sum;
}

}  // namespace seqrec::simd
