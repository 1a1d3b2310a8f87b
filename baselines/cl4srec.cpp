#include "baselines/cl4srec.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <vector>

#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {

namespace {

// floor(fraction · n), guarded against 0.3 · 10 = 2.9999...
int64_t portion(double fraction, int64_t n) {
  return std::min<int64_t>(n, static_cast<int64_t>(std::floor(fraction * n + 1e-9)));
}

// 0..k-1 sorted by i.i.d. uniform keys: a uniformly random permutation (and its first m
// entries a uniformly random m-subset) from draws the caller already took.
std::vector<int64_t> order_by_keys(const double* keys, int64_t k) {
  std::vector<int64_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [keys](int64_t x, int64_t y) { return keys[x] < keys[y]; });
  return order;
}

// Start of a run of k items inside n, uniform over the n - k + 1 choices.
int64_t run_start(double u, int64_t n, int64_t k) {
  return std::min<int64_t>(n - k, static_cast<int64_t>(std::floor(u * (n - k + 1))));
}

}  // namespace

AugmentedView augment_sequences(const torch::Tensor& items, const torch::Tensor& lengths,
                                const torch::Tensor& kinds, const AugmentationOptions& o) {
  TORCH_CHECK(
      items.dim() == 2 && lengths.size(0) == items.size(0) && kinds.size(0) == items.size(0),
      "augment_sequences: items [B, L], lengths [B] and kinds [B] expected");
  auto src = items.to(torch::kCPU, torch::kInt64).contiguous();
  auto len = lengths.to(torch::kCPU, torch::kInt64).contiguous();
  auto kind = kinds.to(torch::kCPU, torch::kInt64).contiguous();
  const int64_t B = src.size(0), L = src.size(1);
  // All uniforms in one draw of fixed shape, whatever the kinds: column 0 places a run, columns
  // 1..L are per-position keys (which items to mask, how to permute a reordered run).
  auto draws = torch::rand({B, L + 1}, torch::TensorOptions().dtype(torch::kDouble)).contiguous();
  const int64_t* in = src.data_ptr<int64_t>();
  const double* uniform = draws.data_ptr<double>();

  std::vector<int64_t> out(B * L, 0), out_len(B, 0);
  for (int64_t r = 0; r < B; ++r) {
    const int64_t n = len.data_ptr<int64_t>()[r];
    TORCH_CHECK(n >= 1 && n <= L, "augment_sequences: row ", r, " has length ", n);
    const int64_t* row = in + r * L;
    const double* u = uniform + r * (L + 1);
    int64_t* dst = out.data() + r * L;
    switch (static_cast<SequenceAugmentation>(kind.data_ptr<int64_t>()[r])) {
      case SequenceAugmentation::Crop: {
        // At least one item, so a view is never empty (the paper's floor(η n) is 0 for n = 1).
        const int64_t k = std::max<int64_t>(1, portion(o.crop_eta, n));
        const int64_t start = run_start(u[0], n, k);
        std::copy(row + start, row + start + k, dst);
        out_len[r] = k;
        break;
      }
      case SequenceAugmentation::Mask: {
        std::copy(row, row + n, dst);
        const auto order = order_by_keys(u + 1, n);
        for (int64_t i = 0; i < portion(o.mask_gamma, n); ++i) dst[order[i]] = o.mask_id;
        out_len[r] = n;
        break;
      }
      case SequenceAugmentation::Reorder: {
        std::copy(row, row + n, dst);
        const int64_t k = portion(o.reorder_beta, n);
        const int64_t start = run_start(u[0], n, k);
        const auto permutation = order_by_keys(u + 1, k);
        for (int64_t i = 0; i < k; ++i) dst[start + i] = row[start + permutation[i]];
        out_len[r] = n;
        break;
      }
      default:
        TORCH_CHECK(false, "augment_sequences: unknown augmentation ", kind.data_ptr<int64_t>()[r]);
    }
  }
  const int64_t width = *std::max_element(out_len.begin(), out_len.end());
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  AugmentedView view;
  view.items =
      torch::tensor(out, i64).view({B, L}).slice(1, 0, width).contiguous().to(items.device());
  view.lengths = torch::tensor(out_len, i64).to(items.device());
  return view;
}

