// Packed execution (trainer key execution=packed): with dropout off, a model computes the same
// loss, gradients and scores on the real tokens only as on the padded grid, for every model
// that runs packed, on ragged batches (length 1 through max_len) in each sample mode.
#include <boost/test/unit_test.hpp>
#include <map>
#include <string>
#include <vector>

#include "datasets/token_layout.h"
#include "harness/trainer.h"
#include "model_fixtures.h"
#include "models/layers/losses.h"

using namespace seqrec;
using namespace seqrec::testing;

namespace {

// Relative to the larger magnitude of the two, with a floor for values near zero.
void check_close(const torch::Tensor& padded, const torch::Tensor& packed, const std::string& what,
                 double tolerance = 1e-5) {
  BOOST_TEST_CONTEXT(what) {
    BOOST_REQUIRE(padded.sizes() == packed.sizes());
    const double scale = std::max(1e-3, padded.abs().max().item<double>());
    const double diff = (padded - packed).abs().max().item<double>();
    BOOST_TEST(diff <= tolerance * scale, "max |diff| " << diff << " at scale " << scale);
  }
}

struct Pass {
  double loss;
  std::map<std::string, torch::Tensor> grads;
  torch::Tensor scores;
};

// One loss with its gradients, and the scores of an evaluation batch, from the same seed.
Pass run(BuiltModel& built, Batch train, Batch eval, bool packed) {
  if (packed) {
    train.pack_tokens();
    eval.pack_tokens();
  }
  auto& model = *built.model;
  model.train();
  model.zero_grad();
  torch::manual_seed(11);
  model.prepare_training_batch(train);
  auto loss = model.loss(train);
  loss.total.backward();
  Pass out{loss.total.item<double>(), {}, {}};
  for (const auto& p : model.named_parameters())
    if (p.value().grad().defined()) out.grads[p.key()] = p.value().grad().clone();
  torch::NoGradGuard no_grad;
  model.eval();
  out.scores = model.score(eval);
  return out;
}

// An evaluation batch of `users` validation users, lengths 1 .. max_len among them.
Batch eval_batch(const BuiltModel& built, int64_t users) {
  EvaluationBatcher batcher(built.split, EvalStage::Validation, built.setup.protocol.max_len);
  return batcher.make_batch(0, std::min(users, batcher.num_users()));
}

// Beauty: real sequences of every length from 1 (prefixes) to beyond max_len.
const Dataset& beauty_dataset() {
  static Dataset data = load_dataset(shared_dataset("beauty"), PreprocessOptions{});
  return data;
}

void check_packed_equals_padded(const std::string& name, const Dataset& data,
                                std::vector<std::string> sets, const std::string& max_len = "50") {
  for (const std::string samples : {"all_positions", "last_position"}) {
    BOOST_TEST_CONTEXT(name << ", train_samples=" << samples) {
      auto keys = sets;
      keys.push_back("train_samples=" + samples);
      keys.push_back("max_len=" + max_len);
      auto built = build_model(name, data, keys);
      const Batch train = training_batch(*built, 256);
      const Batch eval = eval_batch(*built, 256);
      const auto lengths = train.lengths;
      BOOST_TEST_MESSAGE(name << " " << samples << ": lengths " << lengths.min().item<int64_t>()
                              << ".." << lengths.max().item<int64_t>());
      const Pass padded = run(*built, train, eval, false);
      const Pass packed = run(*built, train, eval, true);
      BOOST_TEST(std::abs(padded.loss - packed.loss) <= 1e-5 * std::abs(padded.loss),
                 "loss " << padded.loss << " vs " << packed.loss);
      BOOST_TEST(padded.grads.size() == packed.grads.size());
      for (const auto& [param, grad] : padded.grads)
        if (packed.grads.count(param)) check_close(grad, packed.grads.at(param), "grad " + param);
      check_close(padded.scores, packed.scores, "scores");
    }
  }
}

const std::vector<std::string> kNoDropout = {"dropout=0", "attn_dropout=0"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(packed)

BOOST_AUTO_TEST_CASE(token_layout_packs_row_by_row_and_unpacks_with_zeros) {
  auto lengths = torch::tensor({2, 1, 3}, torch::kInt64);
  const auto layout = TokenLayout::of(lengths, 3);
  BOOST_TEST(layout.tokens() == 6);
  BOOST_TEST(torch::equal(layout.rows, torch::tensor({0, 0, 1, 2, 2, 2}, torch::kInt64)));
  BOOST_TEST(torch::equal(layout.positions, torch::tensor({0, 1, 0, 0, 1, 2}, torch::kInt64)));
  BOOST_TEST(torch::equal(layout.last, torch::tensor({1, 2, 5}, torch::kInt64)));
  auto x = torch::arange(9, torch::kFloat32).view({3, 3, 1});
  auto packed = layout.pack(x);
  BOOST_TEST(torch::equal(packed.squeeze(1), torch::tensor({0.f, 1.f, 3.f, 6.f, 7.f, 8.f})));
  auto back = layout.unpack(packed);
  BOOST_TEST(torch::equal(back, x * layout.real.unsqueeze(-1)));
  const auto kept = layout.subset(torch::tensor({true, false, true}));
  BOOST_TEST(kept.tokens() == 5);
  BOOST_TEST(torch::equal(layout.tokens_of_rows(torch::tensor({false, true, false})),
                          torch::tensor({false, false, true, false, false, false})));
}

BOOST_AUTO_TEST_CASE(sasrec_packed_equals_padded) {
  check_packed_equals_padded("sasrec", beauty_dataset(), with(kNoDropout, {"loss=ce"}));
  check_packed_equals_padded(
      "sasrec", beauty_dataset(),
      with(kNoDropout, {"loss=ce", "pre_norm=false", "activation=gelu", "heads=2", "inner=256"}));
  // The published variants (issue 26): RecTools' details, and positions from the end.
  check_packed_equals_padded("sasrec", beauty_dataset(),
                             with(kNoDropout, {"loss=ce", "kang_block=true", "positions=from_end",
                                               "emb_scale=none", "init=xavier_normal"}));
  check_packed_equals_padded(
      "sasrec", beauty_dataset(),
      with(kNoDropout, {"loss=ce", "kang_block=true", "positions=from_end", "emb_scale=none",
                        "init=xavier_normal", "attend_padding=true"}));
  // Sequences longer than max_len: every row full.
  check_packed_equals_padded("sasrec", ml100k_dataset(), with(kNoDropout, {"loss=ce"}), "12");
}

BOOST_AUTO_TEST_CASE(esasrec_packed_equals_padded) {
  check_packed_equals_padded("esasrec", beauty_dataset(),
                             {"dropout=0", "hidden=64", "layers=2", "heads=2", "loss=ce"});
}

BOOST_AUTO_TEST_CASE(bert4rec_packed_equals_padded) {
  check_packed_equals_padded("bert4rec", beauty_dataset(), kNoDropout);
}

BOOST_AUTO_TEST_CASE(fdsa_packed_equals_padded) {
  check_packed_equals_padded("fdsa", beauty_dataset(), kNoDropout);
  check_packed_equals_padded("fdsa", beauty_dataset(),
                             with(kNoDropout, {"loss=bce", "feature_pooling=mean"}));
}

BOOST_AUTO_TEST_CASE(fame_packed_equals_padded) {
  check_packed_equals_padded("fame", beauty_dataset(), kNoDropout);
  check_packed_equals_padded("fame", beauty_dataset(),
                             with(kNoDropout, {"facet_heads=false", "experts=1"}));
}

// HM4SR and SASRec-MM need modality features (and HM4SR timestamps and categories): the
// synthetic data has them, with sequences of 4 to 18 training items.
BOOST_AUTO_TEST_CASE(hm4sr_packed_equals_padded) {
  check_packed_equals_padded("hm4sr", synthetic_dataset(), kNoDropout, "12");
  check_packed_equals_padded("hm4sr", synthetic_dataset(),
                             with(kNoDropout, {"interactive_moe=false", "temporal_moe=false"}),
                             "12");
  // Whole-sequence training: IDCL and PCL at every position with a target.
  check_packed_equals_padded("hm4sr", synthetic_dataset(),
                             with(kNoDropout, {"aux_at=every_target"}), "12");
}

BOOST_AUTO_TEST_CASE(sasrec_mm_packed_equals_padded) {
  check_packed_equals_padded("sasrec_mm", synthetic_dataset(), kNoDropout, "12");
}

BOOST_AUTO_TEST_CASE(contrastive_sasrecs_packed_equal_padded) {
  check_packed_equals_padded("cl4srec", beauty_dataset(), kNoDropout);
  check_packed_equals_padded("duorec", beauty_dataset(), kNoDropout);
}

// Packed evaluation visits users shortest input first; the result still lists them by user
// index, with each user's own row. Every model: those that run padded only change order, so
// their rows are exact; the packed ones may differ by rounding, which can reorder a near-tie.
// The packed CE writes its gradient into the saved log-probabilities instead of torch's three
// [P, N] tensors; it must be torch's cross_entropy bit for bit, so packed trials recorded before
// it came keep their numbers. Beauty's catalogue (12,101 items, not a multiple of any vector
// width) and an odd row count, so every tail path runs; some targets repeat.
BOOST_AUTO_TEST_CASE(packed_cross_entropy_is_torchs_bit_for_bit) {
  torch::manual_seed(11);
  const int64_t rows = 301, items = 12101, width = 64;
  const auto hidden0 = torch::randn({rows, width});
  const auto table0 = torch::randn({items + 1, width}) * 0.1;
  auto targets = torch::randint(1, items + 1, {rows}, torch::kLong);
  targets.slice(0, 0, 20).fill_(7);
  auto run = [&](bool reference) {
    auto hidden = hidden0.clone().requires_grad_(true);
    auto table = table0.clone().requires_grad_(true);
    auto loss = reference ? torch::nn::functional::cross_entropy(
                                torch::matmul(hidden, table.slice(0, 1).t()), targets - 1)
                          : packed_next_item_loss(hidden, targets, table, NextItemLossOptions{});
    (loss * 0.37).backward();  // a weight other than 1, as auxiliary losses give
    return std::vector<torch::Tensor>{loss.detach(), hidden.grad(), table.grad()};
  };
  const int threads = at::get_num_threads();
  for (const int t : {1, 2}) {  // each thread's share of the element-wise passes has its own tail
    at::set_num_threads(t);
    const auto expected = run(true), got = run(false);
    for (size_t i = 0; i < expected.size(); ++i) BOOST_TEST(torch::equal(got[i], expected[i]));
  }
  at::set_num_threads(threads);
}

BOOST_AUTO_TEST_CASE(packed_evaluation_reports_every_user_in_index_order) {
  const Dataset& data = synthetic_dataset();
  for (const auto& name : ModelRegistry::instance().names()) {
    BOOST_TEST_CONTEXT("model " << name) {
      auto built = build_model(name, data);
      auto evaluate = [&](bool packed) {
        TrainerConfig config = built->setup.trainer;
        config.packed = packed;
        Trainer trainer(built->model, built->split, built->setup.protocol, config,
                        torch::Device("cpu"), 1, [](const std::string&) {});
        return trainer.evaluate(EvalStage::Test, /*dump_top_k=*/5);
      };
      const EvalResult padded = evaluate(false), packed = evaluate(true);
      BOOST_TEST((padded.users == packed.users));
      BOOST_REQUIRE(padded.per_user.size() == packed.per_user.size());
      size_t differing = 0;
      for (size_t u = 0; u < padded.per_user.size(); ++u)
        differing += padded.per_user[u] != packed.per_user[u];
      BOOST_TEST(differing <= padded.per_user.size() / 100, differing << " users differ");
      for (size_t m = 0; m < padded.mean.size(); ++m)
        BOOST_TEST(std::abs(padded.mean[m] - packed.mean[m]) <= 0.01 * padded.mean[m] + 1e-9);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
