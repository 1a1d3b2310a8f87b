#pragma once
// What a trial's rounding depends on besides the binary, the data and the seed: the CPU and
// the kernels torch and the BLAS pick for it. The same binary and seed reproduce a trial bit
// for bit only where these agree. OpenBLAS picks its kernels per CPU (AVX-512 ones on an
// AVX-512 machine) unless OPENBLAS_CORETYPE names them, so a result records which it used
// (docs/reproducing.md, on "same machine").
#include <nlohmann/json.hpp>
#include <string>

namespace seqrec {

// /proc/cpuinfo's "model name"; "?" where there is none.
std::string cpu_model_name();

// The BLAS Debian's LibTorch calls: the file behind the libblas.so.3 alternative (the
// reference BLAS there is several times slower than OpenBLAS; README: libopenblas0-openmp).
std::string blas_library();

// OpenBLAS's kernel family in this process (e.g. Haswell, SkylakeX, Cooperlake), which
// OPENBLAS_CORETYPE overrides; "not OpenBLAS" where another BLAS is loaded.
std::string blas_kernels();

// The instruction set of torch's own CPU kernels (DEFAULT, AVX2, AVX512), which
// ATEN_CPU_CAPABILITY overrides; "?" where torch does not say.
std::string torch_cpu_capability();

// The four above as result.json's "machine" object.
nlohmann::json machine_json();

}  // namespace seqrec
