#pragma once
// Writing a file so that readers see either the old content or the whole new content, never
// half of it: the basis of "nothing finished is ever lost" for trial folders and reports.
#include <string>

namespace seqrec {

// Writes `content` to `path` atomically (temporary file in the same folder, then rename).
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace seqrec
