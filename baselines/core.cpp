#include "baselines/core.h"

#include <cmath>
#include <map>

#include "models/layers/initializers.h"
#include "models/layers/losses.h"
#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {

ParamSchema COREImpl::schema() {
  // Sources: RecBole's CORE.yaml and the authors' props/core_trm.yaml (RUCAIBox/CORE); they
  // agree on everything but the width (RecBole 64, authors 100).
  auto s = with_default_sources(
      transformer_schema(/*layers=*/2, /*heads=*/2, /*dropout=*/0.5, "gelu")
          .override_default("pre_norm", false)
          .override_default("inner", 256),
      "CORE",
      {{"hidden",
        "default 64 = RecBole CORE.yaml embedding_size; the authors' core_trm.yaml "
        "uses 100"},
       {"layers", "default 2 = RecBole and the authors' n_layers; trm encoder only"},
       {"heads", "default 2 = RecBole and the authors' n_heads"},
       {"inner", "default 256 = RecBole and the authors' inner_size"},
       {"dropout",
        "default 0.5 = hidden_dropout_prob of RecBole and the authors (on the "
        "encoder's input and inside it; not on the representation)"},
       {"attn_dropout", "default 0.5 = attn_dropout_prob of RecBole and the authors"},
       {"activation", "default gelu = RecBole and the authors' hidden_act"},
       {"pre_norm", "default false: RecBole's post-norm TransformerEncoder, used by CORE"}});
  s.string_param("encoder", "trm",
                 "how the weights α over the real positions are computed: trm = causal "
                 "transformer over item + position embeddings, linear to 1, softmax (CORE-trm, "
                 "the paper's main model; RecBole dnn_type default trm); ave = uniform mean "
                 "(CORE-ave)",
                 {"trm", "ave"});
  s.float_param("sess_dropout", 0.2,
                "dropout on the sequence's item embeddings before they are weighted and summed "
                "(and fed to the encoder), as in RecBole's and the authors' code (default 0.2, "
                "both)",
                0.0, 0.95);
  s.float_param("item_dropout", 0.2,
                "dropout on the candidate item table while training (default 0.2, RecBole and "
                "the authors)",
                0.0, 0.95);
  s.float_param("temperature", 0.07,
                "τ: score = cosine / τ (default 0.07, paper, RecBole and the authors)", 1e-4,
                100.0);
  return s;
}

COREImpl::COREImpl(const ModelContext& c)
    : transformer(c.params.get_string("encoder") == "trm"),
      temperature(c.params.get_float("temperature")) {
  const auto options = transformer_options(c.params);
  const int64_t d = options.dim();
  // Used for its item and position tables only: CORE adds sess_dropout between the two.
  embedding = register_module("embedding", SequenceEmbedding(c.data.num_items(), c.max_len, d,
                                                             /*dropout=*/0.0,
                                                             /*scale_by_sqrt_dim=*/false));
  sess_dropout = register_module("sess_dropout", Dropout(c.params.get_float("sess_dropout")));
  item_dropout = register_module("item_dropout", Dropout(c.params.get_float("item_dropout")));
  if (transformer) {
    input_norm = register_module("input_norm",
                                 torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-12)));
    input_dropout = register_module("input_dropout", Dropout(options.dropout()));
    encoder = register_module("encoder", TransformerEncoder(options));
    weight_head = register_module("weight_head", torch::nn::Linear(d, 1));
  }
  init_weights_normal(*this);
  // The authors' code draws the item table from U(±1/√d) and leaves the transformer at
  // Normal(0, 0.02); RecBole's port re-draws every parameter uniformly, LayerNorms included,
  // which looks accidental.
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(d));
  embedding->item->weight.uniform_(-bound, bound);
  embedding->item->weight[0].zero_();
}

torch::Tensor COREImpl::prefix_weights(const torch::Tensor& items, const torch::Tensor& x) {
  const int64_t L = items.size(1);
  auto causal = causal_mask(L, items.device());  // [1, 1, L, L]
  // allowed[b, t, j]: item j is real and not after t.
  auto allowed = causal.view({1, L, L}).logical_and(items.ne(0).unsqueeze(1));
  torch::Tensor logits;  // [B, L, L] over j, the same for every t
  if (transformer) {
    auto positions = torch::arange(L, items.options()).unsqueeze(0);
    auto h = input_dropout(input_norm(x + embedding->position(positions)));
    // Causal, as in the authors' code: the hidden state at j depends on items <= j only, so
    // one pass gives the weights of every prefix, and all_positions training trains the
    // same model as the prefix samples of last_position.
    h = encoder(h, causal);
    logits = weight_head(h).squeeze(-1).unsqueeze(1).expand({-1, L, -1});
  } else {
    logits = torch::zeros({items.size(0), L, L}, x.options());
  }
  // Position 0 is always real (lengths >= 1), so no row is fully masked; the finite fill
  // still keeps a malformed row from turning into NaN.
  return torch::softmax(logits.masked_fill(allowed.logical_not(), -1e9), -1);
}

torch::Tensor COREImpl::represent(const torch::Tensor& items) {
  auto x = sess_dropout(embedding->item(items));
  return torch::matmul(prefix_weights(items, x), x);
}

ScoreFactors COREImpl::unit_factors(const torch::Tensor& representation) {
  namespace F = torch::nn::functional;
  auto table = item_dropout(embedding->item->weight);  // identity in eval mode
  return {F::normalize(representation, F::NormalizeFuncOptions().dim(-1)),
          F::normalize(table, F::NormalizeFuncOptions().dim(-1))};
}

torch::Tensor COREImpl::logits(const torch::Tensor& representation) {
  const ScoreFactors unit = unit_factors(representation);
  return torch::matmul(unit.query, unit.items.t()) / temperature;
}

LossParts COREImpl::loss(const Batch& batch) {
  auto mask = batch.target_mask();
  auto l = full_softmax_cross_entropy(logits(represent(batch.items).index({mask})),
                                      batch.targets.index({mask}));
  return {l, {{"main", l}}};
}

torch::Tensor COREImpl::score(const Batch& batch) {
  return logits(batch.last_position(represent(batch.items)));
}

ScoreFactors COREImpl::score_factors(const Batch& batch) {
  ScoreFactors unit = unit_factors(batch.last_position(represent(batch.items)));
  return {unit.query / temperature, unit.items};
}

SEQREC_REGISTER_MODEL(
    ModelInfo::of<COREImpl>("core")
        .described_as("CORE: representation-consistent encoder (convex combination of the input "
                      "item embeddings), cosine/τ scores (Hou et al., SIGIR 2022)")
        .with_trainer_defaults({{"train_samples", "last_position"}}));

}  // namespace seqrec
