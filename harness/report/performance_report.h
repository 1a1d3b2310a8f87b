#pragma once
// results/performance.md from a Google Benchmark JSON file written by seqrec_bench (issue 7):
// the machine, the matrix-product ceiling, evaluation against the bare score product,
// training throughput against the ceiling, batching, and the targets each ratio must meet.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seqrec {

struct PerformanceInputs {
  nlohmann::json bench;    // seqrec_bench --benchmark_out=... (format json)
  std::string bench_path;  // shown in the page
  std::string command;     // the command that regenerates the page
  // result.json files with peak_rss_bytes: one-epoch trainings (SASRec on Beauty), padded and
  // packed execution. Empty: no memory section.
  std::vector<nlohmann::json> memory_trials;
};

// Throws InputError naming `bench_path` when the file lacks the benchmarks the page needs.
std::string render_performance_markdown(const PerformanceInputs& inputs);

}  // namespace seqrec
