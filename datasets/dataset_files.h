#pragma once
// Which files a dataset folder holds, and so which reader applies.
#include <optional>
#include <string>

namespace seqrec {

struct DatasetFiles {
  enum class Format { Atomic, SequenceFile };
  Format format = Format::Atomic;
  std::string name;          // dataset name: the file stem (NAME of NAME.inter)
  std::string interactions;  // NAME.inter, or the S3Rec NAME.txt
  std::string items;         // NAME.item or NAME_item2attributes.json; empty when absent
};

// Looks for, in order: DIR/B.inter with B the folder's name; the only *.inter in DIR;
// DIR/B.txt; the only X.txt that has an X_item2attributes.json beside it (S3Rec's own
// file names, e.g. Sports_and_Outdoors.txt). Nothing when the folder holds none of these.
std::optional<DatasetFiles> find_dataset_files(const std::string& directory);

}  // namespace seqrec
