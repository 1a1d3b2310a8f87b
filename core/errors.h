#pragma once
#include <stdexcept>
#include <string>

namespace seqrec {

// Bad input from the user (files, config keys, command line). The CLI turns it into one
// line on stderr and exit code 2; everything else is a bug and exits 1.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "FILE:LINE: message", the form every reader uses so an editor can jump to the spot.
inline InputError input_error_at(const std::string& file, long line, const std::string& message) {
  return InputError(file + ":" + std::to_string(line) + ": " + message);
}

}  // namespace seqrec
