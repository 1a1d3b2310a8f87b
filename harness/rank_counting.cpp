#include "harness/rank_counting.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/vector_clones.h"

namespace seqrec {

namespace {

constexpr double kMasked = -std::numeric_limits<double>::infinity();

// Items of row[0, n) scoring above and tied with t. The 32-bit counters vectorise (a
// comparison mask is 32 bits wide); blocks keep them from overflowing on any row length.
template <typename T>
inline void count_above_and_tied(const T* row, int64_t n, T t, int64_t& above, int64_t& tied) {
  constexpr int64_t kBlock = int64_t{1} << 30;
  above = tied = 0;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    int32_t block_above = 0, block_tied = 0;
    for (int64_t j = start; j < end; ++j) {
      block_above += row[j] > t;
      block_tied += row[j] == t;
    }
    above += block_above;
    tied += block_tied;
  }
}

// The count loop is the whole cost of evaluation beyond the score product, hence the clones.
SEQREC_VECTOR_CLONES void count_row(const float* row, int64_t n, float t, int64_t& above,
                                    int64_t& tied) {
  count_above_and_tied(row, n, t, above, tied);
}

SEQREC_VECTOR_CLONES void count_row(const double* row, int64_t n, double t, int64_t& above,
                                    int64_t& tied) {
  count_above_and_tied(row, n, t, above, tied);
}

// Rows of one chunk: columns are items first_item .. first_item + columns - 1.
template <typename T>
void count_rows(const torch::Tensor& scores, int64_t first_item, const torch::Tensor& target_scores,
                const torch::Tensor& target_ids, const torch::Tensor& seen_ids, int64_t* higher,
                int64_t* tied) {
  const int64_t rows = scores.size(0), columns = scores.size(1);
  const T* score_data = scores.data_ptr<T>();
  const T* target_score_data = target_scores.data_ptr<T>();
  const int64_t* target_data = target_ids.data_ptr<int64_t>();
  const int64_t seen_width = seen_ids.defined() ? seen_ids.size(1) : 0;
  const int64_t* seen_data = seen_width > 0 ? seen_ids.data_ptr<int64_t>() : nullptr;
  const int64_t first_column = first_item == 0 ? 1 : 0;  // column of item 0 is padding
  auto in_chunk = [&](int64_t item) { return item >= first_item && item < first_item + columns; };
  at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
    // Columns already taken back in this row: a seen list may repeat an item (a re-consumed
    // item), and it is one candidate less, not two. Cleared entry by entry after each row.
    std::vector<uint8_t> taken_back(seen_width > 0 ? static_cast<size_t>(columns) : 0, 0);
    for (int64_t r = begin; r < end; ++r) {
      const T* row = score_data + r * columns;
      const int64_t target = target_data[r];
      const T t = target_score_data[r];
      // Counts over the whole chunk, so the loop vectorises; what is no candidate is taken
      // back below.
      int64_t above = 0, equal = 0;
      count_row(row + first_column, columns - first_column, t, above, equal);
      if (in_chunk(target)) {
        above -= row[target - first_item] > t;
        equal -= row[target - first_item] == t;
      }
      const int64_t* seen = seen_data + r * seen_width;
      for (int64_t s = 0; s < seen_width; ++s) {
        const int64_t item = seen[s];
        if (item == 0 || item == target || !in_chunk(item)) continue;
        uint8_t& done = taken_back[static_cast<size_t>(item - first_item)];
        if (done) continue;
        done = 1;
        above -= row[item - first_item] > t;
        equal -= row[item - first_item] == t;
      }
      for (int64_t s = 0; s < seen_width; ++s) {
        const int64_t item = seen[s];
        if (in_chunk(item)) taken_back[static_cast<size_t>(item - first_item)] = 0;
      }
      higher[r] = above;
      tied[r] = equal;
    }
  });
}

torch::ScalarType comparison_type(const torch::Tensor& scores) {
  return scores.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
}

// Item ids as columns of the chunk; ids outside it go to the extra column `columns`.
torch::Tensor local_columns(const torch::Tensor& ids, int64_t first_item, int64_t columns) {
  const torch::Tensor local = ids.to(torch::kLong).sub(first_item);
  return torch::where(local.ge(0).logical_and(local.lt(columns)), local,
                      torch::full_like(local, columns));
}

