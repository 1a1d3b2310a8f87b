#include "baselines/sasrec.h"

#include <string>

#include "core/errors.h"
#include "models/layers/either_layout.h"
#include "models/layers/initializers.h"
#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {

ParamSchema SASRecImpl::schema() {
  // SASRec paper: d = 50, 2 blocks, 1 head, ReLU, dropout 0.5 on the sparse Amazon data.
  auto s = transformer_schema(/*layers=*/2, /*heads=*/1, /*dropout=*/0.5, "relu")
               .extend(next_item_loss_schema("bce"));
  // The details in which published SASRecs differ (issue 26; docs/protocols.md, Presets).
  s.string_param("emb_scale", "sqrt_hidden",
                 "item embeddings times sqrt(hidden) (SASRec's code, Klenitskiy & Vasilev); none: "
                 "RecBole, RecTools",
                 {"sqrt_hidden", "none"});
  s.string_param("positions", "from_start",
                 "position embedding of the j-th item counted from the sequence's start; "
                 "from_end: the last item takes row 0 (RecTools' left-padded windows)",
                 {"from_start", "from_end"});
  s.bool_param("kang_block", false,
               "Kang's block: the attention's query and both residuals are the normalised input, "
               "no dropout on the attention output (SASRec's code, RecTools); needs pre_norm");
  s.float_param("item_dropout", 0.0,
                "dropout on the whole item table, for the input look-up and the output scores "
                "alike (RecTools: the model's dropout)",
                0.0, 0.95);
  s.string_param("init", "normal",
                 "normal: N(0, 0.02) weights, zero biases (RecBole); normal_torch_mha: the same "
                 "but the attention's query, key and value projections Xavier-uniform over their "
                 "stacked [3d, d] matrix, as nn.MultiheadAttention leaves them in SASRec's "
                 "PyTorch port (pmixer, Klenitskiy & Vasilev); xavier_normal: every weight "
                 "matrix and table; rectools: xavier_normal as RecTools' torch modules take it "
                 "(query, key and value as one stacked [3d, d] matrix, feed-forward biases "
                 "uniform)",
                 {"normal", "normal_torch_mha", "xavier_normal", "rectools"});
  s.bool_param("attend_padding", false,
               "every position also attends to the zeroed slots of its row's window left-padded "
               "to max_len, whose keys and values are the attention's biases, as when no "
               "key-padding mask is set (RecTools' SASRec, the eSASRec benchmark's SASRec+SS; "
               "pmixer's port); needs kang_block=true");
  s.bool_param("softmax_padding", false,
               "loss=ce: the padding row's score (0: the row stays zero) joins the softmax's "
               "denominator, as in Klenitskiy & Vasilev's SASRec, which scores every row of its "
               "N+1-row table; needs cross_entropy=torch");
  for (const char* key : {"emb_scale", "positions", "kang_block", "item_dropout", "init",
                          "attend_padding", "softmax_padding"})
    s.added_after_recorded_trials(key);
  return s;
}

namespace {

// The published-SASRec details; models built on SASRec whose schemas lack the keys (CL4SRec,
// DuoRec) get the defaults.
struct SASRecDetails {
  bool sqrt_scale = true, from_end = false, kang = false;
  std::string init = "normal";
  double item_dropout = 0.0;
  bool attend_padding = false;
  bool softmax_padding = false;
};

SASRecDetails details_of(const Params& p) {
  if (!p.schema().find("kang_block")) return {};
  return {p.get_string("emb_scale") == "sqrt_hidden",
          p.get_string("positions") == "from_end",
          p.get_bool("kang_block"),
          p.get_string("init"),
          p.get_float("item_dropout"),
          p.get_bool("attend_padding"),
          p.get_bool("softmax_padding")};
}

}  // namespace

