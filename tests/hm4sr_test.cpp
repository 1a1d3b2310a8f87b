// HM4SR: shapes, gates that are distributions, causality, the time and placeholder edge cases
// of the authors' code, every ablation switch, the reduction to SASRec, the --explain dump,
// bad input, and a sanity check against popularity.
#include "models/hm4sr/hm4sr.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "baselines/sasrec.h"
#include "core/errors.h"
#include "datasets/npy.h"
#include "model_fixtures.h"
#include "tests/test_support.h"

using namespace seqrec;
using namespace seqrec::testing;

namespace {

bool any_starts_with(const std::set<std::string>& names, const std::string& prefix) {
  for (const auto& n : names)
    if (n.rfind(prefix, 0) == 0) return true;
  return false;
}

// The batch as the given execution reads it: padded as built, or packed.
Batch executed_as(Batch batch, bool packed) {
  if (packed) batch.pack_tokens();
  return batch;
}

std::map<std::string, double> parts_of(const LossParts& loss) {
  std::map<std::string, double> parts;
  for (const auto& [name, value] : loss.parts) parts[name] = value.item<double>();
  return parts;
}

std::set<std::string> part_names(const LossParts& loss) {
  std::set<std::string> names;
  for (const auto& [name, value] : loss.parts) names.insert(name);
  return names;
}

// Seconds of positions 0-5: gaps of 0 s, 1 min, 1 h, 1 day and 30 days.
const std::vector<double> kTimes{1.5e9,        1.5e9,         1.5e9 + 60,
                                 1.5e9 + 3660, 1.5e9 + 90060, 1.5e9 + 2682060};

// The rows of `items` (right-padded with 0, at most 6 wide) at the times above, padding at
// time 0 as the batcher writes it.
Batch batch_of(const torch::Tensor& items) {
  Batch b;
  b.items = items;
  b.lengths = items.gt(0).sum(1);
  auto times = torch::tensor(kTimes, torch::kFloat64).slice(0, 0, items.size(1)).unsqueeze(0);
  b.timestamps = torch::where(items.gt(0), times, torch::zeros_like(times));
  return b;
}

// A training batch of `items` whose target sits at each row's end (train_samples=last_position).
Batch last_position_batch(const torch::Tensor& items, const std::vector<int64_t>& next) {
  Batch b = batch_of(items);
  b.targets = torch::zeros_like(items);
  for (int64_t r = 0; r < items.size(0); ++r)
    b.targets[r][b.lengths[r].item<int64_t>() - 1] = next[static_cast<size_t>(r)];
  return b;
}

std::string build_error(const Dataset& data, const std::vector<std::string>& sets = {}) {
  try {
    build_model("hm4sr", data, sets);
  } catch (const InputError& e) {
    return e.what();
  }
  BOOST_FAIL("expected an InputError");
  return "";
}

using seqrec::testing::contains;

// `seqrec train --model hm4sr` on `dataset` must exit 2 with one line "error: ..." holding
// every one of `parts`.
void check_train_error(const std::string& dataset, const std::vector<std::string>& parts) {
  ScratchDir out;
  auto r = run_cli("train --model hm4sr --dataset '" + dataset + "' --out '" + out.path() +
                   "' --threads 1 --quiet --set epochs=1");
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.output.rfind("error: ", 0) == 0u);
  std::string body = r.output;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  BOOST_TEST(!contains(body, "\n"));
  for (const auto& p : parts) BOOST_TEST(contains(r.output, p), "expected: " << p);
}

