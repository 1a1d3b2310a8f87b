#pragma once
// Each test user's test case, described by three properties and cut into named segments, for
// `seqrec report --segments`. An average over all users can hide where a model wins and loses:
// a model that memorises item-to-item transitions gains where the test transition occurs in
// the training data and loses elsewhere, and the overall number shows neither.
#include <map>
#include <string>
#include <vector>

#include "datasets/split.h"

namespace seqrec {

struct SegmentDimension {
  std::string name;                            // e.g. "transition"
  std::string definition;                      // one sentence, for table captions
  std::vector<std::string> segments;           // labels, in display order
  std::map<std::string, int> segment_of_user;  // user token -> index into `segments`
};

// Under the leave-one-out split, in this order:
//  - transition: "seen" when the test input's last item followed by the test target occurs
//    as two consecutive items of some user's training sequence, else "unseen";
//  - input_length: items in the test input (training and validation items, before max_len
//    truncation): 1-5, 6-10, 11-20, 21+;
//  - target_popularity: interactions with the test target in the training sequences:
//    0, 1-9, 10-99, 100+.
std::vector<SegmentDimension> test_case_segments(const LeaveOneOutSplit& split);

}  // namespace seqrec
