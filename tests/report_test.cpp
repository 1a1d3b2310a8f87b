// `seqrec report` (design §8) on a fixed set of hand-made trial folders: model selection by
// validation, mean ± std over seeds, best/second marks, failed and unfinished trials, protocol
// hashes kept apart, published numbers, significance p-values, byte-identical output.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/report/report_plots.h"
#include "harness/report/report_tables.h"
#include "harness/report/same_data.h"
#include "harness/trial_store.h"
#include "tests/test_support.h"

using namespace seqrec;
using seqrec::testing::ScratchDir;

namespace {

namespace fs = std::filesystem;

using seqrec::testing::contains;

using seqrec::testing::slurp;

struct Spec {
  std::string model;
  int hidden = 32;
  uint64_t seed = 1;
  double valid_ndcg = 0.0;
  double test_ndcg = 0.0;
  double test_hr = 0.0;
  double user_base = 0.0;  // per-user NDCG@10 level
  std::string hash = "aaaa000000000000";
  std::string dataset = "toyds";
  int64_t dataset_items = 50;
  std::string variant;
  std::string status = "ok";
  std::string failure;
  double seconds = 10.0;
  nlohmann::json trainer = {{"lr", 0.001}, {"batch_size", 128}};
};

Spec ok(const std::string& model, int hidden, uint64_t seed, double valid_ndcg, double test_ndcg,
        double test_hr, double user_base) {
  Spec s;
  s.model = model;
  s.hidden = hidden;
  s.seed = seed;
  s.valid_ndcg = valid_ndcg;
  s.test_ndcg = test_ndcg;
  s.test_hr = test_hr;
  s.user_base = user_base;
  return s;
}

// Writes a trial folder like run_trial does: curve.csv, per_user.csv (20 users), result.json.
void write_trial(const ScratchDir& dir, const std::string& rel, const Spec& s) {
  nlohmann::json r = {
      {"trial_id", rel},
      {"status", s.status},
      {"model", s.model},
      {"dataset",
       {{"name", s.dataset}, {"users", 20}, {"items", s.dataset_items}, {"interactions", 400}}},
      {"protocol",
       {{"metrics", {"HR", "NDCG"}},
        {"ks", {5, 10}},
        {"valid_metric", "NDCG@10"},
        {"split", "loo"}}},
      {"protocol_hash", s.hash},
      {"params", {{"hidden", s.hidden}, {"dropout", 0.2}}},
      {"trainer", s.trainer},
      {"seed", s.seed},
      {"variant", s.variant},
      {"sweep", "toy"},
      {"best_epoch", 2},
      {"seconds", {{"train", s.seconds}}}};
  if (s.status == "ok") {
    r["metrics"] = {{"valid",
                     {{"HR@5", 0.5 * s.valid_ndcg},
                      {"HR@10", 2 * s.valid_ndcg},
                      {"NDCG@5", 0.8 * s.valid_ndcg},
                      {"NDCG@10", s.valid_ndcg}}},
                    {"test",
                     {{"HR@5", 0.6 * s.test_hr},
                      {"HR@10", s.test_hr},
                      {"NDCG@5", 0.8 * s.test_ndcg},
                      {"NDCG@10", s.test_ndcg}}}};
    std::ostringstream per_user;
    per_user << "user,HR@5,HR@10,NDCG@5,NDCG@10\n";
    for (int u = 0; u < 20; ++u) {
      const double v = s.user_base + 0.01 * ((u * (s.hidden / 32 + 1)) % 7) + 0.001 * s.seed;
      per_user << "u" << u << ",0,1," << v * 0.8 << "," << v << "\n";
    }
    dir.write(rel + "/per_user.csv", per_user.str());
  } else {
    r["failure"] = s.failure;
  }
  dir.write(rel + "/curve.csv",
            "epoch,train_loss,valid_NDCG@10,train_seconds,eval_seconds\n1,1.5," +
                std::to_string(s.valid_ndcg / 2) + ",5,1\n2,1.2," + std::to_string(s.valid_ndcg) +
                ",5,1\n");
  dir.write(rel + "/result.json", r.dump(2) + "\n");
}

// 2 models x 2 configurations x 3 seeds; validation and test disagree on the best
// configuration of each model. Plus: one failed trial, one ablation variant, one unfinished
// folder, and one trial under another protocol hash.
void write_fixture(const ScratchDir& dir) {
  for (uint64_t seed : {1, 2, 3}) {
    const double d = 0.01 * (static_cast<double>(seed) - 2.0);  // -0.01, 0, +0.01
    const std::string s = std::to_string(seed);
    // alpha: hidden 32 wins on validation, hidden 64 on test.
    write_trial(dir, "sweep/alpha-h32-s" + s,
                ok("alpha", 32, seed, 0.30 + d, 0.20 + d, 0.50 + d, 0.10));
    write_trial(dir, "sweep/alpha-h64-s" + s,
                ok("alpha", 64, seed, 0.25 + d, 0.28 + d, 0.55 + d, 0.10));
    // sasrec: hidden 64 wins on validation, hidden 32 on test.
    write_trial(dir, "sweep/sasrec-h32-s" + s,
                ok("sasrec", 32, seed, 0.20 + d, 0.40 + d, 0.45 + d, 0.50));
    write_trial(dir, "sweep/sasrec-h64-s" + s,
                ok("sasrec", 64, seed, 0.35 + d, 0.31 + d, 0.40 + d, 0.50));
  }
  Spec ablation = ok("sasrec", 64, 1, 0.30, 0.20, 0.30, 0.30);
  ablation.variant = "no_pos";
  write_trial(dir, "ablation/sasrec-no_pos-s1", ablation);
  Spec failed = ok("alpha", 128, 1, 0, 0, 0, 0);
  failed.status = "failed";
  failed.failure = "loss became NaN at epoch 3";
  write_trial(dir, "sweep/alpha-h128-s1", failed);
  Spec other = ok("alpha", 32, 1, 0.9, 0.9, 0.9, 0.9);
  other.hash = "bbbb000000000000";
  write_trial(dir, "other-protocol/alpha-s1", other);
  dir.write("sweep/unfinished-s1/curve.csv",
            "epoch,train_loss,valid_NDCG@10,train_seconds,eval_seconds\n");
  dir.write("reference.json",
            R"({"sources": {"ref2020": {"cite": "Someone et al., 2020, Table 2"}},
                "results": [{"source": "ref2020", "dataset": "toyds", "model": "SASRec",
                             "HR@10": 0.5, "NDCG@10": 0.25},
                            {"source": "ref2020", "dataset": "other", "model": "alpha", "NDCG@10": 0.1}]})");
}

