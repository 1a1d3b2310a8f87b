#include "harness/rank_counting.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace seqrec {

namespace {

template <typename T>
void count_rows(const torch::Tensor& scores, const torch::Tensor& target_ids,
                const torch::Tensor& seen_ids, int64_t* higher, int64_t* tied) {
  const int64_t rows = scores.size(0), columns = scores.size(1);
  const T* score_data = scores.data_ptr<T>();
  const int64_t* target_data = target_ids.data_ptr<int64_t>();
  const int64_t seen_width = seen_ids.defined() ? seen_ids.size(1) : 0;
  const int64_t* seen_data = seen_width > 0 ? seen_ids.data_ptr<int64_t>() : nullptr;
  at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> seen;
    for (int64_t r = begin; r < end; ++r) {
      const T* row = score_data + r * columns;
      const int64_t target = target_data[r];
      const T t = row[target];
      // Branch-free counts over the candidates (column 0 is padding), so the loop vectorises.
      int64_t above = 0, equal = 0;
      for (int64_t j = 1; j < columns; ++j) {
        above += row[j] > t;
        equal += row[j] == t;
      }
      // A seen item is no candidate: take back what it counted, once per distinct item.
      seen.assign(seen_data + r * seen_width, seen_data + (r + 1) * seen_width);
      std::sort(seen.begin(), seen.end());
      seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
      for (int64_t item : seen) {
        if (item == 0 || item == target) continue;
        above -= row[item] > t;
        equal -= row[item] == t;
      }
      higher[r] = above;
      tied[r] = equal - 1;  // the target ties with itself
    }
  });
}

}  // namespace

RankCounts count_ranks_fused(const torch::Tensor& scores, const torch::Tensor& target_ids,
                             const torch::Tensor& seen_ids) {
  TORCH_CHECK(scores.device().is_cpu(), "count_ranks_fused: scores must be on the CPU");
  const bool exact = scores.scalar_type() == torch::kDouble;
  const torch::Tensor values = scores.to(exact ? torch::kDouble : torch::kFloat).contiguous();
  const torch::Tensor targets = target_ids.to(torch::kLong).reshape({-1}).contiguous();
  const torch::Tensor seen = seen_ids.defined() && seen_ids.numel() > 0
                                 ? seen_ids.to(torch::kLong).contiguous()
                                 : torch::Tensor();
  RankCounts counts{torch::empty({values.size(0)}, torch::kLong),
                    torch::empty({values.size(0)}, torch::kLong)};
  if (exact)
    count_rows<double>(values, targets, seen, counts.higher.data_ptr<int64_t>(),
                       counts.tied.data_ptr<int64_t>());
  else
    count_rows<float>(values, targets, seen, counts.higher.data_ptr<int64_t>(),
                      counts.tied.data_ptr<int64_t>());
  return counts;
}

torch::Tensor masked_scores(const torch::Tensor& scores, const torch::Tensor& target_ids,
                            const torch::Tensor& seen_ids) {
  constexpr double kMasked = -std::numeric_limits<double>::infinity();
  const auto dtype = scores.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
  torch::Tensor masked = scores.to(dtype, /*non_blocking=*/false, /*copy=*/true);
  masked.narrow(1, 0, 1).fill_(kMasked);
  if (seen_ids.defined() && seen_ids.numel() > 0) {
    const torch::Tensor targets = target_ids.to(scores.device(), torch::kLong).reshape({-1, 1});
    const torch::Tensor target_scores = masked.gather(1, targets);
    masked.scatter_(1, seen_ids.to(scores.device(), torch::kLong), kMasked);
    masked.scatter_(1, targets, target_scores);  // a re-consumed target is still ranked
  }
  return masked;
}

RankCounts count_ranks_with_tensor_ops(const torch::Tensor& scores, const torch::Tensor& target_ids,
                                       const torch::Tensor& seen_ids) {
  const torch::Tensor masked = masked_scores(scores, target_ids, seen_ids);
  const torch::Tensor target_scores =
      masked.gather(1, target_ids.to(scores.device(), torch::kLong).reshape({-1, 1}));
  // Masked items are -inf and the target is finite, so they never count as higher or tied.
  auto to_cpu = [](const torch::Tensor& t) {
    return t.reshape({-1}).to(torch::kCPU, torch::kLong).contiguous();
  };
  return {to_cpu(masked.gt(target_scores).sum(1)), to_cpu(masked.eq(target_scores).sum(1).sub_(1))};
}

}  // namespace seqrec
