#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/errors.h"
#include "datasets/synthetic.h"
#include "harness/shared_keys.h"
#include "harness/sweep_runner.h"
#include "harness/sweep_spec.h"
#include "test_support.h"

using namespace seqrec;
using namespace seqrec::testing;
namespace fs = std::filesystem;
using nlohmann::json;

extern char** environ;

namespace {

std::string tiny_synth(const ScratchDir& dir) {
  SyntheticOptions o;
  o.users = 120;
  o.items = 60;
  o.max_len = 12;
  o.seed = 3;
  write_synthetic_dataset(dir.file("synth"), "synth", o);
  return dir.file("synth");
}

std::string write_spec(const ScratchDir& dir, const json& spec) {
  return dir.write("spec.json", spec.dump(2));
}

json example_spec(const std::string& data, const std::string& out, int epochs = 2) {
  return {{"name", "t"},
          {"out", out},
          {"datasets", {data}},
          {"seeds", {1, 2}},
          {"base", {{"epochs", epochs}, {"patience", 50}, {"hidden", 16}}},
          {"models",
           {{{"model", "pop"}},
            {{"model", "sasrec"},
             {"set", {{"loss", "ce"}}},
             {"grid", {{"layers", {1, 2}}}},
             {"variants", {{"no_dropout", {{"dropout", 0.0}}}}}}}}};
}

int count_results(const SweepSpec& spec) {
  int n = 0;
  for (const auto& t : spec.trials) n += fs::exists(trial_dir(spec, t) + "/result.json");
  return n;
}

bool spec_error_mentions(const json& spec, const std::string& fragment) {
  ScratchDir dir;
  try {
    load_sweep_spec(write_spec(dir, spec));
  } catch (const InputError& e) {
    const std::string m = e.what();
    BOOST_TEST_MESSAGE("error: " << m);
    return m.find("spec.json") != std::string::npos && m.find(fragment) != std::string::npos;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sweep)

BOOST_AUTO_TEST_CASE(a_shared_key_goes_to_the_models_declaring_it_or_to_all_when_none_does) {
  // Pop declares only the protocol and trainer keys; SASRec also declares loss.
  const std::vector<std::string> models{"pop", "sasrec"};
  BOOST_TEST(shared_key_applies_to("sasrec", "loss", models));
  BOOST_TEST(!shared_key_applies_to("pop", "loss", models));
  BOOST_TEST(shared_key_applies_to("pop", "epochs", models));
  BOOST_TEST(shared_key_applies_to("sasrec", "epochs", models));
  // Unknown to all: every model gets it, so validation refuses it.
  BOOST_TEST(shared_key_applies_to("pop", "no_such_key", models));
  BOOST_TEST(shared_key_applies_to("sasrec", "no_such_key", models));
  // One model: everything goes to it.
  BOOST_TEST(shared_key_applies_to("pop", "loss", {"pop"}));
}

BOOST_AUTO_TEST_CASE(expansion_order_is_dataset_model_configuration_variant_seed) {
  ScratchDir dir;
  const auto data = tiny_synth(dir);
  const auto spec = load_sweep_spec(write_spec(dir, example_spec(data, dir.file("out"))));
  // pop: 1 config x 2 seeds; sasrec: 2 grid points x (full + 1 variant) x 2 seeds
  BOOST_REQUIRE(spec.trials.size() == 2u + 8u);
  BOOST_TEST(spec.trials[0].model == "pop");
  BOOST_TEST(spec.trials[1].seed == 2u);
  BOOST_TEST(spec.trials[2].model == "sasrec");
  BOOST_TEST(spec.trials[2].keys["layers"] == 1);
  BOOST_TEST(spec.trials[2].variant == "");
  BOOST_TEST(spec.trials[4].variant == "no_dropout");
  BOOST_TEST(spec.trials[6].keys["layers"] == 2);
  BOOST_TEST(spec.trials[9].index == 9);
  BOOST_TEST(!spec.trials[0].keys.contains("loss"));  // base/set keys go only where declared
  BOOST_TEST(spec.trials[0].keys["epochs"] == 2);
}

BOOST_AUTO_TEST_CASE(expansion_is_deterministic_and_ids_are_stable_across_runs) {
  ScratchDir dir;
  const auto data = tiny_synth(dir);
  json j = example_spec(data, dir.file("out"));
  json space = json::object();
  space["lr"] = {{"log_uniform", {1e-4, 1e-2}}};
  space["heads"] = {{"choice", {1, 2}}};
  json random = {{"samples", 3}, {"seed", 5}};
  random["space"] = space;
  json entry = {{"model", "sasrec"}};
  entry["random"] = random;
  j["models"].push_back(entry);
  const auto path = write_spec(dir, j);
  const auto a = load_sweep_spec(path), b = load_sweep_spec(path);
  BOOST_REQUIRE(a.trials.size() == b.trials.size());
  for (size_t i = 0; i < a.trials.size(); ++i) {
    BOOST_TEST(a.trials[i].id == b.trials[i].id);
    BOOST_TEST(a.trials[i].keys.dump() == b.trials[i].keys.dump());
    // the id is the trial's own identity hash, the same one `seqrec train` computes
    BOOST_TEST(a.trials[i].id == sweep_trial_setup(a, a.trials[i], 4, "cpu").id());
  }
  const double lr = a.trials.back().keys["lr"];
  BOOST_TEST((lr >= 1e-4 && lr <= 1e-2));
}

BOOST_AUTO_TEST_CASE(bad_specs_are_errors_naming_file_and_path) {
  ScratchDir dir;
  const auto data = tiny_synth(dir);
  auto spec = [&] { return example_spec(data, dir.file("out")); };
  json j = spec();
  j["models"][1]["model"] = "sasrek";
  BOOST_TEST(spec_error_mentions(j, "models[1].model"));
  j = spec();
  j["models"][1]["grid"] = {{"layerz", {1, 2}}};
  BOOST_TEST(spec_error_mentions(j, "layerz"));
  j = spec();
  j["models"][1]["grid"] = {{"layers", json::array()}};
  BOOST_TEST(spec_error_mentions(j, "models[1].grid.layers"));
  j = spec();
  j["models"][1]["grid"] = {{"layers", {1, "two"}}};
  BOOST_TEST(spec_error_mentions(j, "layers"));
  j = spec();
  j["seeds"] = "1";
  BOOST_TEST(spec_error_mentions(j, "seeds"));
  j = spec();
  j["base"]["epochs"] = 1.5;
  BOOST_TEST(spec_error_mentions(j, "epochs"));
  j = spec();
  j["modelz"] = json::array();
  BOOST_TEST(spec_error_mentions(j, "modelz"));
  j = spec();
  j["models"].push_back({{"model", "pop"}});
  BOOST_TEST(spec_error_mentions(j, "repeats trial"));
}

BOOST_AUTO_TEST_CASE(bad_spec_through_the_cli_exits_2_with_one_line) {
  ScratchDir dir;
  json j = {
      {"name", "x"}, {"datasets", {"ml-100k"}}, {"seeds", {1}}, {"models", {{{"model", "nope"}}}}};
  auto r = run_cli("sweep " + write_spec(dir, j) + " --list");
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.output.rfind("error: ", 0) == 0);
  BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\n') == 1);
}

// --list keeps its columns aligned when a variant name or dataset path is longer than the
// header: every row's seed column ends where the header's does.
BOOST_AUTO_TEST_CASE(list_columns_line_up_with_long_variant_names) {
  ScratchDir dir;
  json j = {{"name", "x"},
            {"datasets", {"ml-100k"}},
            {"seeds", {1}},
            {"models",
             {{{"model", "sasrec"},
               {"variants",
                {{"a_rather_long_variant_name", {{"hidden", 32}}}, {"b", {{"layers", 1}}}}}}}}};
  auto r = run_cli("sweep " + write_spec(dir, j) + " --list");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_code == 0);
  std::istringstream lines(r.output);
  std::string line;
  std::getline(lines, line);  // "sweep x: ..."
  std::vector<size_t> seed_ends;
  while (std::getline(lines, line)) {
    const auto keys = line.find(line.rfind("keys") != std::string::npos ? "  keys" : "  {");
    if (keys != std::string::npos) seed_ends.push_back(keys);
  }
  BOOST_TEST(seed_ends.size() == 4u);  // the header and three trials
  for (const auto end : seed_ends) BOOST_TEST(end == seed_ends.front());
}

