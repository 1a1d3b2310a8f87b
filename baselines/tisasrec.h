#pragma once
// TiSASRec (Li, Wang & McAuley, WSDM 2020): SASRec whose self-attention also sees, for every
// query/key pair, the clipped time interval between the two interactions in units of the
// user's smallest interval, and learned absolute positions on the key and value side:
//   e_ij = q_i . (k_j + P^K_j + R^K_{r_ij}) / sqrt(d_head),  z_i = sum_j a_ij (v_j + P^V_j +
//   R^V_{r_ij}).
#include "models/layers/losses.h"
#include "models/layers/transformer.h"
#include "models/sequential_recommender.h"

namespace seqrec {

// r_ij = min(floor(|t_i - t_j| / r_u), time_span) for timestamps [B, L] (float64 seconds) of
// right-padded rows; r_u = the row's smallest non-zero interval between its real positions
// (1 when every real timestamp is equal, as the authors' code does). Pairs involving padding
// get 0. Returns [B, L, L] int64. r_u reads the whole row, so under all_positions training a
// position's unit may come from later timestamps (only their spacing, never their items); the
// authors' code goes further and takes it from the full sequence, test item included.
torch::Tensor time_interval_matrix(const torch::Tensor& timestamps, const torch::Tensor& lengths,
                                   int64_t time_span);

// What the attention adds on the key and value side; computed once per forward and shared by
// every block, as in the authors' code. The interval embeddings come in one of two forms:
// - per pair, [B, L, L, d] = E[r_ij] with its own dropout mask for every (i, j), as the
//   authors' code does (interval_dropout=pair while training): memory and time O(B L^2 d);
// - as tables, [B or 1, k+1, d] indexed by `intervals`: q_i . E[r_ij] is read from q_i E^T
//   and sum_j a_ij E[r_ij] = (sum_j a_ij [r_ij = r])_r E, O(B L k d) in fast matmuls; dropout
//   (interval_dropout=row) is then shared by the pairs of a row with the same interval.
// Without dropout (evaluation) both give the same numbers, so evaluation uses tables.
struct TimeAwareRelations {
  torch::Tensor position_k, position_v;  // [B, L, d]
  torch::Tensor intervals;               // [B, L, L] int64 r_ij
  torch::Tensor interval_k, interval_v;  // per pair or tables, see per_pair
  bool per_pair = false;
};

class TimeAwareAttentionImpl : public torch::nn::Module {
 public:
  TimeAwareAttentionImpl(int64_t dim, int64_t heads, double attn_dropout);
  // query, context [B, L, d]; `allowed` bool broadcastable to [B, H, L, L]. Returns [B, L, d].
  // No output projection: the paper's z_i is the weighted sum itself (SASRec-style code).
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& context,
                        const TimeAwareRelations& relations, const torch::Tensor& allowed);

  // Attention weights from unscaled logits [B, H, L, L]: scale, mask, softmax, dropout.
  torch::Tensor weights(const torch::Tensor& logits, const torch::Tensor& allowed);

  int64_t heads;
  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr};
  Dropout attn_dropout{nullptr};
};
TORCH_MODULE(TimeAwareAttention);

// A TransformerBlock (same norm placement, residual dropout and FeedForward) around the
// time-aware attention.
class TimeAwareBlockImpl : public torch::nn::Module {
 public:
  explicit TimeAwareBlockImpl(const TransformerOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const TimeAwareRelations& relations,
                        const torch::Tensor& allowed);

  TransformerOptions options;
  TimeAwareAttention attention{nullptr};
  FeedForward feed_forward{nullptr};
  torch::nn::LayerNorm attention_norm{nullptr}, feed_forward_norm{nullptr};
  Dropout dropout{nullptr};
};
TORCH_MODULE(TimeAwareBlock);

class TiSASRecImpl : public SequentialRecommenderImpl {
 public:
  explicit TiSASRecImpl(const ModelContext& context);
  static ParamSchema schema();

  LossParts loss(const Batch& batch) override;
  ScoreFactors score_factors(const Batch& batch) override;
  // [B, L, d] hidden states of every position of right-padded `items` with their timestamps.
  torch::Tensor encode(const torch::Tensor& items, const torch::Tensor& timestamps,
                       const torch::Tensor& lengths);
  // The relations for right-padded rows of width L; per_pair picks the form (see above).
  TimeAwareRelations relations(const torch::Tensor& timestamps, const torch::Tensor& lengths,
                               int64_t L, bool per_pair);

  int64_t time_span;
  bool pair_dropout;  // interval_dropout == "pair"
  double scale;       // sqrt(d) on item embeddings, as SASRec
  torch::nn::Embedding item{nullptr};
  torch::nn::Embedding position_k{nullptr}, position_v{nullptr};  // max_len rows
  torch::nn::Embedding interval_k{nullptr}, interval_v{nullptr};  // time_span + 1 rows
  Dropout dropout{nullptr};
  torch::nn::ModuleList blocks;
  torch::nn::LayerNorm final_norm{nullptr};  // pre-norm stacks only
  NextItemLossOptions loss_options;
};

}  // namespace seqrec
