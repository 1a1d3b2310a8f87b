// Which users a stage evaluates (protocol key drop_users): by hand on four users, the
// eSASRec benchmark's count on Beauty, and through a trial (result.json and per_user.csv).
#include "datasets/held_out_users.h"

#include <boost/test/unit_test.hpp>
#include <fstream>

#include "core/errors.h"
#include "harness/protocol.h"
#include "harness/trial.h"
#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

namespace {

// Training parts (all but the last two items): u0 [1 2], u1 [2 3], u2 [3 1], u3 [1 2].
//   validation targets 3, 5, 3, 6: items known before validation {1, 2, 3}, so 5 and 6 are
//   cold and u2's 3 is its own earlier item; u0 stays.
//   test targets 4, 1, 3, 7: items known before test (training parts plus validation items)
//   {1, 2, 3, 5, 6}, so 4 and 7 are cold and u2's 3 is seen; u1 stays.
Dataset four_users() {
  Dataset d;
  d.name = "four";
  d.user_tokens = {"u0", "u1", "u2", "u3"};
  d.item_tokens = {"[PAD]", "a", "b", "c", "d", "e", "f", "g"};
  d.sequences = {{1, 2, 3, 4}, {2, 3, 5, 1}, {3, 1, 3, 3}, {1, 2, 6, 7}};
  d.timestamps = {{1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4}};
  return d;
}

Protocol protocol_with(const std::string& assignment) {
  Params p(protocol_schema());
  p.set_assignment(assignment, "--set");
  return protocol_from_params(p);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(held_out_users)

BOOST_AUTO_TEST_CASE(cold_and_seen_targets_are_dropped_per_stage) {
  const Dataset d = four_users();
  const auto split = make_leave_one_out_split(d);
  const auto valid =
      seqrec::held_out_users(split, EvalStage::Validation, DropUsers::ColdOrSeenTarget);
  BOOST_TEST(valid.users == std::vector<int64_t>{0});
  BOOST_TEST(valid.cold_target == 2);
  BOOST_TEST(valid.seen_target == 1);
  const auto test = seqrec::held_out_users(split, EvalStage::Test, DropUsers::ColdOrSeenTarget);
  BOOST_TEST(test.users == std::vector<int64_t>{1});
  BOOST_TEST(test.cold_target == 2);
  BOOST_TEST(test.seen_target == 1);
  const auto all = seqrec::held_out_users(split, EvalStage::Test, DropUsers::None);
  BOOST_TEST(all.users == (std::vector<int64_t>{0, 1, 2, 3}));
  BOOST_TEST(all.cold_target + all.seen_target == 0);
}

// The eSASRec benchmark's statistics.csv: 22,311 held-out users of S3-Rec Beauty's 22,363,
// all 52 dropped for a cold target (the files repeat no (user, item) pair).
BOOST_AUTO_TEST_CASE(beauty_test_keeps_the_esasrec_benchmarks_22311_users) {
  const Dataset beauty = load_dataset(shared_dataset("beauty"), PreprocessOptions{});
  const auto split = make_leave_one_out_split(beauty);
  const auto test = seqrec::held_out_users(split, EvalStage::Test, DropUsers::ColdOrSeenTarget);
  BOOST_TEST(test.users.size() == 22311u);
  BOOST_TEST(test.cold_target == 52);
  BOOST_TEST(test.seen_target == 0);
}

BOOST_AUTO_TEST_CASE(the_key_is_hashed_only_when_set_and_the_trial_records_the_counts) {
  BOOST_CHECK_EQUAL(protocol_with("drop_users=none").hash(), Protocol().hash());
  BOOST_CHECK_NE(protocol_with("drop_users=cold_or_seen_target").hash(), Protocol().hash());
  BOOST_CHECK_EXCEPTION(protocol_with("drop_users=cold"), InputError,
                        [](const InputError& e) { return contains(e.what(), "drop_users"); });

  const Dataset d = four_users();
  ScratchDir out;
  auto setup =
      make_trial_setup("pop", "four", nullptr, "", {"drop_users=cold_or_seen_target"}, 1, 1, "cpu");
  TrialOptions options;
  options.out_root = out.path();
  const auto result = run_trial(setup, d, options);
  BOOST_TEST(result["held_out_users"]["valid"]["evaluated"] == 1);
  BOOST_TEST(result["held_out_users"]["test"]["dropped_cold_target"] == 2);
  BOOST_TEST(result["held_out_users"]["test"]["dropped_seen_target"] == 1);
  std::ifstream per_user(result["directory"].get<std::string>() + "/per_user.csv");
  std::string header, line, rest;
  std::getline(per_user, header);
  std::getline(per_user, line);
  BOOST_TEST(line.substr(0, 3) == "u1,");  // the one test user kept
  BOOST_TEST(!std::getline(per_user, rest));
  BOOST_TEST(!train_trial("pop", d, {}).contains("held_out_users"));
}

BOOST_AUTO_TEST_SUITE_END()
