#pragma once
// Transformer encoder blocks shared by every attention-based model (SASRec, BERT4Rec, FAME,
// HM4SR, ...): a test of these layers is a test of all of them.
#include <torch/torch.h>

#include <string>

#include "models/layers/attention.h"

namespace seqrec {

struct TransformerOptions {
  TransformerOptions(int64_t dim, int64_t heads) : dim_(dim), heads_(heads), inner_(4 * dim) {}
  TORCH_ARG(int64_t, dim);
  TORCH_ARG(int64_t, heads);
  TORCH_ARG(int64_t, inner);
  TORCH_ARG(int64_t, layers) = 2;
  TORCH_ARG(double, dropout) = 0.2;             // residual and feed-forward dropout
  TORCH_ARG(double, attn_dropout) = 0.2;        // on attention weights
  TORCH_ARG(std::string, activation) = "gelu";  // gelu | relu
  // pre: x + f(LN(x)), with a final LN after the stack (SASRec's released code normalises
  // before attention); post: LN(x + f(x)) (BERT, RecBole).
  TORCH_ARG(bool, pre_norm) = true;
  // Kang's block (SASRec's released code, RecTools): with pre_norm, the attention's query and
  // both residuals are the normalised input q = LN(x) while keys and values stay x, and the
  // attention output gets no dropout: h = q + MHA(q, x, x); u = LN(h); u + Drop(FFN(u)).
  TORCH_ARG(bool, kang) = false;
};

class FeedForwardImpl : public torch::nn::Module {
 public:
  FeedForwardImpl(int64_t dim, int64_t inner, double dropout, std::string activation);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Linear in{nullptr}, out{nullptr};
  Dropout dropout{nullptr};
  std::string activation;
};
TORCH_MODULE(FeedForward);

class TransformerBlockImpl : public torch::nn::Module {
 public:
  explicit TransformerBlockImpl(const TransformerOptions& options);
  // `zero_slots` [B] (optional, Kang's block only): each row's queries also attend to that many
  // zero vectors, the zeroed left padding of a fixed window (ZeroSlots in attention.h).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& allowed,
                        const torch::Tensor& zero_slots = {});
  // Packed tokens x [T, d] -> [T, d], or [B, d] (each row's last token) for LastOfRow.
  torch::Tensor forward_packed(const torch::Tensor& x, const TokenLayout& layout,
                               AttentionScope scope, PackedQueries queries = PackedQueries::All,
                               const torch::Tensor& zero_slots = {});

  TransformerOptions options;
  MultiHeadAttention attention{nullptr};
  FeedForward feed_forward{nullptr};
  torch::nn::LayerNorm attention_norm{nullptr}, feed_forward_norm{nullptr};
  Dropout dropout{nullptr};
};
TORCH_MODULE(TransformerBlock);

// A stack of blocks, plus the final LayerNorm of pre-norm stacks.
class TransformerEncoderImpl : public torch::nn::Module {
 public:
  explicit TransformerEncoderImpl(const TransformerOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& allowed,
                        const torch::Tensor& zero_slots = {});
  // Packed tokens x [T, d] -> [T, d]; with `last_only`, [B, d]: each row's last token, the last
  // block computing only those queries (and their feed-forward) when nothing else is read.
  torch::Tensor forward_packed(const torch::Tensor& x, const TokenLayout& layout,
                               AttentionScope scope, bool last_only = false,
                               const torch::Tensor& zero_slots = {});

  TransformerOptions options;
  torch::nn::ModuleList blocks;
  torch::nn::LayerNorm final_norm{nullptr};
};
TORCH_MODULE(TransformerEncoder);

// Item + learned position embeddings for right-padded sequences, scaled as in SASRec, followed
// by dropout. Position j is the j-th kept item, or with `positions_from_end` the j-th from the
// row's end (the last item takes row 0, as RecTools' left-padded windows count).
class SequenceEmbeddingImpl : public torch::nn::Module {
 public:
  SequenceEmbeddingImpl(int64_t num_items, int64_t max_len, int64_t dim, double dropout,
                        bool scale_by_sqrt_dim);
  torch::Tensor forward(const torch::Tensor& items);  // [B, L] -> [B, L, d]
  // The same with the item vectors looked up in `table` [N + 1, d] instead of this module's
  // own rows (e.g. the table after item-table dropout).
  torch::Tensor forward_from_table(const torch::Tensor& items, const torch::Tensor& table);
  // The real tokens of items [B, L] -> [T, d], identical to forward() at those positions.
  torch::Tensor forward_packed(const torch::Tensor& items, const TokenLayout& layout);
  torch::Tensor forward_packed_from_table(const torch::Tensor& items, const TokenLayout& layout,
                                          const torch::Tensor& table);
  // For models whose item vectors are not (only) this table's rows (e.g. fused with
  // modality features): [B, L, d] item vectors -> scaled, plus positions, dropout. Positions
  // from the end need the row lengths, read from `items` [B, L] (0 = padding).
  torch::Tensor add_positions(const torch::Tensor& item_vectors,
                              const torch::Tensor& items = torch::Tensor());
  // Packed item vectors [T, d] -> scaled, plus their positions, dropout.
  torch::Tensor add_positions_packed(const torch::Tensor& item_vectors, const TokenLayout& layout);

  torch::nn::Embedding item{nullptr}, position{nullptr};
  Dropout dropout{nullptr};
  double scale;
  bool positions_from_end = false;
};
TORCH_MODULE(SequenceEmbedding);

}  // namespace seqrec
