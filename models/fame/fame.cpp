#include "models/fame/fame.h"

#include <algorithm>

#include "models/layers/either_layout.h"
#include "models/layers/initializers.h"
#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {

namespace {

torch::nn::LayerNorm layer_norm(int64_t width) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({width}).eps(1e-8));
}

}  // namespace

FacetMoEBlockImpl::FacetMoEBlockImpl(const TransformerOptions& o, int64_t experts, bool facets)
    : options(o), facet_heads(facets) {
  const int64_t d = o.dim(), H = o.heads();
  // Registration order mirrors TransformerBlock (q, k, v, out, feed-forward, norms), so that
  // with one expert and no facet heads the parameter list is SASRec's, tensor for tensor.
  attention = register_module("attention", MoEAttention(d, H, experts, o.attn_dropout()));
  if (!facets) out = register_module("out", torch::nn::Linear(d, d));
  // With facet heads every sub-layer after attention works on one head's d/H slice and is
  // shared by all heads (paper §4.2), so the layer adds no parameters per head.
  const int64_t width = facets ? d / H : d;
  const int64_t inner = facets ? std::max<int64_t>(1, o.inner() / H) : o.inner();
  feed_forward =
      register_module("feed_forward", FeedForward(width, inner, o.dropout(), o.activation()));
  // Pre-norm normalises the d-wide input before attention; post-norm normalises the sum of
  // the residual and the attention output, which is per head with facet heads.
  attention_norm = register_module("attention_norm", layer_norm(o.pre_norm() ? d : width));
  feed_forward_norm = register_module("feed_forward_norm", layer_norm(width));
  dropout = register_module("dropout", Dropout(o.dropout()));
}

FacetMoEBlockOutput FacetMoEBlockImpl::forward(const torch::Tensor& x,
                                               const torch::Tensor& allowed) {
  auto attended = attention(options.pre_norm() ? attention_norm(x) : x, allowed);
  // Facet heads keep head h apart: its residual is head h's slice of the input.
  auto residual = facet_heads ? split_heads(x, options.heads()) : x;
  auto mixed = facet_heads ? attended.heads : out(merge_heads(attended.heads));
  auto h = residual + dropout(mixed);
  if (options.pre_norm()) return {h + dropout(feed_forward(feed_forward_norm(h))), attended.router};
  h = attention_norm(h);
  return {feed_forward_norm(h + dropout(feed_forward(h))), attended.router};
}

FacetMoEBlockOutput FacetMoEBlockImpl::forward_packed(const torch::Tensor& x,
                                                      const TokenLayout& layout,
                                                      PackedQueries queries) {
  auto attended =
      attention->forward_packed(options.pre_norm() ? attention_norm(x) : x, layout, queries);
  auto rows = queries == PackedQueries::LastOfRow ? x.index_select(0, layout.last) : x;
  const int64_t R = rows.size(0), H = options.heads();
  // Facet heads keep head h apart: its residual is head h's slice of the input.
  auto residual = facet_heads ? rows.view({R, H, -1}) : rows;
  auto mixed = facet_heads ? attended.heads : out(attended.heads.reshape({R, -1}));
  auto h = residual + dropout(mixed);
  if (options.pre_norm()) return {h + dropout(feed_forward(feed_forward_norm(h))), attended.router};
  h = attention_norm(h);
  return {feed_forward_norm(h + dropout(feed_forward(h))), attended.router};
}

ParamSchema FAMEImpl::schema() {
  const std::string not_public =
      "FAME's tuned values are not public here; chosen by validation NDCG@10 on Beauty over "
      "heads {2, 4} x experts {2, 4} (results/fame-beauty-defaults)";
  auto s = with_default_sources(
      transformer_schema(/*layers=*/2, /*heads=*/2, /*dropout=*/0.5, "relu"), "FAME",
      {{"layers", "default 2 as SASRec's; the last one is the FAME layer"},
       {"heads", "default 2 = facets; " + not_public},
       {"dropout", "default 0.5 as SASRec's on the sparse Amazon data"},
       {"attn_dropout", "default 0.5 as SASRec's"}});
  s.int_param("experts", 4,
              "experts N per head in the last layer's attention, each with its own query; "
              "1 = no mixture of experts (ablation). Default 4, in the issue's range; " +
                  not_public,
              1, 64);
  s.bool_param("facet_heads", true,
               "last layer keeps heads apart: per-head facet representations scored against "
               "per-head item sub-embeddings, mixed by a gate over heads; false = concatenate "
               "and project, one score (ablation)");
  s.string_param("item_subembedding", "projection",
                 "head h's view of an item: projection (a learned d -> d/H map per head, the "
                 "paper's) or slice (the h-th d/H chunk of the item embedding)",
                 {"projection", "slice"});
  return s.extend(next_item_loss_schema("ce"));
}

