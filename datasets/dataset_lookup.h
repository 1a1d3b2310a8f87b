#pragma once
// Where `--dataset NAME` is looked for (design §3); resolve_dataset_dir (dataset.h) uses it.
#include <string>
#include <vector>

namespace seqrec {

// In order, without duplicates: each dir of $SEQREC_DATA, ./data, ../shared/datasets, then
// A/../shared/datasets for every ancestor A of the working directory and of the executable's
// folder (so a binary or a test run from a build folder finds the shared data beside the repo).
std::vector<std::string> dataset_search_dirs();

}  // namespace seqrec
