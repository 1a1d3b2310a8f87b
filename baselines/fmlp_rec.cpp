#include "baselines/fmlp_rec.h"

#include <torch/fft.h>

#include "models/layers/initializers.h"
#include "models/registry.h"

namespace seqrec {

namespace {

// FMLP-Rec's code uses BERT's LayerNorm epsilon.
torch::nn::LayerNorm layer_norm(int64_t dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-12));
}

}  // namespace

torch::Tensor left_align(const torch::Tensor& rows, const torch::Tensor& lengths, int64_t n) {
  auto target = torch::arange(n, lengths.options()).unsqueeze(0);  // [1, n]
  auto source = target + lengths.unsqueeze(1) - n;                 // [B, n]
  auto gathered = rows.gather(1, source.clamp_min(0));
  return torch::where(source.ge(0), gathered, torch::zeros_like(gathered));
}

FilterLayerImpl::FilterLayerImpl(int64_t n, int64_t dim, double p) : length(n) {
  // As the authors' code: N(0, 1) * 0.02, untouched by the model's weight initialisation.
  filter = register_parameter("filter", torch::randn({n / 2 + 1, dim, 2}) * 0.02);
  dropout = register_module("dropout", Dropout(p));
  norm = register_module("norm", layer_norm(dim));
}

torch::Tensor FilterLayerImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.size(1) == length, "the filter is built for sequences of length ", length, ", got ",
              x.size(1));
  auto spectrum = torch::fft::rfft(x, length, /*dim=*/1, "ortho");  // [B, n/2+1, d] complex
  auto filtered = torch::fft::irfft(spectrum * torch::view_as_complex(filter), length, 1, "ortho");
  return norm(x + dropout(filtered));
}

FilterBlockImpl::FilterBlockImpl(int64_t n, int64_t dim, int64_t inner, double p,
                                 const std::string& activation) {
  filter = register_module("filter", FilterLayer(n, dim, p));
  // The authors' feed-forward has no dropout between its two layers, only on its output.
  feed_forward = register_module("feed_forward", FeedForward(dim, inner, 0.0, activation));
  dropout = register_module("dropout", Dropout(p));
  norm = register_module("norm", layer_norm(dim));
}

torch::Tensor FilterBlockImpl::forward(const torch::Tensor& x) {
  auto h = filter(x);
  return norm(h + dropout(feed_forward(h)));
}

ParamSchema FMLPRecImpl::schema() {
  ParamSchema s;
  s.int_param("hidden", 64, "embedding and hidden width d (FMLP-Rec code: 64)", 1, 4096);
  s.int_param("layers", 2, "filter-enhanced blocks (FMLP-Rec code: 2)", 1, 64);
  s.int_param("inner", 0, "feed-forward width; 0 = 4 * hidden (FMLP-Rec code: 4 * hidden)", 0,
              65536);
  s.float_param("dropout", 0.5,
                "dropout on embeddings, filter output and feed-forward output (FMLP-Rec code: "
                "0.5)",
                0.0, 0.95);
  s.string_param("activation", "gelu", "feed-forward activation (FMLP-Rec code: gelu)",
                 {"gelu", "relu"});
  const auto loss = next_item_loss_schema("ce");  // named: specs() refers into it
  for (auto spec : loss.specs()) {
    if (spec.name == "loss")
      spec.help += " (FMLP-Rec code: bce, one negative per sample; default here: ce)";
    s.add(spec);
  }
  return s;
}

FMLPRecImpl::FMLPRecImpl(const ModelContext& c)
    : length(c.max_len), loss_options(next_item_loss_options(c.params)) {
  const int64_t d = c.params.get_int("hidden");
  const int64_t inner = c.params.get_int("inner") > 0 ? c.params.get_int("inner") : 4 * d;
  const double p = c.params.get_float("dropout");
  item = register_module(
      "item",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(c.data.num_items() + 1, d).padding_idx(0)));
  position = register_module("position", torch::nn::Embedding(length, d));
  embedding_norm = register_module("embedding_norm", layer_norm(d));
  embedding_dropout = register_module("embedding_dropout", Dropout(p));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.params.get_int("layers"); ++i)
    blocks->push_back(FilterBlock(length, d, inner, p, c.params.get_string("activation")));
  init_weights_normal(*this);
}

torch::Tensor FMLPRecImpl::encode(const torch::Tensor& items) {
  // Padding slots keep their position embedding (as in the authors' code): the filter sees
  // them, and how many there are tells it the sequence length.
  auto positions = torch::arange(length, items.options()).unsqueeze(0);
  auto h = embedding_dropout(embedding_norm(item(items) + position(positions)));
  for (auto& block : *blocks) h = block->as<FilterBlockImpl>()->forward(h);
  return h;
}

LossParts FMLPRecImpl::loss(const Batch& batch) {
  // Targets move with their inputs; under last_position every row has one, at n - 1.
  auto hidden = encode(left_align(batch.items, batch.lengths, length));
  auto targets = left_align(batch.targets, batch.lengths, length);
  auto mask = targets.gt(0);
  auto l = next_item_loss(hidden.index({mask}), targets.index({mask}), item->weight, loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors FMLPRecImpl::score_factors(const Batch& batch) {
  auto hidden = encode(left_align(batch.items, batch.lengths, length));
  return {hidden.select(1, length - 1), item->weight};
}

SEQREC_REGISTER_MODEL(
    ModelInfo::of<FMLPRecImpl>("fmlp_rec")
        .described_as("FMLP-Rec: filter-enhanced MLP, learnable frequency-domain filters (Zhou et "
                      "al., WWW 2022); the filter is not causal, so it trains on last_position "
                      "samples (all_positions would let each position see its own target)")
        .with_trainer_defaults({{"train_samples", "last_position"}}));

}  // namespace seqrec