// A small synthetic dataset (timestamps, categories, image and text features) in a folder of
// its own, for tests that spoil one of its files.
struct SmallSynthetic {
  ScratchDir scratch;
  std::string dir = scratch.file("synth");
  SmallSynthetic() {
    SyntheticOptions options;
    options.users = 40;
    options.items = 20;
    options.min_len = 5;
    options.max_len = 8;
    options.modality_dim = 4;
    write_synthetic_dataset(dir, "synth", options);
  }
  std::string path(const std::string& file) const { return dir + "/" + file; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(hm4sr)

BOOST_AUTO_TEST_CASE(shapes_of_streams_gates_tables_scores_and_loss_parts) {
  const Dataset& data = synthetic_dataset();
  auto built = build_model("hm4sr", data,
                           {"hidden=32", "heads=2", "interactive_experts=3", "temporal_experts=5"});
  auto& model = model_as<HM4SRImpl>(*built);
  BOOST_TEST(model.stream_names == (std::vector<std::string>{"id", "image", "text"}));
  model.eval();
  {
    torch::NoGradGuard no_grad;
    const Batch batch = batch_of(two_sequences());
    auto encoded = model.encode(batch);
    BOOST_REQUIRE(encoded.hidden.size() == 3u);
    for (const auto& h : encoded.hidden) BOOST_TEST(h.sizes() == torch::IntArrayRef({2, 6, 32}));
    BOOST_TEST(encoded.embedded.time.sizes() == torch::IntArrayRef({2, 6, 64}));
    BOOST_TEST(encoded.embedded.interactive_gates.sizes() == torch::IntArrayRef({2, 6, 3, 3}));
    BOOST_TEST(encoded.embedded.temporal_gate.sizes() == torch::IntArrayRef({2, 6, 5}));
    auto tables = model.candidate_tables();
    BOOST_REQUIRE(tables.size() == 3u);
    for (const auto& t : tables) {
      BOOST_TEST(t.sizes() == torch::IntArrayRef({data.num_items() + 1, 32}));
      BOOST_TEST(torch::equal(t[0], torch::zeros({32})));
    }
    auto scores = model.score(batch);
    BOOST_TEST(scores.sizes() == torch::IntArrayRef({2, data.num_items() + 1}));
    BOOST_TEST(torch::isfinite(scores).all().item<bool>());
    // The score is the sum of the per-stream dot products with each stream's candidate.
    auto expected = torch::zeros_like(scores);
    for (size_t m = 0; m < 3; ++m)
      expected += torch::matmul(batch.last_position(encoded.hidden[m]), tables[m].t());
    BOOST_TEST(torch::allclose(scores, expected, 1e-4, 1e-5));
  }
  model.train();
  auto loss = model.loss(training_batch(*built, 64));
  BOOST_TEST(part_names(loss) == (std::set<std::string>{"ce", "idcl", "cp", "pcl"}));
  for (const auto& [name, value] : parts_of(loss)) {
    BOOST_TEST_CONTEXT("part " << name) {
      BOOST_TEST(std::isfinite(value));
      BOOST_TEST(value > 0.0);
    }
  }
  BOOST_TEST(std::isfinite(loss.total.item<double>()));
}

BOOST_AUTO_TEST_CASE(gate_weights_sum_to_one_at_every_position) {
  auto built = build_model("hm4sr", synthetic_dataset());
  auto& model = model_as<HM4SRImpl>(*built);
  model.eval();
  torch::NoGradGuard no_grad;
  auto embedded = model.embed(batch_of(two_sequences()), model.candidate_tables());
  const auto& interactive = embedded.interactive_gates;  // [B, L, M, K]
  const auto& temporal = embedded.temporal_gate;         // [B, L, K]
  BOOST_TEST(torch::allclose(interactive.sum(-1), torch::ones({2, 6, 3}), 1e-5, 1e-6));
  BOOST_TEST(torch::allclose(temporal.sum(-1), torch::ones({2, 6}), 1e-5, 1e-6));
  BOOST_TEST((interactive.ge(0).all().item<bool>() && temporal.ge(0).all().item<bool>()));
  // Untrained weights still choose: neither gate is a constant 1/K.
  BOOST_TEST(interactive.std().item<double>() > 0.0);
  BOOST_TEST(temporal.std().item<double>() > 0.0);
}

BOOST_AUTO_TEST_CASE(output_at_a_position_ignores_later_items) {
  for (const std::string pre_norm : {"false", "true"}) {
    BOOST_TEST_CONTEXT("pre_norm=" << pre_norm) {
      auto built = build_model("hm4sr", synthetic_dataset(), {"pre_norm=" + pre_norm});
      auto& model = model_as<HM4SRImpl>(*built);
      model.eval();
      check_causal(
          [&](const torch::Tensor& x) { return torch::cat(model.encode(batch_of(x)).hidden, -1); });
      check_causal([&](const torch::Tensor& x) {
        return model.encode(batch_of(x)).embedded.interactive_gates.flatten(2);
      });
      // The temporal gate reads only times, which are the same up to position 3.
      torch::NoGradGuard no_grad;
      auto items = torch::tensor({{3, 5, 7, 9, 11}}, torch::kInt64);
      auto changed = torch::tensor({{3, 5, 7, 42, 0}}, torch::kInt64);
      auto a = model.encode(batch_of(items)).embedded.temporal_gate;
      auto b = model.encode(batch_of(changed)).embedded.temporal_gate;
      BOOST_TEST(torch::equal(a.slice(1, 0, 4), b.slice(1, 0, 4)));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_zero_interval_and_padding_give_bucket_zero_and_finite_values) {
  // Row 0: a zero gap, a 7 s gap, then padding at time 0 (the authors' code takes log2 of a
  // negative number there). Row 1: one item. Row 2: a decreasing timestamp.
  auto t = torch::tensor({{1e9, 1e9, 1e9 + 7, 0.0, 0.0},
                          {1e9, 0.0, 0.0, 0.0, 0.0},
                          {1e9, 1e9 - 50, 1e9 + 1, 0.0, 0.0}},
                         torch::kFloat64);
  auto lengths = torch::tensor({3, 1, 3}, torch::kInt64);
  auto buckets = interval_buckets(t, lengths, 100.0, 1000);
  const auto after_51s = static_cast<int64_t>(std::floor(100.0 * std::log2(52.0)));
  auto expected = torch::tensor({{int64_t{0}, int64_t{0}, int64_t{300}, int64_t{0}, int64_t{0}},
                                 {int64_t{0}, int64_t{0}, int64_t{0}, int64_t{0}, int64_t{0}},
                                 {int64_t{0}, int64_t{0}, after_51s, int64_t{0}, int64_t{0}}});
  BOOST_TEST(torch::equal(buckets, expected));  // 300 = 100 log2(7 + 1); a negative gap is 0
  // Buckets beyond the table are clamped to its last row.
  BOOST_TEST(interval_buckets(t, lengths, 100.0, 250).max().item<int64_t>() == 250);

  auto built = build_model("hm4sr", synthetic_dataset());
  auto& model = model_as<HM4SRImpl>(*built);
  model.eval();
  torch::NoGradGuard no_grad;
  BOOST_TEST(torch::isfinite(model.time_embedding(t, lengths)).all().item<bool>());
  Batch batch;
  batch.items = torch::tensor({{3, 5, 7, 0, 0}, {4, 0, 0, 0, 0}, {6, 8, 10, 0, 0}}, torch::kInt64);
  batch.lengths = lengths;
  batch.timestamps = t;
  auto encoded = model.encode(batch, model.candidate_tables(), /*with_time=*/true);
  for (const auto& h : encoded.hidden) BOOST_TEST(torch::isfinite(h).all().item<bool>());
  BOOST_TEST(torch::isfinite(model.score(batch)).all().item<bool>());
  batch.targets = torch::tensor({{0, 0, 9, 0, 0}, {12, 0, 0, 0, 0}, {0, 0, 14, 0, 0}});
  BOOST_TEST(std::isfinite(model.loss(batch).total.item<double>()));
}

BOOST_AUTO_TEST_CASE(placeholders_take_floor_beta_length_real_positions) {
  auto lengths = torch::tensor({1, 2, 3, 4, 7, 10, 20}, torch::kInt64);
  torch::manual_seed(1);
  auto chosen = placeholder_positions(lengths, 20, 0.3);
  BOOST_TEST(torch::equal(chosen.sum(1), torch::tensor({0, 0, 0, 1, 2, 3, 6}, torch::kInt64)));
  auto real = torch::arange(20).unsqueeze(0).lt(lengths.unsqueeze(1));
  BOOST_TEST(chosen.logical_and(real.logical_not()).any().item<bool>() == false);
  // Drawn from torch's generator: the seed decides them.
  torch::manual_seed(1);
  BOOST_TEST(torch::equal(placeholder_positions(lengths, 20, 0.3), chosen));
  torch::manual_seed(2);
  BOOST_TEST(!torch::equal(placeholder_positions(lengths, 20, 0.3), chosen));
}

BOOST_AUTO_TEST_CASE(pcl_leaves_out_sequences_too_short_for_a_placeholder) {
  auto built = build_model("hm4sr", synthetic_dataset());
  auto& model = model_as<HM4SRImpl>(*built);
  model.train();
  // Lengths 3, 2, 1: floor(0.3 * length) = 0 everywhere.
  auto short_rows = last_position_batch(
      torch::tensor({{3, 5, 7}, {4, 6, 0}, {8, 0, 0}}, torch::kInt64), {9, 10, 11});
  auto loss = model.loss(short_rows);
  BOOST_TEST(parts_of(loss).at("pcl") == 0.0);
  BOOST_TEST(std::isfinite(loss.total.item<double>()));
  // Packed too: no row to re-encode is an empty layout, not an error.
  const Batch packed_rows = executed_as(short_rows, /*packed=*/true);
  BOOST_TEST(parts_of(model.loss(packed_rows)).at("pcl") == 0.0);
  loss.total.backward();
  for (const auto& p : model.parameters())
    if (p.grad().defined()) BOOST_TEST(torch::isfinite(p.grad()).all().item<bool>());
  // A row long enough for one placeholder brings PCL back.
  auto mixed = last_position_batch(
      torch::tensor({{3, 5, 7, 9, 11, 13}, {4, 6, 8, 10, 12, 14}, {8, 0, 0, 0, 0, 0}},
                    torch::kInt64),
      {15, 16, 17});
  BOOST_TEST(parts_of(model.loss(mixed)).at("pcl") > 0.0);
}

// aux_at=every_target on one whole row is prefix training on its prefixes, one row each: with
// dropout off and the same weights, the same CE and IDCL, anchor by anchor (target 5 twice:
// the same-target mask too), padded and packed. CP (each item once per row instead of once per
// prefix) and PCL (placeholders drawn per row) are left out.
BOOST_AUTO_TEST_CASE(whole_sequence_training_reads_each_prefix_as_prefix_training_does) {
  const std::vector<std::string> common{"dropout=0", "attn_dropout=0", "cp=0", "pcl=0"};
  auto whole_keys = common;
  whole_keys.insert(whole_keys.end(), {"aux_at=every_target", "train_samples=all_positions"});
  auto whole = build_model("hm4sr", synthetic_dataset(), whole_keys);
  auto prefixes = build_model("hm4sr", synthetic_dataset(), common);
  const std::vector<int64_t> items{3, 5, 7, 5, 11, 13}, next{5, 7, 5, 11, 13, 15};
  Batch row = batch_of(torch::tensor(items, torch::kInt64).unsqueeze(0));
  row.targets = torch::tensor(next, torch::kInt64).unsqueeze(0);
  auto prefix_items = torch::zeros({6, 6}, torch::kInt64);
  for (int64_t r = 0; r < 6; ++r)
    for (int64_t j = 0; j <= r; ++j) prefix_items[r][j] = items[static_cast<size_t>(j)];
  Batch rows = last_position_batch(prefix_items, next);
  for (const bool packed : {false, true}) {
    BOOST_TEST_CONTEXT((packed ? "packed" : "padded")) {
      const Batch a = executed_as(row, packed), b = executed_as(rows, packed);
      whole->model->train();
      prefixes->model->train();
      const auto whole_parts = parts_of(whole->model->loss(a));
      const auto prefix_parts = parts_of(prefixes->model->loss(b));
      BOOST_TEST(part_names(whole->model->loss(a)) == (std::set<std::string>{"ce", "idcl"}));
      for (const char* part : {"ce", "idcl"})
        BOOST_TEST(whole_parts.at(part) == prefix_parts.at(part),
                   boost::test_tools::tolerance(1e-5));
    }
  }
  // Default aux_at=last reads only the row's last position: IDCL over one anchor.
  auto last =
      build_model("hm4sr", synthetic_dataset(),
                  {"dropout=0", "attn_dropout=0", "cp=0", "pcl=0", "train_samples=all_positions"});
  last->model->train();
  BOOST_TEST(parts_of(last->model->loss(row)).at("idcl") == 0.0,
             boost::test_tools::tolerance(1e-6));
}

// PCL with aux_at=every_target keeps a position when its prefix holds a placeholder: rows too
// short for one give no PCL, and a longer row brings it back.
BOOST_AUTO_TEST_CASE(whole_sequence_pcl_reads_positions_whose_prefix_holds_a_placeholder) {
  auto built = build_model("hm4sr", synthetic_dataset(),
                           {"aux_at=every_target", "train_samples=all_positions"});
  auto& model = model_as<HM4SRImpl>(*built);
  model.train();
  auto with_targets = [](Batch b, const torch::Tensor& next) {
    b.targets = next;
    return b;
  };
  auto short_rows = with_targets(batch_of(torch::tensor({{3, 5, 7}, {4, 6, 0}}, torch::kInt64)),
                                 torch::tensor({{5, 7, 9}, {6, 10, 0}}, torch::kInt64));
  auto long_row = with_targets(batch_of(torch::tensor({{3, 5, 7, 9, 11, 13}}, torch::kInt64)),
                               torch::tensor({{5, 7, 9, 11, 13, 15}}, torch::kInt64));
  for (const bool packed : {false, true}) {
    BOOST_TEST_CONTEXT((packed ? "packed" : "padded")) {
      const Batch short_batch = executed_as(short_rows, packed);
      const Batch long_batch = executed_as(long_row, packed);
      BOOST_TEST(parts_of(model.loss(short_batch)).at("pcl") == 0.0);
      model.zero_grad();
      auto loss = model.loss(long_batch);
      BOOST_TEST(parts_of(loss).at("pcl") > 0.0);
      loss.total.backward();
      for (const auto& p : model.parameters())
        if (p.grad().defined()) BOOST_TEST(torch::isfinite(p.grad()).all().item<bool>());
    }
  }
}

BOOST_AUTO_TEST_CASE(each_ablation_switch_changes_the_parameter_set_or_the_loss_as_it_should) {
  const Dataset& data = synthetic_dataset();
  auto full = build_model("hm4sr", data);
  const auto names = parameter_names(*full->model);
  for (const std::string prefix : {"embedding.", "encoders.2.", "projections.1.", "stream_norms.",
                                   "interactive.", "time_embedding.", "temporal.gate.",
                                   "temporal.experts", "category_head.", "placeholders.1."})
    BOOST_TEST(any_starts_with(names, prefix), "full model has " << prefix);
  auto without = [&](const std::vector<std::string>& sets) {
    return parameter_names(*build_model("hm4sr", data, sets)->model);
  };
  BOOST_TEST(!any_starts_with(without({"interactive_moe=false"}), "interactive."));
  // The time embedding stays for PCL's placeholders until PCL goes too.
  auto no_temporal = without({"temporal_moe=false"});
  BOOST_TEST(!any_starts_with(no_temporal, "temporal."));
  BOOST_TEST(any_starts_with(no_temporal, "time_embedding."));
  BOOST_TEST(!any_starts_with(without({"temporal_moe=false", "pcl=0"}), "time_embedding."));
  BOOST_TEST(!any_starts_with(without({"stream_norm=false"}), "stream_norms."));
  BOOST_TEST(!any_starts_with(without({"cp=0"}), "category_head."));
  BOOST_TEST(!any_starts_with(without({"pcl=0"}), "placeholders."));
  BOOST_TEST(without({"idcl=0"}) == names);  // IDCL has no parameters of its own

  // Frozen temporal experts: a buffer, not a parameter; a training step leaves them alone.
  auto frozen = build_model("hm4sr", data, {"temporal_experts_trainable=false"});
  auto frozen_names = parameter_names(*frozen->model);
  BOOST_TEST(!frozen_names.count("temporal.experts"));
  BOOST_TEST(frozen_names.count("temporal.gate.weight"));
  auto& frozen_model = model_as<HM4SRImpl>(*frozen);
  const auto before = frozen_model.temporal->experts.clone();
  torch::optim::Adam adam(frozen_model.parameters(), torch::optim::AdamOptions(1e-2));
  frozen_model.train();
  frozen_model.loss(training_batch(*frozen, 32)).total.backward();
  adam.step();
  BOOST_TEST(torch::equal(frozen_model.temporal->experts, before));
  BOOST_TEST(full->model->named_buffers().find("temporal.experts") == nullptr);

  // Modalities: any subset, including none.
  auto text = build_model("hm4sr", data, {"modalities=text"});
  BOOST_TEST(model_as<HM4SRImpl>(*text).stream_names == (std::vector<std::string>{"id", "text"}));
  BOOST_TEST(model_as<HM4SRImpl>(*text).projections->size() == 1u);
  BOOST_TEST(!any_starts_with(parameter_names(*text->model), "encoders.2."));
  auto id_only = build_model("hm4sr", data, {"modalities="});
  auto& id_model = model_as<HM4SRImpl>(*id_only);
  BOOST_TEST(id_model.stream_names == (std::vector<std::string>{"id"}));
  BOOST_TEST(!any_starts_with(parameter_names(*id_only->model), "projections."));
  BOOST_TEST(!any_starts_with(parameter_names(*id_only->model), "placeholders."));
  id_model.train();
  BOOST_TEST(part_names(id_model.loss(training_batch(*id_only, 32))) ==
             (std::set<std::string>{"ce", "idcl", "cp"}));

  // Loss weights: 0 drops a part, any other value scales it in the total.
  auto weighted = build_model("hm4sr", data, {"idcl=0.5", "cp=2", "pcl=0.25"});
  weighted->model->train();
  auto loss = weighted->model->loss(training_batch(*weighted, 32));
  auto p = parts_of(loss);
  BOOST_TEST(loss.total.item<double>() ==
                 p.at("ce") + 0.5 * p.at("idcl") + 2.0 * p.at("cp") + 0.25 * p.at("pcl"),
             boost::test_tools::tolerance(1e-5));
  for (const std::string off : {"idcl", "cp", "pcl"}) {
    BOOST_TEST_CONTEXT(off << "=0") {
      auto built = build_model("hm4sr", data, {off + "=0"});
      built->model->train();
      auto parts = part_names(built->model->loss(training_batch(*built, 32)));
      BOOST_TEST(!parts.count(off));
      BOOST_TEST(parts.size() == 3u);
    }
  }
}

BOOST_AUTO_TEST_CASE(id_only_without_moes_or_auxiliary_losses_is_sasrec) {
  const Dataset& data = synthetic_dataset();
  const std::vector<std::string> size{"hidden=32",        "heads=2",         "layers=2",
                                      "inner=64",         "activation=gelu", "dropout=0.2",
                                      "attn_dropout=0.2", "pre_norm=true",   "loss=ce"};
  auto sasrec = build_model("sasrec", data, size);
  auto sets = size;
  sets.insert(sets.end(), {"modalities=", "interactive_moe=false", "temporal_moe=false", "idcl=0",
                           "cp=0", "pcl=0", "stream_norm=false"});
  auto hm4sr = build_model("hm4sr", data, sets);
  BOOST_TEST(count_parameters(*hm4sr->model) == count_parameters(*sasrec->model));
  // Same tensors in the same order, and with the same seed the same values.
  auto from = sasrec->model->parameters(), to = hm4sr->model->parameters();
  BOOST_REQUIRE(from.size() == to.size());
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < from.size(); ++i) {
    BOOST_REQUIRE(from[i].sizes() == to[i].sizes());
    BOOST_TEST(torch::equal(from[i], to[i]), "parameter " << i);
    to[i].copy_(from[i]);
  }
  sasrec->model->eval();
  hm4sr->model->eval();
  EvaluationBatcher batcher(sasrec->split, EvalStage::Test, sasrec->setup.protocol.max_len);
  auto batch = batcher.make_batch(0, 64);
  BOOST_TEST(torch::allclose(hm4sr->model->score(batch), sasrec->model->score(batch), 1e-5, 1e-5));
  // The training objective is SASRec's CE alone.
  auto training = training_batch(*sasrec, 64);
  auto ours = hm4sr->model->loss(training);
  BOOST_TEST(part_names(ours) == (std::set<std::string>{"ce"}));
  BOOST_TEST(ours.total.item<double>() == sasrec->model->loss(training).total.item<double>(),
             boost::test_tools::tolerance(1e-5));
  // Each piece adds parameters back.
  auto full = build_model("hm4sr", data, size);
  BOOST_TEST(count_parameters(*full->model) > count_parameters(*sasrec->model));
}

BOOST_AUTO_TEST_CASE(explain_writes_both_gates_per_test_user) {
  const Dataset& data = synthetic_dataset();
  ScratchDir out;
  auto setup = make_trial_setup(
      "hm4sr", data.directory, nullptr, "",
      {"epochs=1", "train_samples=all_positions", "interactive_experts=2", "temporal_experts=3"}, 1,
      1, "cpu");
  TrialOptions options;
  options.out_root = out.path();
  options.explain = true;
  auto result = run_trial(setup, data, options);
  const auto table = read_explanation(result["directory"].get<std::string>());
  BOOST_TEST(table.header ==
             "user,temporal_gate.0,temporal_gate.1,temporal_gate.2,interactive_gate_id.0,"
             "interactive_gate_id.1,interactive_gate_image.0,interactive_gate_image.1,"
             "interactive_gate_text.0,interactive_gate_text.1");
  for (const auto& v : table.rows) {
    BOOST_REQUIRE(v.size() == 9u);
    BOOST_TEST(v[0] + v[1] + v[2] == 1.0, boost::test_tools::tolerance(1e-4));
    for (size_t m = 0; m < 3; ++m)
      BOOST_TEST(v[3 + 2 * m] + v[4 + 2 * m] == 1.0, boost::test_tools::tolerance(1e-4));
  }
  const auto rows = static_cast<int64_t>(table.rows.size());
  BOOST_TEST(rows == data.num_users());
}

// ---------------------------------------------------------------- bad input

BOOST_AUTO_TEST_CASE(no_timestamps_with_the_temporal_moe_on_is_one_clear_error) {
  ScratchDir dir;
  const Dataset data = bare_dataset(dir, /*with_timestamps=*/false);
  const std::string message = build_error(data, {"cp=0"});
  BOOST_TEST(contains(message, "model 'hm4sr' needs interaction timestamps"), message);
  BOOST_TEST(contains(message, "temporal_moe=false"), message);
  BOOST_TEST(contains(message, "bare"), message);
  // Switched off, the model trains without them: ID stream only (no features either).
  auto built = build_model("hm4sr", data, {"temporal_moe=false", "cp=0"});
  BOOST_TEST(model_as<HM4SRImpl>(*built).stream_names == (std::vector<std::string>{"id"}));
  built->model->train();
  BOOST_TEST(std::isfinite(built->model->loss(training_batch(*built, 8)).total.item<double>()));
}

BOOST_AUTO_TEST_CASE(no_categories_with_cp_on_is_one_clear_error) {
  ScratchDir dir;
  const std::string message = build_error(bare_dataset(dir));
  BOOST_TEST(contains(message, "model 'hm4sr' needs item categories"), message);
  BOOST_TEST(contains(message, "cp=0"), message);
}

BOOST_AUTO_TEST_CASE(unknown_repeated_or_mixed_modalities_are_errors_naming_them) {
  const Dataset& data = synthetic_dataset();
  const std::string unknown = build_error(data, {"modalities=audio"});
  BOOST_TEST(contains(unknown, "modality 'audio'"), unknown);
  BOOST_TEST(contains(unknown, "only: image, text"), unknown);
  BOOST_TEST(contains(build_error(data, {"modalities=text,text"}), "lists 'text' twice"));
  BOOST_TEST(contains(build_error(data, {"modalities=all,text"}), "'all' beside other"));
}

BOOST_AUTO_TEST_CASE(feature_file_with_the_wrong_row_count_is_one_clear_error) {
  SmallSynthetic synth;
  FloatMatrix m;
  m.rows = 19;
  m.cols = 4;
  m.values.assign(19 * 4, 0.5f);
  write_npy_float32(synth.path("synth.text.npy"), m);
  check_train_error(synth.dir, {synth.path("synth.text.npy") + ": has 19 rows", "synth.item"});
}

BOOST_AUTO_TEST_CASE(feature_file_with_a_nan_is_one_clear_error) {
  SmallSynthetic synth;
  FloatMatrix m = read_npy_float32(synth.path("synth.image.npy"));
  m.at(2, 1) = std::numeric_limits<float>::quiet_NaN();
  write_npy_float32(synth.path("synth.image.npy"), m);
  check_train_error(synth.dir, {synth.path("synth.image.npy") + ": row 2, column 1 is"});
}

BOOST_AUTO_TEST_CASE(feature_file_missing_an_item_is_one_clear_error) {
  SmallSynthetic synth;
  const Dataset data = load_dataset(synth.dir, PreprocessOptions{});
  const std::string missing = data.item_tokens[1];  // an item of the data, surely
  const FloatMatrix all = read_npy_float32(synth.path("synth.text.npy"));
  FloatMatrix rest;
  rest.cols = all.cols;
  std::string ids;
  for (int64_t r = 0; r < all.rows; ++r) {
    const std::string token = "i" + std::to_string(r + 1);  // NAME.item lists i1, i2, ...
    if (token == missing) continue;
    ids += token + "\n";
    rest.values.insert(rest.values.end(), all.values.begin() + r * all.cols,
                       all.values.begin() + (r + 1) * all.cols);
    ++rest.rows;
  }
  write_npy_float32(synth.path("synth.text.npy"), rest);
  std::ofstream(synth.path("synth.text.ids")) << ids;
  check_train_error(synth.dir,
                    {synth.path("synth.text.npy") + ": no row for item '" + missing + "'"});
}

// ---------------------------------------------------------------- learning

BOOST_AUTO_TEST_CASE(hm4sr_beats_popularity_on_ml100k) {
  // One row per user instead of the default every-prefix samples keeps this test short; small
  // batches and a higher learning rate make up for the fewer steps (with batch 128 and lr 0.001
  // it is still below Pop after 20 epochs, held back by IDCL: with idcl=0 it learns as fast as
  // SASRec).
  check_beats_popularity("hm4sr", {"train_samples=all_positions", "batch_size=32", "lr=0.002",
                                   "epochs=15", "patience=15"});
}

BOOST_AUTO_TEST_SUITE_END()