FAMEImpl::FAMEImpl(const ModelContext& c)
    : facet_heads(c.params.get_bool("facet_heads")),
      project_items(c.params.get_string("item_subembedding") == "projection"),
      loss_options(next_item_loss_options(c.params)) {
  const auto o = transformer_options(c.params);
  heads = o.heads();
  const int64_t d = o.dim();
  embedding = register_module(
      "embedding",
      SequenceEmbedding(c.data.num_items(), c.max_len, d, o.dropout(), /*scale_by_sqrt_dim=*/true));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i + 1 < o.layers(); ++i) blocks->push_back(TransformerBlock(o));
  last = register_module("last", FacetMoEBlock(o, c.params.get_int("experts"), facet_heads));
  if (o.pre_norm())
    final_norm = register_module("final_norm", layer_norm(facet_heads ? d / heads : d));
  if (facet_heads && project_items)
    item_projection = register_module(
        "item_projection", torch::nn::Linear(torch::nn::LinearOptions(d, d).bias(false)));
  if (facet_heads) gate = register_module("gate", torch::nn::Linear(d, heads));
  init_weights_normal(*this);
}

FAMEImpl::Encoded FAMEImpl::encode(const torch::Tensor& items) {
  const auto allowed = causal_mask(items.size(1), items.device());
  auto x = embedding(items);
  for (auto& block : *blocks) x = block->as<TransformerBlockImpl>()->forward(x, allowed);
  auto top = last(x, allowed);
  auto h = final_norm ? final_norm(top.hidden) : top.hidden;
  if (!facet_heads) return {h, {}, top.router};
  // h: [B, H, L, dh] facet representations F_h. The gate reads all of them at a position;
  // scaling F_h by its gate weight before the dot product mixes the per-head scores.
  auto gate_weights = torch::softmax(gate(merge_heads(h)), -1);  // [B, L, H]
  auto query = merge_heads(h * gate_weights.permute({0, 2, 1}).unsqueeze(-1));
  return {query, gate_weights, top.router};
}

FAMEImpl::Encoded FAMEImpl::encode_packed(const torch::Tensor& items, const TokenLayout& layout,
                                          bool last_only) {
  auto x = embedding->forward_packed(items, layout);
  for (auto& block : *blocks)
    x = block->as<TransformerBlockImpl>()->forward_packed(x, layout, AttentionScope::Causal);
  auto top =
      last->forward_packed(x, layout, last_only ? PackedQueries::LastOfRow : PackedQueries::All);
  auto h = final_norm ? final_norm(top.hidden) : top.hidden;
  if (!facet_heads) return {h, {}, top.router};
  const int64_t R = h.size(0);
  auto gate_weights = torch::softmax(gate(h.reshape({R, -1})), -1);  // [R, H]
  return {(h * gate_weights.unsqueeze(-1)).reshape({R, -1}), gate_weights, top.router};
}

torch::Tensor FAMEImpl::item_table() {
  const auto& e = embedding->item->weight;
  // Slicing needs no work: the H chunks of a row already sit where the query's heads sit.
  return item_projection ? item_projection(e) : e;
}

LossParts FAMEImpl::loss(const Batch& batch) {
  const auto at = target_states(
      batch, [&] { return encode(batch.items).query; },
      [&](bool last_only) { return encode_packed(batch.items, batch.packed, last_only).query; });
  auto l = next_item_loss(at, item_table(), loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors FAMEImpl::score_factors(const Batch& batch) {
  return {states_at_last_item(
              batch, [&] { return encode(batch.items).query; },
              [&](bool last_only) {
                return encode_packed(batch.items, batch.packed, last_only).query;
              }),
          item_table()};
}

std::vector<std::pair<std::string, torch::Tensor>> FAMEImpl::explain(const Batch& batch) {
  torch::NoGradGuard no_grad;
  auto encoded = encode(batch.items);
  std::vector<std::pair<std::string, torch::Tensor>> out;
  if (encoded.gate.defined()) out.emplace_back("gate", batch.last_position(encoded.gate));
  const int64_t B = batch.size(), H = encoded.router.size(1), L = encoded.router.size(2),
                N = encoded.router.size(3);
  auto router = batch.last_position(encoded.router.permute({0, 2, 1, 3}).reshape({B, L, H * N}))
                    .view({B, H, N});
  for (int64_t h = 0; h < H; ++h)
    out.emplace_back("router_head" + std::to_string(h), router.select(1, h));
  return out;
}

SEQREC_REGISTER_MODEL(
    ModelInfo::of<FAMEImpl>("fame")
        .described_as(
            "FAME: facet-aware multi-head mixture of experts (Liu, Zhang & Long, WSDM 2025)")
        .with_trainer_defaults({{"train_samples", "all_positions"}}));

}  // namespace seqrec
