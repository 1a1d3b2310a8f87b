#pragma once
// `seqrec train --explain`: what a model that explains itself (SequentialRecommenderImpl::explain)
// says about each test user, e.g. FAME's gate weight per head and router weights per expert.
#include <torch/torch.h>

#include <string>

#include "datasets/dataset.h"
#include "datasets/split.h"
#include "models/sequential_recommender.h"

namespace seqrec {

// CSV with one row per user: "user", then "<name>.<j>" for column j of each named tensor,
// computed on the test stage's input (the whole history before the held-out item).
// Returns "" when the model does not explain itself.
std::string explanation_csv(SequentialRecommenderImpl& model, const LeaveOneOutSplit& split,
                            const Dataset& data, int64_t max_len, const torch::Device& device,
                            int64_t batch_size);

}  // namespace seqrec
