#pragma once
// An exception's message for one line of a log, result.json or the terminal: torch's errors
// carry a C++ stack trace of 20 frames after their message, which says nothing to a user.
#include <exception>
#include <string>

namespace seqrec {

// The message without torch's stack trace, on one line.
std::string error_text(const std::exception& e);

}  // namespace seqrec
