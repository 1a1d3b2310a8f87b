#include "models/hm4sr/hm4sr.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "core/errors.h"
#include "models/layers/contrastive.h"
#include "models/layers/either_layout.h"
#include "models/layers/initializers.h"
#include "models/layers/side_information.h"
#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {

namespace {

const char* kName = "hm4sr";

// Row i of a against row i of b, the other rows of b as negatives, rows with the same label
// never each other's negative (the authors' same-target mask). No rows: 0, not the NaN of
// an empty mean.
torch::Tensor contrast(const torch::Tensor& a, const torch::Tensor& b, double temperature,
                       const torch::Tensor& labels) {
  if (a.size(0) == 0) return a.sum() * 0.0;
  return info_nce(a, b,
                  InfoNCEOptions()
                      .temperature(temperature)
                      .cosine(true)
                      .negatives(ContrastNegatives::OtherView),
                  same_label_mask(labels));
}

std::vector<std::string> chosen_modalities(const ModelContext& c) {
  auto requested = c.params.get_string_list("modalities");
  const bool all = std::find(requested.begin(), requested.end(), "all") != requested.end();
  if (all && requested.size() > 1) {
    throw InputError(
        "model 'hm4sr': modalities lists 'all' beside other modalities; give either "
        "all or the modalities by name");
  }
  return all ? dataset_modalities(c.data) : require_modalities(c.data, kName, requested);
}

torch::Tensor multi_hot_categories(const Dataset& data) {
  const auto rows = data.num_items() + 1;
  const auto cols = static_cast<int64_t>(data.category_tokens.size());
  auto table = torch::zeros({rows, cols});
  auto cell = table.accessor<float, 2>();
  for (int64_t id = 1; id < rows && id < static_cast<int64_t>(data.item_categories.size()); ++id)
    for (auto category : data.item_categories[static_cast<size_t>(id)]) cell[id][category] = 1.0f;
  return table;
}

torch::nn::LayerNorm layer_norm(int64_t dim) {
  // eps 1e-12: the authors' layer_norm_eps.
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-12));
}

}  // namespace

torch::Tensor interval_buckets(const torch::Tensor& timestamps, const torch::Tensor& lengths,
                               double scale, int64_t max_bucket) {
  const int64_t L = timestamps.size(1);
  auto t = timestamps.to(torch::kFloat64);
  auto previous = torch::cat({t.slice(1, 0, 1), t.slice(1, 0, L - 1)}, 1);
  auto positions = torch::arange(L, lengths.options()).unsqueeze(0);
  auto has_previous = positions.ge(1).logical_and(positions.lt(lengths.unsqueeze(1)));
  // Masked before the log: the authors' code takes log2 of (0 - last timestamp + 1) at the first
  // padding position, a NaN that becomes an arbitrary embedding index.
  auto gap = torch::where(has_previous, (t - previous).clamp_min(0.0), torch::zeros_like(t));
  auto bucket = torch::floor(scale * torch::log2(gap + 1.0));
  return bucket.clamp(0.0, static_cast<double>(max_bucket)).to(torch::kInt64);
}

torch::Tensor placeholder_positions(const torch::Tensor& lengths, int64_t width, double beta) {
  auto real = Batch::real_positions(lengths, width);
  auto count = torch::floor(lengths.to(torch::kFloat64) * beta).to(torch::kInt64);
  // Padding keys sort last, so a row's `count` smallest keys are a uniform sample of its real
  // positions (count <= length).
  auto keys = torch::rand({lengths.size(0), width},
                          torch::TensorOptions().dtype(torch::kFloat32).device(lengths.device()))
                  .masked_fill(real.logical_not(), 2.0);
  auto rank = keys.argsort(int64_t{1}, false).argsort(int64_t{1}, false);
  return rank.lt(count.unsqueeze(1));
}

TimeEmbeddingImpl::TimeEmbeddingImpl(int64_t dim, int64_t buckets, double scale, double origin_,
                                     double unit_)
    : interval_scale(scale), origin(origin_), unit(unit_) {
  interval = register_module("interval", torch::nn::Embedding(buckets, dim));
  absolute = register_module("absolute", torch::nn::Linear(1, dim));
}

