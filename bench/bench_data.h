#pragma once
// The Beauty data the benchmarks train and evaluate on (../shared/datasets/beauty), loaded
// once per run, and Beauty with the text modality of results/hm4sr-beauty.
#include <string>

#include "datasets/dataset.h"
#include "datasets/split.h"
#include "datasets/text_features.h"

namespace seqrec::bench {

inline const Dataset& beauty() {
  static const Dataset data = load_dataset(
      std::string(SEQREC_SOURCE_DIR) + "/../shared/datasets/beauty", PreprocessOptions{});
  return data;
}

inline const LeaveOneOutSplit& beauty_split() {
  static const LeaveOneOutSplit split = make_leave_one_out_split(beauty());
  return split;
}

// Beauty with the text modality of results/hm4sr-beauty (`seqrec features text --fields
// title,categories --dim 128`), computed in memory: HM4SR's inputs.
inline const Dataset& beauty_with_text() {
  static const Dataset data = [] {
    Dataset d = beauty();
    TextFeatureOptions options;
    options.fields = {"title", "categories"};
    options.dim = 128;
    d.item_features["text"] = compute_text_features(d, options).features;
    return d;
  }();
  return data;
}

inline const LeaveOneOutSplit& beauty_with_text_split() {
  static const LeaveOneOutSplit split = make_leave_one_out_split(beauty_with_text());
  return split;
}

}  // namespace seqrec::bench