BOOST_AUTO_TEST_CASE(sweep_with_a_failed_trial_exits_3_and_a_rerun_that_skips_it_exits_0) {
  for (const std::string jobs : {"1", "2"}) {
    ScratchDir dir;
    json j = example_spec(tiny_synth(dir), dir.file("out"), 1);
    j["datasets"].push_back(dir.file("no-such-dataset"));
    const std::string path = write_spec(dir, j);
    auto first = run_cli("sweep " + path + " --jobs " + jobs + " --threads 2");
    BOOST_TEST_INFO("--jobs " << jobs << ": " << first.output);
    BOOST_TEST(first.exit_code == 3);
    BOOST_TEST(contains(first.output, "failed in this run"));
    // The failed trials are recorded; a rerun without --retry-failed runs nothing and fails
    // nothing.
    auto second = run_cli("sweep " + path + " --jobs " + jobs + " --threads 2");
    BOOST_TEST_INFO(second.output);
    BOOST_TEST(second.exit_code == 0);
  }
}

BOOST_AUTO_TEST_CASE(failed_trials_are_recorded_and_the_sweep_goes_on_and_resume_skips_all) {
  ScratchDir dir;
  const auto data = tiny_synth(dir);
  json j = example_spec(data, dir.file("out"), 1);
  j["datasets"].push_back(dir.file("no-such-dataset"));
  const auto spec = load_sweep_spec(write_spec(dir, j));
  SweepRunOptions o;
  o.executable = SEQREC_BINARY;
  auto first = run_sweep(spec, o);
  BOOST_TEST(first.ran == static_cast<int64_t>(spec.trials.size()));
  BOOST_TEST(first.failed == static_cast<int64_t>(spec.trials.size() / 2));
  for (const auto& t : spec.trials) {
    std::ifstream in(trial_dir(spec, t) + "/result.json");
    const json r = json::parse(in);
    const bool bad = t.dataset.find("no-such") != std::string::npos;
    BOOST_TEST(r["status"] == (bad ? "failed" : "ok"));
    if (bad)
      BOOST_TEST(r["failure"].get<std::string>().find("no-such-dataset") != std::string::npos);
    if (!bad) BOOST_TEST(r["variant"] == t.variant);
  }
  auto second = run_sweep(spec, o);
  BOOST_TEST(second.ran == 0);
  BOOST_TEST(second.skipped == static_cast<int64_t>(spec.trials.size()));
}