torch::Tensor TimeEmbeddingImpl::forward(const torch::Tensor& timestamps,
                                         const torch::Tensor& lengths) {
  auto buckets =
      interval_buckets(timestamps, lengths, interval_scale, interval->options.num_embeddings() - 1);
  // Padding reads the origin, so its absolute time is 0.
  auto seconds =
      timestamps.to(torch::kFloat64)
          .masked_fill(Batch::real_positions(lengths, timestamps.size(1)).logical_not(), origin);
  return embed(buckets, seconds);
}

torch::Tensor TimeEmbeddingImpl::forward_packed(const torch::Tensor& timestamps,
                                                const TokenLayout& layout) {
  auto buckets = interval_buckets(timestamps, layout.real.sum(1), interval_scale,
                                  interval->options.num_embeddings() - 1);
  return embed(layout.pack(buckets), layout.pack(timestamps).to(torch::kFloat64));
}

torch::Tensor TimeEmbeddingImpl::embed(const torch::Tensor& buckets, const torch::Tensor& seconds) {
  const int64_t d = absolute->options.out_features();
  // Shifted and scaled in float64: raw Unix seconds in float32 are 128 s apart at today's dates.
  auto t = ((seconds - origin) / unit).to(absolute->weight.scalar_type()).unsqueeze(-1);
  auto frequency =
      torch::pow(10000.0, -torch::arange(d, absolute->weight.options()) / static_cast<double>(d));
  return torch::cat({interval(buckets), torch::cos(absolute(t) * frequency)}, -1);
}

InteractiveMoEImpl::InteractiveMoEImpl(int64_t streams, int64_t d, int64_t k)
    : num_streams(streams), dim(d), num_experts(k) {
  experts = register_module("experts", torch::nn::Linear(streams * d, k * streams * d));
  gates = register_module("gates", torch::nn::ModuleList());
  for (int64_t m = 0; m < streams; ++m) gates->push_back(torch::nn::Linear(d, k));
  // The ID stream starts without the cross-modal term, the modalities with all of it (authors'
  // initializer_weight).
  auto init = torch::ones({streams});
  init[0] = 0.0;
  weight = register_parameter("weight", init);
}

InteractiveMoEImpl::Output InteractiveMoEImpl::forward(const std::vector<torch::Tensor>& streams) {
  auto x = torch::cat(streams, -1);  // [..., M·d]: [B, L, M·d] padded, [T, M·d] packed
  auto shape = x.sizes().vec();
  shape.back() = num_experts;
  shape.push_back(num_streams);
  shape.push_back(dim);
  auto mixture = experts(x).view(shape);  // [..., K, M, d]
  std::vector<torch::Tensor> per_stream;
  for (int64_t m = 0; m < num_streams; ++m) {
    auto gate = gates[m]->as<torch::nn::LinearImpl>()->forward(streams[static_cast<size_t>(m)]);
    per_stream.push_back(torch::softmax(gate, -1));
  }
  Output out;
  out.gates = torch::stack(per_stream, -2);                                 // [..., M, K]
  auto mixed = torch::einsum("...mk,...kmd->...md", {out.gates, mixture});  // [..., M, d]
  for (int64_t m = 0; m < num_streams; ++m)
    out.streams.push_back(streams[static_cast<size_t>(m)] + weight[m] * mixed.select(-2, m));
  return out;
}

TemporalMoEImpl::TemporalMoEImpl(int64_t streams, int64_t d, int64_t k, bool trainable) {
  gate = register_module("gate", torch::nn::Linear(2 * d, k));
  auto vectors = torch::empty({k, streams * d});
  // Frozen experts are kept as a buffer: saved, moved to the device, never optimised.
  experts =
      trainable ? register_parameter("experts", vectors) : register_buffer("experts", vectors);
  reset_experts();
}

void TemporalMoEImpl::reset_experts() {
  torch::NoGradGuard no_grad;
  experts.normal_(0.0, 0.1);  // the authors' initialisation
}

TemporalMoEImpl::Output TemporalMoEImpl::forward(const std::vector<torch::Tensor>& streams,
                                                 const torch::Tensor& time) {
  Output out;
  out.gate = torch::softmax(gate(time), -1);                                 // [B, L, K]
  auto scaled = torch::cat(streams, -1) * torch::matmul(out.gate, experts);  // [B, L, M·d]
  out.streams = scaled.chunk(static_cast<int64_t>(streams.size()), -1);
  return out;
}

