#pragma once
// Weight initialisations the models share, named after the implementation they follow, so a
// model says in one line whose initialisation it reproduces.
#include <torch/torch.h>

namespace seqrec {

// Normal(0, std) weights, zero biases, unit LayerNorms (BERT/RecBole initialisation); the
// padding row of embeddings stays zero.
void init_weights_normal(torch::nn::Module& module, double std = 0.02);

// Xavier-uniform GRU weight matrices (RecBole's GRU4Rec/NARM initialisation); biases keep
// PyTorch's default.
void init_gru_xavier(torch::nn::GRU& gru);

}  // namespace seqrec
