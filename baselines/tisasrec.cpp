#include "baselines/tisasrec.h"

#include <cmath>
#include <limits>
#include <map>

#include "models/layers/initializers.h"
#include "models/layers/side_information.h"
#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {

namespace {

// The shared transformer keys, with where TiSASRec's own values come from in their help.
ParamSchema with_notes(const ParamSchema& schema, const std::map<std::string, std::string>& notes) {
  ParamSchema out;
  for (auto spec : schema.specs()) {
    auto note = notes.find(spec.name);
    if (note != notes.end()) spec.help += " (" + note->second + ")";
    out.add(spec);
  }
  return out;
}

torch::nn::LayerNorm layer_norm(int64_t dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-8));
}

}  // namespace

torch::Tensor time_interval_matrix(const torch::Tensor& timestamps, const torch::Tensor& lengths,
                                   int64_t time_span) {
  const int64_t L = timestamps.size(1);
  auto t = timestamps.to(torch::kFloat64);
  auto real = Batch::real_positions(lengths, L);                 // [B, L]
  auto pair = real.unsqueeze(2).logical_and(real.unsqueeze(1));  // [B, L, L]
  auto gap = (t.unsqueeze(2) - t.unsqueeze(1)).abs();
  // Smallest non-zero gap over all real pairs = smallest non-zero consecutive gap of the
  // sorted row, without relying on the row being sorted.
  const double inf = std::numeric_limits<double>::infinity();
  auto candidates = torch::where(gap.gt(0).logical_and(pair), gap, torch::full_like(gap, inf));
  auto unit = std::get<0>(candidates.flatten(1).min(1));  // [B]
  unit = torch::where(torch::isinf(unit), torch::ones_like(unit), unit);
  auto r = torch::floor(gap / unit.view({-1, 1, 1})).clamp_max(static_cast<double>(time_span));
  return torch::where(pair, r, torch::zeros_like(r)).to(torch::kInt64);
}

TimeAwareAttentionImpl::TimeAwareAttentionImpl(int64_t dim, int64_t h, double p) : heads(h) {
  TORCH_CHECK(dim % h == 0, "hidden must be divisible by heads");
  q = register_module("q", torch::nn::Linear(dim, dim));
  k = register_module("k", torch::nn::Linear(dim, dim));
  v = register_module("v", torch::nn::Linear(dim, dim));
  attn_dropout = register_module("attn_dropout", Dropout(p));
}

torch::Tensor TimeAwareAttentionImpl::forward(const torch::Tensor& query,
                                              const torch::Tensor& context,
                                              const TimeAwareRelations& rel,
                                              const torch::Tensor& allowed) {
  const int64_t B = query.size(0), L = query.size(1), d = query.size(2), dh = d / heads;
  auto qh = split_heads(q(query), heads);  // [B, H, L, dh]
  auto kh = split_heads(k(context), heads) + split_heads(rel.position_k, heads);
  auto vh = split_heads(v(context), heads) + split_heads(rel.position_v, heads);
  auto logits = torch::matmul(qh, kh.transpose(-2, -1));  // [B, H, L, L]
  if (rel.per_pair) {
    // [B, L, L, d] -> [B, H, L, L, dh]: head h of a pair's embedding is its slice h.
    auto pair_heads = [&](const torch::Tensor& x) {
      return x.view({B, L, L, heads, dh}).permute({0, 3, 1, 2, 4});
    };
    auto rk = pair_heads(rel.interval_k), rv = pair_heads(rel.interval_v);
    // One [1, dh] x [dh, L] product per query: no [B, H, L, L, dh] temporaries.
    logits = logits + torch::matmul(qh.unsqueeze(3), rk.transpose(-2, -1)).squeeze(3);
    auto a = weights(logits, allowed);
    return merge_heads(torch::matmul(a, vh) + torch::matmul(a.unsqueeze(3), rv).squeeze(3));
  }
  // Tables [B', k+1, d] -> [B', H, k+1, dh]; r shared by the heads.
  auto r = rel.intervals.unsqueeze(1).expand({B, heads, L, L});
  auto tk = split_heads(rel.interval_k, heads), tv = split_heads(rel.interval_v, heads);
  logits = logits + torch::matmul(qh, tk.transpose(-2, -1)).gather(-1, r);
  auto a = weights(logits, allowed);
  auto per_interval = torch::zeros({B, heads, L, tv.size(2)}, a.options()).scatter_add(-1, r, a);
  return merge_heads(torch::matmul(a, vh) + torch::matmul(per_interval, tv));
}

