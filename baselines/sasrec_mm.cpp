#include "baselines/sasrec_mm.h"

#include "core/errors.h"
#include "models/layers/either_layout.h"
#include "models/layers/initializers.h"
#include "models/layers/side_information.h"
#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {
namespace {

const char* kName = "sasrec_mm";

std::vector<std::string> chosen_modalities(const ModelContext& c) {
  std::vector<std::string> chosen = c.params.get_string_list("modalities");
  if (chosen.empty()) {
    chosen = dataset_modalities(c.data);
    // Nothing to fuse: the standard error names what is missing and how to build it.
    if (chosen.empty()) require_features(c.data, kName, "text");
  }
  return require_modalities(c.data, kName, chosen);
}

}  // namespace

ParamSchema SASRecMMImpl::schema() {
  // The backbone keeps SASRec's paper defaults (2 blocks, 1 head, ReLU, dropout 0.5); the loss
  // defaults to full CE, which beats SASRec's BCE with one negative (Klenitskiy & Vasilev,
  // RecSys 2023).
  ParamSchema s = transformer_schema(/*layers=*/2, /*heads=*/1, /*dropout=*/0.5, "relu");
  s.string_param("fusion", "sum",
                 "how the ID embedding and the projected features combine: sum (default; early "
                 "fusion by addition, the ID+feature SASRec of multi-modal papers) or concat "
                 "(concatenate, then a linear map back to hidden)",
                 {"sum", "concat"});
  s.string_list_param("modalities", {},
                      "modalities to fuse, e.g. text,image (default [] = every "
                      "NAME.<modality>.npy the dataset has)");
  s.bool_param("standardize", true,
               "z-score each frozen feature column over the items before its projection "
               "(default true, this harness's choice so one initialisation fits features of any "
               "scale; false = raw features)");
  return s.extend(next_item_loss_schema("ce"));
}

SASRecMMImpl::SASRecMMImpl(const ModelContext& c)
    : fusion(c.params.get_string("fusion")),
      modalities(chosen_modalities(c)),
      loss_options(next_item_loss_options(c.params)) {
  const auto options = transformer_options(c.params);
  const int64_t d = options.dim();
  embedding = register_module("embedding",
                              SequenceEmbedding(c.data.num_items(), c.max_len, d, options.dropout(),
                                                /*scale_by_sqrt_dim=*/true));
  projections = register_module("projections", torch::nn::ModuleList());
  register_frozen_modalities(*this, c.data, modalities, d, c.params.get_bool("standardize"),
                             features, projections);
  if (fusion == "concat") {
    fuse = register_module("fuse",
                           torch::nn::Linear(static_cast<int64_t>(1 + modalities.size()) * d, d));
  }
  encoder = register_module("encoder", TransformerEncoder(options));
  init_weights_normal(*this);
}

torch::Tensor SASRecMMImpl::item_table() {
  std::vector<torch::Tensor> streams{embedding->item->weight};
  for (size_t m = 0; m < features.size(); ++m) {
    streams.push_back(projections[m]->as<torch::nn::LinearImpl>()->forward(features[m]));
  }
  torch::Tensor fused;
  if (fusion == "concat") {
    fused = fuse(torch::cat(streams, 1));
  } else {
    fused = streams[0];
    for (size_t s = 1; s < streams.size(); ++s) fused = fused + streams[s];
  }
  // Padding must stay a non-item: zero, like the ID table's padding row.
  return torch::cat({torch::zeros_like(fused.slice(0, 0, 1)), fused.slice(0, 1)}, 0);
}

torch::Tensor SASRecMMImpl::encode(const torch::Tensor& items, const torch::Tensor& table) {
  return encoder(embedding->add_positions(torch::embedding(table, items)),
                 causal_mask(items.size(1), items.device()));
}

torch::Tensor SASRecMMImpl::encode_packed(const torch::Tensor& items, const TokenLayout& layout,
                                          const torch::Tensor& table, bool last_only) {
  auto x = embedding->add_positions_packed(torch::embedding(table, layout.pack(items)), layout);
  return encoder->forward_packed(x, layout, AttentionScope::Causal, last_only);
}

LossParts SASRecMMImpl::loss(const Batch& batch) {
  const auto table = item_table();
  const auto at = target_states(
      batch, [&] { return encode(batch.items, table); },
      [&](bool last_only) { return encode_packed(batch.items, batch.packed, table, last_only); });
  auto l = next_item_loss(at, table, loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors SASRecMMImpl::score_factors(const Batch& batch) {
  const auto table = item_table();
  return {states_at_last_item(
              batch, [&] { return encode(batch.items, table); },
              [&](bool last_only) {
                return encode_packed(batch.items, batch.packed, table, last_only);
              }),
          table};
}

SEQREC_REGISTER_MODEL(
    ModelInfo::of<SASRecMMImpl>("sasrec_mm")
        .described_as("SASRec-MM: SASRec with ID embeddings fused with projected frozen modality "
                      "features (sum or concat), used as input and candidate table")
        .with_trainer_defaults({{"train_samples", "all_positions"}}));

}  // namespace seqrec
