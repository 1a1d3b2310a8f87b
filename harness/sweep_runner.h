#pragma once
// Runs an expanded sweep with resume (design §8): a trial whose folder holds result.json is
// finished and skipped; anything else is redone from the start. A per-trial lock (flock,
// released by the kernel even on SIGKILL) keeps two processes - --jobs children, Slurm array
// tasks - from running the same trial at once.
#include <string>

#include "harness/sweep_spec.h"

namespace seqrec {

struct SweepRunOptions {
  int jobs = 1;     // trials at once, each in its own process
  int threads = 1;  // total intra-op threads, divided between the jobs
  std::string device = "cpu";
  int64_t only_trial = -1;  // run just this index (array jobs); -1 = all
  bool retry_failed = false;
  std::string executable;  // this binary, for --jobs children
};

// Partial: not finished, but a checkpoint holds finished epochs that a rerun resumes from.
enum class TrialState { Pending, Partial, Done, Failed };
TrialState trial_state(const SweepSpec& spec, const SweepTrial& trial);
std::string trial_dir(const SweepSpec& spec, const SweepTrial& trial);

struct SweepSummary {
  int64_t total = 0, skipped = 0, ran = 0, failed = 0, busy = 0;
};

SweepSummary run_sweep(const SweepSpec& spec, const SweepRunOptions& options);

// Writes OUT/slurm/{sweep.sbatch,report.sbatch,submit.sh}: an array job over every trial
// (each task runs `seqrec sweep SPEC --trial $SLURM_ARRAY_TASK_ID`) and a report job that
// starts after the array. Returns the path of submit.sh.
std::string write_slurm_scripts(const SweepSpec& spec, const std::string& executable,
                                int cpus_per_task);

}  // namespace seqrec
