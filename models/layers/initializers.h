#pragma once
// Weight initialisations the models share, named after the implementation they follow, so a
// model says in one line whose initialisation it reproduces.
#include <torch/torch.h>

namespace seqrec {

// Normal(0, std) weights, zero biases, unit LayerNorms (BERT/RecBole initialisation); the
// padding row of embeddings stays zero.
void init_weights_normal(torch::nn::Module& module, double std = 0.02);

// Xavier-normal weight matrices and embedding tables, zero biases, unit LayerNorms (RecTools'
// initialisation of every parameter with two or more dimensions; its biases keep PyTorch's
// defaults, which for the feed-forward's Linear layers are uniform, not zero). Padding rows
// stay zero.
void init_weights_xavier_normal(torch::nn::Module& module);

// Xavier-uniform GRU weight matrices (RecBole's GRU4Rec/NARM initialisation); biases keep
// PyTorch's default.
void init_gru_xavier(torch::nn::GRU& gru);

}  // namespace seqrec