// A float (or double) copy of the chunk with padding and seen items at -inf; the target too
// when mask_target, otherwise the target keeps its score even if it was seen.
torch::Tensor masked_copy(const torch::Tensor& chunk_scores, int64_t first_item,
                          const torch::Tensor& target_ids, const torch::Tensor& seen_ids,
                          bool mask_target) {
  const int64_t rows = chunk_scores.size(0), columns = chunk_scores.size(1);
  // One spare column absorbs the ids that fall outside the chunk.
  torch::Tensor padded = torch::empty({rows, columns + 1},
                                      chunk_scores.options().dtype(comparison_type(chunk_scores)));
  padded.narrow(1, 0, columns).copy_(chunk_scores);
  if (first_item == 0) padded.narrow(1, 0, 1).fill_(kMasked);
  const torch::Tensor target_columns =
      local_columns(target_ids.to(chunk_scores.device()).reshape({-1, 1}), first_item, columns);
  const torch::Tensor target_scores = padded.gather(1, target_columns);
  if (seen_ids.defined() && seen_ids.numel() > 0)
    padded.scatter_(1, local_columns(seen_ids.to(chunk_scores.device()), first_item, columns),
                    kMasked);
  if (mask_target)
    padded.scatter_(1, target_columns, kMasked);
  else
    padded.scatter_(1, target_columns, target_scores);  // a re-consumed target is still ranked
  return padded.narrow(1, 0, columns);
}

}  // namespace

torch::Tensor to_cpu_int64(const torch::Tensor& values) {
  return values.reshape({-1}).to(torch::kCPU, torch::kLong).contiguous();
}

RankCounts count_ranks_in_chunk_fused(const torch::Tensor& chunk_scores, int64_t first_item,
                                      const torch::Tensor& target_scores,
                                      const torch::Tensor& target_ids,
                                      const torch::Tensor& seen_ids) {
  TORCH_CHECK(chunk_scores.device().is_cpu(), "count_ranks_fused: scores must be on the CPU");
  const auto type = comparison_type(chunk_scores);
  const torch::Tensor values = chunk_scores.to(type).contiguous();
  const torch::Tensor targets = target_ids.to(torch::kLong).reshape({-1}).contiguous();
  const torch::Tensor target_values = target_scores.to(type).reshape({-1}).contiguous();
  const torch::Tensor seen = seen_ids.defined() && seen_ids.numel() > 0
                                 ? seen_ids.to(torch::kLong).contiguous()
                                 : torch::Tensor();
  RankCounts counts{torch::empty({values.size(0)}, torch::kLong),
                    torch::empty({values.size(0)}, torch::kLong)};
  if (type == torch::kDouble)
    count_rows<double>(values, first_item, target_values, targets, seen,
                       counts.higher.data_ptr<int64_t>(), counts.tied.data_ptr<int64_t>());
  else
    count_rows<float>(values, first_item, target_values, targets, seen,
                      counts.higher.data_ptr<int64_t>(), counts.tied.data_ptr<int64_t>());
  return counts;
}

RankCounts count_ranks_in_chunk_with_tensor_ops(const torch::Tensor& chunk_scores,
                                                int64_t first_item,
                                                const torch::Tensor& target_scores,
                                                const torch::Tensor& target_ids,
                                                const torch::Tensor& seen_ids) {
  const torch::Tensor masked =
      masked_copy(chunk_scores, first_item, target_ids, seen_ids, /*mask_target=*/true);
  const torch::Tensor t = target_scores.to(masked.scalar_type()).reshape({-1, 1});
  // Masked items are -inf and the target is finite, so they never count as higher or tied.
  return {to_cpu_int64(masked.gt(t).sum(1)), to_cpu_int64(masked.eq(t).sum(1))};
}

RankCounts count_ranks_fused(const torch::Tensor& scores, const torch::Tensor& target_ids,
                             const torch::Tensor& seen_ids) {
  const torch::Tensor targets = target_ids.to(torch::kLong).reshape({-1, 1});
  return count_ranks_in_chunk_fused(scores, 0, scores.gather(1, targets), targets, seen_ids);
}

RankCounts count_ranks_with_tensor_ops(const torch::Tensor& scores, const torch::Tensor& target_ids,
                                       const torch::Tensor& seen_ids) {
  const torch::Tensor targets = target_ids.to(scores.device(), torch::kLong).reshape({-1, 1});
  return count_ranks_in_chunk_with_tensor_ops(scores, 0, scores.gather(1, targets), targets,
                                              seen_ids);
}

torch::Tensor masked_scores(const torch::Tensor& chunk_scores, int64_t first_item,
                            const torch::Tensor& target_ids, const torch::Tensor& seen_ids) {
  return masked_copy(chunk_scores, first_item, target_ids, seen_ids, /*mask_target=*/false);
}

}  // namespace seqrec
