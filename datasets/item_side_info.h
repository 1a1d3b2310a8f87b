#pragma once
// Attaches per-item side information (categories, other token lists) to a Dataset whose
// items are already remapped. Items absent from the side file keep empty lists; entries
// for items that did not survive preprocessing are ignored.
#include <string>
#include <unordered_map>
#include <vector>

#include "datasets/dataset.h"

namespace seqrec {

// Original item token -> item id of `dataset`.
std::unordered_map<std::string, int64_t> item_id_by_token(const Dataset& dataset);

// Fills category_field, category_tokens and item_categories from per-item token lists
// (index = item id, size N+1). Category indices follow the order of first appearance
// when walking items 1..N, so they are deterministic; repeats within one item are dropped.
void set_item_categories(Dataset& dataset, const std::string& field,
                         const std::vector<std::vector<std::string>>& categories_per_item);

// Reads NAME.item: `item_id` plus the category column (`categories`, else `class`, else
// `genre`); every other token_seq column goes to item_token_fields. Throws InputError
// naming file and line.
void read_atomic_item_file(const std::string& path, Dataset& dataset);

}  // namespace seqrec