Report fixture_report(const ScratchDir& dir) {
  return build_report(scan_trials(dir.path()), load_reference(dir.file("reference.json")));
}

const ReportGroup& group(const Report& r, const std::string& hash) {
  for (const auto& g : r.groups)
    if (g.protocol_hash == hash) return g;
  BOOST_FAIL("no group for protocol " + hash);
  return r.groups.front();
}

const LeaderboardRow& row(const ReportGroup& g, const std::string& model) {
  for (const auto& r : g.leaderboard)
    if (r.config.model == model) return r;
  BOOST_FAIL("no leaderboard row for " + model);
  return g.leaderboard.front();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(report)

BOOST_AUTO_TEST_CASE(several_folders_scan_as_one_with_their_roots_in_the_names) {
  ScratchDir dir;
  write_trial(dir, "a/runs/t1", ok("sasrec", 32, 1, 0.10, 0.09, 0.2, 0.3));
  write_trial(dir, "b/runs/t1", ok("gru4rec", 32, 1, 0.08, 0.07, 0.2, 0.3));
  const TrialScan scan = scan_trials(std::vector<std::string>{dir.file("b"), dir.file("a")});
  BOOST_REQUIRE_EQUAL(scan.trials.size(), 2u);
  BOOST_TEST(scan.trials[0].rel_dir == dir.file("a") + "/runs/t1");
  BOOST_TEST(scan.trials[1].model == "gru4rec");
}

BOOST_AUTO_TEST_CASE(scan_finds_finished_trials_and_lists_unfinished_ones) {
  ScratchDir dir;
  write_fixture(dir);
  const TrialScan scan = scan_trials(dir.path());
  BOOST_TEST(scan.trials.size() == 12u + 1u + 1u + 1u);
  BOOST_REQUIRE_EQUAL(scan.unfinished.size(), 1u);
  BOOST_TEST(scan.unfinished[0] == "sweep/unfinished-s1");
  const TrialRecord& t = scan.trials.front();  // sorted by folder
  BOOST_TEST(t.rel_dir == "ablation/sasrec-no_pos-s1");
  BOOST_TEST(t.variant == "no_pos");
  BOOST_TEST(t.columns == (std::vector<std::string>{"HR@5", "HR@10", "NDCG@5", "NDCG@10"}));
}

BOOST_AUTO_TEST_CASE(best_configuration_is_chosen_by_validation_not_test) {
  ScratchDir dir;
  write_fixture(dir);
  const Report r = fixture_report(dir);
  const ReportGroup& g = group(r, "aaaa000000000000");
  BOOST_REQUIRE_EQUAL(g.leaderboard.size(), 2u);
  // Test would prefer alpha hidden 64 (0.28) and sasrec hidden 32 (0.40).
  BOOST_TEST(row(g, "alpha").config.params["hidden"].get<int>() == 32);
  BOOST_TEST(row(g, "sasrec").config.params["hidden"].get<int>() == 64);
  // Sorted by test NDCG@10: sasrec (0.31) above alpha (0.20).
  BOOST_TEST(g.leaderboard[0].config.model == "sasrec");
  BOOST_TEST(g.leaderboard[0].is_best);
  const Stat ndcg = row(g, "alpha").config.test.at("NDCG@10");
  BOOST_TEST(ndcg.n == 3);
  BOOST_TEST(ndcg.mean == 0.20, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(ndcg.std == 0.01, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(row(g, "alpha").config.valid.mean == 0.30, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_trial_recorded_before_a_trainer_key_existed_groups_with_later_ones) {
  // eval_chunk_items was added after trials were recorded; at its value from before (131072,
  // the whole-matrix path on every recorded dataset) the older result.json has no such key.
  ScratchDir dir;
  Spec before = ok("alpha", 32, 1, 0.30, 0.20, 0.50, 0.10);
  Spec after = ok("alpha", 32, 2, 0.32, 0.22, 0.52, 0.10);
  after.trainer["eval_chunk_items"] = 131072;
  Spec other = ok("alpha", 32, 3, 0.34, 0.24, 0.54, 0.10);
  other.trainer["eval_chunk_items"] = 4096;
  write_trial(dir, "before-s1", before);
  write_trial(dir, "after-s2", after);
  write_trial(dir, "other-s3", other);
  const Report r = build_report(scan_trials(dir.path()), {});
  const ReportGroup& g = group(r, "aaaa000000000000");
  BOOST_REQUIRE_EQUAL(g.configurations.size(), 2u);
  for (const auto& c : g.configurations) {
    BOOST_TEST(c.trainer.contains("eval_chunk_items"));
    const bool is_default = c.trainer["eval_chunk_items"] == 131072;
    BOOST_TEST(c.trials.size() == (is_default ? 2u : 1u));
  }
}

BOOST_AUTO_TEST_CASE(markdown_and_latex_mark_best_and_second_per_column) {
  ScratchDir dir;
  write_fixture(dir);
  const Report r = fixture_report(dir);
  const std::string md = render_leaderboard(r, TableFormat::Markdown);
  // NDCG@10: sasrec best, alpha second (and significantly worse: †).
  BOOST_TEST(contains(md, "| sasrec | 3 |"));
  BOOST_TEST(contains(md, "**0.3100 ± 0.0100**"));
  BOOST_TEST(contains(md, "*0.2000 ± 0.0100†*"));
  // HR@10: alpha (0.50) best, sasrec (0.40) second.
  BOOST_TEST(contains(md, "**0.5000 ± 0.0100**"));
  BOOST_TEST(contains(md, "*0.4000 ± 0.0100*"));
  BOOST_TEST(contains(md, "† p < 0.05, Wilcoxon signed-rank vs. best"));
  const std::string tex = render_leaderboard(r, TableFormat::Latex);
  BOOST_TEST(contains(tex, "\\toprule"));
  BOOST_TEST(contains(tex, "\\textbf{0.3100 $\\pm$ 0.0100}"));
  BOOST_TEST(contains(tex, "\\underline{0.2000 $\\pm$ 0.0100$^{\\dagger}$}"));
  BOOST_TEST(contains(tex, "\\textbf{0.5000 $\\pm$ 0.0100}"));
  BOOST_TEST(contains(tex, "\\underline{0.4000 $\\pm$ 0.0100}"));
  BOOST_TEST(!contains(tex, "±"));  // every UTF-8 sign rewritten for LaTeX
}

BOOST_AUTO_TEST_CASE(failed_and_unfinished_trials_stay_out_of_the_tables) {
  ScratchDir dir;
  write_fixture(dir);
  const Report r = fixture_report(dir);
  BOOST_REQUIRE_EQUAL(r.failed.size(), 1u);
  BOOST_TEST(r.failed[0].failure == "loss became NaN at epoch 3");
  BOOST_TEST(row(group(r, "aaaa000000000000"), "alpha").config.trials.size() == 3u);
  const std::string md = render_leaderboard(r, TableFormat::Markdown);
  BOOST_TEST(contains(md, "### Failed trials"));
  BOOST_TEST(
      contains(md, "sweep/alpha-h128-s1: alpha on toyds, seed 1: loss became NaN at epoch 3"));
  BOOST_TEST(contains(md, "sweep/unfinished-s1"));
  const auto j = nlohmann::json::parse(render_leaderboard(r, TableFormat::Json));
  BOOST_REQUIRE_EQUAL(j["failed"].size(), 1u);
  BOOST_TEST(j["failed"][0]["failure"].get<std::string>() == "loss became NaN at epoch 3");
  BOOST_TEST(j["unfinished"].size() == 1u);
  // Sensitivity over `hidden` sees only ok trials: 32 and 64, not the failed 128.
  for (const auto& b : group(r, "aaaa000000000000").sensitivity)
    if (b.key == "hidden") BOOST_TEST(b.rows.size() == 2u);
}

BOOST_AUTO_TEST_CASE(different_protocol_hashes_never_share_a_table) {
  ScratchDir dir;
  write_fixture(dir);
  const Report r = fixture_report(dir);
  BOOST_REQUIRE_EQUAL(r.groups.size(), 2u);
  const ReportGroup& other = group(r, "bbbb000000000000");
  BOOST_REQUIRE_EQUAL(other.leaderboard.size(), 1u);
  BOOST_TEST(other.leaderboard[0].config.trials.size() == 1u);
  BOOST_TEST(other.leaderboard[0].config.test.at("NDCG@10").std == 0.0);
  BOOST_TEST(row(group(r, "aaaa000000000000"), "alpha").config.trials.size() == 3u);
  const std::string md = render_leaderboard(r, TableFormat::Markdown);
  BOOST_TEST(contains(md, "## Leaderboard: toyds (protocol aaaa000000000000)"));
  BOOST_TEST(contains(md, "## Leaderboard: toyds (protocol bbbb000000000000)"));
  BOOST_TEST(group(r, "aaaa000000000000").slug != other.slug);
}

BOOST_AUTO_TEST_CASE(published_numbers_and_relative_difference) {
  ScratchDir dir;
  write_fixture(dir);
  const Report r = fixture_report(dir);
  const LeaderboardRow& sasrec = row(group(r, "aaaa000000000000"), "sasrec");
  BOOST_REQUIRE(sasrec.reference.has_value());  // "SASRec" matches "sasrec"
  BOOST_TEST(sasrec.reference->source == "ref2020");
  BOOST_TEST(!row(group(r, "aaaa000000000000"), "alpha").reference.has_value());  // other dataset
  const std::string md = render_leaderboard(r, TableFormat::Markdown);
  BOOST_TEST(
      contains(md, "| published NDCG@10 | Δ% NDCG@10 | published HR@10 | Δ% HR@10 | source |"));
  // NDCG@10: (0.31 - 0.25) / 0.25 = +24 %; HR@10: (0.40 - 0.50) / 0.50 = -20 %.
  BOOST_TEST(contains(md, "| 0.2500 | +24.0 | 0.5000 | -20.0 | ref2020 |"));
  BOOST_TEST(contains(md, "ref2020: Someone et al., 2020, Table 2"));
  const std::string csv = render_leaderboard(r, TableFormat::Csv);
  BOOST_TEST(contains(csv, "published_HR@10,delta_pct_HR@10,published_NDCG@10,delta_pct_NDCG@10"));
  BOOST_TEST(contains(csv, "ref2020,0.5000,-20.00,0.2500,24.00"));
}

BOOST_AUTO_TEST_CASE(p_values_are_in_csv_and_json) {
  ScratchDir dir;
  write_fixture(dir);
  const Report r = fixture_report(dir);
  const Significance& s = row(group(r, "aaaa000000000000"), "alpha").significance;
  BOOST_REQUIRE(s.available);
  BOOST_TEST(s.users == 20);
  BOOST_TEST(s.wilcoxon_p < 0.05);
  BOOST_TEST(s.t_p < 0.05);
  const std::string csv = render_leaderboard(r, TableFormat::Csv);
  std::istringstream lines(csv);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  BOOST_TEST(contains(
      header,
      "wilcoxon_p,wilcoxon_statistic,wilcoxon_n,t_test_p,t_statistic,paired_users,significant"));
  BOOST_TEST(contains(second, "," + format_p_value(s.wilcoxon_p) + ","));
  BOOST_TEST(contains(second, "," + format_p_value(s.t_p) + ","));
  const auto j = nlohmann::json::parse(render_leaderboard(r, TableFormat::Json));
  const auto& rows = j["groups"][0]["rows"];
  BOOST_TEST(!rows[0].contains("significance"));  // the best model
  BOOST_TEST(rows[1]["significance"]["wilcoxon_p"].get<double>() < 0.05);
  BOOST_TEST(rows[1]["significance"]["t_test_p"].get<double>() < 0.05);
  BOOST_TEST(rows[1]["significance"]["vs"].get<std::string>() == "sasrec");
}

BOOST_AUTO_TEST_CASE(ablation_and_sensitivity_tables) {
  ScratchDir dir;
  write_fixture(dir);
  const Report r = fixture_report(dir);
  const ReportGroup& g = group(r, "aaaa000000000000");
  BOOST_REQUIRE_EQUAL(g.ablations.size(), 1u);
  BOOST_TEST(g.ablations[0].model == "sasrec");
  BOOST_REQUIRE(g.ablations[0].full.has_value());
  BOOST_TEST(g.ablations[0].variants.at(0).variant == "no_pos");
  const std::string md = render_ablation(r, TableFormat::Markdown);
  // NDCG@10 drop: (0.31 - 0.20) / 0.31 = 35.48 %.
  BOOST_TEST(contains(md, "| sasrec | no\\_pos | 1 | 0.2000 ± 0.0000 | +35.5 |"));
  const std::string sens = render_sensitivity(r, TableFormat::Csv);
  // alpha, hidden 32: valid 0.30 ± 0.01, test 0.20 ± 0.01 over 3 seeds.
  BOOST_TEST(contains(
      sens, "toyds,aaaa000000000000,NDCG@10,alpha,hidden,32,3,1,0.3000,0.0100,0.2000,0.0100"));
  BOOST_TEST(!contains(sens, ",lr,"));  // one value only: not swept
  BOOST_TEST(contains(render_sensitivity(r, TableFormat::Markdown), "| **0.3000 ± 0.0100** |"));
}

BOOST_AUTO_TEST_CASE(output_files_are_byte_identical_across_runs) {
  ScratchDir dir;
  write_fixture(dir);
  const std::vector<TableFormat> all{TableFormat::Markdown, TableFormat::Latex, TableFormat::Csv,
                                     TableFormat::Json};
  const auto first = write_report_tables(fixture_report(dir), dir.file("out1"), all);
  const auto second = write_report_tables(fixture_report(dir), dir.file("out2"), all);
  BOOST_REQUIRE_EQUAL(first.size(), 12u);
  BOOST_REQUIRE_EQUAL(second.size(), 12u);
  for (size_t i = 0; i < first.size(); ++i) {
    BOOST_TEST(fs::path(first[i]).filename() == fs::path(second[i]).filename());
    BOOST_TEST(slurp(first[i]) == slurp(second[i]), "differs: " << first[i]);
    BOOST_TEST(!slurp(first[i]).empty());
  }
  // The plots' data and scripts too (rendering is left to the CLI run).
  const auto p1 = write_report_plots(fixture_report(dir), dir.file("plots1"), false);
  const auto p2 = write_report_plots(fixture_report(dir), dir.file("plots2"), false);
  BOOST_REQUIRE_EQUAL(p1.files.size(), p2.files.size());
  BOOST_TEST(p1.files.size() >= 12u);
  for (size_t i = 0; i < p1.files.size(); ++i) BOOST_TEST(slurp(p1.files[i]) == slurp(p2.files[i]));
}

BOOST_AUTO_TEST_CASE(malformed_files_name_the_file) {
  ScratchDir dir;
  write_fixture(dir);
  dir.write("broken/result.json", "{\"status\": \"ok\", \"model\": ");
  BOOST_CHECK_EXCEPTION(scan_trials(dir.path()), InputError, [&](const InputError& e) {
    return contains(e.what(), "broken/result.json") && contains(e.what(), "not valid JSON");
  });
  ScratchDir dir2;
  write_trial(dir2, "t", ok("alpha", 32, 1, 0.3, 0.2, 0.5, 0.1));
  dir2.write("t/per_user.csv", "user,NDCG@10\nu1,0.5\nu2,abc\n");
  BOOST_CHECK_EXCEPTION(
      read_per_user_csv(dir2.file("t/per_user.csv")), InputError, [](const InputError& e) {
        return contains(e.what(), "per_user.csv:3:") && contains(e.what(), "'abc'");
      });
}

BOOST_AUTO_TEST_CASE(cli_writes_the_tables_and_prints_the_leaderboard) {
  ScratchDir dir;
  write_fixture(dir);
  const auto r = seqrec::testing::run_cli("report '" + dir.path() + "' --reference '" +
                                          dir.file("reference.json") + "' --format md,csv");
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "## Leaderboard: toyds (protocol aaaa000000000000)"));
  BOOST_TEST(fs::exists(dir.file("report/leaderboard.md")));
  BOOST_TEST(fs::exists(dir.file("report/sensitivity.csv")));
  BOOST_TEST(!fs::exists(dir.file("report/leaderboard.json")));
  const auto bad = seqrec::testing::run_cli("report '" + dir.path() + "' --format xls");
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(contains(bad.output, "'xls'"));
}

// One set of interactions under two names (beauty, and data/beauty-mm with feature files):
// --same-data puts the first name's trials in the second's tables, and refuses names that
// recorded other counts.
BOOST_AUTO_TEST_CASE(same_data_reports_one_dataset_under_another_name_when_the_counts_agree) {
  ScratchDir dir;
  Spec plain = ok("fame", 32, 1, 0.30, 0.25, 0.5, 0.2);
  plain.dataset = "toyds-plain";
  write_trial(dir, "plain/fame-s1", plain);
  write_trial(dir, "mm/sasrec-s1", ok("sasrec", 32, 1, 0.20, 0.15, 0.4, 0.1));
  Spec other = ok("gru4rec", 32, 1, 0.10, 0.10, 0.3, 0.1);
  other.dataset = "toyds-filtered";
  other.dataset_items = 49;
  write_trial(dir, "filtered/gru4rec-s1", other);

  TrialScan scan = scan_trials(dir.path());
  BOOST_TEST(build_report(scan, Reference{}).groups.size() == 3u);
  const std::string note = report_as_same_data(scan.trials, parse_same_data("toyds-plain=toyds"));
  BOOST_TEST(contains(note, "1 trial(s) on toyds-plain are reported as toyds"), note);
  BOOST_TEST(contains(note, "20 users, 50 items, 400 interactions"), note);
  const Report merged = build_report(scan, Reference{});
  BOOST_REQUIRE_EQUAL(merged.groups.size(), 2u);
  const ReportGroup& g =
      merged.groups.front().dataset == "toyds" ? merged.groups.front() : merged.groups.back();
  BOOST_TEST(g.leaderboard.size() == 2u);
  BOOST_TEST(g.leaderboard.front().config.model == "fame");

  BOOST_CHECK_THROW(report_as_same_data(scan.trials, parse_same_data("toyds-filtered=toyds")),
                    InputError);
  BOOST_TEST(contains(report_as_same_data(scan.trials, parse_same_data("nothing=toyds")),
                      "no finished trial on dataset 'nothing'; nothing renamed"));
  BOOST_CHECK_THROW(parse_same_data("toyds"), InputError);
  BOOST_CHECK_THROW(parse_same_data("toyds="), InputError);
  BOOST_CHECK_THROW(parse_same_data("toyds=toyds"), InputError);

  const auto r = seqrec::testing::run_cli("report '" + dir.path() +
                                          "' --same-data toyds-plain=toyds --format md --out '" +
                                          dir.file("out") + "'");
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(slurp(dir.file("out/leaderboard.md")), "are reported as toyds"));
  const auto refused =
      seqrec::testing::run_cli("report --same-data toyds-filtered=toyds '" + dir.path() +
                               "' --format md --out '" + dir.file("out2") + "'");
  BOOST_TEST(refused.exit_code == 2, refused.output);
  BOOST_TEST(contains(refused.output, "49 items"), refused.output);
  BOOST_TEST(contains(refused.output, "filtered/gru4rec-s1/result.json"), refused.output);
  // The flag repeats, each taking one FROM=TO; a name without trials renames nothing.
  const auto twice =
      seqrec::testing::run_cli("report --same-data toyds-plain=toyds --same-data nothing=toyds '" +
                               dir.path() + "' --format md --out '" + dir.file("out3") + "'");
  BOOST_TEST(twice.exit_code == 0, twice.output);
  const std::string md = slurp(dir.file("out3/leaderboard.md"));
  BOOST_TEST(contains(md, "1 trial(s) on toyds-plain are reported as toyds"), md);
  BOOST_TEST(contains(md, "no finished trial on dataset 'nothing'"), md);
}

BOOST_AUTO_TEST_SUITE_END()
