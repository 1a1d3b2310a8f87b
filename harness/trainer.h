#pragma once
// Training loop (design §6): Adam, early stopping on the validation metric with patience,
// best-validation weights restored before the single test evaluation.
#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/params.h"
#include "datasets/batching.h"
#include "datasets/held_out_users.h"
#include "harness/evaluator.h"
#include "harness/precision.h"
#include "harness/protocol.h"
#include "models/layers/kernel_choice.h"
#include "models/sequential_recommender.h"

namespace seqrec {

struct TrainerConfig {
  double lr = 1e-3;
  double weight_decay = 0.0;
  double adam_beta1 = 0.9, adam_beta2 = 0.999, adam_eps = 1e-8;
  int64_t batch_size = 128;
  int64_t epochs = 200;
  int64_t patience = 10;
  int64_t eval_batch_size = 512;
  int64_t eval_chunk_items = int64_t{1} << 17;  // larger catalogues are ranked in chunks
  double grad_clip = 0.0;                       // max global gradient norm; 0 = off
  SampleMode sample_mode = SampleMode::AllPositions;
  bool length_bucketed = false;              // batch order: shuffled (false) or length-bucketed
  Precision precision = Precision::Float32;  // of the training steps; evaluation is float32
  KernelChoice kernels;  // dropout sampler and CE implementation of the training steps
  // Position-wise layers on the real tokens only (batches carry a TokenLayout), or on the
  // padded grid, the reference every trial before the key was recorded with.
  bool packed = false;
};

// Trainer keys as a schema (defaults documented there); models override defaults through
// ModelInfo::trainer_defaults.
ParamSchema trainer_schema();
TrainerConfig trainer_config_from_params(const Params& params);

struct EpochRecord {
  int64_t epoch = 0;
  double train_loss = 0.0;
  std::map<std::string, double> loss_parts;  // mean over batches
  double valid_value = 0.0;                  // the protocol's valid_metric
  double train_seconds = 0.0;
  double eval_seconds = 0.0;
};

// A trial resumed from a checkpoint: after `epoch` finished epochs, written by one build and
// continued by another (the same one unless the code changed in between), each on the BLAS
// kernels named (harness/machine.h; "?" in checkpoints older than the field). Where builds and
// kernels agree, the resumed trial equals an uninterrupted one bit for bit.
struct ResumeRecord {
  int64_t epoch = 0;
  std::string written_by;
  std::string resumed_by;
  std::string written_on;
  std::string resumed_on;
};

struct TrainingOutcome {
  std::string status = "ok";  // ok | failed
  std::string failure;        // reason when failed
  std::vector<EpochRecord> curve;
  int64_t best_epoch = 0;  // 0 = untrained model (Pop) or failed
  EvalResult valid, test;
  double train_seconds = 0.0;       // all epochs, training steps only
  double valid_eval_seconds = 0.0;  // all validation passes
  double test_eval_seconds = 0.0;
  std::vector<ResumeRecord> resumes;  // empty for a trial trained in one go
};

class Trainer {
 public:
  using Logger = std::function<void(const std::string&)>;
  Trainer(SequentialRecommender model, const LeaveOneOutSplit& split, const Protocol& protocol,
          const TrainerConfig& config, torch::Device device, uint64_t seed, Logger log);

  // Checkpoint after every epoch to `path` and resume from it when it exists; `owner` (the
  // trial id) guards against resuming another trial's checkpoint. Off unless called.
  void enable_checkpoints(std::string path, std::string owner);

  TrainingOutcome run(int dump_top_k = 0);
  EvalResult evaluate(EvalStage stage, int dump_top_k = 0);

 private:
  // One pass over the training samples; returns mean loss and parts. Throws on NaN loss.
  EpochRecord train_epoch(torch::optim::Optimizer& optimizer, TrainingBatcher& batcher,
                          std::mt19937_64& rng);

  SequentialRecommender model_;
  const LeaveOneOutSplit& split_;
  Protocol protocol_;
  TrainerConfig config_;
  torch::Device device_;
  uint64_t seed_;
  Logger log_;
  std::string checkpoint_path_, checkpoint_owner_;
  // The users each stage evaluates, computed at its first pass (validation runs every epoch).
  std::map<EvalStage, HeldOutUsers> held_out_;
};

}  // namespace seqrec
