#pragma once
// Multi-head scaled dot-product attention, written out (no scaled_dot_product_attention:
// it does not exist in LibTorch 1.13).
#include <torch/torch.h>

#include "datasets/token_layout.h"
#include "models/layers/dropout.h"

namespace seqrec {

// Which keys a packed token attends to: the real tokens up to itself (causal, SASRec) or every
// real token of its row (bidirectional, BERT4Rec).
enum class AttentionScope { Causal, Bidirectional };

// The queries of a packed attention: every token, or only each row's last token (the rows of
// an encoder's last block when only the last position is read out).
enum class PackedQueries { All, LastOfRow };

struct MultiHeadAttentionOptions {
  MultiHeadAttentionOptions(int64_t dim, int64_t heads) : dim_(dim), heads_(heads) {}
  TORCH_ARG(int64_t, dim);
  TORCH_ARG(int64_t, heads);
  TORCH_ARG(double, dropout) = 0.0;  // on the attention weights
};

class MultiHeadAttentionImpl : public torch::nn::Module {
 public:
  explicit MultiHeadAttentionImpl(const MultiHeadAttentionOptions& options);
  // query [B, Lq, d], context [B, Lk, d]; `allowed` bool, broadcastable to [B, H, Lq, Lk],
  // true where a query may attend to a key. `zero_slots` [B] (optional): every query of row b
  // also attends to that many zero context vectors, as the left padding of a fixed window when
  // no key-padding mask hides it (see ZeroSlots). Returns [B, Lq, d].
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& context,
                        const torch::Tensor& allowed, const torch::Tensor& zero_slots = {});
  // Packed tokens: context [T, d]; query [T, d], or [B, d] for PackedQueries::LastOfRow.
  // Projections run on the tokens; scores, softmax and the weighted sum on one padded grid
  // per length group of rows (TokenLayout::groups), [n, H, w, w] (or [n, H, 1, w]). Returns
  // the query's shape.
  torch::Tensor forward_packed(const torch::Tensor& query, const torch::Tensor& context,
                               const TokenLayout& layout, AttentionScope scope,
                               PackedQueries queries = PackedQueries::All,
                               const torch::Tensor& zero_slots = {});

  MultiHeadAttentionOptions options;
  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, out{nullptr};
  Dropout attn_dropout{nullptr};
};
TORCH_MODULE(MultiHeadAttention);

// [B, H, L, dh] <-> [B, L, d]
torch::Tensor split_heads(const torch::Tensor& x, int64_t heads);
torch::Tensor merge_heads(const torch::Tensor& x);

// `count` zero context vectors beside the real keys, all sharing one key and one value per
// head: the projections' biases, as a zero vector projects to its bias. SASRec's PyTorch port
// and RecTools' SASRec left-pad a fixed window, zero the padded slots before every block and
// mask no keys, so each real query also attends to every padded slot; `count` copies of one
// key weigh as one key with log(count) added to its logit, which needs no padded grid.
struct ZeroSlots {
  torch::Tensor count;  // broadcastable to [B, H, Lq, 1]; 0 = none
  torch::Tensor key;    // [1, H, 1, dh]
  torch::Tensor value;  // [1, H, 1, dh]
  bool defined() const { return count.defined(); }
};

// softmax(q k^T / sqrt(dh)) v over heads, with masked logits set to a large negative value
// (not -inf, so a fully masked row gives a uniform average instead of NaN). With zero slots,
// their share joins the softmax, and attention dropout keeps each slot apart (Binomial of the
// count), as dropout on the materialised weights would.
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                     const torch::Tensor& allowed, Dropout& dropout,
                     const ZeroSlots& zero_slots = {});

// [1, 1, L, L] lower-triangular: position i may attend to j <= i.
torch::Tensor causal_mask(int64_t length, const torch::Device& device);
// [B, 1, 1, L]: keys that are real items (id != 0).
torch::Tensor key_padding_mask(const torch::Tensor& items);
// The padded-grid mask of packed tokens: causal_mask for AttentionScope::Causal (with right
// padding a real query never reaches a padded key), the real keys of the row otherwise and for
// the last-of-row queries (whose causal window is the whole row).
torch::Tensor packed_attention_mask(const TokenLayout& layout, AttentionScope scope,
                                    PackedQueries queries);

}  // namespace seqrec
