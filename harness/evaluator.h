#pragma once
// Full-ranking evaluation over every item (design §7): one score matrix per batch of users,
// padding (and, when the protocol says so, already-seen items) masked, and the target's rank
// obtained by counting — no sort. Per-user values are kept for paired significance tests.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harness/metrics.h"

namespace seqrec {

struct EvalResult {
  std::vector<std::string> columns;               // MetricSpec::columns()
  std::vector<double> mean;                       // per column, averaged over users
  std::vector<int64_t> users;                     // user index per row, in the order added
  std::vector<std::vector<double>> per_user;      // [users][columns]
  std::vector<std::vector<int64_t>> top_items;    // [users][K] item ids when top-k dump is on
  double value(const std::string& column) const;  // throws InputError for unknown columns
};

class FullRankingEvaluator {
 public:
  FullRankingEvaluator(MetricSpec spec, TieRule rule, bool mask_seen, int dump_top_k = 0);

  // scores [B, N+1] (column 0 = padding, always excluded); targets [B] item ids;
  // seen [B, S] item ids the user interacted with before (0 = padding), used when mask_seen;
  // the target itself is never masked. users [B] user indices.
  // Throws std::runtime_error if a target score is not finite.
  void add_batch(const torch::Tensor& scores, const torch::Tensor& targets,
                 const torch::Tensor& seen, const torch::Tensor& users);

  // The same for scores that are the product query · itemsᵀ (query [B, D], items [N+1, D]),
  // computed and ranked chunk_items items at a time so that the [B, N+1] matrix is never held:
  // memory stays B × chunk_items scores however large the catalogue. The targets' scores come
  // from a product of the same kind (query against the targets' rows), so an item that scores
  // exactly like the target in the one-matrix path does so here too.
  void add_factored_batch(const torch::Tensor& query, const torch::Tensor& items,
                          const torch::Tensor& targets, const torch::Tensor& seen,
                          const torch::Tensor& users, int64_t chunk_items);

  // Rows in the order users were added, or by user index (for a caller that visited users in
  // another order, such as packed evaluation's shortest-first); means are summed over the
  // rows in the returned order.
  enum class RowOrder { AsAdded, ByUser };
  EvalResult finish(RowOrder order = RowOrder::AsAdded) const;

 private:
  struct CheckedIds {
    torch::Tensor targets;  // [B, 1] int64 on the scores' device, in [1, N]
    torch::Tensor seen;     // [B, S] int64 in [0, N], or undefined when nothing is masked
  };
  CheckedIds checked_ids(const torch::Tensor& targets, const torch::Tensor& seen,
                         torch::Device device, int64_t num_items) const;

  MetricSpec spec_;
  TieRule rule_;
  bool mask_seen_;
  int dump_top_k_;
  EvalResult result_;
};

}  // namespace seqrec
