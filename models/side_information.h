#pragma once
// Models that read side information (timestamps, categories, modality features) check for it
// when they are built, so a dataset without it fails before any training with one clear
// error naming the model, the dataset and what is missing (design §9).
#include <string>

#include "datasets/npy.h"

namespace seqrec {

struct ModelContext;

void require_timestamps(const ModelContext& context, const std::string& model);
void require_categories(const ModelContext& context, const std::string& model);
// The [N+1, F] features of `modality`; the error lists the modalities the dataset has.
const FloatMatrix& require_features(const ModelContext& context, const std::string& model,
                                    const std::string& modality);

}  // namespace seqrec
