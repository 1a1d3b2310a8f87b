#pragma once
// Next-item losses shared by every model that scores items by a dot product with an item
// table: full softmax CE, BCE with one sampled negative, sampled softmax, gBCE.
#include <torch/torch.h>

#include <string>

#include "core/params.h"
#include "datasets/batch.h"

namespace seqrec {

struct NextItemLossOptions {
  std::string kind = "ce";             // ce | bce | sampled_softmax | gbce
  int64_t num_negatives = 256;         // sampled_softmax and gbce
  double gbce_t = 0.75;                // gSASRec calibration parameter t
  bool negatives_avoid_target = true;  // redraw a negative equal to its position's target
  // ce: the padding row's score joins the softmax's denominator, as in a model that scores all
  // N+1 rows of its table (Klenitskiy & Vasilev's SASRec). Always torch's CE kernel.
  bool softmax_over_padding = false;
};

// Keys `loss`, `num_negatives`, `gbce_t`, `negatives`, with `default_kind` as the default loss.
ParamSchema next_item_loss_schema(const std::string& default_kind);
NextItemLossOptions next_item_loss_options(const Params& params);

// hidden [P, d] sequence states at the positions that carry a target, targets [P] item ids
// (1..N), items [N+1, d] candidate table (row 0 = padding, never a candidate or negative).
// Negatives are uniform over 1..N, drawn with replacement for every position; by default
// never equal to the position's own target (the SASRec paper excludes the user's whole
// history; at N in the thousands the difference is nil), with negatives=uniform they may be
// (RecTools and the eSASRec benchmark).
torch::Tensor next_item_loss(const torch::Tensor& hidden, const torch::Tensor& targets,
                             const torch::Tensor& items, const NextItemLossOptions& options);

// The training targets of a packed batch (Batch::packed set) and which rows of the encoder's
// output carry them. When every target sits at its row's last token (last_position samples),
// the encoder need only compute those tokens in its last block: `last_only`, and `rows`
// selects among the B last-token states; otherwise among the T token states.
struct PackedTargets {
  bool last_only = false;
  torch::Tensor targets;  // [P] item ids
  torch::Tensor rows;     // bool over the encoder's output rows
  torch::Tensor states(const torch::Tensor& encoded) const { return encoded.index({rows}); }
};
PackedTargets packed_targets(const Batch& batch);

// next_item_loss for packed batches. With torch's CE the score product leaves the padding row
// out of `items`, instead of computing its column and slicing it off the [P, N+1] scores,
// whose backward writes a dense zero-padded copy: the same loss to rounding, one pass over the
// scores fewer. (The padded path keeps the slice, so recorded trials reproduce bit for bit.)
torch::Tensor packed_next_item_loss(const torch::Tensor& hidden, const torch::Tensor& targets,
                                    const torch::Tensor& items, const NextItemLossOptions& o);

// Full softmax cross-entropy over items 1..N; logits [P, N+1] (column 0 ignored).
torch::Tensor full_softmax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace seqrec
