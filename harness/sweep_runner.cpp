#include "harness/sweep_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "core/errors.h"
#include "harness/error_text.h"

extern char** environ;

namespace seqrec {
namespace fs = std::filesystem;
using nlohmann::json;

std::string trial_dir(const SweepSpec& spec, const SweepTrial& trial) {
  return (fs::path(spec.out) / trial.id).string();
}

TrialState trial_state(const SweepSpec& spec, const SweepTrial& trial) {
  const std::string path = trial_dir(spec, trial) + "/result.json";
  std::ifstream in(path);
  if (!in)
    return fs::exists(trial_dir(spec, trial) + "/checkpoint.pt") ? TrialState::Partial
                                                                 : TrialState::Pending;
  try {
    return json::parse(in).value("status", "") == "ok" ? TrialState::Done : TrialState::Failed;
  } catch (const json::exception&) {
    return TrialState::Pending;  // cannot happen with atomic writes; redo rather than trust it
  }
}

namespace {

std::string describe(const SweepTrial& t) {
  std::string keys;
  for (auto it = t.keys.begin(); it != t.keys.end(); ++it)
    keys += (keys.empty() ? "" : " ") + it.key() + "=" + it.value().dump();
  return t.model + (t.variant.empty() ? "" : "[" + t.variant + "]") + " on " + t.dataset +
         " seed " + std::to_string(t.seed) + (keys.empty() ? "" : " (" + keys + ")");
}

std::string clock_text(double seconds) {
  char buf[32];
  const auto s = static_cast<long long>(seconds);
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  return buf;
}

// Holds the trial's lock for its lifetime; the kernel drops it if the process dies.
class TrialLock {
 public:
  TrialLock(const SweepSpec& spec, const SweepTrial& trial) {
    const fs::path dir = fs::path(spec.out) / ".locks";
    fs::create_directories(dir);
    fd_ = ::open((dir / (trial.id + ".lock")).c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    held_ = fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
  }
  ~TrialLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool held() const { return held_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

struct Progress {
  int64_t total = 0, finished = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double trial_seconds = 0.0;  // of trials run by this invocation
  int64_t trials_run = 0;

  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::string eta(int64_t remaining, int jobs) const {
    if (trials_run == 0) return "?";
    return clock_text(trial_seconds / trials_run * remaining / std::max(1, jobs));
  }
};

void write_failed_result(const SweepSpec& spec, const SweepTrial& trial,
                         const std::string& reason) {
  const std::string dir = trial_dir(spec, trial);
  fs::create_directories(dir);
  json result = {{"trial_id", trial.id},
                 {"status", "failed"},
                 {"failure", reason},
                 {"model", trial.model},
                 {"dataset", {{"name", trial.dataset}}},
                 {"variant", trial.variant},
                 {"sweep", spec.name},
                 {"seed", trial.seed},
                 {"keys", trial.keys}};
  write_file_atomic(dir + "/result.json", result.dump(2) + "\n");
}

class DataCache {
 public:
  const Dataset& get(const std::string& dataset, const PreprocessOptions& filter,
                     const std::string& filter_key) {
    const std::string key = dataset + "|" + filter_key;
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, load_dataset(dataset, filter)).first;
    return it->second;
  }

 private:
  std::map<std::string, Dataset> cache_;
};

// What an interrupted attempt left in the folder is removed, except its checkpoint: the
// trial resumes from that epoch instead of repeating hours of training.
void clear_interrupted_attempt(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() == "checkpoint.pt") continue;
    fs::remove_all(entry.path(), ec);
  }
}

// Runs one trial in this process. Returns false when another process holds it.
bool run_in_process(const SweepSpec& spec, const SweepTrial& trial, const SweepRunOptions& o,
                    int threads, DataCache& cache,
                    const std::function<void(const std::string&)>& log) {
  TrialLock lock(spec, trial);
  if (!lock.held()) return false;
  if (trial_state(spec, trial) == TrialState::Done ||
      (trial_state(spec, trial) == TrialState::Failed && !o.retry_failed))
    return true;
  clear_interrupted_attempt(trial_dir(spec, trial));
  try {
    TrialSetup setup = sweep_trial_setup(spec, trial, threads, o.device);
    const Dataset& data =
        cache.get(trial.dataset, setup.protocol.filter, setup.protocol.to_json()["filter"].dump());
    TrialOptions options;
    options.out_root = spec.out;
    options.variant = trial.variant;
    options.preset = spec.preset;
    options.reproduces = trial.reproduces;
    options.sweep = spec.name;
    options.command = "seqrec sweep " + spec.path + " --trial " + std::to_string(trial.index);
    options.log = log;
    run_trial(setup, data, options);
  } catch (const std::exception& e) {
    // Bad input for this trial (a model needing timestamps, say) fails the trial, not the sweep.
    log("trial failed: " + error_text(e));
    write_failed_result(spec, trial, error_text(e));
  }
  return true;
}

pid_t spawn_child(const SweepRunOptions& o, const SweepSpec& spec, const SweepTrial& trial,
                  int threads) {
  const fs::path logs = fs::path(spec.out) / ".logs";
  fs::create_directories(logs);
  const std::string log_path = (logs / (std::to_string(trial.index) + ".log")).string();
  std::vector<std::string> args{o.executable,
                                "sweep",
                                spec.path,
                                "--trial",
                                std::to_string(trial.index),
                                "--threads",
                                std::to_string(threads),
                                "--device",
                                o.device};
  if (o.retry_failed) args.push_back("--retry-failed");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, o.executable.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw std::runtime_error("cannot start " + o.executable + " for trial " +
                             std::to_string(trial.index));
  return pid;
}

std::string outcome_text(const SweepSpec& spec, const SweepTrial& trial) {
  std::ifstream in(trial_dir(spec, trial) + "/result.json");
  if (!in) return "no result (interrupted?)";
  json r = json::parse(in, nullptr, false);
  if (r.is_discarded()) return "unreadable result";
  if (r.value("status", "") != "ok") return "FAILED: " + r.value("failure", std::string("?"));
  const std::string metric = r["protocol"].value("valid_metric", "NDCG@10");
  char buf[128];
  std::snprintf(buf, sizeof buf, "valid %s %.4f, test %.4f", metric.c_str(),
                r["metrics"]["valid"].value(metric, 0.0), r["metrics"]["test"].value(metric, 0.0));
  return buf;
}

// The newest progress line of a --jobs child ("epoch 7/40 loss ... (best ...)").
std::string last_epoch_line(const SweepSpec& spec, const SweepTrial& trial) {
  std::ifstream in(
      (fs::path(spec.out) / ".logs" / (std::to_string(trial.index) + ".log")).string());
  std::string line, last = "starting";
  while (std::getline(in, line))
    if (line.find("epoch") != std::string::npos) last = line.substr(line.find("epoch"));
  return last;
}

// The bookkeeping of one `seqrec sweep` invocation: counts, and the progress lines.
struct SweepRun {
  const SweepSpec& spec;
  const SweepRunOptions& o;
  SweepSummary summary;
  Progress progress;

