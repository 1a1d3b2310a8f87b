#pragma once
// Models that read side information (timestamps, categories, modality features) check for it
// when they are built, so a dataset without it fails before any training with one clear
// error naming the model, the dataset and what is missing (design §9).
#include <torch/torch.h>

#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/npy.h"

namespace seqrec {

// `needed_for`, when given, says which part of the model needs it and how to switch it off.
void require_timestamps(const Dataset& data, const std::string& model,
                        const std::string& needed_for = "");
void require_categories(const Dataset& data, const std::string& model,
                        const std::string& needed_for = "");
// The [N+1, F] features of `modality`; the error lists the modalities the dataset has.
const FloatMatrix& require_features(const Dataset& data, const std::string& model,
                                    const std::string& modality);
// `requested` after checking that each modality exists (require_features) and is named once.
std::vector<std::string> require_modalities(const Dataset& data, const std::string& model,
                                            const std::vector<std::string>& requested);
// The modalities the dataset has features of, in name order.
std::vector<std::string> dataset_modalities(const Dataset& data);

// A feature matrix as a float tensor [rows, F], for a model to hold as a frozen buffer. With
// `standardize`, each column is z-scored over the real items (rows 1..N; row 0 stays zero):
// features come from anywhere (SVD of TF-IDF, CNN or CLIP embeddings) with any scale, and
// standardised ones let one initialisation of a projection fit them all.
torch::Tensor feature_tensor(const FloatMatrix& matrix, bool standardize);

// Registers each of `modalities` on `owner` as a frozen buffer "features_<m>" (buffers, not
// parameters: saved and moved with the model, never trained) with a trainable Linear(F_m, d)
// appended to `projections`, in modality order.
void register_frozen_modalities(torch::nn::Module& owner, const Dataset& data,
                                const std::vector<std::string>& modalities, int64_t d,
                                bool standardize, std::vector<torch::Tensor>& features,
                                torch::nn::ModuleList& projections);

}  // namespace seqrec
