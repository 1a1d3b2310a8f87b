#include "harness/evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "harness/errors.h"
#include "harness/rank_counting.h"

namespace seqrec {
namespace {

constexpr double kMasked = -std::numeric_limits<double>::infinity();

std::string join(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

void check_batch_shapes(const torch::Tensor& scores, const torch::Tensor& targets,
                        const torch::Tensor& seen, const torch::Tensor& users, bool mask_seen) {
  if (!scores.defined() || scores.dim() != 2 || scores.size(1) < 2) {
    throw std::invalid_argument("evaluator: scores must be [B, N+1] with N >= 1");
  }
  const int64_t batch = scores.size(0);
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

torch::Tensor to_cpu_int64(const torch::Tensor& values) {
  return values.reshape({-1}).to(torch::kCPU, torch::kLong).contiguous();
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

// The K best candidates by masked score. Padding is cut off before top-k, so 0 never
// appears; when seen items are masked, entries at -inf (masked items, reached only when a
// user has fewer than K unmasked candidates) end the list, so it may be shorter than K.
void append_top_items(const torch::Tensor& masked_scores, int top_k, bool mask_seen,
                      EvalResult& result) {
  const int64_t num_items = masked_scores.size(1) - 1;
  const int64_t k = std::min<int64_t>(top_k, num_items);
  const auto top = masked_scores.narrow(1, 1, num_items).topk(k, /*dim=*/1);
  const torch::Tensor values = std::get<0>(top).to(torch::kCPU, torch::kDouble).contiguous();
  const torch::Tensor items = std::get<1>(top).add(1).to(torch::kCPU, torch::kLong).contiguous();
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

void FullRankingEvaluator::add_batch(const torch::Tensor& scores, const torch::Tensor& targets,
                                     const torch::Tensor& seen, const torch::Tensor& users) {
  check_batch_shapes(scores, targets, seen, users, mask_seen_);
  torch::NoGradGuard no_grad;
  const auto device = scores.device();
  const int64_t num_items = scores.size(1) - 1;

  const torch::Tensor target_ids = targets.to(device, torch::kLong).reshape({-1, 1});
  check_ids_in_range(target_ids, 1, num_items, "target");

  const torch::Tensor target_scores = scores.gather(1, target_ids);  // [B, 1]
  check_target_scores_finite(target_scores, users);

  torch::Tensor seen_ids;
  if (mask_seen_ && seen.numel() > 0) {
    seen_ids = seen.to(device, torch::kLong);
    check_ids_in_range(seen_ids, 0, num_items, "seen");
  }
  // Ranks by counting, no sort; on the CPU in one read-only pass over the scores.
  const RankCounts counts = device.is_cpu()
                                ? count_ranks_fused(scores, target_ids, seen_ids)
                                : count_ranks_with_tensor_ops(scores, target_ids, seen_ids);
  append_rows(counts.higher, counts.tied, to_cpu_int64(users), rule_, spec_, result_);

  if (dump_top_k_ > 0)
    append_top_items(masked_scores(scores, target_ids, seen_ids), dump_top_k_, mask_seen_, result_);
}

// Means are summed in double in the order users were added, so they do not depend on how
// users were split into batches or on the device.
EvalResult FullRankingEvaluator::finish() const {
  EvalResult result = result_;
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
