#include "baselines/fdsa.h"

#include <algorithm>
#include <map>

#include "models/layers/either_layout.h"
#include "models/layers/initializers.h"
#include "models/layers/side_information.h"
#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {
namespace {

// The padded item -> category slot table and its mask (see FDSAImpl::category_index).
std::pair<torch::Tensor, torch::Tensor> category_table(const Dataset& data) {
  const int64_t rows = data.num_items() + 1;
  const auto none = static_cast<int64_t>(data.category_tokens.size()) + 1;
  size_t width = 1;
  for (const auto& categories : data.item_categories) width = std::max(width, categories.size());
  std::vector<int64_t> slots(static_cast<size_t>(rows) * width, 0);
  for (int64_t id = 0; id < rows; ++id) {
    auto* row = slots.data() + id * width;
    if (static_cast<size_t>(id) >= data.item_categories.size() ||
        data.item_categories[id].empty()) {
      row[0] = none;
      continue;
    }
    const auto& categories = data.item_categories[id];
    for (size_t k = 0; k < categories.size(); ++k) row[k] = categories[k] + 1;
  }
  auto index = torch::tensor(slots, torch::kInt64).view({rows, static_cast<int64_t>(width)});
  return {index, index.ne(0)};
}

}  // namespace

ParamSchema FDSAImpl::schema() {
  // Sources: RecBole's FDSA.yaml (the paper gives no complete configuration for this setting).
  auto s = with_default_sources(
      transformer_schema(/*layers=*/2, /*heads=*/2, /*dropout=*/0.5, "gelu")
          .override_default("pre_norm", false)
          .override_default("inner", 256),
      "FDSA",
      {{"hidden", "default 64 = RecBole FDSA.yaml hidden_size"},
       {"layers", "default 2 = RecBole n_layers, for each of the two streams"},
       {"heads", "default 2 = RecBole n_heads"},
       {"inner", "default 256 = RecBole inner_size"},
       {"dropout",
        "default 0.5 = RecBole hidden_dropout_prob (also on both stream inputs and "
        "the combined output)"},
       {"attn_dropout", "default 0.5 = RecBole attn_dropout_prob"},
       {"activation",
        "default gelu = RecBole hidden_act; the paper's feed-forward is "
        "SASRec's ReLU one"},
       {"pre_norm", "default false: RecBole's post-norm TransformerEncoder"}});
  s.string_param("feature_pooling", "attention",
                 "how an item's categories become one feature vector: attention = the paper's "
                 "vanilla attention (scores from a d->d->1 ReLU MLP, RecBole's VanillaAttention, "
                 "softmax over the item's categories); mean = their average, which is what "
                 "RecBole computes for a single token_seq field (pooling_mode mean, after which "
                 "its attention over one field is the identity). Default attention (paper)",
                 {"attention", "mean"});
  return s.extend(with_default_sources(
      next_item_loss_schema("ce"), "FDSA",
      {{"loss",
        "default ce = RecBole FDSA.yaml loss_type CE; the paper trains with binary "
        "cross-entropy over the target and sampled negatives at every position, as "
        "SASRec (= bce)"}}));
}

FDSAImpl::FDSAImpl(const ModelContext& c)
    : attention_pooling(c.params.get_string("feature_pooling") == "attention"),
      loss_options(next_item_loss_options(c.params)) {
  require_categories(c.data, "fdsa");
  const auto options = transformer_options(c.params);
  const int64_t d = options.dim();
  auto [index, mask] = category_table(c.data);
  category_index = register_buffer("category_index", index);
  category_mask = register_buffer("category_mask", mask);
  const auto num_categories = static_cast<int64_t>(c.data.category_tokens.size());
  // Used for its item and position tables: both streams share the position embedding, as in
  // RecBole, and each normalises its own sum.
  embedding = register_module("embedding", SequenceEmbedding(c.data.num_items(), c.max_len, d,
                                                             /*dropout=*/0.0,
                                                             /*scale_by_sqrt_dim=*/false));
  category = register_module(
      "category",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(num_categories + 2, d).padding_idx(0)));
  feature_score_hidden = register_module("feature_score_hidden", torch::nn::Linear(d, d));
  feature_score = register_module("feature_score", torch::nn::Linear(d, 1));
  // RecBole reuses one LayerNorm for the item input, the feature input and the output; three
  // separate ones are the usual reading of the paper.
  auto norm = [&] { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-12)); };
  item_norm = register_module("item_norm", norm());
  feature_norm = register_module("feature_norm", norm());
  output_norm = register_module("output_norm", norm());
  dropout = register_module("dropout", Dropout(options.dropout()));
  item_encoder = register_module("item_encoder", TransformerEncoder(options));
  feature_encoder = register_module("feature_encoder", TransformerEncoder(options));
  combine = register_module("combine", torch::nn::Linear(2 * d, d));
  init_weights_normal(*this);  // RecBole: Normal(0, 0.02), zero biases, unit LayerNorms
}

