#pragma once
// FAME's mixture-of-experts self-attention (Liu, Zhang & Long, WSDM 2025, §4.3): inside every
// head, N experts with their own query projection attend over the keys and values the head
// shares, and a per-head router mixes the experts at each position. With N = 1 it is exactly
// standard multi-head attention without the output projection.
#include <torch/torch.h>

#include "models/layers/attention.h"
#include "models/layers/dropout.h"

namespace seqrec {

struct MoEAttentionOutput {
  torch::Tensor heads;   // [B, H, L, dh]: each head's router-weighted mixture of its experts
  torch::Tensor router;  // [B, H, L, N]: the router weights (all ones when N = 1)
};

// Per head, the router's mixture of the expert outputs `per_expert` [..., H, N, dh] (the
// router [H, N·dh, N] reads their concatenation): {[..., H, dh], weights [..., H, N]}.
MoEAttentionOutput mix_experts(const torch::Tensor& per_expert, const torch::Tensor& router);

class MoEAttentionImpl : public torch::nn::Module {
 public:
  MoEAttentionImpl(int64_t dim, int64_t heads, int64_t experts, double attn_dropout);
  // x [B, L, d]; `allowed` bool, broadcastable to [B, H, L, L].
  MoEAttentionOutput forward(const torch::Tensor& x, const torch::Tensor& allowed);
  // Packed tokens x [T, d], causal. Returns heads [R, H, dh] and router [R, H, N] for the R
  // query rows: every token, or each row's last one (PackedQueries::LastOfRow).
  MoEAttentionOutput forward_packed(const torch::Tensor& x, const TokenLayout& layout,
                                    PackedQueries queries);

  int64_t dim, heads, experts;
  // q maps d to N·d; expert e's query for head h is the slice [e·d + h·dh, e·d + (h+1)·dh),
  // so with N = 1 the layout is that of an ordinary query projection.
  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr};
  // [H, N·dh, N]: per head, the concatenated expert outputs to N router logits (paper Eq. 16,
  // no bias). Undefined when N = 1: a router over one expert has nothing to decide.
  torch::Tensor router;
  Dropout attn_dropout{nullptr};
};
TORCH_MODULE(MoEAttention);

}  // namespace seqrec
