#pragma once
// FAME (Liu, Zhang & Long, "Facet-Aware Multi-Head Mixture-of-Experts Model for Sequential
// Recommendation", WSDM 2025): a SASRec backbone whose last layer keeps its heads apart. Each
// head's mixture-of-experts attention output passes a feed-forward block shared across heads
// and becomes a facet representation F_h; head h scores items against its own sub-embedding of
// the item, and a softmax gate over heads, computed from the concatenated F_h, mixes the
// per-head scores. Design §5.
#include <string>
#include <utility>
#include <vector>

#include "models/fame/moe_attention.h"
#include "models/layers/losses.h"
#include "models/layers/transformer.h"
#include "models/sequential_recommender.h"

namespace seqrec {

// The replaced last layer. facet_heads: heads stay separate and come out as [B, H, L, dh]
// facet representations (feed-forward and LayerNorms at width dh, shared across heads);
// otherwise heads are concatenated and projected as in a standard block, [B, L, d].
struct FacetMoEBlockOutput {
  torch::Tensor hidden;  // [B, H, L, dh] with facet heads, else [B, L, d]
  torch::Tensor router;  // [B, H, L, N]
};

class FacetMoEBlockImpl : public torch::nn::Module {
 public:
  FacetMoEBlockImpl(const TransformerOptions& options, int64_t experts, bool facet_heads);
  FacetMoEBlockOutput forward(const torch::Tensor& x, const torch::Tensor& allowed);
  // Packed tokens x [T, d]: hidden [R, H, dh] (facet heads) or [R, d], router [R, H, N], for
  // every token or each row's last one.
  FacetMoEBlockOutput forward_packed(const torch::Tensor& x, const TokenLayout& layout,
                                     PackedQueries queries);

  TransformerOptions options;
  bool facet_heads;
  MoEAttention attention{nullptr};
  torch::nn::Linear out{nullptr};  // only without facet heads
  FeedForward feed_forward{nullptr};
  torch::nn::LayerNorm attention_norm{nullptr}, feed_forward_norm{nullptr};
  Dropout dropout{nullptr};
};
TORCH_MODULE(FacetMoEBlock);

class FAMEImpl : public SequentialRecommenderImpl {
 public:
  explicit FAMEImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;
  // Per user, at the last position: the gate weight of each head ("gate", [B, H]) and each
  // head's router weights over its experts ("router_head<h>", [B, N]).
  bool explains() const override { return true; }
  std::vector<std::pair<std::string, torch::Tensor>> explain(const Batch& batch) override;

  struct Encoded {
    torch::Tensor query;   // [B, L, d]: scored against item_table() by a dot product
    torch::Tensor gate;    // [B, L, H] head gate (undefined without facet heads)
    torch::Tensor router;  // [B, H, L, N] router weights of the last layer
  };
  Encoded encode(const torch::Tensor& items);
  // Packed batch: the same at every real token ([T, ...]) or each row's last one ([B, ...]);
  // gate [R, H], router [R, H, N].
  Encoded encode_packed(const torch::Tensor& items, const TokenLayout& layout, bool last_only);
  // [N+1, d] candidate table: with facet heads, the H item sub-embeddings side by side, so
  // that <query, row> = sum_h gate_h <F_h, sub-embedding_h>; otherwise the item embedding.
  torch::Tensor item_table();

  int64_t heads;
  bool facet_heads;
  bool project_items;
  SequenceEmbedding embedding{nullptr};
  torch::nn::ModuleList blocks;  // the layers - 1 standard blocks below the FAME layer
  FacetMoEBlock last{nullptr};
  torch::nn::LayerNorm final_norm{nullptr};    // pre-norm stacks; width dh with facet heads
  torch::nn::Linear item_projection{nullptr};  // d -> H·dh, facet heads with projection
  torch::nn::Linear gate{nullptr};             // d -> H, facet heads
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