torch::Tensor TimeAwareAttentionImpl::weights(const torch::Tensor& logits,
                                              const torch::Tensor& allowed) {
  auto scaled = logits / std::sqrt(static_cast<double>(q->options.out_features() / heads));
  // Large negative rather than -inf, so a fully masked row stays finite (see attend()).
  return attn_dropout(torch::softmax(scaled.masked_fill(allowed.logical_not(), -1e9), -1));
}

TimeAwareBlockImpl::TimeAwareBlockImpl(const TransformerOptions& o) : options(o) {
  attention =
      register_module("attention", TimeAwareAttention(o.dim(), o.heads(), o.attn_dropout()));
  feed_forward =
      register_module("feed_forward", FeedForward(o.dim(), o.inner(), o.dropout(), o.activation()));
  attention_norm = register_module("attention_norm", layer_norm(o.dim()));
  feed_forward_norm = register_module("feed_forward_norm", layer_norm(o.dim()));
  dropout = register_module("dropout", Dropout(o.dropout()));
}

torch::Tensor TimeAwareBlockImpl::forward(const torch::Tensor& x, const TimeAwareRelations& rel,
                                          const torch::Tensor& allowed) {
  if (options.pre_norm()) {
    auto n = attention_norm(x);
    auto h = x + dropout(attention(n, n, rel, allowed));
    return h + dropout(feed_forward(feed_forward_norm(h)));
  }
  auto h = attention_norm(x + dropout(attention(x, x, rel, allowed)));
  return feed_forward_norm(h + dropout(feed_forward(h)));
}

ParamSchema TiSASRecImpl::schema() {
  auto s = with_notes(
      transformer_schema(/*layers=*/2, /*heads=*/1, /*dropout=*/0.2, "relu"),
      {{"hidden",
        "TiSASRec paper and code: 50; 64 here, as this harness's SASRec, so the two differ only "
        "by the time-aware attention"},
       {"layers", "TiSASRec: 2"},
       {"heads", "TiSASRec: 1"},
       {"inner", "TiSASRec code: hidden"},
       {"dropout",
        "also on the position and interval embeddings; TiSASRec code default 0.2 (tuned on "
        "ML-1m); SASRec used 0.5 on sparse Amazon data"},
       {"attn_dropout", "TiSASRec code: same as dropout, 0.2"},
       {"activation", "TiSASRec code: relu"},
       {"pre_norm", "TiSASRec code normalises before attention, like SASRec's"}});
  s.int_param("time_span", 256,
              "k: intervals, in units of the user's smallest interval, are clipped to k; k + 1 "
              "interval embeddings (TiSASRec paper and code: 256)",
              1, 1 << 20);
  s.string_param("interval_dropout", "pair",
                 "dropout on interval embeddings while training: pair = an independent mask per "
                 "(i, j) pair (TiSASRec code; O(B L^2 d) memory and time); row = one mask per row "
                 "and interval value, computed from the k + 1 embeddings (2-3x faster epochs on "
                 "ml-100k; same numbers without dropout)",
                 {"pair", "row"});
  // The paper trains with BCE and one sampled negative per position (loss=bce); default: ce.
  const auto loss = next_item_loss_schema("ce");  // named: specs() refers into it
  for (auto spec : loss.specs()) {
    if (spec.name == "loss")
      spec.help += " (TiSASRec paper: bce, one negative per position; default here: ce)";
    s.add(spec);
  }
  return s;
}