ParamSchema HM4SRImpl::schema() {
  const std::string config = "the authors' released configuration";
  ParamSchema s = with_default_sources(
      transformer_schema(/*layers=*/2, /*heads=*/2, /*dropout=*/0.5, "gelu"), "HM4SR",
      {{"hidden", "default 64, " + config + "; the width of every stream"},
       {"layers", "default 2 per stream encoder, " + config},
       {"heads", "default 2, " + config},
       {"inner", "default 256, " + config},
       {"dropout", "default 0.5, " + config + "; also on each stream's input"},
       {"attn_dropout", "default 0.5, " + config},
       {"activation", "default gelu, " + config},
       {"pre_norm", "default false: the authors' code uses RecBole's post-norm transformer"}});
  s.override_default("inner", 256);
  s.override_default("pre_norm", false);
  s.string_list_param("modalities", {"all"},
                      "modality streams beside the ID stream, named as for sasrec_mm by the "
                      "dataset's NAME.<modality>.npy files (e.g. text,image); default all = every "
                      "modality the dataset has (the paper: text and image; a dataset without "
                      "features leaves the ID stream alone); [] = ID only (ablation)");
  s.bool_param("standardize", true,
               "z-score each frozen feature column over the items before its projection (default "
               "true, ours, as sasrec_mm, so one initialisation fits features of any scale; the "
               "authors' code projects raw BERT/ViT features: false)");
  s.bool_param(
      "stream_norm", true,
      "LayerNorm on each stream's input before dropout and its encoder (default true: "
      "the paper and the authors' code, as RecBole's SASRec); false = SASRec's original "
      "input instead, item vectors scaled by sqrt(hidden) and no LayerNorm (with "
      "pre_norm=true, modalities=[], both MoEs off and idcl=cp=pcl=0 the model is sasrec)");
  s.bool_param("interactive_moe", true,
               "Interactive MoE: each stream adds its gated mixture of experts that read every "
               "stream (default true, the paper; false = the ablation without it)");
  s.int_param("interactive_experts", 4,
              "experts of the Interactive MoE (default 4, " + config + ": start_expert_num)", 1,
              64);
  s.bool_param("temporal_moe", true,
               "Temporal MoE: streams scaled element-wise by expert vectors gated by the time "
               "embedding (default true, the paper; false = the ablation without it); needs "
               "timestamps");
  s.int_param("temporal_experts", 4,
              "expert vectors of the Temporal MoE (default 4, " + config + ": temporal_expert_num)",
              1, 64);
  s.bool_param("temporal_experts_trainable", true,
               "train the Temporal MoE's expert vectors (default true, the paper's model; the "
               "authors' code keeps them in a plain Python list, so they stay at their random "
               "N(0, 0.1) start: false reproduces that)");
  s.float_param("interval_scale", 100.0,
                "s of the interval bucket floor(s log2(dt + 1)), dt in seconds (default 100, " +
                    config + ": interval_scale)",
                0.0, 10000.0);
  s.float_param("time_unit", 86400.0,
                "seconds per unit of the absolute time fed to the learned cosine embedding, "
                "counted from the dataset's first interaction (default 86400 = days, ours; the "
                "authors' code feeds raw Unix seconds, which float32 resolves only to 128 s and "
                "which make the cosines of a learned map change faster than training can follow)",
                1e-3, 1e12);
  s.float_param("idcl", 1.0,
                "weight of IDCL, InfoNCE between the ID stream's sequence representation and the "
                "target's ID embedding (default 1, the authors' code adds it unweighted; 0 = off)",
                0.0, 1000.0);
  s.float_param("idcl_temperature", 0.2, "IDCL temperature (default 0.2, " + config + ")", 1e-6,
                1000.0);
  s.float_param("cp", 1.0,
                "weight of CP, multi-label BCE predicting each sequence item's categories from "
                "its concatenated stream embeddings (default 1, the authors' code adds it "
                "unweighted; 0 = off); needs item categories",
                0.0, 1000.0);
  s.float_param("pcl", 1.0,
                "weight of PCL, InfoNCE between each modality stream's sequence representation "
                "and a re-encoding with placeholders from the time embedding at a fraction "
                "pcl_beta of its positions, averaged over modalities (default 1, " +
                    config +
                    ": phcl_weight; 0 = off; no modality: no PCL). Sequences too short for one "
                    "placeholder (length < 1/pcl_beta) are left out, where the authors' code "
                    "contrasts them with an unchanged copy",
                0.0, 1000.0);
  s.float_param("pcl_beta", 0.3,
                "fraction of a sequence's positions replaced by placeholders, floor(beta * "
                "length) (default 0.3, " +
                    config + ": beta)",
                0.0, 1.0);
  s.float_param("pcl_temperature", 1.0,
                "PCL temperature (default 1.0, " + config + ": phcl_temperature)", 1e-6, 1000.0);
  s.string_param(
      "aux_at", "last",
      "where IDCL and PCL read the sequence: last = each row's last position (the authors' "
      "prefix training, where a row is one prefix); every_target = every position with a "
      "target, each standing for the prefix that ends there (whole-sequence training: "
      "train_samples=all_positions, all of a user's prefixes in one pass, PCL's placeholders "
      "drawn once per row and a position kept when its prefix holds one)",
      {"last", "every_target"});
  s.added_after_recorded_trials("aux_at");
  return s.extend(with_default_sources(
      next_item_loss_schema("ce"), "HM4SR",
      {{"loss",
        "default ce = the paper's cross-entropy over every item; the candidate of a "
        "stream is the item's ID embedding or projected feature"}}));
}

