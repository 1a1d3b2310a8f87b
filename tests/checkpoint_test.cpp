// Per-epoch checkpoints: an interrupted trial resumes and ends exactly where an uninterrupted
// one does, and its log keeps the runs before it; a finished trial leaves no checkpoint;
// another trial's checkpoint is refused.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/machine.h"
#include "harness/trainer.h"
#include "harness/trial.h"
#include "model_fixtures.h"

namespace fs = std::filesystem;
using namespace seqrec;
using namespace seqrec::testing;

namespace {

// SASRec with sampled negatives and dropout, so the resumed run depends on torch's random
// state as well as the shuffling engine and Adam's moments.
const std::vector<std::string> kSets = {"loss=bce", "epochs=4", "patience=2"};

TrialSetup setup_with_seed(uint64_t seed) {
  return make_trial_setup("sasrec", synthetic_dataset().directory, nullptr, "", kSets, seed, 1,
                          "cpu");
}

// Trains the first `epochs` epochs of `setup` as run_trial would and leaves the checkpoint in
// out_root/<id>/checkpoint.pt: a trial interrupted after those epochs.
void train_interrupted(const TrialSetup& setup, int64_t epochs, const std::string& out_root) {
  auto built = build_model(setup.model, synthetic_dataset(), kSets, setup.seed);
  TrainerConfig shorter = setup.trainer;
  shorter.epochs = epochs;
  const std::string dir = out_root + "/" + setup.id();
  fs::create_directories(dir);
  Trainer trainer(built->model, built->split, setup.protocol, shorter, torch::Device("cpu"),
                  setup.seed, [](const std::string&) {});
  trainer.enable_checkpoints(dir + "/checkpoint.pt", setup.id());
  trainer.run();
  BOOST_REQUIRE(fs::exists(dir + "/checkpoint.pt"));
}

nlohmann::json run_in(const TrialSetup& setup, const std::string& out_root) {
  TrialOptions options;
  options.out_root = out_root;
  return run_trial(setup, synthetic_dataset(), options);
}

// Thrown from the log callback to stop a trial where a kill would, after the checkpoint of the
// epoch before it.
struct Killed {};

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint)

BOOST_AUTO_TEST_CASE(resumed_trial_equals_uninterrupted_trial) {
  const TrialSetup setup = setup_with_seed(5);
  ScratchDir whole, resumed;
  const auto expected = run_in(setup, whole.path());
  BOOST_TEST(!fs::exists(whole.path() + "/" + setup.id() + "/checkpoint.pt"));
  BOOST_TEST(!expected.contains("resumed"));

  train_interrupted(setup, 2, resumed.path());
  const auto actual = run_in(setup, resumed.path());

  BOOST_TEST(actual.at("metrics") == expected.at("metrics"));
  BOOST_TEST(actual.at("best_epoch") == expected.at("best_epoch"));
  BOOST_TEST(actual.at("epochs_run") == expected.at("epochs_run"));
  const auto curve = [](const std::string& root, const TrialSetup& s) {
    std::ifstream in(root + "/" + s.id() + "/curve.csv");
    std::string line, losses_and_metric;
    while (std::getline(in, line)) {
      // epoch,train_loss,valid_metric,train_seconds,eval_seconds: drop the timings
      auto cut = line.find(',', line.find(',', line.find(',') + 1) + 1);
      losses_and_metric += line.substr(0, cut) + "\n";
    }
    return losses_and_metric;
  };
  BOOST_TEST(curve(resumed.path(), setup) == curve(whole.path(), setup));
  BOOST_REQUIRE(actual.contains("resumed"));
  BOOST_TEST(actual["resumed"][0]["after_epoch"] == 2);
  BOOST_TEST(actual["resumed"][0]["written_by"] == source_version());
  BOOST_TEST(actual["resumed"][0]["written_on"] == blas_kernels());
  BOOST_TEST(actual["resumed"][0]["resumed_on"] == blas_kernels());
  BOOST_TEST(!fs::exists(resumed.path() + "/" + setup.id() + "/checkpoint.pt"));
}

BOOST_AUTO_TEST_CASE(resumed_trial_log_starts_with_the_runs_before_it) {
  const TrialSetup setup = setup_with_seed(5);
  ScratchDir out;
  const std::string dir = out.path() + "/" + setup.id();
  TrialOptions killed;
  killed.out_root = out.path();
  int epochs_logged = 0;
  killed.log = [&](const std::string& line) {
    if (line.rfind("epoch ", 0) == 0 && ++epochs_logged == 3) throw Killed{};
  };
  BOOST_CHECK_THROW(run_trial(setup, synthetic_dataset(), killed), Killed);
  const auto first_run = lines_of(dir + "/log.running.txt");
  BOOST_REQUIRE_EQUAL(first_run.size(), 4u);  // the trial line, then epochs 1-3

  run_in(setup, out.path());
  const auto log = lines_of(dir + "/log.txt");
  BOOST_REQUIRE_GT(log.size(), first_run.size() + 2);
  // The killed run as it was, epoch 3 included (its checkpoint was not written), then the
  // resumed run: its trial line, where it resumed, and epoch 3 again.
  BOOST_TEST(std::vector<std::string>(log.begin(), log.begin() + 4) == first_run,
             boost::test_tools::per_element());
  BOOST_TEST(log[4] == log[0]);
  BOOST_TEST(log[5].rfind("resuming after epoch 2 ", 0) == 0);
  BOOST_TEST(log[6].rfind("epoch   3/", 0) == 0);
  BOOST_TEST(!fs::exists(dir + "/log.running.txt"));
}

BOOST_AUTO_TEST_CASE(running_log_without_a_checkpoint_is_not_carried_over) {
  const TrialSetup setup = setup_with_seed(5);
  ScratchDir out;
  out.write(setup.id() + "/log.running.txt", "a run whose checkpoint was deleted\n");
  run_in(setup, out.path());
  const auto log = lines_of(out.path() + "/" + setup.id() + "/log.txt");
  BOOST_REQUIRE(!log.empty());
  BOOST_TEST(log[0].rfind("trial " + setup.id(), 0) == 0);
}

BOOST_AUTO_TEST_CASE(checkpoint_of_another_trial_is_refused) {
  const TrialSetup first = setup_with_seed(5), second = setup_with_seed(6);
  ScratchDir out;
  train_interrupted(first, 1, out.path());
  fs::create_directories(out.path() + "/" + second.id());
  fs::copy_file(out.path() + "/" + first.id() + "/checkpoint.pt",
                out.path() + "/" + second.id() + "/checkpoint.pt");
  BOOST_CHECK_EXCEPTION(run_in(second, out.path()), InputError, [&](const InputError& e) {
    const std::string what = e.what();
    return what.find("checkpoint of trial") != std::string::npos &&
           what.find(second.id()) != std::string::npos &&
           what.find("delete it") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(unreadable_checkpoint_names_the_file) {
  const TrialSetup setup = setup_with_seed(5);
  ScratchDir out;
  const std::string path = out.write(setup.id() + "/checkpoint.pt", "not a checkpoint");
  BOOST_CHECK_EXCEPTION(run_in(setup, out.path()), InputError, [&](const InputError& e) {
    const std::string what = e.what();
    BOOST_TEST_INFO("message: " << what);
    // One line: the file, torch's reason without its stack trace, the remedy.
    return what.find(path) != std::string::npos && what.find('\n') == std::string::npos &&
           what.find("frame #") == std::string::npos && what.find("delete it") != std::string::npos;
  });
}

BOOST_AUTO_TEST_SUITE_END()
