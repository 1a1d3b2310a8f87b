#pragma once
// `seqrec report --plots` (design §8): figures rendered by gnuplot to SVG and PNG. Every
// figure NAME comes as NAME.dat (tab-separated data), NAME.gp (the script; `gnuplot NAME.gp`
// in the plots folder re-renders it) and NAME.svg / NAME.png. Per (dataset, protocol) group:
//   curves_G            validation valid_metric per epoch, one line per model (best
//                       configuration, first seed)
//   at_k_FAMILY_G       test FAMILY@k against k, one line per model (valid_metric's family, HR)
//   leaderboard_G       bars with error bars: test valid_metric and HR@10, mean ± std over seeds
//   ablation_G_MODEL    the same for the full model and each ablation variant
//   sensitivity_G_MODEL_KEY  valid and test valid_metric against each swept hyper-parameter
//   time_quality_G      test valid_metric against training seconds, one point per configuration
#include <string>
#include <vector>

#include "harness/report/report_tables.h"

namespace seqrec {

struct PlotOutcome {
  std::vector<std::string> files;     // every file written (.dat, .gp, and images when rendered)
  std::vector<std::string> images;    // the .svg and .png files rendered
  std::vector<std::string> warnings;  // gnuplot missing or failing
};

// Writes the figures of `report` into `plots_dir` (created). With `render`, runs gnuplot
// when it is installed (PNG through pngcairo when available, else png); without gnuplot the
// .dat/.gp files are still written and one warning says so.
PlotOutcome write_report_plots(const Report& report, const std::string& plots_dir,
                               bool render = true);

}  // namespace seqrec
