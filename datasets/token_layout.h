#pragma once
// Where the real tokens of a right-padded batch sit, so position-wise work (embeddings,
// projections, LayerNorm, dropout, feed-forward blocks, experts, loss gathers) runs on the
// packed [T, d] tokens only, and only attention scores see the padded [B, L] grid (design
// §10). Tokens are packed row by row, left to right: token t is row rows[t], position
// positions[t], and the packed order is that of x[mask] for the batch's real-position mask.
#include <torch/torch.h>

#include <vector>

namespace seqrec {

// Rows of similar length (up to 4, 8, 16, ... tokens), for attention on a grid as wide as the
// group's longest row instead of the batch's: a shuffled batch mixes a few full rows with many
// short ones, and one [B, L, L] grid would be mostly padding.
struct TokenGroup {
  torch::Tensor rows;        // [n] int64: the batch rows in the group
  torch::Tensor cells;       // [n * width] int64: the token of each grid cell, or T (a zero row)
  torch::Tensor real;        // [n, width] bool: real cells
  torch::Tensor real_cells;  // [t] int64: the real cells' flat indices, row by row
  int64_t width = 0;
};

struct TokenLayout {
  torch::Tensor index;      // [T] int64: flat position b * L + j of each real token
  torch::Tensor rows;       // [T] int64: its row b
  torch::Tensor positions;  // [T] int64: its position j in the row
  torch::Tensor last;       // [B] int64: the token index of each row's last real token
  torch::Tensor real;       // [B, L] bool: real positions
  int64_t batch = 0, width = 0;
  // Rows by length group. Concatenating the groups' real tokens (rows) in group order gives
  // the "group order"; group_order_of_token[t] is where token t sits in it, so index_select
  // with it brings group-ordered results back to packed order (rows likewise).
  std::vector<TokenGroup> groups;
  torch::Tensor group_order_of_token;  // [T] int64
  torch::Tensor group_order_of_row;    // [B] int64

  // Rows of `lengths` real tokens (each >= 1), right-padded to `width`.
  static TokenLayout of(const torch::Tensor& lengths, int64_t width);

  bool defined() const { return index.defined(); }
  int64_t tokens() const { return index.size(0); }
  // [B, L, ...] -> [T, ...]: the real positions, in packed order.
  torch::Tensor pack(const torch::Tensor& x) const;
  // [T, ...] -> [B, L, ...], zeros at padding.
  torch::Tensor unpack(const torch::Tensor& tokens) const;
  // The layout of a subset of the rows (`keep` [B] bool), packed the same way.
  TokenLayout subset(const torch::Tensor& keep) const;
  // [T] bool: the tokens of the rows in `keep` [B] bool.
  torch::Tensor tokens_of_rows(const torch::Tensor& keep) const;
  TokenLayout to(const torch::Device& device) const;
};

}  // namespace seqrec
