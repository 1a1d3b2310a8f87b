// The performance page: ratios and verdicts computed from a Google Benchmark JSON file.
#include "harness/report/performance_report.h"

#include <boost/test/unit_test.hpp>

#include "core/errors.h"
#include "tests/test_support.h"

using nlohmann::json;

namespace {

json bench_row(const std::string& name, double cpu_ms, json counters = json::object()) {
  json row = {{"name", name},
              {"run_type", "iteration"},
              {"cpu_time", cpu_ms},
              {"real_time", cpu_ms},
              {"time_unit", "ms"}};
  row.update(counters);
  return row;
}

json sample_bench() {
  return {{"context", {{"cpu_model", "Test CPU"}, {"num_cpus", 2}, {"torch_threads", "1"}}},
          {"benchmarks",
           {bench_row("BM_MatmulF32/M:6400/K:64/N:256", 1.0, {{"FLOP/s", 100e9}}),
            bench_row("BM_MatmulBF16/M:6400/K:64/N:256", 0.5, {{"FLOP/s", 200e9}}),
            bench_row("BM_ScoreProduct/items:12102", 10.0, {{"users/s", 25600}}),
            bench_row("BM_FullRankingEval/items:12102", 12.0, {{"users/s", 21333}}),
            bench_row("BM_ScoreProduct/items:1000000", 100.0, {{"users/s", 2560}}),
            bench_row("BM_FullRankingEval/items:1000000", 140.0, {{"users/s", 1828}}),
            bench_row("BM_ChunkedRankingEval/items:1000000", 125.0,
                      {{"users/s", 2048}, {"chunk_items", 131072}}),
            bench_row("BM_TrainStep/sasrec", 160.0,
                      {{"sequences/s", 800.0}, {"useful FLOP/s", 45e9}, {"label", "sasrec"}}),
            bench_row("BM_TrainStepBF16/sasrec", 100.0, {{"sequences/s", 1280.0}}),
            bench_row("BM_SoftmaxCE/float32", 40.0, {{"label", "CE over 700 x 12102 scores"}}),
            bench_row("BM_SoftmaxCE/bf16", 20.0, {{"label", "CE over 700 x 12102 scores"}}),
            bench_row("BM_TrainEpoch/sasrec", 30000.0,
                      {{"sequences/s", 750.0}, {"useful FLOP/s", 22e9}}),
            bench_row("BM_TrainEpochBF16/sasrec", 20000.0,
                      {{"sequences/s", 1125.0}, {"useful FLOP/s", 33e9}}),
            bench_row("BM_TrainEpoch/sasrec_bucketed", 16000.0,
                      {{"sequences/s", 1400.0}, {"useful FLOP/s", 41e9}}),
            bench_row("BM_TrainEpochBF16/sasrec_bucketed", 8000.0,
                      {{"sequences/s", 2800.0}, {"useful FLOP/s", 82e9}}),
            bench_row("BM_TrainEpoch/sasrec_fast_kernels", 25000.0,
                      {{"sequences/s", 900.0}, {"useful FLOP/s", 26.4e9}}),
            bench_row("BM_TrainEpochBF16/sasrec_fast_kernels", 12500.0,
                      {{"sequences/s", 1800.0}, {"useful FLOP/s", 52.8e9}}),
            bench_row("BM_TrainStep/fame", 480.0, {{"sequences/s", 266.0}})}}};
}

// The sample benchmark output as the page reads it from scripts/bench.sh's file.
seqrec::PerformanceInputs sample_inputs() {
  seqrec::PerformanceInputs in;
  in.bench = sample_bench();
  in.bench_path = "bench.json";
  in.command = "bash scripts/bench.sh";
  return in;
}

using seqrec::testing::contains;

}  // namespace

BOOST_AUTO_TEST_SUITE(performance_report)