  void finished(const SweepTrial& t, double seconds) {
    ++summary.ran;
    ++progress.finished;
    ++progress.trials_run;
    progress.trial_seconds += seconds;
    const int64_t remaining = summary.total - progress.finished;
    std::cerr << "[" << progress.finished << "/" << progress.total << "] trial " << t.index << " "
              << describe(t) << ": " << outcome_text(spec, t) << "  (elapsed "
              << clock_text(progress.elapsed()) << ", remaining ~"
              << progress.eta(remaining, o.jobs) << ")\n";
    if (trial_state(spec, t) == TrialState::Failed) ++summary.failed;
  }
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One trial after another in this process, sharing loaded datasets.
void run_serially(SweepRun& run, const std::vector<const SweepTrial*>& todo) {
  DataCache cache;
  for (const SweepTrial* t : todo) {
    const std::string counter = "[" + std::to_string(run.progress.finished + 1) + "/" +
                                std::to_string(run.progress.total) + "] ";
    std::cerr << counter << "start trial " << t->index << " " << describe(*t) << "\n";
    const auto start = std::chrono::steady_clock::now();
    const std::string prefix = "  " + counter;
    if (!run_in_process(run.spec, *t, run.o, run.o.threads, cache,
                        [&](const std::string& line) { std::cerr << prefix << line << "\n"; })) {
      ++run.summary.busy;
      std::cerr << prefix << "trial " << t->index << " is running in another process; skipped\n";
      continue;
    }
    run.finished(*t, seconds_since(start));
  }
}

// A child that died before recording its trial (killed, out of memory) failed it too; the
// trial stays pending and a rerun resumes it from its checkpoint. (Exit 0 without a result:
// the trial was busy in another sweep process.)
void count_child_death(SweepRun& run, const SweepTrial& t, int status) {
  const TrialState state = trial_state(run.spec, t);
  const bool exited_cleanly = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (state == TrialState::Done || state == TrialState::Failed || exited_cleanly) return;
  ++run.summary.failed;
  std::cerr << "  trial " << t.index << ": its process "
            << (WIFSIGNALED(status) ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                    : "exited with " + std::to_string(WEXITSTATUS(status)))
            << " before recording a result (log: " << run.spec.out << "/.logs/" << t.index
            << ".log)\n";
}

// --jobs N: child processes, each `seqrec sweep SPEC --trial K` with threads / N threads.
void run_in_children(SweepRun& run, const std::vector<const SweepTrial*>& todo) {
  const int child_threads = std::max(1, run.o.threads / run.o.jobs);
  std::map<pid_t, std::pair<const SweepTrial*, std::chrono::steady_clock::time_point>> running;
  size_t next = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && static_cast<int>(running.size()) < run.o.jobs) {
      const SweepTrial* t = todo[next++];
      running[spawn_child(run.o, run.spec, *t, child_threads)] = {t,
                                                                  std::chrono::steady_clock::now()};
      std::cerr << "start trial " << t->index << " " << describe(*t) << " (log: " << run.spec.out
                << "/.logs/" << t->index << ".log)\n";
    }
    int status = 0;
    pid_t pid = 0;
    // Poll, so the running trials' progress can be shown while they train.
    auto last_report = std::chrono::steady_clock::now();
    while ((pid = ::waitpid(-1, &status, WNOHANG)) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (std::chrono::steady_clock::now() - last_report > std::chrono::seconds(30)) {
        last_report = std::chrono::steady_clock::now();
        for (const auto& [child, entry] : running)
          std::cerr << "  running trial " << entry.first->index << ": "
                    << last_epoch_line(run.spec, *entry.first) << "\n";
      }
    }
    if (pid < 0) break;
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const auto [t, start] = it->second;
    running.erase(it);
    run.finished(*t, seconds_since(start));
    count_child_death(run, *t, status);
  }
}

}  // namespace

