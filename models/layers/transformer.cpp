#include "models/layers/transformer.h"

#include <cmath>

namespace seqrec {

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t inner, double p, std::string act)
    : activation(std::move(act)) {
  TORCH_CHECK(activation == "gelu" || activation == "relu", "activation must be gelu or relu");
  in = register_module("in", torch::nn::Linear(dim, inner));
  out = register_module("out", torch::nn::Linear(inner, dim));
  dropout = register_module("dropout", Dropout(p));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  auto h = in(x);
  h = activation == "gelu" ? torch::gelu(h) : torch::relu(h);
  return out(dropout(h));
}

TransformerBlockImpl::TransformerBlockImpl(const TransformerOptions& o) : options(o) {
  TORCH_CHECK(!o.kang() || o.pre_norm(), "Kang's block normalises before each sub-layer");
  attention = register_module(
      "attention",
      MultiHeadAttention(MultiHeadAttentionOptions(o.dim(), o.heads()).dropout(o.attn_dropout())));
  feed_forward =
      register_module("feed_forward", FeedForward(o.dim(), o.inner(), o.dropout(), o.activation()));
  attention_norm = register_module(
      "attention_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim()}).eps(1e-8)));
  feed_forward_norm = register_module(
      "feed_forward_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim()}).eps(1e-8)));
  dropout = register_module("dropout", Dropout(o.dropout()));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& allowed,
                                            const torch::Tensor& zero_slots) {
  // Only Kang's block reads keys and values from the unnormalised input, where a zeroed slot
  // projects to the bias; the others would read LayerNorm(0), its bias.
  TORCH_CHECK(!zero_slots.defined() || options.kang(), "zero slots need Kang's block");
  if (options.kang()) {
    auto q = attention_norm(x);
    auto u = feed_forward_norm(q + attention(q, x, allowed, zero_slots));
    return u + dropout(feed_forward(u));
  }
  if (options.pre_norm()) {
    auto n = attention_norm(x);
    auto h = x + dropout(attention(n, n, allowed));
    return h + dropout(feed_forward(feed_forward_norm(h)));
  }
  auto h = attention_norm(x + dropout(attention(x, x, allowed)));
  return feed_forward_norm(h + dropout(feed_forward(h)));
}

torch::Tensor TransformerBlockImpl::forward_packed(const torch::Tensor& x,
                                                   const TokenLayout& layout, AttentionScope scope,
                                                   PackedQueries queries,
                                                   const torch::Tensor& zero_slots) {
  TORCH_CHECK(!zero_slots.defined() || options.kang(), "zero slots need Kang's block");
  // With LastOfRow the residual stream continues from each row's last token only.
  auto rows = [&](const torch::Tensor& t) {
    return queries == PackedQueries::LastOfRow ? t.index_select(0, layout.last) : t;
  };
  if (options.kang()) {
    auto q = attention_norm(x);
    auto u = feed_forward_norm(
        rows(q) + attention->forward_packed(rows(q), x, layout, scope, queries, zero_slots));
    return u + dropout(feed_forward(u));
  }
  if (options.pre_norm()) {
    auto n = attention_norm(x);
    auto h = rows(x) + dropout(attention->forward_packed(rows(n), n, layout, scope, queries));
    return h + dropout(feed_forward(feed_forward_norm(h)));
  }
  auto h = attention_norm(rows(x) +
                          dropout(attention->forward_packed(rows(x), x, layout, scope, queries)));
  return feed_forward_norm(h + dropout(feed_forward(h)));
}

TransformerEncoderImpl::TransformerEncoderImpl(const TransformerOptions& o) : options(o) {
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.layers(); ++i) blocks->push_back(TransformerBlock(o));
  if (o.pre_norm())
    final_norm = register_module(
        "final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim()}).eps(1e-8)));
}

torch::Tensor TransformerEncoderImpl::forward(const torch::Tensor& x, const torch::Tensor& allowed,
                                              const torch::Tensor& zero_slots) {
  auto h = x;
  for (auto& block : *blocks)
    h = block->as<TransformerBlockImpl>()->forward(h, allowed, zero_slots);
  return final_norm ? final_norm(h) : h;
}

torch::Tensor TransformerEncoderImpl::forward_packed(const torch::Tensor& x,
                                                     const TokenLayout& layout,
                                                     AttentionScope scope, bool last_only,
                                                     const torch::Tensor& zero_slots) {
  auto h = x;
  const auto n = static_cast<int64_t>(blocks->size());
  for (int64_t i = 0; i < n; ++i) {
    const bool last_block = i + 1 == n;
    h = blocks[i]->as<TransformerBlockImpl>()->forward_packed(
        h, layout, scope, last_only && last_block ? PackedQueries::LastOfRow : PackedQueries::All,
        zero_slots);
  }
  if (last_only && n == 0) h = h.index_select(0, layout.last);
  return final_norm ? final_norm(h) : h;
}

SequenceEmbeddingImpl::SequenceEmbeddingImpl(int64_t num_items, int64_t max_len, int64_t dim,
                                             double p, bool scale_by_sqrt_dim)
    : scale(scale_by_sqrt_dim ? std::sqrt(static_cast<double>(dim)) : 1.0) {
  item = register_module(
      "item", torch::nn::Embedding(torch::nn::EmbeddingOptions(num_items + 1, dim).padding_idx(0)));
  position = register_module("position", torch::nn::Embedding(max_len, dim));
  dropout = register_module("dropout", Dropout(p));
}

torch::Tensor SequenceEmbeddingImpl::forward(const torch::Tensor& items) {
  return add_positions(item(items), items);
}

torch::Tensor SequenceEmbeddingImpl::forward_from_table(const torch::Tensor& items,
                                                        const torch::Tensor& table) {
  return add_positions(torch::embedding(table, items, /*padding_idx=*/0), items);
}

torch::Tensor SequenceEmbeddingImpl::forward_packed(const torch::Tensor& items,
                                                    const TokenLayout& layout) {
  return add_positions_packed(item(layout.pack(items)), layout);
}

torch::Tensor SequenceEmbeddingImpl::forward_packed_from_table(const torch::Tensor& items,
                                                               const TokenLayout& layout,
                                                               const torch::Tensor& table) {
  return add_positions_packed(table.index_select(0, layout.pack(items)), layout);
}

torch::Tensor SequenceEmbeddingImpl::add_positions_packed(const torch::Tensor& item_vectors,
                                                          const TokenLayout& layout) {
  // A row's last token sits at position length - 1.
  auto positions =
      positions_from_end
          ? layout.positions.index_select(0, layout.last).index_select(0, layout.rows) -
                layout.positions
          : layout.positions;
  return dropout(item_vectors * scale + position(positions));
}

torch::Tensor SequenceEmbeddingImpl::add_positions(const torch::Tensor& item_vectors,
                                                   const torch::Tensor& items) {
  auto positions =
      torch::arange(item_vectors.size(1), torch::dtype(torch::kInt64).device(item_vectors.device()))
          .unsqueeze(0);
  if (positions_from_end) {
    TORCH_CHECK(items.defined(), "positions from the end need the items of each row");
    auto lengths = (items != 0).sum(1, /*keepdim=*/true);
    positions = (lengths - 1 - positions).clamp_min(0);  // padding: any valid row
  }
  return dropout(item_vectors * scale + position(positions));
}

}  // namespace seqrec
