#include "harness/evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "core/errors.h"
#include "harness/rank_counting.h"

namespace seqrec {
namespace {

constexpr double kMasked = -std::numeric_limits<double>::infinity();

std::string join(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

void check_batch_shapes(int64_t batch, const torch::Tensor& targets, const torch::Tensor& seen,
                        const torch::Tensor& users, bool mask_seen) {
  if (!targets.defined() || targets.numel() != batch) {
    throw std::invalid_argument("evaluator: targets must hold one item id per score row");
  }
  if (!users.defined() || users.numel() != batch) {
    throw std::invalid_argument("evaluator: users must hold one user index per score row");
  }
  if (mask_seen && (!seen.defined() || seen.dim() != 2 || seen.size(0) != batch)) {
    throw std::invalid_argument("evaluator: mask_seen needs seen item ids as [B, S]");
  }
}

// Out-of-range ids would be an indexing error inside torch (a device-side assert on CUDA,
// which poisons the whole context), so they are caught here with one scalar read-back.
void check_ids_in_range(const torch::Tensor& ids, int64_t lowest, int64_t highest,
                        const std::string& what) {
  if (ids.numel() == 0) return;
  if (ids.lt(lowest).logical_or(ids.gt(highest)).any().item<bool>()) {
    throw std::invalid_argument("evaluator: " + what + " item ids must lie in [" +
                                std::to_string(lowest) + ", " + std::to_string(highest) + "]");
  }
}

// A NaN or infinite target score has no rank: NaN compares false with everything and would
// silently count as rank 1, so the batch is refused instead.
void check_target_scores_finite(const torch::Tensor& target_scores, const torch::Tensor& users) {
  const torch::Tensor not_finite = torch::isfinite(target_scores).logical_not().reshape({-1});
  if (!not_finite.any().item<bool>()) return;
  const int64_t row = not_finite.nonzero().reshape({-1})[0].item<int64_t>();
  const int64_t user = users.reshape({-1})[row].item<int64_t>();
  throw std::runtime_error("evaluator: the target score of user " + std::to_string(user) +
                           " (row " + std::to_string(row) + " of the batch) is not finite (" +
                           std::to_string(target_scores.reshape({-1})[row].item<double>()) +
                           "); the model produced NaN or infinite scores");
}

void append_rows(const torch::Tensor& higher, const torch::Tensor& tied, const torch::Tensor& users,
                 TieRule rule, const MetricSpec& spec, EvalResult& result) {
  const int64_t batch = higher.size(0);
  const int64_t* higher_data = higher.data_ptr<int64_t>();
  const int64_t* tied_data = tied.data_ptr<int64_t>();
  const int64_t* user_data = users.data_ptr<int64_t>();
  const size_t width = result.columns.size();
  for (int64_t row = 0; row < batch; ++row) {
    std::vector<double> values(width);
    metrics_from_rank_counts(higher_data[row], tied_data[row], rule, spec, values.data());
    result.per_user.push_back(std::move(values));
    result.users.push_back(user_data[row]);
  }
}

// The K best candidates of a batch, kept while the catalogue is ranked chunk by chunk.
class TopItems {
 public:
  TopItems(int top_k, int64_t num_items) : k_(std::min<int64_t>(top_k, num_items)) {}

  // masked [B, C]: scores of items first_item.. with padding and seen items at -inf.
  void add_chunk(const torch::Tensor& masked, int64_t first_item) {
    // Padding is cut off before top-k, so it never takes a place.
    const int64_t skip = first_item == 0 ? 1 : 0;
    const torch::Tensor candidates = masked.narrow(1, skip, masked.size(1) - skip);
    if (candidates.size(1) == 0) return;
    const auto top = candidates.topk(std::min<int64_t>(k_, candidates.size(1)), /*dim=*/1);
    torch::Tensor values = std::get<0>(top), items = std::get<1>(top).add(first_item + skip);
    if (!values_.defined()) {
      values_ = values;
      items_ = items;
      return;
    }
    values = torch::cat({values_, values}, 1);
    items = torch::cat({items_, items}, 1);
    const auto best = values.topk(std::min<int64_t>(k_, values.size(1)), /*dim=*/1);
    values_ = std::get<0>(best);
    items_ = items.gather(1, std::get<1>(best));
  }

  // When seen items are masked, entries at -inf (masked items, reached only when a user has
  // fewer than K unmasked candidates) end the list, so it may be shorter than K.
  void append_to(bool mask_seen, EvalResult& result) const {
    const torch::Tensor values = values_.to(torch::kCPU, torch::kDouble).contiguous();
    const torch::Tensor items = items_.to(torch::kCPU, torch::kLong).contiguous();
    const int64_t k = items.size(1);
    const double* value_data = values.data_ptr<double>();
    const int64_t* item_data = items.data_ptr<int64_t>();
    for (int64_t row = 0; row < items.size(0); ++row) {
      std::vector<int64_t> list;
      list.reserve(static_cast<size_t>(k));
      for (int64_t j = 0; j < k; ++j) {
        if (mask_seen && value_data[row * k + j] == kMasked) break;
        list.push_back(item_data[row * k + j]);
      }
      result.top_items.push_back(std::move(list));
    }
  }

 private:
  int64_t k_;
  torch::Tensor values_, items_;
};

void add_counts(RankCounts& total, const RankCounts& chunk) {
  if (!total.higher.defined()) {
    total = chunk;
    return;
  }
  total.higher.add_(chunk.higher);
  total.tied.add_(chunk.tied);
}

}  // namespace

double EvalResult::value(const std::string& column) const {
  const auto found = std::find(columns.begin(), columns.end(), column);
  if (found == columns.end()) {
    throw InputError("unknown metric column '" + column + "' (available: " + join(columns) + ")");
  }
  return mean.at(static_cast<size_t>(found - columns.begin()));
}

FullRankingEvaluator::FullRankingEvaluator(MetricSpec spec, TieRule rule, bool mask_seen,
                                           int dump_top_k)
    : spec_(std::move(spec)), rule_(rule), mask_seen_(mask_seen), dump_top_k_(dump_top_k) {
  if (dump_top_k_ < 0) {
    throw InputError("top-k dump size must be >= 0, got " + std::to_string(dump_top_k_));
  }
  result_.columns = spec_.columns();  // throws InputError on unknown metric names or bad k
}

FullRankingEvaluator::CheckedIds FullRankingEvaluator::checked_ids(const torch::Tensor& targets,
                                                                   const torch::Tensor& seen,
                                                                   torch::Device device,
                                                                   int64_t num_items) const {
  CheckedIds ids;
  ids.targets = targets.to(device, torch::kLong).reshape({-1, 1});
  check_ids_in_range(ids.targets, 1, num_items, "target");
  if (mask_seen_ && seen.numel() > 0) {
    ids.seen = seen.to(device, torch::kLong);
    check_ids_in_range(ids.seen, 0, num_items, "seen");
  }
  return ids;
}

void FullRankingEvaluator::add_batch(const torch::Tensor& scores, const torch::Tensor& targets,
                                     const torch::Tensor& seen, const torch::Tensor& users) {
  if (!scores.defined() || scores.dim() != 2 || scores.size(1) < 2) {
    throw std::invalid_argument("evaluator: scores must be [B, N+1] with N >= 1");
  }
  check_batch_shapes(scores.size(0), targets, seen, users, mask_seen_);
  torch::NoGradGuard no_grad;
  const auto device = scores.device();
  const int64_t num_items = scores.size(1) - 1;
  const CheckedIds ids = checked_ids(targets, seen, device, num_items);

  const torch::Tensor target_scores = scores.gather(1, ids.targets);  // [B, 1]
  check_target_scores_finite(target_scores, users);

  // Ranks by counting, no sort; on the CPU in one read-only pass over the scores.
  const RankCounts counts =
      device.is_cpu()
          ? count_ranks_in_chunk_fused(scores, 0, target_scores, ids.targets, ids.seen)
          : count_ranks_in_chunk_with_tensor_ops(scores, 0, target_scores, ids.targets, ids.seen);
  append_rows(counts.higher, counts.tied, to_cpu_int64(users), rule_, spec_, result_);

  if (dump_top_k_ > 0) {
    TopItems top(dump_top_k_, num_items);
    top.add_chunk(masked_scores(scores, 0, ids.targets, ids.seen), 0);
    top.append_to(mask_seen_, result_);
  }
}

void FullRankingEvaluator::add_factored_batch(const torch::Tensor& query,
                                              const torch::Tensor& items,
                                              const torch::Tensor& targets,
                                              const torch::Tensor& seen, const torch::Tensor& users,
                                              int64_t chunk_items) {
  if (!query.defined() || query.dim() != 2 || !items.defined() || items.dim() != 2 ||
      items.size(0) < 2 || items.size(1) != query.size(1)) {
    throw std::invalid_argument(
        "evaluator: factored scores need query [B, D] and items [N+1, D] with N >= 1");
  }
  if (chunk_items < 1) {
    throw std::invalid_argument("evaluator: chunk_items must be >= 1, got " +
                                std::to_string(chunk_items));
  }
  check_batch_shapes(query.size(0), targets, seen, users, mask_seen_);
  torch::NoGradGuard no_grad;
  const auto device = query.device();
  const int64_t num_items = items.size(0) - 1;
  const CheckedIds ids = checked_ids(targets, seen, device, num_items);

  // Diagonal of query · (the targets' rows)ᵀ: the same kind of product as the chunks', with
  // the item rows transposed alike, so equal dot products round alike.
  const torch::Tensor target_rows = items.index_select(0, ids.targets.reshape({-1}));
  const torch::Tensor target_scores =
      torch::matmul(query, target_rows.t()).diagonal().reshape({-1, 1});
  check_target_scores_finite(target_scores, users);

  RankCounts counts;
  TopItems top(dump_top_k_, num_items);
  for (int64_t first = 0; first <= num_items; first += chunk_items) {
    const int64_t width = std::min(chunk_items, num_items + 1 - first);
    const torch::Tensor chunk = torch::matmul(query, items.narrow(0, first, width).t());
    add_counts(counts, device.is_cpu() ? count_ranks_in_chunk_fused(chunk, first, target_scores,
                                                                    ids.targets, ids.seen)
                                       : count_ranks_in_chunk_with_tensor_ops(
                                             chunk, first, target_scores, ids.targets, ids.seen));
    if (dump_top_k_ > 0) top.add_chunk(masked_scores(chunk, first, ids.targets, ids.seen), first);
  }
  append_rows(counts.higher, counts.tied, to_cpu_int64(users), rule_, spec_, result_);
  if (dump_top_k_ > 0) top.append_to(mask_seen_, result_);
}

// Means are summed in double in the rows' order, so they do not depend on how users were
// split into batches, nor on the device.
EvalResult FullRankingEvaluator::finish(RowOrder order_of_rows) const {
  EvalResult result = result_;
  if (order_of_rows == RowOrder::ByUser &&
      !std::is_sorted(result.users.begin(), result.users.end())) {
    std::vector<size_t> order(result.users.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return result.users[a] < result.users[b]; });
    auto permuted = [&order](const auto& rows) {
      std::decay_t<decltype(rows)> out;
      out.reserve(rows.size());
      for (size_t i : order) out.push_back(rows[i]);
      return out;
    };
    result.users = permuted(result.users);
    result.per_user = permuted(result.per_user);
    if (!result.top_items.empty()) result.top_items = permuted(result.top_items);
  }
  const size_t width = result.columns.size();
  result.mean.assign(width, 0.0);
  for (const auto& row : result.per_user) {
    for (size_t column = 0; column < width; ++column) result.mean[column] += row[column];
  }
  const double count = static_cast<double>(result.per_user.size());
  for (double& mean : result.mean) {
    // No users: the mean is undefined, reported as NaN rather than a misleading 0.
    mean = count > 0 ? mean / count : std::numeric_limits<double>::quiet_NaN();
  }
  return result;
}

}  // namespace seqrec
