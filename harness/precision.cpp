#include "harness/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <fstream>

#include "core/errors.h"

// LibTorch 2.4 replaced the per-device autocast setters by ones taking the device type; both
// spellings are wrapped here so the rest of the code builds against 1.13 and 2.x.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define SEQREC_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace seqrec {

namespace {

bool autocast_enabled(bool cuda) {
#ifdef SEQREC_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

at::ScalarType autocast_dtype(bool cuda) {
#ifdef SEQREC_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_autocast(bool cuda, bool enabled, at::ScalarType dtype) {
#ifdef SEQREC_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, enabled);
  at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, dtype);
#else
  if (cuda) {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

}  // namespace

Precision parse_precision(const std::string& name) {
  if (name == "float32") return Precision::Float32;
  if (name == "bf16") return Precision::BFloat16;
  throw InputError("precision '" + name + "' is not one of: float32, bf16");
}

std::string to_string(Precision precision) {
  return precision == Precision::BFloat16 ? "bf16" : "float32";
}

bool cpu_has_bfloat16() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    const std::string flags = " " + line + " ";
    return flags.find(" avx512_bf16 ") != std::string::npos ||
           flags.find(" amx_bf16 ") != std::string::npos;
  }
  return false;
}

AutocastGuard::AutocastGuard(Precision precision, torch::Device device) {
  if (precision != Precision::BFloat16) return;
  active_ = true;
  cuda_ = device.is_cuda();
  was_enabled_ = autocast_enabled(cuda_);
  previous_dtype_ = autocast_dtype(cuda_);
  set_autocast(cuda_, true, at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(cuda_, was_enabled_, previous_dtype_);
}

}  // namespace seqrec