ParamSchema CL4SRecImpl::schema() {
  // Backbone: SASRec (the CL4SRec paper's encoder) with the paper's sizes.
  const std::string sasrec = "= SASRec's, the paper's backbone";
  auto s = with_default_sources(
      transformer_schema(/*layers=*/2, /*heads=*/2, /*dropout=*/0.5, "relu")
          .extend(next_item_loss_schema("ce")),
      "CL4SRec",
      {{"hidden", "default 64 = CL4SRec paper"},
       {"layers", "default 2 = CL4SRec paper"},
       {"heads", "default 2 = CL4SRec paper"},
       {"inner", "default 0 " + sasrec},
       {"dropout", "default 0.5 " + sasrec + " (SASRec paper on sparse Amazon data)"},
       {"attn_dropout", "default 0.5 " + sasrec},
       {"activation", "default relu " + sasrec},
       {"pre_norm", "default true " + sasrec},
       {"loss",
        "default ce; the paper's main loss is a softmax over the target and sampled "
        "negatives, i.e. sampled_softmax"}});
  s.float_param("cl_weight", 0.1,
                "λ, weight of the contrastive loss; 0 = plain SASRec (CL4SRec paper: 0.1)", 0.0,
                100.0);
  s.float_param("tau", 1.0,
                "InfoNCE temperature τ (default 1.0: CL4SRec paper; the DuoRec authors' "
                "CL4SRec code: tau 1)",
                1e-4, 1e4);
  s.string_param("similarity", "dot",
                 "view similarity: dot product (default; CL4SRec paper, DuoRec authors' code "
                 "sim=dot) or cos (cosine)",
                 {"dot", "cos"});
  s.float_param("crop_eta", 0.6,
                "η, fraction of a sequence a crop keeps (default 0.6, as the DuoRec authors' "
                "CL4SRec code; the paper tunes η per dataset over 0.1-0.9)",
                0.0, 1.0);
  s.float_param("mask_gamma", 0.3,
                "γ, fraction of items a mask replaces by [mask] (default 0.3, as the DuoRec "
                "authors' CL4SRec code; the paper tunes γ per dataset over 0.1-0.9)",
                0.0, 1.0);
  s.float_param("reorder_beta", 0.6,
                "β, fraction of a sequence a reorder shuffles (default 0.6, as the DuoRec "
                "authors' CL4SRec code; the paper tunes β per dataset over 0.1-0.9)",
                0.0, 1.0);
  s.bool_param("distinct_augmentations", false,
               "false (default, paper): each view draws its augmentation independently; true: "
               "the two views of a row use two different augmentations (DuoRec authors' code)");
  return s;
}

CL4SRecImpl::CL4SRecImpl(const ModelContext& c)
    : SASRecImpl(c),
      cl_weight(c.params.get_float("cl_weight")),
      distinct_augmentations(c.params.get_bool("distinct_augmentations")) {
  augmentation.crop_eta = c.params.get_float("crop_eta");
  augmentation.mask_gamma = c.params.get_float("mask_gamma");
  augmentation.reorder_beta = c.params.get_float("reorder_beta");
  augmentation.mask_id = c.data.num_items() + 1;
  contrast.temperature(c.params.get_float("tau"))
      .cosine(c.params.get_string("similarity") == "cos")
      .negatives(ContrastNegatives::BothViews);
  // A separate row rather than a wider item table: scoring and the main loss then see exactly
  // SASRec's table, and with the same seed SASRec's weights come out identical (drawn first).
  mask_embedding =
      register_parameter("mask_embedding", torch::empty({embedding->item->weight.size(1)}));
  torch::NoGradGuard no_grad;
  mask_embedding.normal_(0.0, 0.02);
}

std::pair<AugmentedView, AugmentedView> CL4SRecImpl::make_views(const Batch& batch) {
  const int64_t B = batch.size();
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  auto first = torch::randint(0, 3, {B}, i64);
  auto second = distinct_augmentations ? (first + torch::randint(1, 3, {B}, i64)).remainder(3)
                                       : torch::randint(0, 3, {B}, i64);
  auto a = augment_sequences(batch.items, batch.lengths, first, augmentation);
  auto b = augment_sequences(batch.items, batch.lengths, second, augmentation);
  return {a, b};
}

torch::Tensor CL4SRecImpl::encode_view(const AugmentedView& view, bool packed) {
  // The item vectors with [mask] swapped in, then the rest of SequenceEmbedding (scale,
  // positions, dropout) and the encoder, read at each view's last position.
  auto item_vectors = [&](const torch::Tensor& items) {
    auto is_mask = items.eq(augmentation.mask_id);
    auto x = embedding->item(items.masked_fill(is_mask, 0));
    return torch::where(is_mask.unsqueeze(-1), mask_embedding.expand_as(x), x);
  };
  const auto& items = view.items;
  if (packed) {
    const auto layout = TokenLayout::of(view.lengths, items.size(1));
    auto x = embedding->add_positions_packed(item_vectors(layout.pack(items)), layout);
    return encoder->forward_packed(x, layout, AttentionScope::Causal, /*last_only=*/true);
  }
  auto x = embedding->add_positions(item_vectors(items));
  return Batch::gather_last(encoder(x, causal_mask(items.size(1), items.device())), view.lengths);
}

LossParts CL4SRecImpl::loss(const Batch& batch) {
  LossParts out = SASRecImpl::loss(batch);
  if (cl_weight == 0.0) return out;
  auto [a, b] = make_views(batch);
  // One encoder pass over both views (causal attention: trailing padding changes nothing).
  const int64_t B = batch.size();
  const int64_t width = std::max(a.items.size(1), b.items.size(1));
  auto pad = [width](const torch::Tensor& t) {
    return torch::constant_pad_nd(t, {0, width - t.size(1)}, 0);
  };
  auto z = encode_view(
      {torch::cat({pad(a.items), pad(b.items)}, 0), torch::cat({a.lengths, b.lengths}, 0)},
      batch.packed.defined());
  auto cl = info_nce(z.slice(0, 0, B), z.slice(0, B), contrast);
  out.total = out.total + cl_weight * cl;
  out.parts.emplace_back("contrastive", cl);
  return out;
}

SEQREC_REGISTER_MODEL(
    ModelInfo::of<CL4SRecImpl>("cl4srec")
        .described_as(
            "CL4SRec: SASRec + InfoNCE over crop/mask/reorder views (Xie et al., ICDE 2022)")
        .with_trainer_defaults({{"train_samples", "all_positions"}, {"batch_size", 256}}));

}  // namespace seqrec