HM4SRImpl::HM4SRImpl(const ModelContext& c)
    : idcl_weight(c.params.get_float("idcl")),
      idcl_temperature(c.params.get_float("idcl_temperature")),
      cp_weight(c.params.get_float("cp")),
      pcl_weight(c.params.get_float("pcl")),
      pcl_beta(c.params.get_float("pcl_beta")),
      pcl_temperature(c.params.get_float("pcl_temperature")),
      aux_every_target(c.params.get_string("aux_at") == "every_target"),
      loss_options(next_item_loss_options(c.params)) {
  const auto o = transformer_options(c.params);
  const int64_t d = o.dim();
  const auto modalities = chosen_modalities(c);
  stream_names.push_back("id");
  stream_names.insert(stream_names.end(), modalities.begin(), modalities.end());
  const auto M = static_cast<int64_t>(stream_names.size());
  const bool with_interactive = c.params.get_bool("interactive_moe");
  const bool with_temporal = c.params.get_bool("temporal_moe");
  const bool with_pcl = pcl_weight > 0 && !modalities.empty();
  if (with_temporal) {
    require_timestamps(c.data, kName,
                       "for its Temporal MoE (temporal_moe=true; set temporal_moe=false to train "
                       "without them)");
  }
  if (with_pcl) {
    require_timestamps(c.data, kName,
                       "for the time-embedding placeholders of PCL (pcl > 0 with modalities; set "
                       "pcl=0 to train without them)");
  }
  if (cp_weight > 0) {
    require_categories(c.data, kName,
                       "for category prediction (cp > 0; set cp=0 to train without them)");
  }

  // Without stream LayerNorm the input is SASRec's: item vectors scaled by sqrt(d).
  const bool stream_norm = c.params.get_bool("stream_norm");
  embedding =
      register_module("embedding", SequenceEmbedding(c.data.num_items(), c.max_len, d, o.dropout(),
                                                     /*scale_by_sqrt_dim=*/!stream_norm));
  encoders = register_module("encoders", torch::nn::ModuleList());
  for (int64_t m = 0; m < M; ++m) encoders->push_back(TransformerEncoder(o));
  projections = register_module("projections", torch::nn::ModuleList());
  register_frozen_modalities(*this, c.data, modalities, d, c.params.get_bool("standardize"),
                             features, projections);
  if (stream_norm) {
    stream_norms = register_module("stream_norms", torch::nn::ModuleList());
    for (int64_t m = 0; m < M; ++m) stream_norms->push_back(layer_norm(d));
  }
  if (with_interactive) {
    interactive = register_module("interactive",
                                  InteractiveMoE(M, d, c.params.get_int("interactive_experts")));
  }
  if (with_temporal || with_pcl) {
    // The interval table covers the longest gap in the data (the authors' interval_num); the
    // absolute time counts from the first interaction.
    double origin = std::numeric_limits<double>::infinity(), longest = 0.0;
    for (const auto& times : c.data.timestamps) {
      for (size_t i = 0; i < times.size(); ++i) {
        origin = std::min(origin, times[i]);
        if (i > 0) longest = std::max(longest, times[i] - times[i - 1]);
      }
    }
    if (!std::isfinite(origin)) origin = 0.0;
    const double scale = c.params.get_float("interval_scale");
    const auto buckets = static_cast<int64_t>(std::floor(scale * std::log2(longest + 1.0))) + 1;
    time_embedding =
        register_module("time_embedding",
                        TimeEmbedding(d, buckets, scale, origin, c.params.get_float("time_unit")));
  }
  if (with_temporal) {
    temporal =
        register_module("temporal", TemporalMoE(M, d, c.params.get_int("temporal_experts"),
                                                c.params.get_bool("temporal_experts_trainable")));
  }
  if (cp_weight > 0) {
    categories = register_buffer("categories", multi_hot_categories(c.data));
    category_head = register_module("category_head", torch::nn::Linear(M * d, categories.size(1)));
  }
  if (with_pcl) {
    placeholders = register_module("placeholders", torch::nn::ModuleList());
    for (size_t m = 0; m < modalities.size(); ++m)
      placeholders->push_back(torch::nn::Linear(2 * d, d));
  }
  // Every layer N(0, 0.02) as RecBole; the authors' code builds CP's head, the Interactive MoE
  // and the placeholders after its init call, so they keep PyTorch's default init there.
  init_weights_normal(*this);
  if (temporal) temporal->reset_experts();
}

