#include "baselines/duorec.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "models/layers/transformer_schema.h"
#include "models/registry.h"

namespace seqrec {

SameTargetIndex::SameTargetIndex(const LeaveOneOutSplit& split, int64_t max_len)
    : max_len_(max_len) {
  const Dataset& data = *split.data;
  struct Entry {
    int64_t target;
    int32_t user, end;
  };
  std::vector<Entry> entries;
  sequence_begin_.push_back(0);
  for (int64_t u = 0; u < split.num_users(); ++u) {
    const auto& seq = split.sequence(u);
    const int64_t n = split.train_length[u];
    train_items_.insert(train_items_.end(), seq.begin(), seq.begin() + n);
    sequence_begin_.push_back(static_cast<int64_t>(train_items_.size()));
    for (int64_t end = 1; end < n; ++end)
      entries.push_back({seq[end], static_cast<int32_t>(u), static_cast<int32_t>(end)});
  }
  // Stable counting sort by next item: users (and ends) stay ascending within an item, which
  // sample() relies on to skip the anchor's own user in O(log n).
  item_begin_.assign(data.num_items() + 2, 0);
  for (const auto& e : entries) ++item_begin_[e.target + 1];
  for (size_t i = 1; i < item_begin_.size(); ++i) item_begin_[i] += item_begin_[i - 1];
  std::vector<int64_t> cursor(item_begin_.begin(), item_begin_.end() - 1);
  users_.resize(entries.size());
  ends_.resize(entries.size());
  for (const auto& e : entries) {
    const int64_t at = cursor[e.target]++;
    users_[at] = e.user;
    ends_[at] = e.end;
  }
}

int64_t SameTargetIndex::count(int64_t target) const {
  if (target <= 0 || target + 1 >= static_cast<int64_t>(item_begin_.size())) return 0;
  return item_begin_[target + 1] - item_begin_[target];
}

int64_t SameTargetIndex::sample(int64_t target, int64_t user, double uniform) const {
  const int64_t total = count(target);
  if (total == 0) return -1;
  const int64_t lo = item_begin_[target];
  auto first = users_.begin() + lo, last = first + total;
  auto own = std::equal_range(first, last, user);
  const int64_t own_begin = lo + (own.first - first), own_size = own.second - own.first;
  const int64_t others = total - own_size;
  if (others == 0) return -1;
  const int64_t k =
      std::min<int64_t>(others - 1, static_cast<int64_t>(std::floor(uniform * others)));
  return lo + k < own_begin ? lo + k : lo + k + own_size;
}

int64_t SameTargetIndex::target(int64_t entry) const {
  return train_items_[sequence_begin_[users_[entry]] + ends_[entry]];
}

std::vector<int64_t> SameTargetIndex::window(int64_t entry) const {
  const int64_t begin = sequence_begin_[users_[entry]];
  const int64_t end = ends_[entry];
  return {train_items_.begin() + begin + std::max<int64_t>(0, end - max_len_),
          train_items_.begin() + begin + end};
}

ParamSchema DuoRecImpl::schema() {
  // Backbone: SASRec's encoder with the sizes of the authors' released RecBole run.
  const std::string run = "= the authors' released ml-100k run (RecBole config)";
  auto s = with_default_sources(
      transformer_schema(/*layers=*/2, /*heads=*/2, /*dropout=*/0.5, "gelu")
          .override_default("inner", 256)
          .extend(next_item_loss_schema("ce")),
      "DuoRec",
      {{"hidden", "default 64 " + run},
       {"layers", "default 2 " + run},
       {"heads", "default 2 " + run},
       {"inner", "default 256 " + run},
       {"dropout", "default 0.5 " + run + ", hidden_dropout_prob"},
       {"attn_dropout", "default 0.5 " + run + ", attn_dropout_prob"},
       {"activation", "default gelu " + run},
       {"pre_norm",
        "default true = SASRec's; RecBole's encoder is post-norm with a LayerNorm "
        "on the embeddings (pre_norm=false comes closest)"},
       {"loss", "default ce = paper and the authors' loss_type CE"}});
  s.float_param("cl_weight", 0.1,
                "λ, weight of the contrastive regulariser; 0 = plain SASRec (DuoRec paper and the "
                "authors' duorec.sh: lmd_sem 0.1)",
                0.0, 100.0);
  s.float_param("tau", 1.0, "InfoNCE temperature τ (default 1.0: the authors' duorec.sh --tau=1)",
                1e-4, 1e4);
  s.string_param("similarity", "dot",
                 "view similarity: dot (default; paper, authors' duorec.sh --sim=dot) or cos",
                 {"dot", "cos"});
  s.string_param("contrast", "us_x",
                 "us_x (default; DuoRec, the authors' --contrast=us_x): a second dropout pass of "
                 "the sequence against a supervised positive (another user's prefix with the same "
                 "next item); un: two dropout passes only (unsupervised ablation)",
                 {"us_x", "un"});
  s.bool_param("mask_same_target", true,
               "true (default): rows sharing a next item are not each other's negatives (by "
               "DuoRec's definition they are positives); false = the authors' code, whose "
               "negatives are all 2(N-1) other views");
  return s;
}

DuoRecImpl::DuoRecImpl(const ModelContext& c)
    : SASRecImpl(c),
      same_target(c.split, c.max_len),
      cl_weight(c.params.get_float("cl_weight")),
      supervised(c.params.get_string("contrast") == "us_x"),
      mask_same_target(c.params.get_bool("mask_same_target")) {
  contrast.temperature(c.params.get_float("tau"))
      .cosine(c.params.get_string("similarity") == "cos")
      .negatives(ContrastNegatives::BothViews);
}

SupervisedPositives DuoRecImpl::supervised_positives(const Batch& batch) const {
  const int64_t B = batch.size();
  auto targets = batch.last_targets().to(torch::kCPU).contiguous();
  auto users = batch.users.defined() ? batch.users.to(torch::kCPU).contiguous()
                                     : torch::full({B}, -1, torch::kInt64);
  auto items = batch.items.to(torch::kCPU).contiguous();
  auto lengths = batch.lengths.to(torch::kCPU).contiguous();
  // One uniform per row whether or not it is used: the generator advances the same way for
  // any batch of this size.
  auto draws = torch::rand({B}, torch::TensorOptions().dtype(torch::kDouble));

  std::vector<std::vector<int64_t>> rows(B);
  std::vector<int64_t> row_users(B), row_targets_out(B);
  std::vector<uint8_t> found(B);
  for (int64_t r = 0; r < B; ++r) {
    const int64_t target = targets.data_ptr<int64_t>()[r];
    const int64_t user = users.data_ptr<int64_t>()[r];
    const int64_t entry = same_target.sample(target, user, draws.data_ptr<double>()[r]);
    found[r] = entry >= 0;
    if (found[r]) {
      rows[r] = same_target.window(entry);
      row_users[r] = same_target.user(entry);
      row_targets_out[r] = same_target.target(entry);
    } else {
      const int64_t* own = items.data_ptr<int64_t>() + r * items.size(1);
      rows[r].assign(own, own + lengths.data_ptr<int64_t>()[r]);
      row_users[r] = user;
      row_targets_out[r] = target;
    }
  }
  int64_t width = 1;
  for (const auto& row : rows) width = std::max<int64_t>(width, row.size());
  std::vector<int64_t> flat(B * width, 0), row_lengths(B);
  for (int64_t r = 0; r < B; ++r) {
    std::copy(rows[r].begin(), rows[r].end(), flat.begin() + r * width);
    row_lengths[r] = static_cast<int64_t>(rows[r].size());
  }
  const auto device = batch.items.device();
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  SupervisedPositives p;
  p.items = torch::tensor(flat, i64).view({B, width}).to(device);
  p.lengths = torch::tensor(row_lengths, i64).to(device);
  p.users = torch::tensor(row_users, i64).to(device);
  p.targets = torch::tensor(row_targets_out, i64).to(device);
  p.found = torch::tensor(std::vector<int64_t>(found.begin(), found.end()), i64).gt(0).to(device);
  return p;
}

torch::Tensor DuoRecImpl::last_states_by_length(const torch::Tensor& items,
                                                const torch::Tensor& lengths, int64_t group_rows) {
  const int64_t B = items.size(0);
  auto order = std::get<1>(lengths.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false));
  auto sorted_items = items.index_select(0, order);
  auto sorted_lengths = lengths.index_select(0, order);
  auto host_lengths = sorted_lengths.to(torch::kCPU).contiguous();
  const int64_t* length = host_lengths.data_ptr<int64_t>();
  std::vector<torch::Tensor> groups;
  for (int64_t begin = 0; begin < B; begin += group_rows) {
    const int64_t end = std::min(B, begin + group_rows);
    Batch group;
    group.items = sorted_items.slice(0, begin, end).slice(1, 0, length[end - 1]);
    group.lengths = sorted_lengths.slice(0, begin, end);
    groups.push_back(group.last_position(encode(group.items)));
  }
  return torch::cat(groups, 0).index_select(0, torch::argsort(order));
}

