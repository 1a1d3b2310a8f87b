#pragma once
// Frozen modality features (design §3): every NAME.<modality>.npy beside a dataset's files is
// a float32 matrix with one row per item. Row r belongs to the r-th data row of NAME.item,
// unless NAME.<modality>.ids (one original item token per line) says which item each row is.
#include <map>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/dataset_files.h"

namespace seqrec {

struct FeatureFile {
  std::string npy;  // DIR/NAME.<modality>.npy
  std::string ids;  // DIR/NAME.<modality>.ids; empty when absent
};

// Modality -> files, for every NAME.<modality>.npy in the folder of `files` (sorted by name).
std::map<std::string, FeatureFile> find_feature_files(const DatasetFiles& files);

// Item tokens of the data rows of a RecBole NAME.item file, in file order.
std::vector<std::string> item_file_order(const std::string& item_file);

// Reads every modality of `files` into dataset.item_features ([N+1, F] by remapped item id,
// row 0 zeros). Rows of items that preprocessing dropped are ignored. Throws InputError
// naming the file (and line of the ids file) for: a row count that differs from the item
// list, an item listed twice, an item of the data without a row, a token never seen in the
// data, NaN or infinite values, and a features file whose row order nothing defines.
void read_item_features(const DatasetFiles& files, Dataset& dataset);

}  // namespace seqrec