std::vector<torch::Tensor> HM4SRImpl::candidate_tables() {
  std::vector<torch::Tensor> tables{embedding->item->weight};
  for (size_t m = 0; m < features.size(); ++m) {
    auto t = projections[m]->as<torch::nn::LinearImpl>()->forward(features[m]);
    // Padding stays a non-item: zero, like the ID table's padding row.
    tables.push_back(torch::cat({torch::zeros_like(t.slice(0, 0, 1)), t.slice(0, 1)}, 0));
  }
  return tables;
}

HM4SRImpl::Embedded HM4SRImpl::mix_streams(const Batch& batch,
                                           const std::vector<torch::Tensor>& tables,
                                           const torch::Tensor& items,
                                           const torch::Tensor& positions, bool with_time,
                                           const std::function<torch::Tensor()>& embed_time) {
  Embedded out;
  for (const auto& table : tables)
    out.streams.push_back(torch::embedding(table, items) * embedding->scale + positions);
  if (interactive) {
    auto mixed = interactive(out.streams);
    out.streams = std::move(mixed.streams);
    out.interactive_gates = mixed.gates;
  }
  if (time_embedding && (with_time || temporal)) {
    TORCH_CHECK(batch.timestamps.defined(), "hm4sr: the batch has no timestamps");
    out.time = embed_time();
  }
  if (temporal) {
    auto scaled = temporal(out.streams, out.time);
    out.streams = std::move(scaled.streams);
    out.temporal_gate = scaled.gate;
  }
  return out;
}

HM4SRImpl::Embedded HM4SRImpl::embed(const Batch& batch, const std::vector<torch::Tensor>& tables,
                                     bool with_time) {
  const auto& items = batch.items;
  auto positions = embedding->position(torch::arange(items.size(1), items.options())).unsqueeze(0);
  return mix_streams(batch, tables, items, positions, with_time,
                     [&] { return time_embedding(batch.timestamps, batch.lengths); });
}

torch::Tensor HM4SRImpl::encode_stream(size_t m, const torch::Tensor& input) {
  auto x = stream_norms->size() > 0
               ? stream_norms[m]->as<torch::nn::LayerNormImpl>()->forward(input)
               : input;
  return encoders[m]->as<TransformerEncoderImpl>()->forward(
      embedding->dropout(x), causal_mask(input.size(1), input.device()));
}

HM4SRImpl::Encoded HM4SRImpl::encode(const Batch& batch, const std::vector<torch::Tensor>& tables,
                                     bool with_time) {
  Encoded out{embed(batch, tables, with_time), {}};
  for (size_t m = 0; m < out.embedded.streams.size(); ++m)
    out.hidden.push_back(encode_stream(m, out.embedded.streams[m]));
  return out;
}

HM4SRImpl::Embedded HM4SRImpl::embed_packed(const Batch& batch,
                                            const std::vector<torch::Tensor>& tables,
                                            bool with_time) {
  const TokenLayout& layout = batch.packed;
  return mix_streams(batch, tables, layout.pack(batch.items), embedding->position(layout.positions),
                     with_time,
                     [&] { return time_embedding->forward_packed(batch.timestamps, layout); });
}