LossParts DuoRecImpl::loss(const Batch& batch) {
  LossParts out = SASRecImpl::loss(batch);
  if (cl_weight == 0.0) return out;
  // View a: another dropout pass of the sequence. View b: the supervised positive (us_x) or a
  // third dropout pass (un). The pass that feeds CE is not reused as a view, as in the authors'
  // us_x.
  auto view_a = last_states(batch);
  torch::Tensor view_b;
  if (supervised) {
    auto positives = supervised_positives(batch);
    view_b = batch.packed.defined()
                 ? encode_packed(positives.items,
                                 TokenLayout::of(positives.lengths, positives.items.size(1)),
                                 /*last_only=*/true)
                 : last_states_by_length(positives.items, positives.lengths);
  } else {
    view_b = last_states(batch);
  }

  torch::Tensor false_negatives;
  if (mask_same_target) {
    auto t = batch.last_targets();
    false_negatives = same_label_mask(t).logical_and(t.gt(0).unsqueeze(0));
  }
  auto cl = info_nce(view_a, view_b, contrast, false_negatives);
  out.total = out.total + cl_weight * cl;
  out.parts.emplace_back("contrastive", cl);
  return out;
}

SEQREC_REGISTER_MODEL(ModelInfo::of<DuoRecImpl>("duorec")
                          .described_as("DuoRec: SASRec + contrastive regularisation with dropout "
                                        "and same-target positives (Qiu et al., WSDM 2022)")
                          // RecBole's sample construction (every prefix, loss at its end), as the
                          // authors' code; batch 256 as their duorec.sh.
                          .with_trainer_defaults({{"train_samples", "last_position"},
                                                  {"batch_size", 256}}));

}  // namespace seqrec
