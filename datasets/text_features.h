#pragma once
// A deterministic text modality for datasets that have item text but no features (design
// §3): TF-IDF over the lower-cased tokens of chosen item fields, reduced by truncated SVD.
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/dataset.h"

namespace seqrec {

struct TextFeatureOptions {
  // Item fields whose tokens make an item's document: the category field (e.g. "categories",
  // "class") or any other token_seq column of NAME.item (e.g. "title").
  std::vector<std::string> fields;
  int64_t dim = 128;
  // Randomized SVD (Halko et al. 2011, as scikit-learn's TruncatedSVD, whose defaults of 10
  // and 5 are looser): extra columns and power iterations. With these the singular values
  // match a far longer run to 1e-6 on ml-100k (dim 24) and to 1e-4 for the leading
  // three quarters, 3e-3 for the last ones, on beauty (dim 128, ~14 s on one core).
  int64_t oversampling = 32;
  int power_iterations = 10;
};

struct TextFeatures {
  FloatMatrix features;    // [N+1, dim] by item id: U·Σ; row 0 and items without tokens zeros
  int64_t vocabulary = 0;  // distinct (field, token) terms
  int64_t items_without_tokens = 0;  // items whose fields are all empty
  // Sum of the kept squared singular values over the squared Frobenius norm of the TF-IDF
  // matrix: the share of it the features keep.
  double explained_variance = 0.0;
};

// Terms are "field:token" (so a category id and a title word never collide); tf = count in
// the item's document, idf = ln((1 + n) / (1 + df)) + 1 (smooth idf, n = items), rows
// L2-normalised. Each component's sign makes its largest-magnitude entry positive, and every
// step is plain double arithmetic in a fixed order, so the output is byte-identical across
// runs and thread counts. Throws InputError for an unknown field (listing the available
// ones) or a dim above min(items, vocabulary).
TextFeatures compute_text_features(const Dataset& data, const TextFeatureOptions& options);

struct TextFeatureRun {
  TextFeatures stats;
  std::string folder;               // the dataset folder that now holds the features
  std::string npy;                  // FOLDER/NAME.<modality>.npy
  std::string ids;                  // FOLDER/NAME.<modality>.ids when written (no NAME.item)
  std::vector<std::string> copied;  // files copied into `folder` from the source dataset
};

// Loads `dataset` (name or folder, no preprocessing so every item gets a row), computes the
// features and writes NAME.<modality>.npy with rows in NAME.item order (items listed there
// but absent from the data get zeros); without NAME.item (S3Rec files) rows follow item ids
// and NAME.<modality>.ids lists them. `out_dir` empty = the dataset folder; otherwise
// out_dir becomes a complete dataset folder: the source's data files and other modalities
// are copied there. Files are written under a temporary name and renamed.
TextFeatureRun write_text_features(const std::string& dataset, const std::string& modality,
                                   const TextFeatureOptions& options, const std::string& out_dir);

}  // namespace seqrec
