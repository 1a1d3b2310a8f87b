#include "datasets/batching.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/errors.h"

namespace seqrec {

SampleMode parse_sample_mode(const std::string& name) {
  if (name == "all_positions") return SampleMode::AllPositions;
  if (name == "last_position") return SampleMode::LastPosition;
  if (name == "cloze") return SampleMode::Cloze;
  throw InputError("unknown training-sample mode '" + name +
                   "'; accepted: all_positions, last_position, cloze");
}

std::string to_string(SampleMode mode) {
  switch (mode) {
    case SampleMode::AllPositions:
      return "all_positions";
    case SampleMode::LastPosition:
      return "last_position";
    case SampleMode::Cloze:
      return "cloze";
  }
  return "?";
}

namespace {

// Fills the right-padded item (and timestamp) rows of a batch from windows of sequences.
struct WindowWriter {
  int64_t rows, width;
  bool with_time;
  std::vector<int64_t> items, lengths, users;
  std::vector<double> times;

  WindowWriter(int64_t rows_, int64_t width_, bool with_time_)
      : rows(rows_),
        width(width_),
        with_time(with_time_),
        items(rows_ * width_, 0),
        lengths(rows_, 0),
        users(rows_, 0),
        times(with_time_ ? rows_ * width_ : 0, 0.0) {}

  void write(int64_t row, const Dataset& data, int64_t user, int64_t begin, int64_t end) {
    const auto& seq = data.sequences[user];
    std::copy(seq.begin() + begin, seq.begin() + end, items.begin() + row * width);
    if (with_time) {
      const auto& ts = data.timestamps[user];
      std::copy(ts.begin() + begin, ts.begin() + end, times.begin() + row * width);
    }
    lengths[row] = end - begin;
    users[row] = user;
  }

