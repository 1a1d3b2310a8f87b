#pragma once
// HM4SR (Zhang, Chen, Shen, Wang & Xiong, "Hierarchical Time-Aware Mixture of Experts for
// Multi-Modal Sequential Recommendation", WWW 2025; design §5): one stream per item view (the
// ID embedding and each modality's projected frozen feature), a shared position embedding, an
// Interactive MoE that lets each stream read the others, a Temporal MoE that rescales every
// stream by a time-gated expert vector, and one causal transformer per stream. An item's score
// is the sum of the per-stream dot products; training adds IDCL, CP and PCL to the CE loss.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "models/layers/losses.h"
#include "models/layers/transformer.h"
#include "models/sequential_recommender.h"

namespace seqrec {

// [B, L] interval bucket of each position: floor(scale * log2(dt + 1)) with dt the seconds since
// the previous item of the row, clamped to [0, max_bucket]; 0 at the first position and at
// padding (positions >= length), so a padded timestamp of 0 never yields log2 of a negative
// number. timestamps [B, L] (float64 seconds), lengths [B].
torch::Tensor interval_buckets(const torch::Tensor& timestamps, const torch::Tensor& lengths,
                               double scale, int64_t max_bucket);

// [B, L] bool: for each row, floor(beta * length) distinct real positions drawn uniformly with
// torch's generator (so the trial seed drives them); none for rows with beta * length < 1.
torch::Tensor placeholder_positions(const torch::Tensor& lengths, int64_t width, double beta);

// The time embedding of a position: [interval bucket embedding, absolute-time embedding], 2d
// wide. The absolute part is cos((w t + b) / 10000^(i/d)) for dimension i, t being the
// timestamp in `unit` seconds counted from the dataset's first interaction.
class TimeEmbeddingImpl : public torch::nn::Module {
 public:
  TimeEmbeddingImpl(int64_t dim, int64_t buckets, double interval_scale, double origin,
                    double unit);
  torch::Tensor forward(const torch::Tensor& timestamps, const torch::Tensor& lengths);
  // The real tokens only: [T, 2d].
  torch::Tensor forward_packed(const torch::Tensor& timestamps, const TokenLayout& layout);

  torch::nn::Embedding interval{nullptr};
  torch::nn::Linear absolute{nullptr};
  double interval_scale, origin, unit;

 private:
  // Buckets [...] and float64 Unix seconds [...] -> [..., 2d].
  torch::Tensor embed(const torch::Tensor& buckets, const torch::Tensor& seconds);
};
TORCH_MODULE(TimeEmbedding);

// K experts, each a linear map of the concatenated streams [..., M·d] to M·d (held as one
// M·d -> K·M·d map); stream m's softmax gate reads its own slice, and stream m adds
// weight_m * (its slice of the gated expert mixture) to itself. Position-wise, so padded
// [B, L, d] and packed [T, d] streams take the same path.
class InteractiveMoEImpl : public torch::nn::Module {
 public:
  InteractiveMoEImpl(int64_t streams, int64_t dim, int64_t experts);
  struct Output {
    std::vector<torch::Tensor> streams;  // updated, [..., d] each
    torch::Tensor gates;                 // [..., M, K]
  };
  Output forward(const std::vector<torch::Tensor>& streams);

  int64_t num_streams, dim, num_experts;
  torch::nn::Linear experts{nullptr};
  torch::nn::ModuleList gates;
  torch::Tensor weight;  // [M]: 0 for the ID stream, 1 for modalities at initialisation
};
TORCH_MODULE(InteractiveMoE);

// A softmax gate over the time embedding mixes K expert vectors of width M·d; the concatenated
// streams are multiplied element-wise by the mixture.
class TemporalMoEImpl : public torch::nn::Module {
 public:
  TemporalMoEImpl(int64_t streams, int64_t dim, int64_t experts, bool trainable_experts);
  struct Output {
    std::vector<torch::Tensor> streams;  // [B, L, d] each
    torch::Tensor gate;                  // [B, L, K]
  };
  Output forward(const std::vector<torch::Tensor>& streams, const torch::Tensor& time);
  void reset_experts();

  torch::nn::Linear gate{nullptr};  // 2d -> K
  torch::Tensor experts;            // [K, M·d]; a buffer when not trainable
};
TORCH_MODULE(TemporalMoE);

class HM4SRImpl : public SequentialRecommenderImpl {
 public:
  explicit HM4SRImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;
  // At each row's last position: the temporal gate ("temporal_gate", [B, K]) and each
  // stream's interactive gate ("interactive_gate_<stream>", [B, K]), for the MoEs that are on.
  bool explains() const override { return true; }
  std::vector<std::pair<std::string, torch::Tensor>> explain(const Batch& batch) override;

