#pragma once
// Sensitivity: each hyper-parameter that takes more than one value among a model's
// full-model trials, with the valid_metric over every trial of each value.
#include <string>
#include <vector>

#include "harness/report/report_model.h"

namespace seqrec {

// Blocks of `model` (params, then trainer keys; "trainer." prefix on a clash), by key; rows
// numeric values ascending, else by label.
std::vector<SensitivityBlock> sensitivity_blocks(const std::vector<Configuration>& configs,
                                                 const std::string& model,
                                                 const std::string& valid_metric);

}  // namespace seqrec
