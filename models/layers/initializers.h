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

// init_weights_normal, except the attention's query, key and value projections: Xavier-uniform
// over their stacked [3d, d] matrix with zero biases, as torch's nn.MultiheadAttention
// initialises its in_proj. SASRec's PyTorch port (pmixer/SASRec.pytorch, and Klenitskiy &
// Vasilev's copy) draws N(0, 0.02) for Linear layers only, which skips that matrix.
void init_weights_normal_torch_mha(torch::nn::Module& module, double std = 0.02);

// RecTools' initialisation as it lands on torch modules: Xavier-normal for every parameter of
// two or more dimensions, where nn.MultiheadAttention holds the query, key and value
// projections as one [3d, d] matrix (std sqrt(2 / 4d), not sqrt(2 / 2d) per projection) with
// zero biases, and the feed-forward Linear layers keep PyTorch's uniform(+-1/sqrt(fan_in))
// biases. LayerNorms 1 and 0; padding rows stay zero.
void init_weights_rectools(torch::nn::Module& module);

// Xavier-uniform GRU weight matrices (RecBole's GRU4Rec/NARM initialisation); biases keep
// PyTorch's default.
void init_gru_xavier(torch::nn::GRU& gru);

}  // namespace seqrec