  // Stream inputs after positions and both MoEs, before LayerNorm and dropout. `tables` from
  // candidate_tables(); the time embedding is computed when the Temporal MoE needs it or
  // `with_time` asks for it (PCL's placeholders).
  struct Embedded {
    std::vector<torch::Tensor> streams;  // [B, L, d] per stream, ID first
    torch::Tensor time;                  // [B, L, 2d]
    torch::Tensor interactive_gates;     // [B, L, M, K], Interactive MoE on
    torch::Tensor temporal_gate;         // [B, L, K], Temporal MoE on
  };
  Embedded embed(const Batch& batch, const std::vector<torch::Tensor>& tables,
                 bool with_time = false);
  // Stream m's LayerNorm, dropout and causal encoder: [B, L, d] -> [B, L, d].
  torch::Tensor encode_stream(size_t m, const torch::Tensor& input);
  struct Encoded {
    Embedded embedded;
    std::vector<torch::Tensor> hidden;  // [B, L, d] per stream
  };
  Encoded encode(const Batch& batch, const std::vector<torch::Tensor>& tables,
                 bool with_time = false);
  Encoded encode(const Batch& batch) { return encode(batch, candidate_tables()); }
  // Packed batch (Batch::packed set): streams and time [T, ...]; hidden [T, d], or with
  // `last_only` [B, d] (each row's last token, the encoders' last blocks computing only it).
  Embedded embed_packed(const Batch& batch, const std::vector<torch::Tensor>& tables,
                        bool with_time);
  torch::Tensor encode_stream_packed(size_t m, const torch::Tensor& input,
                                     const TokenLayout& layout, bool last_only);
  Encoded encode_packed(const Batch& batch, const std::vector<torch::Tensor>& tables,
                        bool with_time, bool last_only);
  // [N+1, d] per stream: the ID embedding, then each modality's projected features (row 0 zero).
  std::vector<torch::Tensor> candidate_tables();
  // Where the sequence-level tasks (IDCL, PCL) read the encoders: `at` [B, L] marks the
  // positions (each row's last one with a target, or with aux_at=every_target every position
  // with a target); `hidden` [P, d] per stream and `targets` [P] are theirs, row by row.
  struct Readout {
    torch::Tensor at;
    std::vector<torch::Tensor> hidden;
    torch::Tensor targets;
  };
  // embed() and embed_packed() past their layout: each table's rows at `items` plus
  // `positions`, then the Interactive MoE, the time embedding (`embed_time`, when needed) and the
  // Temporal MoE, in that order.
  Embedded mix_streams(const Batch& batch, const std::vector<torch::Tensor>& tables,
                       const torch::Tensor& items, const torch::Tensor& positions, bool with_time,
                       const std::function<torch::Tensor()>& embed_time);
  // The auxiliary losses (IDCL, CP, PCL) added to `out`.
  void add_auxiliary_losses(const Batch& batch, const std::vector<torch::Tensor>& tables,
                            const Encoded& encoded, const Readout& readout, LossParts& out);

  std::vector<std::string> stream_names;  // "id", then the modalities
  std::vector<torch::Tensor> features;    // frozen [N+1, F_m] buffers, one per modality
  double idcl_weight, idcl_temperature, cp_weight, pcl_weight, pcl_beta, pcl_temperature;
  bool aux_every_target;     // aux_at=every_target
  torch::Tensor categories;  // [N+1, C] multi-hot buffer, CP on

  // Registration order matters: with one stream, both MoEs off, no stream LayerNorm and no
  // auxiliary loss, the parameters are exactly SASRec's (embedding, then one encoder).
  SequenceEmbedding embedding{nullptr};  // ID table, shared positions, dropout
  torch::nn::ModuleList encoders;        // one per stream
  torch::nn::ModuleList projections;     // Linear(F_m, d) per modality
  torch::nn::ModuleList stream_norms;    // LayerNorm per stream, stream_norm on
  InteractiveMoE interactive{nullptr};
  TimeEmbedding time_embedding{nullptr};  // Temporal MoE, or PCL with modalities
  TemporalMoE temporal{nullptr};
  torch::nn::Linear category_head{nullptr};  // M·d -> C, CP on
  torch::nn::ModuleList placeholders;        // Linear(2d, d) per modality, PCL on
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
