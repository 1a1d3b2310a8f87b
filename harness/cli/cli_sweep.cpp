// `seqrec sweep SPEC`: expand, list, run (resumable, parallel), or hand to Slurm.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "core/errors.h"
#include "harness/cli/cli_commands.h"
#include "harness/sweep_runner.h"

namespace seqrec {
namespace {

struct SweepOptions {
  std::string spec;
  bool list = false;
  int jobs = 1;
  int64_t trial = -1;
  bool slurm = false;
  bool retry_failed = false;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string device = "cpu";
};

std::string this_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot locate the seqrec executable (/proc/self/exe)");
  return p.string();
}

const char* state_name(TrialState s) {
  switch (s) {
    case TrialState::Done:
      return "done";
    case TrialState::Failed:
      return "failed";
    case TrialState::Pending:
      return "pending";
    case TrialState::Partial:
      return "partial";
  }
  return "?";
}

void print_list(const SweepSpec& spec) {
  std::printf("sweep %s: %zu trials -> %s\n", spec.name.c_str(), spec.trials.size(),
              spec.out.c_str());
  // Columns as wide as their longest entry, so long dataset paths and variant names line up.
  int dataset_width = 10, model_width = 10, variant_width = 12;
  for (const auto& t : spec.trials) {
    dataset_width = std::max(dataset_width, static_cast<int>(t.dataset.size()));
    model_width = std::max(model_width, static_cast<int>(t.model.size()));
    variant_width = std::max(variant_width, static_cast<int>(t.variant.size()));
  }
  std::printf("%5s  %-16s  %-7s  %-*s  %-*s  %-*s  %6s  %s\n", "trial", "id", "state",
              dataset_width, "dataset", model_width, "model", variant_width, "variant", "seed",
              "keys");
  for (const auto& t : spec.trials)
    std::printf("%5lld  %-16s  %-7s  %-*s  %-*s  %-*s  %6llu  %s\n",
                static_cast<long long>(t.index), t.id.c_str(), state_name(trial_state(spec, t)),
                dataset_width, t.dataset.c_str(), model_width, t.model.c_str(), variant_width,
                t.variant.empty() ? "-" : t.variant.c_str(),
                static_cast<unsigned long long>(t.seed), t.keys.dump().c_str());
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto o = std::make_shared<SweepOptions>();
  auto* cmd = app.add_subcommand(
      "sweep",
      "Run a sweep spec (JSON; see experiments/README.md): every trial of its grid or random "
      "space, variants and seeds, in a fixed order. Finished trials are skipped (resume); an "
      "interrupted one is redone; a failed one is recorded and the sweep goes on. Exit code 3 "
      "when a trial run by this command failed (so a Slurm array task or a CI job sees it), "
      "2 on bad input.");
  cmd->add_option("spec", o->spec, "sweep specification (JSON file)")->required();
  cmd->add_flag("--list", o->list, "print the expanded trials (index, id, state) and exit");
  cmd->add_option("-j,--jobs", o->jobs, "trials at once, each in its own process")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--trial", o->trial, "run only trial K (0-based; for scheduler array jobs)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  cmd->add_flag("--slurm", o->slurm,
                "write OUT/slurm/{sweep.sbatch,report.sbatch,submit.sh} (array over the trials, "
                "then the report) and exit");
  cmd->add_flag("--retry-failed", o->retry_failed, "run failed trials again (default: keep them)");
  cmd->add_option("-t,--threads", o->threads,
                  "intra-op threads in total, divided between --jobs (default: all cores)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--device", o->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->callback([o] {
    const SweepSpec spec = load_sweep_spec(o->spec);
    if (o->list) {
      print_list(spec);
      return;
    }
    if (o->slurm) {
      const auto submit = write_slurm_scripts(spec, this_executable(), o->threads);
      std::printf("wrote %s (run it to submit %zu array tasks and the report job)\n",
                  submit.c_str(), spec.trials.size());
      return;
    }
    SweepRunOptions run;
    run.jobs = o->jobs;
    run.threads = o->threads;
    run.device = o->device;
    run.only_trial = o->trial;
    run.retry_failed = o->retry_failed;
    run.executable = this_executable();
    const SweepSummary s = run_sweep(spec, run);
    if (o->trial < 0)
      std::printf(
          "sweep %s: %lld trials, %lld already finished, %lld run now (%lld failed), "
          "%lld busy elsewhere -> %s\n",
          spec.name.c_str(), static_cast<long long>(s.total), static_cast<long long>(s.skipped),
          static_cast<long long>(s.ran), static_cast<long long>(s.failed),
          static_cast<long long>(s.busy), spec.out.c_str());
    if (s.failed > 0) {
      std::fprintf(stderr,
                   "sweep %s: %lld trial(s) failed in this run; see each failed "
                   "trial's result.json (`seqrec report` lists them)\n",
                   spec.name.c_str(), static_cast<long long>(s.failed));
      throw CommandExitStatus{kExitSomeFailed};
    }
  });
}

}  // namespace seqrec
