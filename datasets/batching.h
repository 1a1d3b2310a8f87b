#pragma once
// Turns a split into batches: training samples (design §5: all_positions, last_position,
// cloze) and evaluation requests, each a window of at most max_len most recent items.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "datasets/batch.h"
#include "datasets/split.h"

namespace seqrec {

enum class SampleMode {
  AllPositions,  // one sample per user, loss at every position (SASRec's original)
  LastPosition,  // every prefix is a sample, loss at its end (RecBole's)
  Cloze,         // one sample per user; the model masks items itself (BERT4Rec)
};
SampleMode parse_sample_mode(const std::string& name);  // InputError on unknown names
std::string to_string(SampleMode mode);

// A training sample: input = training items [end - window, end) of `user`, where window is
// min(end, max_len); targets depend on the mode.
struct TrainingSample {
  int32_t user;
  int32_t end;
};

class TrainingBatcher {
 public:
  TrainingBatcher(const LeaveOneOutSplit& split, SampleMode mode, int64_t max_len);
  int64_t num_samples() const { return static_cast<int64_t>(samples_.size()); }
  // Sample order for one epoch, shuffled by `rng`.
  std::vector<int32_t> epoch_order(std::mt19937_64& rng) const;
  // An epoch order whose batches hold inputs of similar length, so less compute goes to
  // padding: the shuffled order is cut into windows of 64 batches, each window is sorted by
  // input length and cut into batches of `batch_size`, and those batches are shuffled (a short
  // last batch stays last, where the trainer expects it). Batches are no longer i.i.d. samples
  // of the data, which is why this is an option and recorded.
  std::vector<int32_t> length_bucketed_order(std::mt19937_64& rng, int64_t batch_size) const;
  Batch make_batch(const std::vector<int32_t>& order, size_t begin, size_t end) const;

 private:
  const LeaveOneOutSplit& split_;
  SampleMode mode_;
  int64_t max_len_;
  std::vector<TrainingSample> samples_;
};

enum class EvalStage { Validation, Test };

// Batches of users for evaluation: input = the items before the held-out target (last
// max_len of them), seen = all items before it.
class EvaluationBatcher {
 public:
  EvaluationBatcher(const LeaveOneOutSplit& split, EvalStage stage, int64_t max_len);
  int64_t num_users() const { return split_.num_users(); }
  Batch make_batch(int64_t user_begin, int64_t user_end) const;
  // A batch of the given users, in that order.
  Batch make_batch(const std::vector<int64_t>& users) const;
  // Every user, shortest input first (ties by user index): batches of similar lengths, whose
  // padded attention grids are then small (packed evaluation).
  std::vector<int64_t> users_by_input_length() const;
  // The given users (ascending index) in that order.
  std::vector<int64_t> users_by_input_length(std::vector<int64_t> users) const;

 private:
  const LeaveOneOutSplit& split_;
  EvalStage stage_;
  int64_t max_len_;
};

}  // namespace seqrec