BOOST_AUTO_TEST_CASE(ratios_and_verdicts_follow_the_targets) {
  seqrec::PerformanceInputs in = sample_inputs();
  in.memory_trials = {{{"model", "sasrec"},
                       {"dataset", {{"name", "beauty"}}},
                       {"trial_id", "abc"},
                       {"peak_rss_bytes", 1.5 * 1024 * 1024 * 1024}},
                      {{"model", "sasrec"},
                       {"dataset", {{"name", "beauty"}}},
                       {"trial_id", "def"},
                       {"trainer", {{"execution", "packed"}}},
                       {"peak_rss_bytes", 1.2 * 1024 * 1024 * 1024}}};
  const std::string md = seqrec::render_performance_markdown(in);
  BOOST_TEST(contains(md, "| M:6400/K:64/N:256 | 100.0 | 200.0 | 2.00x |"));
  BOOST_TEST(contains(md, "| 12102 | 10.00 | 12.00 | 1.200 | 21333 | met |"));
  BOOST_TEST(contains(md, "| 1000000 | 131072 | 125.00 | 1.250 | 2048 | met |"));
  BOOST_TEST(contains(md, "| 1000000 | 100.00 | 140.00 | 1.400 | 1828 | **not met** |"));
  // Epochs against a 100 GFLOP/s ceiling: 22%, 41% and 26.4% of it; bf16 1.5x, 2x and 2x.
  BOOST_TEST(contains(md,
                      "| shuffled (default) | torch (default) | float32 | 30.0 | 750 | 22.0 | "
                      "22.0% | **not met** |"));
  BOOST_TEST(contains(md,
                      "| shuffled (default) | torch (default) | bf16 | 20.0 | 1125 | 33.0 | "
                      "33.0% |  | 1.50x | **not met** |"));
  BOOST_TEST(contains(
      md, "| length-bucketed | torch (default) | float32 | 16.0 | 1400 | 41.0 | 41.0% | met |"));
  BOOST_TEST(contains(md,
                      "| length-bucketed | torch (default) | bf16 | 8.0 | 2800 | 82.0 | 82.0% "
                      "|  | 2.00x | met |"));
  BOOST_TEST(contains(md,
                      "| shuffled (default) | fast | float32 | 25.0 | 900 | 26.4 | 26.4% "
                      "| **not met** |"));
  BOOST_TEST(contains(md,
                      "| shuffled (default) | fast | bf16 | 12.5 | 1800 | 52.8 | 52.8% |  "
                      "| 2.00x | met |"));
  BOOST_TEST(contains(md, "| 45.0 | 45.0% |"));  // the step table, informative
  BOOST_TEST(contains(md, "| fame |"));
  BOOST_TEST(contains(md, "| sasrec (bf16) |"));
  // The loss's share of a step: 40 of 160 ms in float32, 20 of 100 ms in bf16.
  BOOST_TEST(contains(md, "CE over 700 x 12102 scores"));
  BOOST_TEST(contains(md, "| float32 | 160.0 | 40.0 | 120.0 | 25.0% |"));
  BOOST_TEST(contains(md, "| bf16 | 100.0 | 20.0 | 80.0 | 20.0% |"));
  BOOST_TEST(contains(md, "| abc | sasrec | beauty | padded | `` | 1.50 | met |"));
  BOOST_TEST(contains(md, "| def | sasrec | beauty | packed | `` | 1.20 | met |"));
  BOOST_TEST(contains(md, "1.20 against 1.50 GiB (0.80x); target: no higher — met"));
  BOOST_TEST(contains(md, "Test CPU"));
}

