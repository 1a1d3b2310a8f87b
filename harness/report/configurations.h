#pragma once
// A configuration is (model, variant, params + trainer keys); its trials are its seeds. The
// report shows, for each model and each ablation variant, the configuration with the best
// mean validation value.
#include <string>
#include <vector>

#include "harness/report/report_model.h"

namespace seqrec {

// The trials of one configuration, sorted by seed, with their statistics over seeds.
Configuration make_configuration(std::vector<TrialRecord> trials,
                                 const std::vector<std::string>& columns,
                                 const std::string& valid_metric);

// The best configuration of (model, variant) by mean validation value; the first on ties.
const Configuration* select_best(const std::vector<Configuration>& configs,
                                 const std::string& model, const std::string& variant);

}  // namespace seqrec
