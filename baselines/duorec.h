#pragma once
// DuoRec (Qiu et al., WSDM 2022): SASRec trained with CE plus λ · InfoNCE between two views of
// each training sequence's representation: a second forward pass with a different dropout mask
// (model-level augmentation) and a different training sequence with the same next item
// (supervised positive).
#include <cstdint>
#include <vector>

#include "baselines/sasrec.h"
#include "models/layers/contrastive.h"

namespace seqrec {

// Every training prefix (user u, items [0, end) of u's training sequence, 1 <= end < n) keyed
// by its next item, as candidates for supervised positives. Built from the training split
// only, so validation and test items never leak into training.
class SameTargetIndex {
 public:
  SameTargetIndex(const LeaveOneOutSplit& split, int64_t max_len);

  // A prefix of a user other than `user` whose next item is `target`, chosen uniformly by
  // `uniform` in [0, 1); -1 when there is none.
  int64_t sample(int64_t target, int64_t user, double uniform) const;
  // Prefixes whose next item is `target` (any user).
  int64_t count(int64_t target) const;
  int64_t user(int64_t entry) const { return users_[entry]; }
  int64_t target(int64_t entry) const;
  // The prefix's most recent max_len items, oldest first.
  std::vector<int64_t> window(int64_t entry) const;

 private:
  int64_t max_len_;
  std::vector<int64_t> item_begin_;      // [N + 2] CSR offsets by next item into users_/ends_
  std::vector<int32_t> users_, ends_;    // sorted by (next item, user, end)
  std::vector<int64_t> sequence_begin_;  // [users + 1] offsets into train_items_
  std::vector<int64_t> train_items_;     // every user's training sequence, concatenated
};

struct SupervisedPositives {
  torch::Tensor items;    // [B, W] right-padded
  torch::Tensor lengths;  // [B]
  torch::Tensor users;    // [B] user of the chosen sequence
  torch::Tensor targets;  // [B] next item after the chosen sequence
  torch::Tensor found;    // [B] bool; false = no other user shares the target: own sequence
};

class DuoRecImpl : public SASRecImpl {
 public:
  explicit DuoRecImpl(const ModelContext& context);
  static ParamSchema schema();

  // SASRec's loss ("main", CE by default) + cl_weight · InfoNCE ("contrastive"; absent when
  // cl_weight = 0, and then nothing extra is drawn: the model is SASRec exactly).
  LossParts loss(const Batch& batch) override;

  // One supervised positive per row (torch's global generator picks among the candidates);
  // rows whose target no other user's prefix shares fall back to their own sequence, which
  // makes their pair the unsupervised (dropout-only) one, as in the authors' code.
  SupervisedPositives supervised_positives(const Batch& batch) const;
  // Each row's encoder state at its last real position, [B, d], in row order, computed in
  // groups of `group_rows` rows of similar length, each group trimmed to its longest row.
  // Causal attention makes a row's states independent of trailing padding, so without dropout
  // this equals one padded pass; it skips the padding of supervised positives, whose lengths
  // are unrelated to the (possibly length-bucketed) batch's.
  torch::Tensor last_states_by_length(const torch::Tensor& items, const torch::Tensor& lengths,
                                      int64_t group_rows = 64);

  SameTargetIndex same_target;
  double cl_weight;
  bool supervised;        // contrast = us_x; false = un (dropout views only)
  bool mask_same_target;  // drop same-target rows from each other's negatives
  InfoNCEOptions contrast;
};

}  // namespace seqrec
