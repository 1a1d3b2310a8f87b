#include "models/layers/initializers.h"

#include <cmath>

#include "models/layers/attention.h"
#include "models/layers/transformer.h"

namespace seqrec {

void init_weights_normal(torch::nn::Module& module, double std) {
  torch::NoGradGuard no_grad;
  // include_self=false: this runs inside constructors, before shared_from_this is valid.
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* linear = m->as<torch::nn::LinearImpl>()) {
      linear->weight.normal_(0.0, std);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* emb = m->as<torch::nn::EmbeddingImpl>()) {
      emb->weight.normal_(0.0, std);
      if (emb->options.padding_idx()) emb->weight[*emb->options.padding_idx()].zero_();
    } else if (auto* norm = m->as<torch::nn::LayerNormImpl>()) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    }
  }
}

void init_weights_xavier_normal(torch::nn::Module& module) {
  init_weights_normal(module);  // LayerNorms 1 and 0, biases 0
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* linear = m->as<torch::nn::LinearImpl>()) {
      torch::nn::init::xavier_normal_(linear->weight);
    } else if (auto* emb = m->as<torch::nn::EmbeddingImpl>()) {
      torch::nn::init::xavier_normal_(emb->weight);
      if (emb->options.padding_idx()) emb->weight[*emb->options.padding_idx()].zero_();
    }
  }
}

namespace {

// torch's nn.MultiheadAttention holds the query, key and value projections as one [3d, d]
// matrix, so Xavier's fan_in + fan_out is d + 3d = 4d for each of them. Draws each weight with
// draw(weight, 4d), in q, k, v order, and zeroes the biases (as torch's in_proj_bias).
template <typename Draw>
void init_stacked_qkv(MultiHeadAttentionImpl& attention, Draw draw) {
  const double fan_sum = 4.0 * static_cast<double>(attention.q->weight.size(1));
  for (auto* projection : {&attention.q, &attention.k, &attention.v}) {
    draw((*projection)->weight, fan_sum);
    if ((*projection)->bias.defined()) (*projection)->bias.zero_();
  }
}

}  // namespace

void init_weights_normal_torch_mha(torch::nn::Module& module, double std) {
  init_weights_normal(module, std);
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false))
    if (auto* attention = m->as<MultiHeadAttentionImpl>())
      init_stacked_qkv(*attention, [](torch::Tensor& w, double fan_sum) {
        const double bound = std::sqrt(6.0 / fan_sum);  // Xavier-uniform
        w.uniform_(-bound, bound);
      });
}

void init_weights_rectools(torch::nn::Module& module) {
  init_weights_xavier_normal(module);
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* attention = m->as<MultiHeadAttentionImpl>()) {
      init_stacked_qkv(*attention, [](torch::Tensor& w, double fan_sum) {
        w.normal_(0.0, std::sqrt(2.0 / fan_sum));  // Xavier-normal
      });
    } else if (auto* feed_forward = m->as<FeedForwardImpl>()) {
      for (auto* linear : {&feed_forward->in, &feed_forward->out}) {
        const double bound = 1.0 / std::sqrt(static_cast<double>((*linear)->weight.size(1)));
        (*linear)->bias.uniform_(-bound, bound);
      }
    }
  }
}

void init_gru_xavier(torch::nn::GRU& gru) {
  torch::NoGradGuard no_grad;
  for (auto& p : gru->named_parameters())
    if (p.key().rfind("weight_", 0) == 0) torch::nn::init::xavier_uniform_(p.value());
}

}  // namespace seqrec
