// `seqrec report --segments`: the test-case segments of a hand-made dataset, segment means
// over per_user.csv files checked by hand, and the CLI loading the trials' dataset and
// refusing one whose counts differ from the recorded ones.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "datasets/dataset.h"
#include "datasets/split.h"
#include "harness/report/report_segments.h"
#include "harness/report/report_tables.h"
#include "harness/report/test_case_segments.h"
#include "harness/trial_store.h"
#include "tests/test_support.h"

using namespace seqrec;
using seqrec::testing::ScratchDir;

namespace {

using seqrec::testing::contains;

using seqrec::testing::slurp;

// Five users over items 1..5 (leave-one-out: last item test, second-to-last validation):
//   u0: 1 2 3 4          training pairs (1,2)        test pair (3,4): seen (from u3)
//   u1: 1 2 3 4 5        training pairs (1,2) (2,3)  test pair (4,5): unseen
//   u2: 2 4 1            no training pair            test pair (4,1): seen (from u3)
//   u3: 3 4 1 2 5        training pairs (3,4) (4,1)  test pair (2,5): unseen
//   u4: 1 2 1 2 1 2 1 2  training pairs (1,2) (2,1)  test pair (1,2): seen
// Training counts: item 1: 6, item 2: 6, item 3: 2, item 4: 1, item 5: 0.
const std::vector<std::vector<int64_t>> kSequences = {
    {1, 2, 3, 4}, {1, 2, 3, 4, 5}, {2, 4, 1}, {3, 4, 1, 2, 5}, {1, 2, 1, 2, 1, 2, 1, 2}};

Dataset toy_dataset() {
  Dataset d;
  d.name = "toy";
  d.item_tokens = {"[PAD]", "i1", "i2", "i3", "i4", "i5"};
  for (size_t u = 0; u < kSequences.size(); ++u) {
    d.user_tokens.push_back("u" + std::to_string(u));
    d.sequences.push_back(kSequences[u]);
  }
  return d;
}

// The toy dataset as an atomic .inter file, in the user order above.
void write_toy_dataset(const ScratchDir& dir, const std::string& rel) {
  std::ostringstream inter;
  inter << "user_id:token\titem_id:token\ttimestamp:float\n";
  for (size_t u = 0; u < kSequences.size(); ++u)
    for (size_t k = 0; k < kSequences[u].size(); ++k)
      inter << "u" << u << "\ti" << kSequences[u][k] << "\t" << 1000 + k << "\n";
  dir.write(rel + "/toy.inter", inter.str());
}

// A finished trial of `model` whose per-user NDCG@10 is 0.01 (u+1)^2 + 0.01 seed + offset.
void write_trial(const ScratchDir& dir, const std::string& rel, const std::string& model,
                 uint64_t seed, const std::string& variant, double offset,
                 const nlohmann::json& dataset) {
  std::ostringstream per_user;
  per_user << "user,HR@10,NDCG@10\n";
  double sum = 0.0;
  for (int u = 0; u < 5; ++u) {
    const double v = 0.01 * (u + 1) * (u + 1) + 0.01 * static_cast<double>(seed) + offset;
    sum += v;
    per_user << "u" << u << "," << (u % 2) << "," << v << "\n";
  }
  const nlohmann::json result = {
      {"trial_id", rel},
      {"status", "ok"},
      {"model", model},
      {"dataset", dataset},
      {"protocol",
       {{"metrics", {"HR", "NDCG"}}, {"ks", {10}}, {"valid_metric", "NDCG@10"}, {"split", "loo"}}},
      {"protocol_hash", "cccc000000000000"},
      {"params", {{"hidden", 32}}},
      {"trainer", {{"lr", 0.001}}},
      {"seed", seed},
      {"variant", variant},
      {"metrics",
       {{"valid", {{"HR@10", 0.4}, {"NDCG@10", sum / 5}}},
        {"test", {{"HR@10", 0.4}, {"NDCG@10", sum / 5}}}}}};
  dir.write(rel + "/per_user.csv", per_user.str());
  dir.write(rel + "/result.json", result.dump(2) + "\n");
}

const nlohmann::json kToyInfo = {{"name", "toy"}, {"users", 5}};

// Two seeds of alpha, one of beta and one of beta's ablation variant `v`.
void write_trials(const ScratchDir& dir, const nlohmann::json& dataset) {
  write_trial(dir, "runs/alpha-s1", "alpha", 1, "", 0.2, dataset);
  write_trial(dir, "runs/alpha-s2", "alpha", 2, "", 0.2, dataset);
  write_trial(dir, "runs/beta-s1", "beta", 1, "", 0.0, dataset);
  write_trial(dir, "runs/beta-v-s1", "beta", 1, "v", -0.1, dataset);
}

// u0, u2, u4 seen; u1, u3 unseen.
SegmentDimension hand_made_transition() {
  SegmentDimension d;
  d.name = "transition";
  d.definition = "hand-made";
  d.segments = {"seen", "unseen"};
  d.segment_of_user = {{"u0", 0}, {"u1", 1}, {"u2", 0}, {"u3", 1}, {"u4", 0}};
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(segments)

BOOST_AUTO_TEST_CASE(test_cases_are_segmented_by_transition_length_and_popularity) {
  const Dataset data = toy_dataset();
  const auto dims = test_case_segments(make_leave_one_out_split(data));
  BOOST_REQUIRE_EQUAL(dims.size(), 3u);
  auto segment = [&](size_t d, const std::string& user) {
    return dims[d].segments.at(static_cast<size_t>(dims[d].segment_of_user.at(user)));
  };
  BOOST_TEST(dims[0].name == "transition");
  const std::map<std::string, std::string> transition = {
      {"u0", "seen"}, {"u1", "unseen"}, {"u2", "seen"}, {"u3", "unseen"}, {"u4", "seen"}};
  for (const auto& [user, expected] : transition) BOOST_TEST(segment(0, user) == expected);
  BOOST_TEST(dims[1].name == "input_length");
  for (const char* user : {"u0", "u1", "u2", "u3"}) BOOST_TEST(segment(1, user) == "1-5");
  BOOST_TEST(segment(1, "u4") == "6-10");  // 7 input items
  BOOST_TEST(dims[2].name == "target_popularity");
  const std::map<std::string, std::string> popularity = {
      {"u0", "1-9"}, {"u1", "0"}, {"u2", "1-9"}, {"u3", "0"}, {"u4", "1-9"}};
  for (const auto& [user, expected] : popularity) BOOST_TEST(segment(2, user) == expected);
}

BOOST_AUTO_TEST_CASE(segment_means_over_users_then_mean_and_std_over_seeds) {
  ScratchDir dir;
  write_trials(dir, kToyInfo);
  const Report report = build_report(scan_trials(dir.file("runs")), Reference{});
  const auto tables = build_segment_tables(report, [](const ReportGroup&) {
    return std::vector<SegmentDimension>{hand_made_transition()};
  });
  BOOST_REQUIRE_EQUAL(tables.size(), 1u);
  const SegmentTable& t = tables.front();
  BOOST_TEST((t.users == std::vector<int64_t>{3, 2, 5}));
  BOOST_TEST((t.metrics == std::vector<std::string>{"NDCG@10", "HR@10"}));
  // Leaderboard order (alpha is better), then beta's variant after beta.
  BOOST_REQUIRE_EQUAL(t.rows.size(), 3u);
  BOOST_TEST(t.rows[0].model == "alpha");
  BOOST_TEST(t.rows[1].model == "beta");
  BOOST_TEST(t.rows[2].variant == "v");
  // alpha, seed s: seen (1 + 9 + 25) / 3 / 100 + 0.01 s + 0.2; unseen (4 + 16) / 2 / 100 + ...
  const auto& alpha = t.rows[0].values.at("NDCG@10");
  BOOST_TEST(alpha[0].mean == 0.35 / 3 + 0.015 + 0.2, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(alpha[1].mean == 0.10 + 0.015 + 0.2, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(alpha[2].mean == 0.11 + 0.015 + 0.2, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(alpha[0].std == std::sqrt(2 * 0.005 * 0.005), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(alpha[0].n == 2);
  // HR@10 is u % 2: every seen user (u0, u2, u4) misses, every unseen user hits.
  const auto& hr = t.rows[1].values.at("HR@10");
  BOOST_TEST(hr[0].mean == 0.0);
  BOOST_TEST(hr[1].mean == 1.0);
  BOOST_TEST(hr[2].mean == 0.4, boost::test_tools::tolerance(1e-12));

  const std::string md = render_segments(tables, TableFormat::Markdown);
  BOOST_TEST(contains(md, "## Segments: toy (protocol cccc000000000000), transition, NDCG@10"));
  BOOST_TEST(contains(md, "| model | all (5) | seen (3, 60.0%) | unseen (2, 40.0%) |"));
  BOOST_TEST(contains(md, "| beta [v] |"));
  const std::string csv = render_segments(tables, TableFormat::Csv);
  BOOST_TEST(contains(csv, "toy,cccc000000000000,transition,seen,3,alpha,,NDCG@10,2,0.3317,"));
  const auto json = nlohmann::json::parse(render_segments(tables, TableFormat::Json));
  BOOST_TEST(json["tables"][0]["segments"][2]["segment"] == "all");
  BOOST_TEST(contains(render_segments(tables, TableFormat::Latex), "\\begin{tabular}"));
}

BOOST_AUTO_TEST_CASE(a_user_the_dataset_does_not_have_is_an_error_naming_the_file) {
  ScratchDir dir;
  write_trials(dir, kToyInfo);
  const Report report = build_report(scan_trials(dir.file("runs")), Reference{});
  SegmentDimension partial = hand_made_transition();
  partial.segment_of_user.erase("u3");
  BOOST_CHECK_EXCEPTION(
      build_segment_tables(
          report, [&](const ReportGroup&) { return std::vector<SegmentDimension>{partial}; }),
      InputError,
      [](const InputError& e) { return contains(e.what(), "per_user.csv: line 5: user 'u3'"); });
}

BOOST_AUTO_TEST_CASE(cli_loads_the_recorded_dataset_and_checks_its_counts) {
  ScratchDir dir;
  write_toy_dataset(dir, "data/toy");
  const nlohmann::json info = {{"name", "toy"},
                               {"argument", dir.file("data/toy")},
                               {"users", 5},
                               {"items", 5},
                               {"interactions", 25}};
  write_trials(dir, info);
  const auto r = seqrec::testing::run_cli("report '" + dir.file("runs") +
                                          "' --no-reference --segments --format md,csv");
  BOOST_TEST(r.exit_code == 0, r.output);
  const std::string md = slurp(dir.file("runs/report/segments.md"));
  BOOST_TEST(contains(md, "transition, NDCG@10"));
  BOOST_TEST(contains(md, "seen (3, 60.0%)"));
  BOOST_TEST(contains(md, "input\\_length, HR@10"));
  BOOST_TEST(contains(md, "6-10 (1, 20.0%)"));
  BOOST_TEST(contains(md, "target\\_popularity"));
  BOOST_TEST(std::filesystem::exists(dir.file("runs/report/segments.csv")));

  nlohmann::json wrong = info;
  wrong["users"] = 6;
  ScratchDir other;
  write_toy_dataset(other, "data/toy");
  wrong["argument"] = other.file("data/toy");
  write_trials(other, wrong);
  const auto bad = seqrec::testing::run_cli("report '" + other.file("runs") +
                                            "' --no-reference --segments --format md");
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(contains(bad.output, "result.json: dataset"), bad.output);
  BOOST_TEST(contains(bad.output, "has 5 users after the recorded filter"), bad.output);
}

BOOST_AUTO_TEST_SUITE_END()
