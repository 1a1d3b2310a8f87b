#pragma once
// The in-memory dataset every later stage reads: sequences per user in chronological order,
// item ids remapped to 1..N with 0 reserved for padding, plus optional side information.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datasets/npy.h"

namespace seqrec {

struct Dataset {
  std::string name;       // e.g. "beauty"
  std::string directory;  // folder the files were read from

  std::vector<std::string> user_tokens;  // user index -> original user token
  std::vector<std::string> item_tokens;  // item id -> original item token; [0] = "[PAD]"

  // Per user (same index as user_tokens): item ids in chronological order.
  std::vector<std::vector<int64_t>> sequences;
  // Per user, seconds, same shape as `sequences`; empty when the data has no timestamps.
  std::vector<std::vector<double>> timestamps;

  // Item categories (RecBole `categories`, `class`, `genre`... token_seq column): category
  // index -> token, and per item id (size N+1, row 0 empty) its category indices.
  std::string category_field;  // column the categories came from; empty when none
  std::vector<std::string> category_tokens;
  std::vector<std::vector<int32_t>> item_categories;

  // Every other token_seq column of the item file (e.g. "title"), per item id (size N+1),
  // kept for featurizers (text modality).
  std::map<std::string, std::vector<std::vector<std::string>>> item_token_fields;

  // Frozen item features per modality (design §3), e.g. "text" -> [N+1, F] rows by item id,
  // row 0 (padding) zeros. Read by load_dataset from NAME.<modality>.npy beside the data.
  std::map<std::string, FloatMatrix> item_features;

  int64_t num_items() const { return static_cast<int64_t>(item_tokens.size()) - 1; }
  int64_t num_users() const { return static_cast<int64_t>(sequences.size()); }
  int64_t num_interactions() const;
  bool has_timestamps() const { return !timestamps.empty(); }
  bool has_categories() const { return !category_tokens.empty(); }
  bool has_features(const std::string& modality) const { return item_features.count(modality) > 0; }
};

// Preprocessing choices; part of the protocol and recorded with every result.
struct PreprocessOptions {
  int user_core = 0;             // keep users with >= user_core interactions (0 = off)
  int item_core = 0;             // keep items with >= item_core interactions (0 = off)
  bool drop_duplicates = false;  // drop repeated (user, item) pairs, keeping the first
};

// Finds a dataset folder: an existing path is taken as is; a name NAME is looked up as
// DIR/NAME/NAME.inter for DIR in $SEQREC_DATA (colon-separated), ./data, ../shared/datasets
// (relative to the working directory, then to the source tree). Throws InputError saying
// where it looked and, from datasets/catalog.json, where the data can be obtained.
std::string resolve_dataset_dir(const std::string& name_or_path);

// Reads RecBole atomic files DIR/NAME.inter (+ optional DIR/NAME.item), sorts each user's
// interactions stably by timestamp (ties keep file order), applies `options`, remaps ids.
// Validates everything (design §9) and throws InputError naming file and line.
Dataset load_atomic_dataset(const std::string& directory, const PreprocessOptions& options);

// Reads S3Rec-style files: one line "user item item ..." per user (already chronological),
// and an optional item2attributes JSON {"item": [attr, ...]}.
Dataset load_sequence_file_dataset(const std::string& sequence_file,
                                   const std::string& item2attributes_json,
                                   const PreprocessOptions& options);

// resolve_dataset_dir + the right reader for what the folder holds.
Dataset load_dataset(const std::string& name_or_path, const PreprocessOptions& options);

}  // namespace seqrec
