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
                     const torch::Tensor& allowed, Dropout& dropout, const ZeroSlots& zero_slots) {
  const double scale = std::sqrt(static_cast<double>(q.size(-1)));
  auto logits = torch::matmul(q, k.transpose(-2, -1)) / scale;
  if (allowed.defined()) logits = logits.masked_fill(allowed.logical_not(), -1e9);
  if (!zero_slots.defined()) return torch::matmul(dropout(torch::softmax(logits, -1)), v);

  const auto count = zero_slots.count.to(q.scalar_type());
  const auto has_slots = count.gt(0);
  auto slot_logit = (q * zero_slots.key).sum(-1, /*keepdim=*/true) / scale;  // [B, H, Lq, 1]
  slot_logit = torch::where(has_slots, slot_logit + count.clamp_min(1).log(),
                            torch::full({}, -1e9, slot_logit.options()));
  const int64_t Lk = logits.size(-1);
  auto weights = torch::softmax(torch::cat({logits, slot_logit}, -1), -1);
  auto slot_weight = weights.narrow(-1, Lk, 1);
  if (dropout->is_training() && dropout->p > 0.0) {
    // Each of the `count` slots is kept with probability 1 - p: Binomial(count, 1 - p) kept.
    const double keep = 1.0 - dropout->p;
    auto counts = count.expand_as(slot_weight).contiguous();
    auto kept = torch::binomial(counts, torch::full_like(counts, keep));
    slot_weight = slot_weight * kept / (counts.clamp_min(1) * keep);
  }
  return torch::matmul(dropout(weights.narrow(-1, 0, Lk)), v) + slot_weight * zero_slots.value;
}

namespace {

// The zero slots of rows with `count` [n] padded slots each: key and value are the biases.
ZeroSlots zero_slots_of(const torch::Tensor& count, const MultiHeadAttentionImpl& attention) {
  if (!count.defined()) return {};
  const int64_t H = attention.options.heads(), dh = attention.options.dim() / H;
  return {count.view({-1, 1, 1, 1}), attention.k->bias.view({1, H, 1, dh}),
          attention.v->bias.view({1, H, 1, dh})};
}

}  // namespace

torch::Tensor MultiHeadAttentionImpl::forward(const torch::Tensor& query,
                                              const torch::Tensor& context,
                                              const torch::Tensor& allowed,
                                              const torch::Tensor& zero_slots) {
  const auto H = options.heads();
  auto heads =
      attend(split_heads(q(query), H), split_heads(k(context), H), split_heads(v(context), H),
             allowed, attn_dropout, zero_slots_of(zero_slots, *this));
  return out(merge_heads(heads));
}

// Scores per length group (TokenLayout::groups), each on a grid as wide as its longest row:
// the same attention as on the batch's [B, L, L] grid at every real query, on a fraction of
// the cells when short and long rows share a batch.
torch::Tensor MultiHeadAttentionImpl::forward_packed(const torch::Tensor& query,
                                                     const torch::Tensor& context,
                                                     const TokenLayout& layout,
                                                     AttentionScope scope, PackedQueries queries,
                                                     const torch::Tensor& zero_slots) {
  const auto H = options.heads(), d = options.dim();
  const bool last_of_row = queries == PackedQueries::LastOfRow;
  // Padding cells read the appended zero row.
  auto with_zero_row = [](const torch::Tensor& t) {
    return torch::cat({t, torch::zeros({1, t.size(1)}, t.options())});
  };
  const auto keys = with_zero_row(k(context)), values = with_zero_row(v(context));
  const auto queries_in = last_of_row ? q(query) : with_zero_row(q(query));
  std::vector<torch::Tensor> outputs;
  outputs.reserve(layout.groups.size());
  for (const auto& g : layout.groups) {
    const int64_t n = g.rows.size(0), w = g.width;
    auto grid = [&](const torch::Tensor& t) {
      return split_heads(t.index_select(0, g.cells).view({n, w, d}), H);
    };
    const auto padding_keys_masked = g.real.view({n, 1, 1, w});
    const auto slots = zero_slots_of(
        zero_slots.defined() ? zero_slots.index_select(0, g.rows) : zero_slots, *this);
    if (last_of_row) {
      auto q_rows = queries_in.index_select(0, g.rows).view({n, 1, H, d / H}).transpose(1, 2);
      outputs.push_back(merge_heads(attend(q_rows, grid(keys), grid(values), padding_keys_masked,
                                           attn_dropout, slots))
                            .squeeze(1));
    } else {
      // Causal: a real query's keys up to itself are all real.
      const auto allowed =
          scope == AttentionScope::Causal ? causal_mask(w, keys.device()) : padding_keys_masked;
      outputs.push_back(merge_heads(attend(grid(queries_in), grid(keys), grid(values), allowed,
                                           attn_dropout, slots))
                            .flatten(0, 1)
                            .index_select(0, g.real_cells));
    }
  }
  // A layout without rows (e.g. HM4SR's PCL when no row holds a placeholder): no output rows.
  if (outputs.empty()) return out(queries_in.narrow(0, 0, 0));
  const auto& order = last_of_row ? layout.group_order_of_row : layout.group_order_of_token;
  return out(torch::cat(outputs).index_select(0, order));
}

torch::Tensor packed_attention_mask(const TokenLayout& layout, AttentionScope scope,
                                    PackedQueries queries) {
  if (scope == AttentionScope::Causal && queries == PackedQueries::All)
    return causal_mask(layout.width, layout.real.device());
  return layout.real.view({layout.batch, 1, 1, layout.width});
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