SweepSummary run_sweep(const SweepSpec& spec, const SweepRunOptions& o) {
  SweepRun run{spec, o, {}, {}};
  std::vector<const SweepTrial*> todo;
  for (const auto& t : spec.trials) {
    if (o.only_trial >= 0 && t.index != o.only_trial) continue;
    ++run.summary.total;
    const TrialState state = trial_state(spec, t);
    if (state == TrialState::Done || (state == TrialState::Failed && !o.retry_failed))
      ++run.summary.skipped;
    else
      todo.push_back(&t);
  }
  if (o.only_trial >= 0 && run.summary.total == 0)
    throw InputError("--trial " + std::to_string(o.only_trial) + ": the sweep has trials 0.." +
                     std::to_string(spec.trials.size() - 1));
  run.progress.total = run.summary.total;
  run.progress.finished = run.summary.skipped;
  if (run.summary.skipped > 0 && o.only_trial < 0)
    std::cerr << "sweep " << spec.name << ": " << run.summary.skipped << " of " << run.summary.total
              << " trials already finished, " << todo.size() << " to run\n";
  if (o.jobs <= 1 || todo.size() <= 1)
    run_serially(run, todo);
  else
    run_in_children(run, todo);
  return run.summary;
}

std::string write_slurm_scripts(const SweepSpec& spec, const std::string& executable,
                                int cpus_per_task) {
  const fs::path dir = fs::path(spec.out) / "slurm";
  fs::create_directories(dir);
  const std::string spec_path = fs::absolute(spec.path).string();
  const std::string cwd = fs::current_path().string();
  const int64_t last = static_cast<int64_t>(spec.trials.size()) - 1;
  std::ostringstream sweep;
  sweep << "#!/bin/bash\n"
        << "# Array job: one task per trial of sweep '" << spec.name << "' (" << spec.trials.size()
        << " trials). Finished trials are skipped, so resubmitting resumes.\n"
        << "#SBATCH --job-name=seqrec-" << spec.name << "\n"
        << "#SBATCH --array=0-" << last << "\n"
        << "#SBATCH --cpus-per-task=" << cpus_per_task << "\n"
        << "#SBATCH --output=" << (dir / "trial-%a.log").string() << "\n"
        << "set -euo pipefail\n"
        << "cd '" << cwd << "'\n"
        << "exec '" << executable << "' sweep '" << spec_path
        << "' --trial \"$SLURM_ARRAY_TASK_ID\" --threads \"${SLURM_CPUS_PER_TASK:-" << cpus_per_task
        << "}\"\n";
  std::ostringstream report;
  report << "#!/bin/bash\n"
         << "# Aggregation after the array: tables and plots of every finished trial.\n"
         << "#SBATCH --job-name=seqrec-" << spec.name << "-report\n"
         << "#SBATCH --cpus-per-task=1\n"
         << "#SBATCH --output=" << (dir / "report.log").string() << "\n"
         << "set -euo pipefail\n"
         << "cd '" << cwd << "'\n"
         << "exec '" << executable << "' report '" << spec.out << "' --plots\n";
  std::ostringstream submit;
  submit << "#!/bin/bash\n"
         << "# Submits the trial array, then the report job to run after it (afterany: a failed\n"
         << "# trial must not block the report; it is listed there as failed).\n"
         << "set -euo pipefail\n"
         << "array=$(sbatch --parsable '" << (dir / "sweep.sbatch").string() << "')\n"
         << "array=${array%%;*}\n"
         << "report=$(sbatch --parsable --dependency=afterany:$array '"
         << (dir / "report.sbatch").string() << "')\n"
         << "echo \"submitted array job $array and report job ${report%%;*}\"\n";
  write_file_atomic((dir / "sweep.sbatch").string(), sweep.str());
  write_file_atomic((dir / "report.sbatch").string(), report.str());
  write_file_atomic((dir / "submit.sh").string(), submit.str());
  fs::permissions(dir / "submit.sh", fs::perms::owner_exec, fs::perm_options::add);
  return (dir / "submit.sh").string();
}

}  // namespace seqrec
