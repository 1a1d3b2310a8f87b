#pragma once
// One RecBole atomic file (NAME.inter, NAME.item): a typed header `name:type` and
// tab-separated rows. This layer only checks the shape (header, column count); the dataset
// readers decide which columns they need and what the values mean.
#include <string>
#include <string_view>
#include <vector>

#include "datasets/text_parse.h"

namespace seqrec {

struct AtomicField {
  std::string name;
  std::string type;  // token, token_seq, float, float_seq
};

class AtomicFile {
 public:
  // Reads the file and validates its header; throws InputError naming file and line.
  explicit AtomicFile(std::string path);
  // The cursor and the rows view content_, so the object must stay where it was built.
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<AtomicField>& fields() const { return fields_; }
  // Column index of `name`, or -1.
  int column(const std::string& name) const;
  // Column index of `name`, which must exist with one of `types` (e.g. "token").
  int required_column(const std::string& name, const std::vector<std::string>& types) const;

  // Next data row (blank lines skipped); false at the end. Throws on a wrong column count.
  // The views point into the file buffer and stay valid while this object lives.
  bool next_row(std::vector<std::string_view>& fields);
  long line_number() const { return cursor_.line_number(); }

 private:
  std::string path_;
  std::string content_;
  LineCursor cursor_{std::string_view()};
  std::vector<AtomicField> fields_;
};

}  // namespace seqrec
