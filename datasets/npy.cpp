#include "datasets/npy.h"

#include <cmath>
#include <cstring>
#include <fstream>

#include "core/errors.h"
#include "datasets/text_parse.h"

namespace seqrec {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

bool host_is_little_endian() {
  const uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

// Value text of `'key': value` in the header dict, up to the next ',' or '}' outside
// parentheses.
std::string header_value(const std::string& header, const std::string& key,
                         const std::string& path) {
  const std::string quoted[] = {"'" + key + "'", "\"" + key + "\""};
  size_t pos = std::string::npos;
  for (const auto& q : quoted) {
    pos = header.find(q);
    if (pos != std::string::npos) {
      pos += q.size();
      break;
    }
  }
  if (pos == std::string::npos) throw InputError(path + ": .npy header has no '" + key + "'");
  pos = header.find(':', pos);
  if (pos == std::string::npos) throw InputError(path + ": malformed .npy header");
  ++pos;
  int depth = 0;
  size_t end = pos;
  for (; end < header.size(); ++end) {
    const char c = header[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  return std::string(trim(std::string_view(header).substr(pos, end - pos)));
}

std::vector<int64_t> parse_shape(const std::string& text, const std::string& path) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    throw InputError(path + ": .npy shape '" + text + "' is not a tuple");
  }
  std::vector<std::string_view> parts;
  split_fields(std::string_view(text).substr(1, text.size() - 2), ',', parts);
  std::vector<int64_t> shape;
  for (std::string_view part : parts) {
    part = trim(part);
    if (part.empty()) continue;  // trailing comma of a 1-tuple
    const auto value = parse_finite_double(part);
    if (!value || *value < 0 || *value != std::floor(*value)) {
      throw InputError(path + ": .npy shape '" + text + "' has a non-integer dimension");
    }
    shape.push_back(static_cast<int64_t>(*value));
  }
  return shape;
}

}  // namespace

void write_npy_float32(const std::string& path, const FloatMatrix& matrix) {
  if (!host_is_little_endian()) throw std::runtime_error("npy writer assumes a little-endian host");
  if (static_cast<int64_t>(matrix.values.size()) != matrix.rows * matrix.cols) {
    throw std::invalid_argument("write_npy_float32: values.size() != rows * cols");
  }
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(matrix.rows) + ", " + std::to_string(matrix.cols) + "), }";
  // Total header (magic + version + length + dict + '\n') padded to a multiple of 64 bytes,
  // as numpy does, so the data is aligned for memory mapping.
  const bool version2 = header.size() + 1 + kMagicSize + 4 > 65535;
  const size_t prefix = kMagicSize + 2 + (version2 ? 4 : 2);
  const size_t total = ((prefix + header.size() + 1 + 63) / 64) * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError(path + ": cannot create file");
  out.write(kMagic, kMagicSize);
  const unsigned char version[2] = {static_cast<unsigned char>(version2 ? 2 : 1), 0};
  out.write(reinterpret_cast<const char*>(version), 2);
  const auto length = static_cast<uint32_t>(header.size());
  const unsigned char length_bytes[4] = {
      static_cast<unsigned char>(length & 0xff), static_cast<unsigned char>((length >> 8) & 0xff),
      static_cast<unsigned char>((length >> 16) & 0xff), static_cast<unsigned char>(length >> 24)};
  out.write(reinterpret_cast<const char*>(length_bytes), version2 ? 4 : 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(matrix.values.data()),
            static_cast<std::streamsize>(matrix.values.size() * sizeof(float)));
  if (!out) throw InputError(path + ": write failed");
}

FloatMatrix read_npy_float32(const std::string& path) {
  if (!host_is_little_endian()) throw std::runtime_error("npy reader assumes a little-endian host");
  const std::string content = read_whole_file(path);
  if (content.size() < kMagicSize + 4 || content.compare(0, kMagicSize, kMagic, kMagicSize) != 0) {
    throw InputError(path + ": not a NumPy .npy file (bad magic)");
  }
  const auto major = static_cast<unsigned char>(content[6]);
  if (major < 1 || major > 3) {
    throw InputError(path + ": unsupported .npy format version " + std::to_string(major));
  }
  const size_t length_size = major == 1 ? 2 : 4;
  if (content.size() < 8 + length_size) throw InputError(path + ": truncated .npy header");
  size_t header_length = 0;
  for (size_t i = 0; i < length_size; ++i) {
    header_length |= static_cast<size_t>(static_cast<unsigned char>(content[8 + i])) << (8 * i);
  }
  const size_t data_offset = 8 + length_size + header_length;
  if (content.size() < data_offset) throw InputError(path + ": truncated .npy header");
  const std::string header = content.substr(8 + length_size, header_length);

  const std::string descr = header_value(header, "descr", path);
  if (descr != "'<f4'" && descr != "\"<f4\"") {
    throw InputError(path + ": .npy dtype " + descr + " is not float32 '<f4'");
  }
  if (header_value(header, "fortran_order", path) != "False") {
    throw InputError(path + ": .npy is in Fortran order; save it in C order");
  }
  const std::vector<int64_t> shape = parse_shape(header_value(header, "shape", path), path);
  if (shape.size() != 2) {
    throw InputError(path + ": .npy has " + std::to_string(shape.size()) +
                     " dimensions, expected a 2-D matrix");
  }
  FloatMatrix matrix;
  matrix.rows = shape[0];
  matrix.cols = shape[1];
  const size_t expected_bytes = static_cast<size_t>(matrix.rows * matrix.cols) * sizeof(float);
  if (content.size() - data_offset != expected_bytes) {
    throw InputError(path + ": .npy data is " + std::to_string(content.size() - data_offset) +
                     " bytes, shape (" + std::to_string(matrix.rows) + ", " +
                     std::to_string(matrix.cols) + ") needs " + std::to_string(expected_bytes));
  }
  matrix.values.resize(static_cast<size_t>(matrix.rows * matrix.cols));
  std::memcpy(matrix.values.data(), content.data() + data_offset, expected_bytes);
  for (size_t i = 0; i < matrix.values.size(); ++i) {
    if (!std::isfinite(matrix.values[i])) {
      throw InputError(path + ": row " + std::to_string(i / static_cast<size_t>(matrix.cols)) +
                       ", column " + std::to_string(i % static_cast<size_t>(matrix.cols)) + " is " +
                       (std::isnan(matrix.values[i]) ? "NaN" : "infinite"));
    }
  }
  return matrix;
}

}  // namespace seqrec