torch::Tensor HM4SRImpl::encode_stream_packed(size_t m, const torch::Tensor& input,
                                              const TokenLayout& layout, bool last_only) {
  auto x = stream_norms->size() > 0
               ? stream_norms[m]->as<torch::nn::LayerNormImpl>()->forward(input)
               : input;
  return encoders[m]->as<TransformerEncoderImpl>()->forward_packed(
      embedding->dropout(x), layout, AttentionScope::Causal, last_only);
}

HM4SRImpl::Encoded HM4SRImpl::encode_packed(const Batch& batch,
                                            const std::vector<torch::Tensor>& tables,
                                            bool with_time, bool last_only) {
  Encoded out{embed_packed(batch, tables, with_time), {}};
  for (size_t m = 0; m < out.embedded.streams.size(); ++m)
    out.hidden.push_back(encode_stream_packed(m, out.embedded.streams[m], batch.packed, last_only));
  return out;
}

ScoreFactors HM4SRImpl::score_factors(const Batch& batch) {
  const auto tables = candidate_tables();
  // sum_m <h_m, table_m(i)> as one product of the concatenations.
  return {states_at_last_item(
              batch, [&] { return torch::cat(encode(batch, tables).hidden, -1); },
              [&](bool last_only) {
                return torch::cat(
                    encode_packed(batch, tables, /*with_time=*/false, last_only).hidden, -1);
              }),
          torch::cat(tables, 1)};
}

LossParts HM4SRImpl::loss(const Batch& batch) {
  const auto tables = candidate_tables();
  const bool with_pcl = placeholders->size() > 0;
  Encoded encoded;
  torch::Tensor ce;
  Readout readout;
  // Without aux_at=every_target: each row's last position, where it has a target (in every
  // sample mode, the next item after the whole row).
  const auto last_targets = batch.last_targets();
  const auto rows = last_targets.gt(0);
  if (aux_every_target) {
    readout.at = batch.target_mask();
    readout.targets = batch.targets.index({readout.at});
  } else {
    const int64_t L = batch.items.size(1);
    readout.at = torch::arange(L, batch.lengths.options())
                     .unsqueeze(0)
                     .eq(batch.lengths.unsqueeze(1) - 1)
                     .logical_and(rows.unsqueeze(1));
    readout.targets = last_targets.index({rows});
  }
  if (batch.packed.defined()) {
    const PackedTargets t = packed_targets(batch);
    encoded = encode_packed(batch, tables, /*with_time=*/with_pcl, t.last_only);
    ce = packed_next_item_loss(t.states(torch::cat(encoded.hidden, -1)), t.targets,
                               torch::cat(tables, 1), loss_options);
    for (const auto& h : encoded.hidden) {
      if (aux_every_target)  // t's positions are every target's, in row order
        readout.hidden.push_back(t.states(h));
      else
        readout.hidden.push_back(
            (t.last_only ? h : h.index_select(0, batch.packed.last)).index({rows}));
    }
  } else {
    encoded = encode(batch, tables, /*with_time=*/with_pcl);
    auto mask = batch.target_mask();
    ce = next_item_loss(torch::cat(encoded.hidden, -1).index({mask}), batch.targets.index({mask}),
                        torch::cat(tables, 1), loss_options);
    for (const auto& h : encoded.hidden) {
      readout.hidden.push_back(aux_every_target ? h.index({readout.at})
                                                : batch.last_position(h).index({rows}));
    }
  }
  LossParts out{ce, {{"ce", ce}}};
  add_auxiliary_losses(batch, tables, encoded, readout, out);
  return out;
}

