#include "baselines/caser.h"

#include "models/registry.h"

namespace seqrec {

ParamSchema CaserImpl::schema() {
  // Caser paper (and its released code): d = 50, L = 5, n_h = 16, n_v = 4, dropout 0.5.
  ParamSchema s;
  s.int_param("hidden", 50, "embedding width d (paper: 50)", 1, 4096);
  s.int_param("window", 5, "L: number of most recent items convolved (paper: 5)", 1, 200);
  s.int_param("h_filters", 16, "n_h: horizontal filters per height 1..L (paper: 16)", 1, 4096);
  s.int_param("v_filters", 4, "n_v: vertical filters (paper: 4)", 0, 4096);
  s.float_param("dropout", 0.5, "dropout on the concatenated convolution features", 0.0, 0.95);
  // The paper trains with BCE on the next T items and 3 sampled negatives; the default here
  // is the full softmax (loss=bce gives the paper's objective with one negative, T = 1).
  auto loss = next_item_loss_schema("ce");
  for (auto spec : loss.specs()) {
    if (spec.name == "loss")
      spec.help += " (Caser paper: BCE with sampled negatives; default here: ce)";
    s.add(spec);
  }
  return s;
}

CaserImpl::CaserImpl(const ModelContext& c)
    : window(c.params.get_int("window")), loss_options(next_item_loss_options(c.params)) {
  const int64_t d = c.params.get_int("hidden");
  const int64_t n_h = c.params.get_int("h_filters");
  const int64_t n_v = c.params.get_int("v_filters");
  const int64_t num_items = c.data.num_items();
  item = register_module(
      "item", torch::nn::Embedding(torch::nn::EmbeddingOptions(num_items + 1, d).padding_idx(0)));
  user = register_module("user", torch::nn::Embedding(c.data.num_users(), d));
  for (int64_t h = 1; h <= window; ++h)
    horizontal->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, n_h, {h, d})));
  register_module("horizontal", horizontal);
  if (n_v > 0)
    vertical = register_module("vertical",
                               torch::nn::Conv2d(torch::nn::Conv2dOptions(1, n_v, {window, 1})));
  dropout = register_module("dropout", Dropout(c.params.get_float("dropout")));
  fc = register_module("fc", torch::nn::Linear(n_v * d + n_h * window, d));
  output = register_module("output", torch::nn::Embedding(num_items + 1, 2 * d));
  output_bias = register_parameter("output_bias", torch::zeros({num_items + 1}));
  // As the authors' code: embeddings ~ N(0, 1/d), output bias 0, convolutions and the dense
  // layer keep PyTorch's default initialisation.
  torch::NoGradGuard no_grad;
  item->weight.normal_(0.0, 1.0 / d);
  item->weight[0].zero_();
  user->weight.normal_(0.0, 1.0 / d);
  output->weight.normal_(0.0, 1.0 / (2 * d));
}

torch::Tensor CaserImpl::window_items(const torch::Tensor& items, const torch::Tensor& rows,
                                      const torch::Tensor& end) const {
  auto offsets = torch::arange(window - 1, -1, -1, end.options());  // window-1, ..., 0
  auto index = end.unsqueeze(1) - offsets.unsqueeze(0);             // [P, window]
  auto valid = index.ge(0);
  auto gathered = items.index_select(0, rows).gather(1, index.clamp_min(0));
  return torch::where(valid, gathered, torch::zeros_like(gathered));
}

torch::Tensor CaserImpl::encode(const torch::Tensor& windows, const torch::Tensor& users) {
  auto image = item(windows).unsqueeze(1);  // [P, 1, L, d]
  std::vector<torch::Tensor> features;
  if (!vertical.is_empty()) features.push_back(vertical(image).flatten(1));  // [P, n_v * d]
  for (const auto& conv : *horizontal) {
    auto h = torch::relu(conv->as<torch::nn::Conv2dImpl>()->forward(image)).squeeze(3);
    features.push_back(std::get<0>(h.max(2)));  // max-pool over time: [P, n_h]
  }
  auto z = torch::relu(fc(dropout(torch::cat(features, 1))));
  return torch::cat({z, user(users)}, 1);  // [P, 2d]
}

torch::Tensor CaserImpl::output_table() const {
  return torch::cat({output->weight, output_bias.unsqueeze(1)}, 1);
}

torch::Tensor CaserImpl::with_bias_input(const torch::Tensor& hidden) {
  return torch::cat({hidden, torch::ones({hidden.size(0), 1}, hidden.options())}, 1);
}

LossParts CaserImpl::loss(const Batch& batch) {
  // Every position carrying a target is a sample (last_position: each row's last item).
  auto positions = batch.target_mask().nonzero();  // [P, 2]
  auto rows = positions.select(1, 0), end = positions.select(1, 1);
  auto hidden = encode(window_items(batch.items, rows, end), batch.users.index_select(0, rows));
  auto l = next_item_loss(with_bias_input(hidden), batch.targets.index({batch.target_mask()}),
                          output_table(), loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors CaserImpl::score_factors(const Batch& batch) {
  auto rows = torch::arange(batch.size(), batch.items.options());
  auto hidden = encode(window_items(batch.items, rows, batch.lengths - 1), batch.users);
  return {with_bias_input(hidden), output_table()};
}

SEQREC_REGISTER_MODEL(
    ModelInfo::of<CaserImpl>("caser")
        .described_as("Caser: convolutional sequence embedding (Tang & Wang, WSDM 2018)")
        .with_trainer_defaults({{"train_samples", "last_position"}}));

}  // namespace seqrec