TiSASRecImpl::TiSASRecImpl(const ModelContext& c)
    : time_span(c.params.get_int("time_span")),
      pair_dropout(c.params.get_string("interval_dropout") == "pair"),
      loss_options(next_item_loss_options(c.params)) {
  require_timestamps(c.data, "tisasrec");
  const auto options = transformer_options(c.params);
  const int64_t d = options.dim();
  scale = std::sqrt(static_cast<double>(d));
  item = register_module(
      "item",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(c.data.num_items() + 1, d).padding_idx(0)));
  position_k = register_module("position_k", torch::nn::Embedding(c.max_len, d));
  position_v = register_module("position_v", torch::nn::Embedding(c.max_len, d));
  interval_k = register_module("interval_k", torch::nn::Embedding(time_span + 1, d));
  interval_v = register_module("interval_v", torch::nn::Embedding(time_span + 1, d));
  dropout = register_module("dropout", Dropout(options.dropout()));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < options.layers(); ++i) blocks->push_back(TimeAwareBlock(options));
  if (options.pre_norm()) final_norm = register_module("final_norm", layer_norm(d));
  init_weights_normal(*this);
}

TimeAwareRelations TiSASRecImpl::relations(const torch::Tensor& timestamps,
                                           const torch::Tensor& lengths, int64_t L, bool per_pair) {
  TORCH_CHECK(timestamps.defined(), "tisasrec needs the batch's timestamps");
  const int64_t B = lengths.size(0);
  TimeAwareRelations rel;
  // Per-row positions so embedding dropout differs between rows, as in the authors' code.
  auto positions = torch::arange(L, lengths.options()).unsqueeze(0).expand({B, L});
  rel.position_k = dropout(position_k(positions));
  rel.position_v = dropout(position_v(positions));
  rel.intervals = time_interval_matrix(timestamps, lengths, time_span).to(lengths.device());
  rel.per_pair = per_pair;
  if (per_pair) {
    rel.interval_k = dropout(interval_k(rel.intervals));
    rel.interval_v = dropout(interval_v(rel.intervals));
    return rel;
  }
  const bool drop = is_training() && dropout->p > 0;
  auto table = [&](const torch::nn::Embedding& e) {
    auto w = e->weight.unsqueeze(0);
    return drop ? dropout(w.expand({B, -1, -1})) : w;  // a table per row: its own mask
  };
  rel.interval_k = table(interval_k);
  rel.interval_v = table(interval_v);
  return rel;
}

torch::Tensor TiSASRecImpl::encode(const torch::Tensor& items, const torch::Tensor& timestamps,
                                   const torch::Tensor& lengths) {
  const int64_t L = items.size(1);
  auto rel = relations(timestamps, lengths, L, pair_dropout && is_training());
  // Unlike SASRec, positions enter only through P^K and P^V, not the input embedding.
  auto h = dropout(item(items) * scale);
  auto allowed = causal_mask(L, items.device());
  for (auto& block : *blocks) h = block->as<TimeAwareBlockImpl>()->forward(h, rel, allowed);
  return final_norm ? final_norm(h) : h;
}

LossParts TiSASRecImpl::loss(const Batch& batch) {
  auto hidden = encode(batch.items, batch.timestamps, batch.lengths);
  auto mask = batch.target_mask();
  auto l =
      next_item_loss(hidden.index({mask}), batch.targets.index({mask}), item->weight, loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors TiSASRecImpl::score_factors(const Batch& batch) {
  auto hidden = encode(batch.items, batch.timestamps, batch.lengths);
  return {batch.last_position(hidden), item->weight};
}

SEQREC_REGISTER_MODEL(
    ModelInfo::of<TiSASRecImpl>("tisasrec")
        .described_as(
            "TiSASRec: time-interval-aware self-attention (Li, Wang & McAuley, WSDM 2020)")
        .with_trainer_defaults({{"train_samples", "all_positions"}}));

}  // namespace seqrec