BOOST_AUTO_TEST_CASE(a_gpu_run_is_read_on_the_wall_clock) {
  seqrec::PerformanceInputs in;
  in.bench = sample_bench();
  in.bench["context"]["device"] = "cuda";
  in.bench["context"]["gpu"] = "Test GPU";
  // The host spends half the wall time on the CPU: per-CPU-second rates are twice the real ones.
  for (auto& b : in.bench["benchmarks"]) b["real_time"] = 2 * b["cpu_time"].get<double>();
  in.bench_path = "bench-cuda.json";
  in.command = "SEQREC_BENCH_DEVICE=cuda bash scripts/bench.sh";
  const std::string md = seqrec::render_performance_markdown(in);
  BOOST_TEST(contains(md, "| device | cuda (Test GPU) |"));
  BOOST_TEST(contains(md, "wall-clock"));
  BOOST_TEST(contains(md, "| M:6400/K:64/N:256 | 50.0 | 100.0 | 2.00x |"));
  BOOST_TEST(contains(md, "| 12102 | 20.00 | 24.00 | 1.200 |"));
  BOOST_TEST(contains(md,
                      "| shuffled (default) | torch (default) | float32 | 60.0 | 375 | 11.0 | "
                      "22.0% | **not met** |"));
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_benchmark_output_is_refused_by_name) {
  seqrec::PerformanceInputs in;
  in.bench = json{{"trials", 3}};
  in.bench_path = "results/x.json";
  BOOST_CHECK_EXCEPTION(seqrec::render_performance_markdown(in), seqrec::InputError,
                        [](const seqrec::InputError& e) {
                          return std::string(e.what()).find("results/x.json") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(packed_execution_is_compared_with_the_padded_grid_in_the_same_run) {
  seqrec::PerformanceInputs in = sample_inputs();
  auto& rows = in.bench["benchmarks"];
  // Single-iteration benchmarks carry Google Benchmark's "/iterations:1" suffix.
  rows.push_back(bench_row("BM_TrainEpoch/sasrec_packed/iterations:1", 12000.0,
                           {{"sequences/s", 1875.0}, {"useful FLOP/s", 55e9}}));
  rows.push_back(bench_row("BM_TrainEpoch/sasrec_recbole/iterations:1", 200000.0,
                           {{"sequences/s", 650.0}, {"useful FLOP/s", 6e9}}));
  rows.push_back(bench_row("BM_TrainEpoch/sasrec_recbole_packed/iterations:1", 50000.0,
                           {{"sequences/s", 2600.0}, {"useful FLOP/s", 24e9}}));
  rows.push_back(bench_row("BM_TrainStep/hm4sr_text", 4000.0, {{"sequences/s", 256.0}}));
  rows.push_back(bench_row("BM_TrainStep/hm4sr_text_packed", 1200.0, {{"sequences/s", 853.0}}));
  rows.push_back(bench_row("BM_ValidationProduct", 400.0));
  rows.push_back(bench_row("BM_ValidationPass/padded", 3600.0));
  rows.push_back(bench_row("BM_ValidationPass/packed", 900.0));
  const std::string md = seqrec::render_performance_markdown(in);
  // The pairs' ratios and verdicts, the validation pass against its bare product.
  for (const char* expected : {"## Packed execution", "| 30.0 s | 12.0 s | 2.50x | >= 2x: met |",
                               "| 200.0 s | 50.0 s | 4.00x | >= 2.5x: met |",
                               "| 4000.0 ms | 1200.0 ms | 3.33x | >= 4x: **not met** |",
                               "| 3600.0 ms | 900.0 ms | 4.00x | (reference) |",
                               "900.0 ms against 400.0 ms", "2.25x; target at most 2.5x: met"})
    BOOST_TEST(contains(md, expected), expected);
  // The packed epoch joins the epoch table; RecBole's configuration does not.
  BOOST_TEST(
      contains(md, "| packed (default) | shuffled (default) | torch (default) | float32 | 12.0 |"));
  BOOST_TEST(!contains(md, "| float32 | 200.0 |"));
}

// Repeated epoch benchmarks: the page reads each one's median aggregate, not its last run.
BOOST_AUTO_TEST_CASE(a_repeated_benchmark_is_read_as_its_median) {
  seqrec::PerformanceInputs in = sample_inputs();
  auto& rows = in.bench["benchmarks"];
  for (const double ms : {14000.0, 12000.0, 90000.0})
    rows.push_back(bench_row("BM_TrainEpoch/sasrec_packed/iterations:1/repeats:3", ms,
                             {{"sequences/s", 1875.0}, {"useful FLOP/s", 55e9}}));
  json median = bench_row("BM_TrainEpoch/sasrec_packed/iterations:1/repeats:3_median", 14000.0,
                          {{"sequences/s", 1875.0}, {"useful FLOP/s", 55e9}});
  median["run_type"] = "aggregate";
  median["aggregate_name"] = "median";
  median["run_name"] = "BM_TrainEpoch/sasrec_packed/iterations:1/repeats:3";
  median["repetitions"] = 3;
  rows.push_back(median);
  json mean = median;
  mean["aggregate_name"] = "mean";
  mean["cpu_time"] = 38666.0;
  rows.push_back(mean);
  const std::string md = seqrec::render_performance_markdown(in);
  BOOST_TEST(contains(md, "(medians of 3 runs) | 30.0 s | 14.0 s | 2.14x | >= 2x: met |"), md);
}

// SASRec+SS's epoch with the fused candidate scores against torch's, in a section of its own.
BOOST_AUTO_TEST_CASE(sampled_softmax_epochs_are_read_against_torchs_kernels) {
  seqrec::PerformanceInputs in = sample_inputs();
  BOOST_TEST(!contains(seqrec::render_performance_markdown(in), "Sampled softmax"));
  auto& rows = in.bench["benchmarks"];
  rows.push_back(
      bench_row("BM_TrainEpoch/sasrec_ss_packed/iterations:1", 32000.0, {{"sequences/s", 700.0}}));
  rows.push_back(bench_row("BM_TrainEpoch/sasrec_ss_packed_fused_scores/iterations:1", 16000.0,
                           {{"sequences/s", 1400.0}}));
  const std::string md = seqrec::render_performance_markdown(in);
  BOOST_TEST(contains(md, "| torch (default) | 32.0 | 700 | 1.00x |"), md);
  BOOST_TEST(contains(md, "| `candidate_scores=fused` | 16.0 | 1400 | 2.00x |"), md);
  BOOST_TEST(!contains(md, "`dropout_rng=counter` |"), md);  // not benchmarked: no row
  BOOST_TEST(!contains(md, "| float32 | 32.0 |"), md);       // not in the SASRec (CE) table
}

// Issue 25: HM4SR's epoch as a multiple of SASRec's default (packed) epoch of the same run.
BOOST_AUTO_TEST_CASE(hm4sr_epoch_is_read_against_sasrec_epoch_of_the_same_run) {
  seqrec::PerformanceInputs in = sample_inputs();
  auto& rows = in.bench["benchmarks"];
  rows.push_back(bench_row("BM_TrainEpoch/sasrec_packed/iterations:1", 12000.0,
                           {{"sequences/s", 1875.0}, {"useful FLOP/s", 55e9}}));
  rows.push_back(
      bench_row("BM_TrainEpoch/hm4sr_packed/iterations:1", 84000.0,
                {{"sequences/s", 1564.0}, {"useful FLOP/s", 50e9}, {"label", "hm4sr, packed"}}));
  std::string md = seqrec::render_performance_markdown(in);
  // 84 s at 50 GFLOP/s against 12 s at 55: 6.36x the work (ceiling 100 GFLOP/s).
  BOOST_TEST(contains(md,
                      "| prefixes (default) | hm4sr, packed | 84.0 | 12.0 | 7.00x | at most "
                      "6x: **not met** | 50.0 (50.0% of ceiling) | 55.0 (55.0% of ceiling) | "
                      "6.36x |"),
             md);
  BOOST_TEST(!contains(md, "whole sequences |"), md);  // not benchmarked: no row
  // Not a SASRec epoch: no row of its own in the SASRec table.
  BOOST_TEST(!contains(md, "| float32 | 84.0 |"), md);
  rows.back()["cpu_time"] = 60000.0;
  rows.push_back(bench_row("BM_TrainEpoch/hm4sr_whole_packed/iterations:1", 36000.0,
                           {{"label", "hm4sr, whole"}}));
  md = seqrec::render_performance_markdown(in);
  BOOST_TEST(contains(md, "| 60.0 | 12.0 | 5.00x | at most 6x: met |"), md);
  BOOST_TEST(contains(md,
                      "| whole sequences | hm4sr, whole | 36.0 | 12.0 | 3.00x | at most 3x: "
                      "met | - | - | - |"),
             md);
  // With the fast kernels, against SASRec's epoch with the same kernels; without that
  // reference the row is left out.
  rows.push_back(bench_row("BM_TrainEpoch/hm4sr_packed_fast_kernels/iterations:1", 50000.0,
                           {{"label", "hm4sr, fast"}}));
  md = seqrec::render_performance_markdown(in);
  BOOST_TEST(!contains(md, "prefixes, fast kernels |"), md);
  rows.push_back(bench_row("BM_TrainEpoch/sasrec_packed_fast_kernels/iterations:1", 10000.0,
                           {{"sequences/s", 2250.0}, {"useful FLOP/s", 66e9}}));
  md = seqrec::render_performance_markdown(in);
  BOOST_TEST(contains(md,
                      "| prefixes, fast kernels | hm4sr, fast | 50.0 | 10.0 | 5.00x | at most "
                      "6x: met | - | - | - |"),
             md);
}

// The CE kernel alone: the fused one against torch's, in the same run.
BOOST_AUTO_TEST_CASE(the_fused_cross_entropy_is_read_against_torchs) {
  seqrec::PerformanceInputs in = sample_inputs();
  BOOST_TEST(!contains(seqrec::render_performance_markdown(in), "Full-softmax CE kernel"));
  auto& rows = in.bench["benchmarks"];
  rows.push_back(bench_row("BM_FullSoftmaxCE/torch", 66.0, {{"label", "torch CE"}}));
  rows.push_back(bench_row("BM_FullSoftmaxCE/fused", 33.0, {{"label", "fused CE over 1 x 2"}}));
  const std::string md = seqrec::render_performance_markdown(in);
  BOOST_TEST(contains(md,
                      "fused CE over 1 x 2: 33.0 ms per step with `cross_entropy=fused` "
                      "against 66.0 ms with torch's log_softmax and nll_loss: 2.00x."),
             md);
}

BOOST_AUTO_TEST_SUITE_END()
