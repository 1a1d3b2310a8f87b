#include "harness/presets.h"

#include "core/errors.h"

namespace seqrec {

using nlohmann::json;

json Preset::keys_for(const std::string& model) const {
  json merged = keys;
  if (model_keys.contains(model)) merged.update(model_keys.at(model));
  return merged;
}

namespace {

// SASRec as RecBole and S3-Rec build it, BERT-style (RecBole's and S3-Rec's defaults alike):
// post-norm, GELU, inner 256, heads 2, dropout 0.5 everywhere.
json bert_style_sasrec(const std::string& loss) {
  return {{"hidden", 64},   {"layers", 2},          {"heads", 2},
          {"inner", 256},   {"activation", "gelu"}, {"pre_norm", false},
          {"dropout", 0.5}, {"attn_dropout", 0.5},  {"loss", loss}};
}

// Sources: the published repositories' configurations and code, read for issue 26 (see
// docs/protocols.md for the evidence of each value).
std::vector<Preset> make_presets() {
  std::vector<Preset> all;
  all.push_back(
      {"recbole121",
       "recbole121_local",
       "RecBole 1.2.1 (Zhao et al., CIKM 2022), SASRec run on this kind of machine (issue 26)",
       "leave-one-out, full ranking, no seen masking, every prefix a training sample, early "
       "stopping on validation NDCG@10 with patience 10",
       {{"mask_seen", false},
        {"valid_metric", "NDCG@10"},
        {"train_samples", "last_position"},
        {"batch_size", 256},
        {"lr", 0.001},
        {"epochs", 300},
        {"patience", 10}},
       {{"sasrec", bert_style_sasrec("ce")}},
       {"LayerNorm on the embedding sum", "item embeddings not scaled by sqrt(d)",
        "no dropout inside the feed-forward block", "LayerNorm eps 1e-12 (ours 1e-8)",
        "the padding column inside the softmax"}});
  all.push_back(
      {"esasrec2025-loo",
       "esasrec2025",
       "eSASRec benchmark (Tikhonovich, Zelinskiy, Petrov et al., RecSys 2025; "
       "blondered/transformer_benchmark, "
       "RecTools 0.13), leave-one-out on S3-Rec Amazon data",
       "leave-one-out with cold and repeated test targets dropped, seen items masked, early "
       "stopping on validation Recall@10 with patience 50, Adam betas (0.9, 0.98)",
       {{"drop_users", "cold_or_seen_target"},
        {"mask_seen", true},
        {"valid_metric", "Recall@10"},
        {"train_samples", "all_positions"},
        {"batch_size", 128},
        {"lr", 0.001},
        {"adam_beta2", 0.98},
        {"epochs", 200},
        {"patience", 50}},
       // Embedding 64: the README's hyper-parameter table says 64 for the Amazon sets, the
       // configs say 256; only 64 reproduces the table (results/reproduce/README.md).
       {{"sasrec",
         {{"hidden", 64},
          {"layers", 1},
          {"heads", 1},
          {"inner", 64},
          {"activation", "relu"},
          {"dropout", 0.2},
          {"attn_dropout", 0.2},
          {"loss", "sampled_softmax"},
          {"num_negatives", 256},
          {"negatives", "uniform"},
          {"emb_scale", "none"},
          {"positions", "from_end"},
          {"kang_block", true},
          {"item_dropout", 0.2},
          // RecTools' SASRec masks no padded key, and its torch modules take Xavier-normal
          // with q, k, v stacked (results/reproduce/README.md, the SASRec+SS row).
          {"attend_padding", true},
          {"init", "rectools"}}},
        {"esasrec", {{"hidden", 64}}}},
       {"the blocks' LayerNorm eps 1e-5 (ours 1e-8)",
        "validation masks only the 50-item input window; the catalogue is the training items",
        "embedding 64 as the README's table; the configs say 256, which misses the table by "
        "7-16%"}});
  all.push_back(
      {"klenitskiy2023-ml1m",
       "klenitskiy2023",
       "Klenitskiy & Vasilev, RecSys 2023 (antklen/sasrec-bert4rec-recsys23), ML-1M",
       "ML-1M items with at least 5 ratings (3,416), max_len 200, leave-one-out, seen items "
       "masked in validation and test, early stopping on validation NDCG@10",
       {{"item_core", 5},
        {"max_len", 200},
        {"mask_seen", true},
        {"valid_metric", "NDCG@10"},
        {"train_samples", "all_positions"},
        {"batch_size", 128},
        {"lr", 0.001}},
       {{"sasrec",
         {{"hidden", 64},
          {"layers", 2},
          {"heads", 1},
          {"inner", 64},
          {"activation", "relu"},
          {"dropout", 0.1},
          {"attn_dropout", 0.1},
          {"loss", "ce"},
          {"kang_block", true},
          // pmixer's port, which they use, leaves nn.MultiheadAttention's in_proj at torch's
          // Xavier-uniform (results/reproduce/README.md, the ML-1M row).
          {"init", "normal_torch_mha"},
          {"epochs", 100},
          {"patience", 10}}},
        {"bert4rec",
         {{"hidden", 64},
          {"layers", 2},
          {"heads", 2},
          {"inner", 256},
          {"activation", "gelu"},
          {"dropout", 0.1},
          {"attn_dropout", 0.1},
          {"mask_prob", 0.2},
          {"train_samples", "cloze"},
          // Their BERT4Rec scores the encoder's output against the tied table, without BERT's
          // masked-LM transform or an output bias (src/models.py).
          {"prediction_head", "tied"},
          {"epochs", 200},
          {"patience", 20}}}},
       {"the order of same-second ratings in ML-1M (theirs: the BERT4Rec repository's file; "
        "about 30% of test targets differ from ours)",
        "SASRec BCE's negative excludes the user's items (ours: only the target)",
        "the padding column inside SASRec's softmax"}});
  all.push_back(
      {"tiger2023",
       "tiger2023",
       "TIGER (Rajput et al., NeurIPS 2023) Table 1, whose baselines are S3-Rec's full-ranking "
       "runs (RUCAIBox/CIKM2020-S3Rec, via P5)",
       "leave-one-out, full ranking, seen items masked, early stopping on validation NDCG@20 "
       "with patience 10, BCE with one negative per position",
       {{"mask_seen", true},
        {"valid_metric", "NDCG@20"},
        {"batch_size", 256},
        {"lr", 0.001},
        {"epochs", 200},
        {"patience", 10}},
       {{"sasrec", bert_style_sasrec("bce")}},
       {"the negative excludes the user's whole sequence (ours: only the target)",
        "seen items get score 0, not minus infinity", "LayerNorm on the embedding sum",
        "LayerNorm eps 1e-12"}});
  return all;
}

}  // namespace

const std::vector<Preset>& presets() {
  static const std::vector<Preset> all = make_presets();
  return all;
}

const Preset& find_preset(const std::string& name) {
  std::string known;
  for (const auto& p : presets()) {
    if (p.name == name) return p;
    known += (known.empty() ? "" : ", ") + p.name;
  }
  throw InputError("preset '" + name + "' is not known; presets: " + known);
}

}  // namespace seqrec
