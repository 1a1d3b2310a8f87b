#pragma once
// Small string_view helpers shared by the readers: they parse large files without copying
// each field and without iostreams, which keeps ml-1m (1M lines) well under a second.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seqrec {

// Reads a whole file into memory; throws InputError naming the file when it cannot.
std::string read_whole_file(const std::string& path);

// Splits `text` at every `separator` (empty fields kept).
void split_fields(std::string_view text, char separator, std::vector<std::string_view>& out);

// Splits at runs of spaces/tabs (no empty fields): the token_seq and S3Rec line format.
void split_whitespace(std::string_view text, std::vector<std::string_view>& out);

std::string_view trim(std::string_view text);

// The whole (trimmed) field as a finite number, or nothing.
std::optional<double> parse_finite_double(std::string_view text);

// Walks a buffer line by line, 1-based line numbers, without the trailing '\r' of CRLF files.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  bool next(std::string_view& line);
  long line_number() const { return line_number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  long line_number_ = 0;
};

}  // namespace seqrec
