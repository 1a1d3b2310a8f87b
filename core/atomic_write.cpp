#include "core/atomic_write.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace seqrec {

void write_file_atomic(const std::string& path, const std::string& content) {
  // The temporary name carries the process id, so two processes of a sweep writing the same
  // report never write into each other's temporary file.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error("write failed: " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace seqrec
