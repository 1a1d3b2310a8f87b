#include "models/layers/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <cstring>
#include <mutex>

#include "core/vector_clones.h"

namespace seqrec {

namespace {

// SplitMix64's output function: a bijection of 64-bit words whose outputs for consecutive
// inputs pass BigCrush, so (key + i * golden gamma) gives independent-looking bits per i.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Element i keeps when the high 32 bits of its hash fall below threshold = (1 - p) * 2^32. The
// mask is written as raw bits of the element type, which vectorises for every float width.
template <typename Bits>
inline void fill_keep_bits(Bits* out, int64_t begin, int64_t end, uint64_t key, uint64_t threshold,
                           Bits keep_bits) {
  constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ULL;
  for (int64_t i = begin; i < end; ++i) {
    const uint64_t high = mix64(key + static_cast<uint64_t>(i) * kGoldenGamma) >> 32;
    out[i] = high < threshold ? keep_bits : Bits{0};
  }
}

SEQREC_VECTOR_CLONES void fill_keep(uint16_t* out, int64_t begin, int64_t end, uint64_t key,
                                    uint64_t threshold, uint16_t keep_bits) {
  fill_keep_bits(out, begin, end, key, threshold, keep_bits);
}
SEQREC_VECTOR_CLONES void fill_keep(uint32_t* out, int64_t begin, int64_t end, uint64_t key,
                                    uint64_t threshold, uint32_t keep_bits) {
  fill_keep_bits(out, begin, end, key, threshold, keep_bits);
}
SEQREC_VECTOR_CLONES void fill_keep(uint64_t* out, int64_t begin, int64_t end, uint64_t key,
                                    uint64_t threshold, uint64_t keep_bits) {
  fill_keep_bits(out, begin, end, key, threshold, keep_bits);
}

template <typename Bits>
void fill_mask(torch::Tensor& mask, double scale, uint64_t key, uint64_t threshold) {
  // The scale in the element type's own rounding, as torch's dropout rounds it too.
  const torch::Tensor scale_as_element = torch::full({1}, scale, mask.options());
  Bits keep_bits;
  std::memcpy(&keep_bits, scale_as_element.data_ptr(), sizeof(Bits));
  auto* out = static_cast<Bits*>(mask.data_ptr());
  at::parallel_for(0, mask.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
    fill_keep(out, begin, end, key, threshold, keep_bits);
  });
}

// One key per call from torch's default generator, so torch::manual_seed fixes the stream and
// checkpoints that save the generator resume it.
uint64_t next_key() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

}  // namespace

torch::Tensor counter_keep_mask(const torch::Tensor& like, double p, uint64_t key) {
  TORCH_CHECK(p >= 0.0 && p < 1.0, "counter_keep_mask needs 0 <= p < 1, got ", p);
  auto mask = torch::empty(like.sizes(), like.options().device(torch::kCPU));
  const double keep = 1.0 - p;
  const auto threshold = static_cast<uint64_t>(keep * 4294967296.0);
  switch (mask.element_size()) {
    case 2:
      fill_mask<uint16_t>(mask, 1.0 / keep, key, threshold);
      break;
    case 4:
      fill_mask<uint32_t>(mask, 1.0 / keep, key, threshold);
      break;
    case 8:
      fill_mask<uint64_t>(mask, 1.0 / keep, key, threshold);
      break;
    default:
      TORCH_CHECK(false, "counter_keep_mask: unsupported dtype ", like.dtype());
  }
  return mask;
}

torch::Tensor apply_dropout(const torch::Tensor& x, double p, bool training) {
  if (current_kernels().dropout_rng == DropoutRng::Torch || !x.device().is_cpu() || !training ||
      p == 0.0 || p >= 1.0 || x.numel() == 0 || !x.is_floating_point())
    return torch::dropout(x, p, training);
  return x * counter_keep_mask(x, p, next_key());
}

DropoutImpl::DropoutImpl(double p) : p(p) {
  TORCH_CHECK(p >= 0.0 && p <= 1.0, "dropout probability must be in [0, 1], got ", p);
}

torch::Tensor DropoutImpl::forward(const torch::Tensor& x) {
  return apply_dropout(x, p, is_training());
}

void DropoutImpl::pretty_print(std::ostream& stream) const {
  stream << "seqrec::Dropout(p=" << p << ")";
}

}  // namespace seqrec