SASRecImpl::SASRecImpl(const ModelContext& c) : loss_options(next_item_loss_options(c.params)) {
  const SASRecDetails details = details_of(c.params);
  const auto options = transformer_options(c.params).kang(details.kang);
  if (options.kang() && !options.pre_norm())
    throw InputError(
        "kang_block=true needs pre_norm=true: Kang's block normalises before "
        "each sub-layer");
  if (details.attend_padding && !options.kang())
    throw InputError(
        "attend_padding=true needs kang_block=true: only Kang's block reads keys and values "
        "from the unnormalised input, where a zeroed padding slot projects to the bias");
  if (details.attend_padding) padded_window = c.max_len;
  if (details.softmax_padding && loss_options.kind != "ce")
    throw InputError("softmax_padding=true needs loss=ce, not loss=" + loss_options.kind);
  // The fused kernel's softmax runs over items 1..N only.
  if (details.softmax_padding && c.params.get_string("cross_entropy") != "torch")
    throw InputError("softmax_padding=true needs cross_entropy=torch");
  loss_options.softmax_over_padding = details.softmax_padding;
  embedding =
      register_module("embedding", SequenceEmbedding(c.data.num_items(), c.max_len, options.dim(),
                                                     options.dropout(), details.sqrt_scale));
  embedding->positions_from_end = details.from_end;
  encoder = register_module("encoder", TransformerEncoder(options));
  item_dropout = register_module("item_dropout", Dropout(details.item_dropout));
  if (details.init == "xavier_normal")
    init_weights_xavier_normal(*this);
  else if (details.init == "normal_torch_mha")
    init_weights_normal_torch_mha(*this);
  else if (details.init == "rectools")
    init_weights_rectools(*this);
  else
    init_weights_normal(*this);
}

torch::Tensor SASRecImpl::item_table() { return item_dropout(embedding->item->weight); }

bool SASRecImpl::drops_items() const { return is_training() && item_dropout->p > 0.0; }

torch::Tensor SASRecImpl::zero_slots(const torch::Tensor& lengths) const {
  if (padded_window == 0) return {};
  return (padded_window - lengths).clamp_min(0);
}

torch::Tensor SASRecImpl::encode(const torch::Tensor& items, const torch::Tensor& table) {
  auto x = table.defined() ? embedding->forward_from_table(items, table) : embedding(items);
  return encoder(x, causal_mask(items.size(1), items.device()), zero_slots(items.ne(0).sum(1)));
}

torch::Tensor SASRecImpl::encode_packed(const torch::Tensor& items, const TokenLayout& layout,
                                        bool last_only, const torch::Tensor& table) {
  auto x = table.defined() ? embedding->forward_packed_from_table(items, layout, table)
                           : embedding->forward_packed(items, layout);
  return encoder->forward_packed(x, layout, AttentionScope::Causal, last_only,
                                 zero_slots(layout.real.sum(1)));
}

torch::Tensor SASRecImpl::last_states(const Batch& batch) {
  return states_at_last_item(
      batch, [&] { return encode(batch.items); },
      [&](bool last_only) { return encode_packed(batch.items, batch.packed, last_only); });
}

LossParts SASRecImpl::loss(const Batch& batch) {
  // With item-table dropout one dropped table serves the input look-up and the output scores.
  const torch::Tensor table = drops_items() ? item_table() : torch::Tensor();
  const torch::Tensor& output = table.defined() ? table : embedding->item->weight;
  const auto at = target_states(
      batch, [&] { return encode(batch.items, table); },
      [&](bool last_only) { return encode_packed(batch.items, batch.packed, last_only, table); });
  auto l = next_item_loss(at, output, loss_options);
  return {l, {{"main", l}}};
}

ScoreFactors SASRecImpl::score_factors(const Batch& batch) {
  return {last_states(batch), embedding->item->weight};
}

SEQREC_REGISTER_MODEL(ModelInfo::of<SASRecImpl>("sasrec")
                          .described_as("SASRec: causal self-attention (Kang & McAuley, ICDM 2018)")
                          .with_trainer_defaults({{"train_samples", "all_positions"}}));

}  // namespace seqrec
