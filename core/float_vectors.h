#pragma once
// Sixteen floats as one GCC vector: one AVX-512 register, two AVX2 ones or four SSE2 ones,
// whichever clone (core/vector_clones.h) runs. Hot row loops are written on this type instead
// of trusting the auto-vectoriser, which leaves reductions scalar without -ffast-math.
#include <cstdint>
#include <cstring>

#include "core/vector_clones.h"

// The helpers take and return 64-byte vectors; GCC warns that their ABI depends on AVX-512
// being enabled. They are inlined into the per-instruction-set clones, so no call crosses a
// translation unit or compiler.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace seqrec::simd {

constexpr int kWidth = 16;
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
