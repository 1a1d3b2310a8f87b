#include "models/fame/moe_attention.h"

#include "models/layers/attention.h"

namespace seqrec {

MoEAttentionImpl::MoEAttentionImpl(int64_t d, int64_t h, int64_t n, double p)
    : dim(d), heads(h), experts(n) {
  TORCH_CHECK(d % h == 0, "hidden must be divisible by heads");
  TORCH_CHECK(n >= 1, "experts must be at least 1");
  q = register_module("q", torch::nn::Linear(d, n * d));
  k = register_module("k", torch::nn::Linear(d, d));
  v = register_module("v", torch::nn::Linear(d, d));
  if (n > 1) router = register_parameter("router", torch::randn({h, n * (d / h), n}) * 0.02);
  attn_dropout = register_module("attn_dropout", Dropout(p));
}

MoEAttentionOutput MoEAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& allowed) {
  const int64_t B = x.size(0), L = x.size(1), dh = dim / heads;
  // [B, H, N, L, dh] queries against [B, H, 1, L, dh] keys and values: the expert axis
  // broadcasts, so every expert of a head reads the same keys and values.
  auto queries = q(x).view({B, L, experts, heads, dh}).permute({0, 3, 2, 1, 4});
  auto keys = split_heads(k(x), heads).unsqueeze(2);
  auto values = split_heads(v(x), heads).unsqueeze(2);
  auto per_expert =
      attend(queries, keys, values, allowed.defined() ? allowed.unsqueeze(2) : allowed,
             attn_dropout);  // [B, H, N, L, dh]
  if (experts == 1) return {per_expert.squeeze(2), torch::ones({B, heads, L, 1}, x.options())};
  auto by_position = per_expert.permute({0, 1, 3, 2, 4});  // [B, H, L, N, dh]
  auto weights =
      torch::softmax(torch::matmul(by_position.reshape({B, heads, L, experts * dh}), router), -1);
  return {(by_position * weights.unsqueeze(-1)).sum(3), weights};
}

MoEAttentionOutput mix_experts(const torch::Tensor& per_expert, const torch::Tensor& router) {
  const int64_t R = per_expert.size(0), H = per_expert.size(1), N = per_expert.size(2),
                dh = per_expert.size(3);
  if (!router.defined())
    return {per_expert.squeeze(2), torch::ones({R, H, 1}, per_expert.options())};
  auto logits = torch::matmul(per_expert.reshape({R, H, N * dh}).transpose(0, 1), router);
  auto weights = torch::softmax(logits, -1).transpose(0, 1);  // [R, H, N]
  return {(per_expert * weights.unsqueeze(-1)).sum(2), weights};
}

MoEAttentionOutput MoEAttentionImpl::forward_packed(const torch::Tensor& x,
                                                    const TokenLayout& layout,
                                                    PackedQueries queries) {
  const int64_t B = layout.batch, L = layout.width, dh = dim / heads;
  auto keys = split_heads(layout.unpack(k(x)), heads).unsqueeze(2);  // [B, H, 1, L, dh]
  auto values = split_heads(layout.unpack(v(x)), heads).unsqueeze(2);
  const auto allowed = packed_attention_mask(layout, AttentionScope::Causal, queries).unsqueeze(2);
  torch::Tensor per_expert;  // [R, H, N, dh]
  if (queries == PackedQueries::LastOfRow) {
    auto q_rows = q(x.index_select(0, layout.last))
                      .view({B, 1, experts, heads, dh})
                      .permute({0, 3, 2, 1, 4});  // [B, H, N, 1, dh]
    per_expert = attend(q_rows, keys, values, allowed, attn_dropout).squeeze(3);
  } else {
    auto q_grid = layout.unpack(q(x)).view({B, L, experts, heads, dh}).permute({0, 3, 2, 1, 4});
    auto out = attend(q_grid, keys, values, allowed, attn_dropout);  // [B, H, N, L, dh]
    per_expert = layout.pack(out.permute({0, 3, 1, 2, 4}));          // [T, H, N, dh]
  }
  return mix_experts(per_expert, router);
}

}  // namespace seqrec
