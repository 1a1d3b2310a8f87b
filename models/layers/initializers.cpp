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

void init_weights_normal_torch_mha(torch::nn::Module& module, double std) {
  init_weights_normal(module, std);
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    auto* attention = m->as<MultiHeadAttentionImpl>();
    if (attention == nullptr) continue;
    const double d = static_cast<double>(attention->q->weight.size(1));
    const double bound = std::sqrt(6.0 / (d + 3 * d));  // fan_in d, fan_out 3d
    for (auto* projection : {&attention->q, &attention->k, &attention->v}) {
      (*projection)->weight.uniform_(-bound, bound);
      if ((*projection)->bias.defined()) (*projection)->bias.zero_();
    }
  }
}

void init_weights_rectools(torch::nn::Module& module) {
  init_weights_xavier_normal(module);
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* attention = m->as<MultiHeadAttentionImpl>()) {
      const double d = static_cast<double>(attention->q->weight.size(1));
      const double std = std::sqrt(2.0 / (d + 3 * d));  // fan_in d, fan_out 3d
      for (auto* projection : {&attention->q, &attention->k, &attention->v})
        (*projection)->weight.normal_(0.0, std);
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
