#pragma once
// The protocol's preprocessing, shared by every reader: group by user, stable sort by time,
// optional duplicate removal, iterative k-core, id remap (design §3).
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace seqrec {

// Interactions as read, before any protocol step. Indices are "raw": order of first
// appearance in the source file.
struct RawInteractions {
  std::vector<std::string> user_tokens;
  std::vector<std::string> item_tokens;
  std::vector<int32_t> users;      // per interaction, index into user_tokens
  std::vector<int32_t> items;      // per interaction, index into item_tokens
  std::vector<double> timestamps;  // per interaction; empty when the source has none
};

// Builds the sequences of a Dataset (user_tokens, item_tokens, sequences, timestamps);
// side information is left empty. `source` names the file for the "nothing left" error.
Dataset build_sequences(const RawInteractions& raw, const PreprocessOptions& options,
                        const std::string& source);

}  // namespace seqrec
