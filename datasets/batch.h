#pragma once
// A batch of sequences as tensors. Sequences are right-padded with item 0 and trimmed to the
// batch's longest sequence, so no work is spent on padding beyond that; with right padding a
// causal model never lets padding influence a real position, and position j is the j-th kept
// item whatever the batch.
#include <torch/torch.h>

#include "datasets/token_layout.h"

namespace seqrec {

struct Batch {
  torch::Tensor items;       // [B, L] int64 input item ids, right-padded with 0
  torch::Tensor lengths;     // [B] int64 number of real items per row (>= 1)
  torch::Tensor timestamps;  // [B, L] float64 seconds of the input items; undefined if none
  torch::Tensor users;       // [B] int64 user indices
  // Training: [B, L] next-item target per input position, 0 = no loss at that position.
  torch::Tensor targets;
  // Evaluation: [B] held-out item and [B, S] every item seen before it (0-padded).
  torch::Tensor eval_targets;
  torch::Tensor seen;
  // Set when the run executes packed (trainer key execution=packed): models then compute
  // position-wise layers on the real tokens only. Undefined: the padded reference path.
  TokenLayout packed;

  Batch to(const torch::Device& device) const;
  // Fills `packed` from the lengths (after any change to them).
  void pack_tokens() { packed = TokenLayout::of(lengths, items.size(1)); }
  int64_t size() const { return items.size(0); }
  // Hidden states at each row's last real position: x [B, L, d] -> [B, d].
  torch::Tensor last_position(const torch::Tensor& x) const;
  // [B] each row's training target at its last real position (0 = none): the one target of a
  // last_position sample, and the next item after the whole row in every sample mode.
  torch::Tensor last_targets() const;
  // Mask [B, L] of positions that carry a training target.
  torch::Tensor target_mask() const { return targets.gt(0); }
  // Mask [B, L] of real (non-padding) positions.
  torch::Tensor real_mask() const { return real_positions(lengths, items.size(1)); }

  // [B, width] true at positions j < lengths[b]: the real positions of right-padded rows.
  static torch::Tensor real_positions(const torch::Tensor& lengths, int64_t width);
  // x [B, L, d] at position lengths[b] - 1 of each row b -> [B, d]; for rows regrouped or
  // subsetted away from a Batch (last_position() is this with the batch's own lengths).
  static torch::Tensor gather_last(const torch::Tensor& x, const torch::Tensor& lengths);
};

}  // namespace seqrec
