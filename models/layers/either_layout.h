#pragma once
// A model that reads both batch layouts (padded [B, L], or packed with Batch::packed set)
// encodes differently in each and then does the same thing with the states. These helpers hold
// that one branch, so a model passes its two encoders and writes what follows once.
//
// `padded()` encodes the padded batch to [B, L, d]. `packed(last_only)` encodes the packed batch
// to [T, d] over its T real tokens, or to each row's last token [B, d] when last_only, which
// lets an encoder skip the other tokens in its last block.
#include <torch/torch.h>

#include "datasets/batch.h"
#include "models/layers/losses.h"

namespace seqrec {

// The states at the positions that carry a training target, and those targets.
struct TargetStates {
  torch::Tensor states;   // [P, d]
  torch::Tensor targets;  // [P] item ids
  bool packed = false;
};

template <class EncodePadded, class EncodePacked>
TargetStates target_states(const Batch& batch, EncodePadded padded, EncodePacked packed) {
  if (batch.packed.defined()) {
    const PackedTargets t = packed_targets(batch);
    return {t.states(packed(t.last_only)), t.targets, true};
  }
  const auto mask = batch.target_mask();
  return {padded().index({mask}), batch.targets.index({mask}), false};
}

// next_item_loss over those states. A packed batch takes packed_next_item_loss, a padded one
// next_item_loss, so that padded trials recorded before packing existed reproduce bit for bit.
inline torch::Tensor next_item_loss(const TargetStates& at, const torch::Tensor& items,
                                    const NextItemLossOptions& options) {
  return at.packed ? packed_next_item_loss(at.states, at.targets, items, options)
                   : next_item_loss(at.states, at.targets, items, options);
}

// Each row's state at its last real item, [B, d]: what a model scores every item with.
template <class EncodePadded, class EncodePacked>
torch::Tensor states_at_last_item(const Batch& batch, EncodePadded padded, EncodePacked packed) {
  return batch.packed.defined() ? packed(/*last_only=*/true) : batch.last_position(padded());
}

}  // namespace seqrec
