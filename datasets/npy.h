#pragma once
// Minimal NumPy .npy support for what the harness exchanges: 2-D float32 matrices in C
// order (modality features). Other dtypes or layouts are rejected, not converted.
#include <cstdint>
#include <string>
#include <vector>

namespace seqrec {

struct FloatMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<float> values;  // row-major, rows * cols

  float& at(int64_t r, int64_t c) { return values[static_cast<size_t>(r * cols + c)]; }
  float at(int64_t r, int64_t c) const { return values[static_cast<size_t>(r * cols + c)]; }
};

// Writes format version 1.0 (version 2.0 when the header would not fit in 64 KiB).
void write_npy_float32(const std::string& path, const FloatMatrix& matrix);

// Reads versions 1, 2 and 3; validates magic, dtype '<f4', fortran_order False, a 2-D
// shape and the file size, and rejects NaN or infinite values (design §9). Throws
// InputError naming the file.
FloatMatrix read_npy_float32(const std::string& path);

}  // namespace seqrec
