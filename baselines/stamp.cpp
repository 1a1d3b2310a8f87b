#include "baselines/stamp.h"

#include "core/errors.h"
#include "models/layers/initializers.h"
#include "models/registry.h"

namespace seqrec {

ParamSchema STAMPImpl::schema() {
  ParamSchema s;
  s.int_param("embedding", 64,
              "item embedding width d, also the width of the attention net and both MLP cells "
              "(paper: 100; 64 here, the width of this harness's other baselines)",
              1, 4096);
  s.bool_param("mean_in_memory", false,
               "general interest from m_a + m_s instead of m_a alone (RecBole's STAMP adds the "
               "sequence mean to the attended memory; default false = the paper: m_a alone)");
  s.bool_param("score_sigmoid", false,
               "squash the trilinear score with a sigmoid before the softmax, as the paper "
               "writes the score (needs loss=ce). Default false, as RecBole: logits in (0, 1) "
               "keep the softmax over N items nearly flat, so the loss cannot fall below "
               "about log N - 1");
  return with_default_sources(s.extend(next_item_loss_schema("ce")), "STAMP",
                              {{"loss",
                                "default ce = the paper's cross-entropy over a softmax "
                                "of every item's score"}});
}

STAMPImpl::STAMPImpl(const ModelContext& c)
    : mean_in_memory(c.params.get_bool("mean_in_memory")),
      score_sigmoid(c.params.get_bool("score_sigmoid")),
      loss_options(next_item_loss_options(c.params)) {
  if (score_sigmoid && loss_options.kind != "ce")
    throw InputError(
        "key 'score_sigmoid': true needs loss=ce (the sigmoid is applied to the "
        "full-softmax logits), not loss=" +
        loss_options.kind);
  const int64_t d = c.params.get_int("embedding");
  item = register_module(
      "item",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(c.data.num_items() + 1, d).padding_idx(0)));
  auto no_bias = [d] { return torch::nn::LinearOptions(d, d).bias(false); };
  w0 = register_module("w0", torch::nn::Linear(torch::nn::LinearOptions(d, 1).bias(false)));
  w1 = register_module("w1", torch::nn::Linear(d, d));  // its bias is the paper's b_a
  w2 = register_module("w2", torch::nn::Linear(no_bias()));
  w3 = register_module("w3", torch::nn::Linear(no_bias()));
  general = register_module("general", torch::nn::Linear(d, d));
  short_term = register_module("short_term", torch::nn::Linear(d, d));
  // RecBole's STAMP initialisation: weights N(0, 0.05^2), item embeddings N(0, 0.002^2), zero
  // biases (init_weights_normal draws everything at one std, so the table is redrawn).
  init_weights_normal(*this, 0.05);
  torch::NoGradGuard no_grad;
  item->weight.normal_(0.0, 0.002);
  item->weight[0].zero_();
}

STAMPImpl::Memory STAMPImpl::memory(const Batch& batch) {
  Memory m;
  // Masking by `lengths` rather than trusting item 0 keeps a prefix's representation a
  // function of that prefix alone, whatever the row holds after it.
  auto positions = torch::arange(batch.items.size(1), batch.items.options());
  m.real = positions.unsqueeze(0).lt(batch.lengths.unsqueeze(1));
  m.items = item(batch.items).masked_fill(m.real.logical_not().unsqueeze(-1), 0.0);
  m.last = batch.last_position(m.items);
  m.mean = m.items.sum(1) / batch.lengths.unsqueeze(1).to(m.items.scalar_type());
  return m;
}

torch::Tensor STAMPImpl::attention(const Memory& m) {
  auto query = (w2(m.last) + w3(m.mean)).unsqueeze(1);               // [B, 1, d]
  auto alpha = w0(torch::sigmoid(w1(m.items) + query)).squeeze(-1);  // [B, L]
  // Unnormalised weights, as in the paper (no softmax); positions after the prefix get 0.
  return alpha.masked_fill(m.real.logical_not(), 0.0);
}

torch::Tensor STAMPImpl::attention(const Batch& batch) { return attention(memory(batch)); }

torch::Tensor STAMPImpl::represent(const Batch& batch) {
  const Memory m = memory(batch);
  auto attended = (attention(m).unsqueeze(-1) * m.items).sum(1);  // m_a
  if (mean_in_memory) attended = attended + m.mean;
  auto h_s = torch::tanh(general(attended));
  auto h_t = torch::tanh(short_term(m.last));
  return h_s * h_t;
}

LossParts STAMPImpl::loss(const Batch& batch) {
  // One sample per prefix, its loss at the prefix's end (train_samples = last_position: the
  // paper trains on every prefix of a session).
  auto targets = batch.last_targets();
  auto mask = targets.gt(0);
  auto hidden = represent(batch).index({mask});
  targets = targets.index({mask});
  torch::Tensor l;
  if (score_sigmoid)
    l = full_softmax_cross_entropy(torch::sigmoid(torch::matmul(hidden, item->weight.t())),
                                   targets);
  else
    l = next_item_loss(hidden, targets, item->weight, loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors STAMPImpl::score_factors(const Batch& batch) {
  // Raw trilinear scores even with score_sigmoid: the sigmoid is monotone, so the ranking is
  // the same, and in float32 it would saturate large scores to 1.0 and invent ties.
  return {represent(batch), item->weight};
}

SEQREC_REGISTER_MODEL(ModelInfo::of<STAMPImpl>("stamp")
                          .described_as("STAMP: short-term attention/memory priority, trilinear "
                                        "scores (Liu, Zeng, Mokhosi & Zhang, KDD 2018)")
                          .with_trainer_defaults({{"train_samples", "last_position"}}));

}  // namespace seqrec
