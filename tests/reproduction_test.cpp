// The reproduction table: verdicts at the tolerance edges, rows from trials that ran a preset
// and name the published row they reproduce, and the sweep spec key that records it.
#include <boost/test/unit_test.hpp>

#include "core/errors.h"
#include "harness/report/report_tables.h"
#include "harness/sweep_spec.h"
#include "tests/test_support.h"

using namespace seqrec;
using namespace seqrec::testing;
using nlohmann::json;

namespace {

Stat stat(double mean, double std, int n) { return Stat{mean, std, n}; }

TrialRecord esasrec_trial(const std::string& dir, double hr, double ndcg) {
  TrialRecord t;
  t.rel_dir = dir;
  t.status = "ok";
  t.model = "sasrec";
  t.dataset = "beauty";
  t.preset = "esasrec2025-loo";
  t.reproduces = "SASRec+SS";
  t.test = {{"HR@10", hr}, {"NDCG@10", ndcg}};
  return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reproduction)

BOOST_AUTO_TEST_CASE(verdicts_follow_five_percent_or_two_std) {
  BOOST_TEST(reproduction_verdict(stat(0.104, 0.0, 1), 0.1) == "reproduced");  // +4%
  BOOST_TEST(reproduction_verdict(stat(0.096, 0.0, 1), 0.1) == "reproduced");  // -4%
  // -10%, but the seeds' spread covers it: |0.09 - 0.1| <= 2 x 0.006.
  BOOST_TEST(reproduction_verdict(stat(0.09, 0.006, 3), 0.1) == "reproduced");
  BOOST_TEST(reproduction_verdict(stat(0.09, 0.004, 3), 0.1) == "not reproduced");
  BOOST_TEST(reproduction_verdict(stat(0.09, 0.0, 1), 0.1) == "not reproduced");
  BOOST_TEST(reproduction_verdict(stat(0.12, 0.001, 3), 0.1) == "exceeds");
}

BOOST_AUTO_TEST_CASE(rows_pair_each_published_number_with_the_seeds_that_reproduce_it) {
  const Reference reference = load_reference(source_dir() + "/results/reference/published.json");
  std::vector<TrialRecord> trials{esasrec_trial("a", 0.0900, 0.0520),
                                  esasrec_trial("b", 0.0910, 0.0530),
                                  esasrec_trial("c", 0.0920, 0.0540)};
  TrialRecord unknown = esasrec_trial("d", 0.1, 0.1);
  unknown.reproduces = "GRU4Rec";  // the eSASRec benchmark publishes none
  trials.push_back(unknown);
  TrialRecord plain = esasrec_trial("e", 0.1, 0.1);
  plain.preset = "";  // no preset: no row
  trials.push_back(plain);
  std::vector<std::string> notes;
  const auto rows = reproduction_rows(trials, reference, notes);
  BOOST_REQUIRE(rows.size() == 2u);
  BOOST_TEST(rows[0].source == "esasrec2025");
  BOOST_TEST(rows[0].metric == "HR@10");
  BOOST_TEST(rows[0].published == 0.0921);
  BOOST_TEST(rows[0].ours.n == 3);
  BOOST_TEST(std::abs(rows[0].ours.mean - 0.091) < 1e-12);
  BOOST_TEST(std::abs(rows[0].delta_percent - (0.091 / 0.0921 - 1) * 100) < 1e-9);
  BOOST_TEST(rows[0].verdict == "reproduced");
  BOOST_TEST(rows[1].metric == "NDCG@10");
  BOOST_TEST(rows[1].verdict == "reproduced");
  BOOST_REQUIRE(notes.size() == 1u);
  BOOST_TEST(contains(notes[0], "publishes no 'GRU4Rec' on beauty"));

  Report report;
  report.reproduction = rows;
  const std::string md = render_reproduction(report, TableFormat::Markdown);
  BOOST_TEST(
      contains(md, "| esasrec2025 | beauty | SASRec+SS | HR@10 | 0.0921 | 0.0910 ± 0.0010 | 3 |"));
  const json j = json::parse(render_reproduction(report, TableFormat::Json));
  BOOST_TEST(j["reproduction"][1]["verdict"] == "reproduced");
  BOOST_TEST(
      contains(render_reproduction(report, TableFormat::Csv), "esasrec2025,esasrec2025-loo,"));
}

BOOST_AUTO_TEST_CASE(a_sweep_entry_names_the_row_it_reproduces_only_under_a_preset) {
  ScratchDir dir;
  json spec = {{"name", "r"},
               {"out", dir.file("out")},
               {"datasets", {"beauty"}},
               {"seeds", {1, 2}},
               {"preset", "esasrec2025-loo"},
               {"models", {{{"model", "sasrec"}, {"reproduces", "SASRec+SS"}}}}};
  const auto loaded = load_sweep_spec(dir.write("spec.json", spec.dump()));
  BOOST_REQUIRE(loaded.trials.size() == 2u);
  BOOST_TEST(loaded.trials[1].reproduces == "SASRec+SS");
  spec.erase("preset");
  BOOST_CHECK_EXCEPTION(load_sweep_spec(dir.write("spec.json", spec.dump())), InputError,
                        [](const InputError& e) { return contains(e.what(), "reproduces"); });
}

// A preset is only keys: trials that another spec ran with the same keys (same ids) join the
// reproduction rows of the spec named to the report; labelled trials keep their own labels.
BOOST_AUTO_TEST_CASE(a_spec_labels_the_trials_with_its_ids) {
  SweepSpec spec;
  spec.preset = "recbole121";
  SweepTrial same;
  same.model = "sasrec";
  same.reproduces = "SASRec";
  same.id = "aaaa";
  spec.trials = {same};
  std::vector<TrialRecord> trials(3);
  trials[0].trial_id = "aaaa";
  trials[1].trial_id = "bbbb";
  trials[2].trial_id = "aaaa";
  trials[2].preset = "tiger2023";
  trials[2].reproduces = "SASRec";
  BOOST_TEST(label_reproductions(trials, spec) == 1u);
  BOOST_TEST(trials[0].preset == "recbole121");
  BOOST_TEST(trials[0].reproduces == "SASRec");
  BOOST_TEST(trials[1].preset.empty());
  BOOST_TEST(trials[2].preset == "tiger2023");
}

// The specs named to the report say which rows are still to run: such a row is listed with
// its trial ids and no numbers until one of its trials finishes.
BOOST_AUTO_TEST_CASE(a_spec_row_without_finished_trials_is_listed_as_not_run_yet) {
  SweepSpec spec;
  spec.preset = "esasrec2025-loo";
  SweepTrial ss, toys_ss, plain;
  ss.dataset = "beauty";
  ss.reproduces = "SASRec+SS";
  ss.id = "aaaa";
  toys_ss = ss;
  toys_ss.dataset = "toys";
  toys_ss.id = "bbbb";
  plain.dataset = "toys";
  plain.id = "cccc";  // names no published row
  spec.trials = {ss, toys_ss, plain};
  const auto planned = planned_reproductions(spec);
  BOOST_REQUIRE(planned.size() == 2u);
  BOOST_TEST(planned[1].dataset == "toys");
  BOOST_TEST(planned[1].trial_ids == std::vector<std::string>{"bbbb"});

  const Reference reference = load_reference(source_dir() + "/results/reference/published.json");
  std::vector<TrialRecord> trials{esasrec_trial("runs/aaaa", 0.0916, 0.0534)};
  std::vector<std::string> notes;
  const auto rows = reproduction_rows(trials, reference, notes, planned);
  BOOST_REQUIRE(rows.size() == 4u);  // beauty ran; toys listed, two metrics each
  BOOST_TEST(rows[0].verdict == "reproduced");
  BOOST_TEST(rows[2].dataset == "toys");
  BOOST_TEST(rows[2].published == 0.0970);
  BOOST_TEST(!rows[2].ran());
  BOOST_TEST(rows[2].verdict == "not run yet");
  BOOST_TEST(rows[2].trials == std::vector<std::string>{"bbbb"});
  BOOST_TEST(notes.empty());

  Report report;
  report.reproduction = rows;
  BOOST_TEST(
      contains(render_reproduction(report, TableFormat::Markdown),
               "| esasrec2025 | toys | SASRec+SS | HR@10 | 0.0970 | – | 0 | – | not run yet |"));
  BOOST_TEST(contains(render_reproduction(report, TableFormat::Markdown),
                      "| esasrec2025 | beauty | SASRec+SS | HR@10 | 0.0921 | 0.0916 | 1 | -0.5 |"));
  const json j = json::parse(render_reproduction(report, TableFormat::Json));
  BOOST_TEST(j["reproduction"][2]["ours"].is_null());
  BOOST_TEST(j["reproduction"][2]["delta_percent"].is_null());
  BOOST_TEST(
      contains(render_reproduction(report, TableFormat::Csv),
               "esasrec2025,esasrec2025-loo,toys,SASRec+SS,HR@10,0.0970,,,0,,not run yet,bbbb"));
}

BOOST_AUTO_TEST_SUITE_END()