BOOST_AUTO_TEST_CASE(resume_after_sigkill_in_the_middle_of_a_trial_runs_every_trial_once) {
  ScratchDir dir;
  const auto data = tiny_synth(dir);
  // Enough epochs that a trial takes a while, so the kill lands inside one.
  const auto path = write_spec(dir, example_spec(data, dir.file("out"), 40));
  const auto spec = load_sweep_spec(path);
  std::vector<std::string> args{SEQREC_BINARY, "sweep", path, "--threads", "1"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, dir.file("first.log").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  BOOST_REQUIRE(posix_spawn(&pid, SEQREC_BINARY, &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  // Wait until the first SASRec trial (index 2) has started its epochs, then kill -9.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  auto log_has_epoch_of_trial_2 = [&] {
    std::ifstream in(dir.file("first.log"));
    std::string line;
    bool in_trial = false;
    while (std::getline(in, line)) {
      if (line.find("start trial 2 ") != std::string::npos) in_trial = true;
      if (in_trial && line.find("epoch   2/") != std::string::npos) return true;
    }
    return false;
  };
  while (!log_has_epoch_of_trial_2() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_REQUIRE(log_has_epoch_of_trial_2());
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  BOOST_REQUIRE(WIFSIGNALED(status));
  const int finished_before = count_results(spec);
  BOOST_TEST(finished_before == 2);  // the two Pop trials; trial 2 was cut mid-way
  const auto pop_result = trial_dir(spec, spec.trials[0]) + "/result.json";
  const auto pop_time = fs::last_write_time(pop_result);
  // Its finished epochs are in a checkpoint, which the rerun must keep and resume from;
  // anything else the killed attempt left is cleared.
  const auto killed_dir = trial_dir(spec, spec.trials[2]);
  BOOST_REQUIRE(trial_state(spec, spec.trials[2]) == TrialState::Partial);
  std::ofstream(killed_dir + "/leftover.tmp") << "from the killed attempt";

  // Rerun the same sweep: finished trials are skipped, the killed one is redone.
  auto r = run_cli("sweep " + path + " --threads 1");
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(count_results(spec) == static_cast<int>(spec.trials.size()));
  BOOST_TEST((fs::last_write_time(pop_result) == pop_time));  // finished work kept, not redone
  {
    std::ifstream in(killed_dir + "/result.json");
    const json killed = json::parse(in);
    BOOST_REQUIRE(killed.contains("resumed"));
    BOOST_TEST(killed["resumed"][0]["after_epoch"].get<int64_t>() >= 1);
    BOOST_TEST(!fs::exists(killed_dir + "/leftover.tmp"));
    BOOST_TEST(!fs::exists(killed_dir + "/checkpoint.pt"));
  }
  std::set<std::string> ids;
  for (const auto& t : spec.trials) {
    std::ifstream in(trial_dir(spec, t) + "/result.json");
    const json res = json::parse(in);
    BOOST_TEST(res["status"] == "ok");
    ids.insert(res["trial_id"].get<std::string>());
  }
  BOOST_TEST(ids.size() == spec.trials.size());
  // Exactly one folder per trial: no duplicates, no leftovers of the killed attempt.
  int folders = 0;
  for (const auto& e : fs::directory_iterator(spec.out))
    if (e.is_directory() && e.path().filename().string()[0] != '.') ++folders;
  BOOST_TEST(folders == static_cast<int>(spec.trials.size()));
}

BOOST_AUTO_TEST_CASE(parallel_jobs_run_every_trial_exactly_once) {
  ScratchDir dir;
  const auto data = tiny_synth(dir);
  const auto path = write_spec(dir, example_spec(data, dir.file("out"), 1));
  auto r = run_cli("sweep " + path + " --jobs 2 --threads 2");
  BOOST_TEST(r.exit_code == 0, r.output);
  const auto spec = load_sweep_spec(path);
  BOOST_TEST(count_results(spec) == static_cast<int>(spec.trials.size()));
  auto list = run_cli("sweep " + path + " --list");
  BOOST_TEST(list.exit_code == 0);
  BOOST_TEST(list.output.find("pending") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(single_trial_option_runs_only_that_trial) {
  ScratchDir dir;
  const auto data = tiny_synth(dir);
  const auto path = write_spec(dir, example_spec(data, dir.file("out"), 1));
  auto r = run_cli("sweep " + path + " --trial 3 --threads 1");
  BOOST_TEST(r.exit_code == 0, r.output);
  const auto spec = load_sweep_spec(path);
  BOOST_TEST(count_results(spec) == 1);
  BOOST_TEST(fs::exists(trial_dir(spec, spec.trials[3]) + "/result.json"));
  BOOST_TEST(run_cli("sweep " + path + " --trial 99").exit_code == 2);
}

BOOST_AUTO_TEST_CASE(slurm_script_has_an_array_over_every_trial_and_a_report_after_it) {
  ScratchDir dir;
  const auto data = tiny_synth(dir);
  const auto path = write_spec(dir, example_spec(data, dir.file("out"), 1));
  auto r = run_cli("sweep " + path + " --slurm --threads 1");
  BOOST_TEST(r.exit_code == 0, r.output);
  std::ifstream in(dir.file("out/slurm/sweep.sbatch"));
  std::stringstream ss;
  ss << in.rdbuf();
  BOOST_TEST(ss.str().find("#SBATCH --array=0-9") != std::string::npos);
  BOOST_TEST(ss.str().find("--trial \"$SLURM_ARRAY_TASK_ID\"") != std::string::npos);
  std::ifstream submit(dir.file("out/slurm/submit.sh"));
  std::stringstream s2;
  s2 << submit.rdbuf();
  BOOST_TEST(s2.str().find("--dependency=afterany:") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// Trial ids are hashes of the whole configuration, so a key added to the trainer or the
// protocol would silently orphan every recorded result (a sweep would re-run them all) unless
// it is left out of identities at its old behaviour. The committed sweeps pin this: every
// recorded trial folder must still be one of its spec's trials.
BOOST_AUTO_TEST_SUITE(sweep)  // reopened: CTest runs suite `sweep` for this file

BOOST_AUTO_TEST_CASE(recorded_trials_keep_their_ids) {
  namespace fs = std::filesystem;
  for (const char* name : {"beauty_baselines", "fame_synthetic"}) {
    const auto spec =
        seqrec::load_sweep_spec(seqrec::testing::source_dir() + "/experiments/" + name + ".json");
    std::set<std::string> ids;
    for (const auto& t : spec.trials) ids.insert(t.id);
    const fs::path out = fs::path(seqrec::testing::source_dir()) / "results" /
                         fs::path(spec.out).parent_path().filename() / "runs";
    BOOST_TEST_REQUIRE(fs::is_directory(out), out);
    int recorded = 0;
    for (const auto& entry : fs::directory_iterator(out)) {
      if (!fs::exists(entry.path() / "result.json")) continue;
      ++recorded;
      BOOST_TEST(
          ids.count(entry.path().filename().string()) == 1,
          name << ": recorded trial " << entry.path().filename() << " is no trial of the spec");
    }
    BOOST_TEST(recorded > 0);
  }
}

BOOST_AUTO_TEST_SUITE_END()