void HM4SRImpl::add_auxiliary_losses(const Batch& batch, const std::vector<torch::Tensor>& tables,
                                     const Encoded& encoded, const Readout& readout,
                                     LossParts& out) {
  auto add = [&](const std::string& name, double weight, const torch::Tensor& part) {
    out.total = out.total + weight * part;
    out.parts.emplace_back(name, part);
  };
  const bool packed = batch.packed.defined();

  if (idcl_weight > 0) {
    add("idcl", idcl_weight,
        contrast(readout.hidden[0], embedding->item(readout.targets), idcl_temperature,
                 readout.targets));
  }

  if (category_head) {
    auto items = packed ? batch.packed.pack(batch.items) : batch.items.index({batch.items.gt(0)});
    std::vector<torch::Tensor> views;
    for (const auto& table : tables) views.push_back(table.index_select(0, items));
    add("cp", cp_weight,
        torch::binary_cross_entropy_with_logits(category_head(torch::cat(views, 1)),
                                                categories.index_select(0, items)));
  }

  if (placeholders->size() > 0) {
    auto chosen = placeholder_positions(batch.lengths, batch.items.size(1), pcl_beta);
    // A read position is kept when its prefix holds a placeholder: otherwise it would contrast
    // a sequence with itself up to dropout. At each row's last position: the row has one.
    const auto kept_at = readout.at.logical_and(chosen.cumsum(1).gt(0));
    const auto kept_rows = kept_at.any(1);
    const auto kept = kept_at.index({readout.at});  // [P]: which read positions
    const auto targets = readout.targets.index({kept});
    // The kept rows' inputs with placeholders, re-encoded and read where kept.
    std::function<torch::Tensor(size_t, const torch::Tensor&)> reencoded;
    torch::Tensor where, time_kept;
    std::vector<torch::Tensor> streams_kept;
    const bool every_target = aux_every_target;
    if (packed) {
      const auto tokens = batch.packed.tokens_of_rows(kept_rows);
      const auto layout = batch.packed.subset(kept_rows);
      where = batch.packed.pack(chosen).index({tokens}).unsqueeze(-1);
      time_kept = encoded.embedded.time.index({tokens});
      for (const auto& s : encoded.embedded.streams) streams_kept.push_back(s.index({tokens}));
      const auto read = batch.packed.pack(kept_at).index({tokens});
      reencoded = [this, layout, every_target, read](size_t m, const torch::Tensor& x) {
        auto h = encode_stream_packed(m, x, layout, /*last_only=*/!every_target);
        return every_target ? h.index({read}) : h;
      };
    } else {
      auto lengths = batch.lengths.index({kept_rows});
      where = chosen.index({kept_rows}).unsqueeze(-1);
      time_kept = encoded.embedded.time.index({kept_rows});
      for (const auto& s : encoded.embedded.streams) streams_kept.push_back(s.index({kept_rows}));
      const auto read = kept_at.index({kept_rows});
      reencoded = [this, lengths, every_target, read](size_t m, const torch::Tensor& x) {
        auto h = encode_stream(m, x);
        return every_target ? h.index({read}) : Batch::gather_last(h, lengths);
      };
    }
    std::vector<torch::Tensor> per_modality;
    for (size_t m = 1; m < readout.hidden.size(); ++m) {
      auto placeholder = placeholders[m - 1]->as<torch::nn::LinearImpl>()->forward(time_kept);
      auto augmented = torch::where(where, placeholder, streams_kept[m]);
      per_modality.push_back(contrast(readout.hidden[m].index({kept}), reencoded(m, augmented),
                                      pcl_temperature, targets));
    }
    add("pcl", pcl_weight, torch::stack(per_modality).mean());
  }
}

std::vector<std::pair<std::string, torch::Tensor>> HM4SRImpl::explain(const Batch& batch) {
  torch::NoGradGuard no_grad;
  const auto embedded = embed(batch, candidate_tables());
  std::vector<std::pair<std::string, torch::Tensor>> out;
  if (embedded.temporal_gate.defined())
    out.emplace_back("temporal_gate", batch.last_position(embedded.temporal_gate));
  if (embedded.interactive_gates.defined()) {
    const auto& g = embedded.interactive_gates;  // [B, L, M, K]
    auto last = batch.last_position(g.flatten(2)).view({g.size(0), g.size(2), g.size(3)});
    for (size_t m = 0; m < stream_names.size(); ++m)
      out.emplace_back("interactive_gate_" + stream_names[m],
                       last.select(1, static_cast<int64_t>(m)));
  }
  return out;
}

SEQREC_REGISTER_MODEL(
    ModelInfo::of<HM4SRImpl>("hm4sr")
        .described_as("HM4SR: hierarchical time-aware mixture of experts for multi-modal "
                      "sequential recommendation (Zhang, Chen, Shen, Wang & Xiong, WWW 2025)")
        .with_trainer_defaults({{"train_samples", "last_position"},
                                {"batch_size", 1024},
                                {"lr", 1e-3},
                                {"patience", 10}}));

}  // namespace seqrec
