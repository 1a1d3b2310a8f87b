#include "harness/error_text.h"

#include <c10/util/Exception.h>

namespace seqrec {

std::string error_text(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  std::string text = torch_error ? torch_error->what_without_backtrace() : e.what();
  // Torch appends "Exception raised from ..." on a line of its own in some builds.
  const auto line_end = text.find('\n');
  if (line_end != std::string::npos) text.erase(line_end);
  return text;
}

}  // namespace seqrec