torch::Tensor FDSAImpl::features(const torch::Tensor& items) {
  auto flat = items.flatten();
  auto slots = category_index.index_select(0, flat);  // [n, C]
  auto used = category_mask.index_select(0, flat);
  auto vectors = category(slots);  // [n, C, d]
  torch::Tensor weights;
  if (attention_pooling) {
    auto energy = feature_score(torch::relu(feature_score_hidden(vectors))).squeeze(-1);
    // Every row has a used slot (the "no category" one at least), so the softmax is defined.
    weights = torch::softmax(energy.masked_fill(used.logical_not(), -1e9), -1);
  } else {
    auto u = used.to(vectors.dtype());
    weights = u / u.sum(-1, /*keepdim=*/true);
  }
  auto pooled = (weights.unsqueeze(-1) * vectors).sum(-2);  // [n, d]
  auto shape = items.sizes().vec();
  shape.push_back(pooled.size(-1));
  return pooled.view(shape);
}

torch::Tensor FDSAImpl::encode(const torch::Tensor& items) {
  const int64_t L = items.size(1);
  auto positions = embedding->position(torch::arange(L, items.options()).unsqueeze(0));
  auto mask = causal_mask(L, items.device());
  auto item_stream = item_encoder(dropout(item_norm(embedding->item(items) + positions)), mask);
  auto feature_stream = feature_encoder(dropout(feature_norm(features(items) + positions)), mask);
  return combined(item_stream, feature_stream);
}

torch::Tensor FDSAImpl::encode_packed(const torch::Tensor& items, const TokenLayout& layout,
                                      bool last_only) {
  auto tokens = layout.pack(items);
  auto positions = embedding->position(layout.positions);
  auto item_stream =
      item_encoder->forward_packed(dropout(item_norm(embedding->item(tokens) + positions)), layout,
                                   AttentionScope::Causal, last_only);
  auto feature_stream =
      feature_encoder->forward_packed(dropout(feature_norm(features(tokens) + positions)), layout,
                                      AttentionScope::Causal, last_only);
  return combined(item_stream, feature_stream);
}

torch::Tensor FDSAImpl::combined(const torch::Tensor& item_stream,
                                 const torch::Tensor& feature_stream) {
  return dropout(output_norm(combine(torch::cat({item_stream, feature_stream}, -1))));
}

LossParts FDSAImpl::loss(const Batch& batch) {
  const auto at = target_states(
      batch, [&] { return encode(batch.items); },
      [&](bool last_only) { return encode_packed(batch.items, batch.packed, last_only); });
  auto l = next_item_loss(at, embedding->item->weight, loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors FDSAImpl::score_factors(const Batch& batch) {
  return {states_at_last_item(
              batch, [&] { return encode(batch.items); },
              [&](bool last_only) { return encode_packed(batch.items, batch.packed, last_only); }),
          embedding->item->weight};
}

SEQREC_REGISTER_MODEL(
    ModelInfo::of<FDSAImpl>("fdsa")
        .described_as("FDSA: item-level and category-level causal self-attention, concatenated "
                      "(Zhang et al., IJCAI 2019); needs item categories")
        .with_trainer_defaults({{"train_samples", "all_positions"}}));

}  // namespace seqrec
