#pragma once
// Per-epoch training checkpoints, so that an interrupted trial resumes where it stopped instead
// of starting over (design §8: nothing finished is lost). A Beauty trial takes one to two hours
// on a laptop-class CPU; a session, a Slurm time limit or a power cut must not cost that again.
//
// A checkpoint holds everything the next epoch depends on: the weights, Adam's moments, the best
// weights so far, the early-stopping counters, the shuffling engine and torch's random states.
// A resumed run on the same device and binary therefore reproduces the uninterrupted run bit for
// bit (tested), and its result.json records where and by which build it was resumed.
#include <torch/torch.h>

#include <random>
#include <string>
#include <vector>

#include "harness/trainer.h"

namespace seqrec {

// The resumable state of the training loop beyond the model and the optimiser.
struct TrainingProgress {
  std::vector<EpochRecord> curve;
  int64_t best_epoch = 0;
  double best_value = -1.0;
  int64_t since_best = 0;
  EvalResult best_valid;  // columns and means only: what result.json reports
  double train_seconds = 0.0;
  double valid_eval_seconds = 0.0;
  std::vector<torch::Tensor> best_weights;  // parameters then buffers, Module order
  std::vector<ResumeRecord> resumes;        // earlier resumptions of this trial
};

struct CheckpointTarget {
  std::string path;   // "" = checkpoints off
  std::string owner;  // the trial id: a checkpoint of another trial is refused
};

// Parameters then buffers, in Module order: the layout of best weights and of checkpoints.
std::vector<torch::Tensor> model_tensors(torch::nn::Module& model);

// Writes the checkpoint atomically (temporary file, then rename), so an interruption while
// writing leaves the previous epoch's checkpoint intact.
void save_checkpoint(const CheckpointTarget& target, torch::nn::Module& model,
                     torch::optim::Optimizer& optimizer, const std::mt19937_64& shuffle_engine,
                     const TrainingProgress& progress, torch::Device device);

// Restores a checkpoint into the model, optimiser, engine, torch's random states and progress.
// Returns false when there is none. Throws InputError naming the file when it belongs to
// another trial or no longer fits the model (a changed architecture): delete it to start over.
bool load_checkpoint(const CheckpointTarget& target, torch::nn::Module& model,
                     torch::optim::Optimizer& optimizer, std::mt19937_64& shuffle_engine,
                     TrainingProgress& progress, torch::Device device);

}  // namespace seqrec