  void fill(Batch& b) const {
    auto i64 = torch::TensorOptions().dtype(torch::kInt64);
    b.items = torch::tensor(items, i64).view({rows, width});
    b.lengths = torch::tensor(lengths, i64);
    b.users = torch::tensor(users, i64);
    if (with_time)
      b.timestamps =
          torch::tensor(times, torch::TensorOptions().dtype(torch::kFloat64)).view({rows, width});
  }
};

}  // namespace

TrainingBatcher::TrainingBatcher(const LeaveOneOutSplit& split, SampleMode mode, int64_t max_len)
    : split_(split), mode_(mode), max_len_(max_len) {
  for (int64_t u = 0; u < split.num_users(); ++u) {
    const int64_t n = split.train_length[u];
    if (n < 2) continue;  // needs at least one input item and one target
    if (mode == SampleMode::LastPosition) {
      for (int64_t end = 1; end < n; ++end)
        samples_.push_back({static_cast<int32_t>(u), static_cast<int32_t>(end)});
    } else if (mode == SampleMode::AllPositions) {
      samples_.push_back({static_cast<int32_t>(u), static_cast<int32_t>(n - 1)});
    } else {  // Cloze: the whole window is the input; the model masks and predicts items.
      samples_.push_back({static_cast<int32_t>(u), static_cast<int32_t>(n)});
    }
  }
  if (samples_.empty())
    throw InputError(split.data->name +
                     ": no training samples (every training sequence has "
                     "fewer than 2 items)");
}

namespace {

// Fisher-Yates with our own index draw: std::shuffle's use of the engine is not specified,
// and the order must be identical across standard libraries for a given seed.
template <typename T>
void shuffle_in_place(std::vector<T>& values, std::mt19937_64& rng) {
  for (size_t i = values.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(rng() % i);
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace

std::vector<int32_t> TrainingBatcher::epoch_order(std::mt19937_64& rng) const {
  std::vector<int32_t> order(samples_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  shuffle_in_place(order, rng);
  return order;
}

std::vector<int32_t> TrainingBatcher::length_bucketed_order(std::mt19937_64& rng,
                                                            int64_t batch_size) const {
  if (batch_size < 1) throw std::invalid_argument("length_bucketed_order: batch_size < 1");
  constexpr size_t kBatchesPerWindow = 64;
  const auto batch = static_cast<size_t>(batch_size);
  std::vector<int32_t> order = epoch_order(rng);
  auto input_length = [&](int32_t sample) {
    return std::min<int64_t>(samples_[static_cast<size_t>(sample)].end, max_len_);
  };
  const size_t window = batch * kBatchesPerWindow;
  for (size_t begin = 0; begin < order.size(); begin += window) {
    const auto end =
        order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), begin + window));
    std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(begin), end,
                     [&](int32_t a, int32_t b) { return input_length(a) < input_length(b); });
  }
  // Whole batches are shuffled as units; a short one (always the last) stays in place.
  const size_t full_batches = order.size() / batch;
  std::vector<size_t> batches(full_batches);
  for (size_t i = 0; i < full_batches; ++i) batches[i] = i;
  shuffle_in_place(batches, rng);
  std::vector<int32_t> bucketed;
  bucketed.reserve(order.size());
  for (size_t b : batches)
    bucketed.insert(bucketed.end(), order.begin() + static_cast<std::ptrdiff_t>(b * batch),
                    order.begin() + static_cast<std::ptrdiff_t>((b + 1) * batch));
  bucketed.insert(bucketed.end(), order.begin() + static_cast<std::ptrdiff_t>(full_batches * batch),
                  order.end());
  return bucketed;
}

Batch TrainingBatcher::make_batch(const std::vector<int32_t>& order, size_t begin,
                                  size_t end) const {
  const Dataset& data = *split_.data;
  const auto rows = static_cast<int64_t>(end - begin);
  auto window_begin = [&](const TrainingSample& s) {
    return std::max<int64_t>(0, s.end - max_len_);
  };
  int64_t width = 1;
  for (size_t i = begin; i < end; ++i) {
    const auto& s = samples_[order[i]];
    width = std::max<int64_t>(width, s.end - window_begin(s));
  }
  WindowWriter writer(rows, width, data.has_timestamps());
  std::vector<int64_t> targets(rows * width, 0);
  for (int64_t r = 0; r < rows; ++r) {
    const auto& s = samples_[order[begin + r]];
    const int64_t b = window_begin(s);
    writer.write(r, data, s.user, b, s.end);
    const auto& seq = data.sequences[s.user];
    const int64_t len = s.end - b;
    if (mode_ == SampleMode::AllPositions) {
      std::copy(seq.begin() + b + 1, seq.begin() + s.end + 1, targets.begin() + r * width);
    } else if (mode_ == SampleMode::LastPosition) {
      targets[r * width + len - 1] = seq[s.end];
    } else {  // Cloze: targets are the inputs themselves; the model decides what to mask.
      std::copy(seq.begin() + b, seq.begin() + s.end, targets.begin() + r * width);
    }
  }
  Batch batch;
  writer.fill(batch);
  batch.targets =
      torch::tensor(targets, torch::TensorOptions().dtype(torch::kInt64)).view({rows, width});
  return batch;
}

namespace {

// The end of user u's input for `stage`: the training items, plus the validation item at test.
int64_t history_end(const LeaveOneOutSplit& split, EvalStage stage, int64_t u) {
  return split.train_length[u] + (stage == EvalStage::Test ? 1 : 0);
}

}  // namespace

EvaluationBatcher::EvaluationBatcher(const LeaveOneOutSplit& split, EvalStage stage,
                                     int64_t max_len)
    : split_(split), stage_(stage), max_len_(max_len) {}

Batch EvaluationBatcher::make_batch(int64_t user_begin, int64_t user_end) const {
  std::vector<int64_t> users(static_cast<size_t>(user_end - user_begin));
  std::iota(users.begin(), users.end(), user_begin);
  return make_batch(users);
}

Batch EvaluationBatcher::make_batch(const std::vector<int64_t>& users) const {
  const Dataset& data = *split_.data;
  const auto rows = static_cast<int64_t>(users.size());
  auto history_end = [&](int64_t u) { return seqrec::history_end(split_, stage_, u); };
  int64_t width = 1, seen_width = 1;
  for (const int64_t u : users) {
    width = std::max(width, std::min(history_end(u), max_len_));
    seen_width = std::max(seen_width, history_end(u));
  }
  WindowWriter writer(rows, width, data.has_timestamps());
  std::vector<int64_t> targets(rows), seen(rows * seen_width, 0);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t u = users[static_cast<size_t>(r)];
    const int64_t e = history_end(u);
    writer.write(r, data, u, std::max<int64_t>(0, e - max_len_), e);
    const auto& seq = data.sequences[u];
    targets[r] = seq[e];
    std::copy(seq.begin(), seq.begin() + e, seen.begin() + r * seen_width);
  }
  Batch batch;
  writer.fill(batch);
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  batch.eval_targets = torch::tensor(targets, i64);
  batch.seen = torch::tensor(seen, i64).view({rows, seen_width});
  return batch;
}

std::vector<int64_t> EvaluationBatcher::users_by_input_length() const {
  std::vector<int64_t> users(static_cast<size_t>(num_users()));
  std::iota(users.begin(), users.end(), 0);
  return users_by_input_length(std::move(users));
}

std::vector<int64_t> EvaluationBatcher::users_by_input_length(std::vector<int64_t> users) const {
  auto length = [&](int64_t u) { return std::min(history_end(split_, stage_, u), max_len_); };
  std::stable_sort(users.begin(), users.end(),
                   [&](int64_t a, int64_t b) { return length(a) < length(b); });
  return users;
}

}  // namespace seqrec
