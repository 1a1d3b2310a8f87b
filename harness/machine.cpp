#include "harness/machine.h"

#include <ATen/Version.h>
#include <dlfcn.h>

#include <filesystem>
#include <fstream>

namespace seqrec {

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos)
      return line.substr(line.find(':') + 2);
  return "?";
}

std::string blas_library() {
  std::error_code ec;
  const auto path =
      std::filesystem::canonical("/usr/lib/x86_64-linux-gnu/libblas.so.3", ec).string();
  return ec ? "bundled with LibTorch (no libblas.so.3 alternative)" : path;
}

std::string blas_kernels() {
  // Looked up at run time: OpenBLAS is not a link dependency of ours, only of torch's BLAS
  // alternative, and another BLAS may stand behind it.
  using CoreName = const char* (*)();
  const auto core_name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return core_name ? core_name() : "not OpenBLAS";
}

std::string torch_cpu_capability() {
  // LibTorch exports no call for it; its build summary prints it, in 1.13 and 2.x alike.
  const std::string config = at::show_config();
  const std::string key = "CPU capability usage: ";
  const auto at = config.find(key);
  if (at == std::string::npos) return "?";
  const auto begin = at + key.size();
  return config.substr(begin, config.find('\n', begin) - begin);
}

nlohmann::json machine_json() {
  return {{"cpu", cpu_model_name()},
          {"blas", blas_library()},
          {"blas_kernels", blas_kernels()},
          {"torch_cpu_capability", torch_cpu_capability()}};
}

}  // namespace seqrec
