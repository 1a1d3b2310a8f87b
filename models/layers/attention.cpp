#include "models/layers/attention.h"

#include <cmath>

namespace seqrec {

MultiHeadAttentionImpl::MultiHeadAttentionImpl(const MultiHeadAttentionOptions& o) : options(o) {
  TORCH_CHECK(o.dim() % o.heads() == 0, "attention dim must be divisible by heads");
  q = register_module("q", torch::nn::Linear(o.dim(), o.dim()));
  k = register_module("k", torch::nn::Linear(o.dim(), o.dim()));
  v = register_module("v", torch::nn::Linear(o.dim(), o.dim()));
  out = register_module("out", torch::nn::Linear(o.dim(), o.dim()));
  attn_dropout = register_module("attn_dropout", Dropout(o.dropout()));
}

torch::Tensor split_heads(const torch::Tensor& x, int64_t heads) {
  const auto B = x.size(0), L = x.size(1), d = x.size(2);
  return x.view({B, L, heads, d / heads}).transpose(1, 2);
}

torch::Tensor merge_heads(const torch::Tensor& x) {
  const auto B = x.size(0), H = x.size(1), L = x.size(2), dh = x.size(3);
  return x.transpose(1, 2).reshape({B, L, H * dh});
}

torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                     const torch::Tensor& allowed, Dropout& dropout) {
  auto logits = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(q.size(-1)));
  if (allowed.defined()) logits = logits.masked_fill(allowed.logical_not(), -1e9);
  return torch::matmul(dropout(torch::softmax(logits, -1)), v);
}

torch::Tensor MultiHeadAttentionImpl::forward(const torch::Tensor& query,
                                              const torch::Tensor& context,
                                              const torch::Tensor& allowed) {
  const auto H = options.heads();
  auto heads = attend(split_heads(q(query), H), split_heads(k(context), H),
                      split_heads(v(context), H), allowed, attn_dropout);
  return out(merge_heads(heads));
}

torch::Tensor causal_mask(int64_t length, const torch::Device& device) {
  return torch::ones({length, length}, torch::TensorOptions().dtype(torch::kBool).device(device))
      .tril()
      .view({1, 1, length, length});
}

torch::Tensor key_padding_mask(const torch::Tensor& items) {
  return items.ne(0).view({items.size(0), 1, 1, items.size(1)});
}

}  // namespace seqrec
