#pragma once
// The Beauty data the benchmarks train and evaluate on (../shared/datasets/beauty), loaded
// once per run, and Beauty with the modalities HM4SR's runs read.
#include <string>
#include <utility>

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

// Beauty with the two modalities of results/hm4sr-crosscheck and issue 25's Beauty comparison:
// `text` over titles and `category` over categories (`seqrec features text --fields title
// --name text`, then `--fields categories --name category`, both --dim 128).
inline const Dataset& beauty_with_two_modalities() {
  static const Dataset data = [] {
    Dataset d = beauty();
    for (const auto& [name, field] :
         {std::pair<std::string, std::string>{"text", "title"}, {"category", "categories"}}) {
      TextFeatureOptions options;
      options.fields = {field};
      options.dim = 128;
      d.item_features[name] = compute_text_features(d, options).features;
    }
    return d;
  }();
  return data;
}

inline const LeaveOneOutSplit& beauty_with_two_modalities_split() {
  static const LeaveOneOutSplit split = make_leave_one_out_split(beauty_with_two_modalities());
  return split;
}

}  // namespace seqrec::bench
