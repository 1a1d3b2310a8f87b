// FAME: shapes, mixing weights that are distributions, causality, the ablation switches'
// parameter sets, reduction to SASRec with one expert and no facet heads, the --explain dump,
// and a sanity check against popularity.
#include "models/fame/fame.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "baselines/sasrec.h"
#include "core/errors.h"
#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

BOOST_AUTO_TEST_SUITE(fame)

BOOST_AUTO_TEST_CASE(shapes_of_query_gate_router_and_scores) {
  const Dataset& data = synthetic_dataset();
  auto built = build_model("fame", data, {"hidden=32", "heads=4", "experts=3"});
  auto* model = &model_as<FAMEImpl>(*built);
  model->eval();
  torch::NoGradGuard no_grad;
  auto encoded = model->encode(two_sequences());
  BOOST_TEST(encoded.query.sizes() == torch::IntArrayRef({2, 6, 32}));
  BOOST_TEST(encoded.gate.sizes() == torch::IntArrayRef({2, 6, 4}));
  BOOST_TEST(encoded.router.sizes() == torch::IntArrayRef({2, 4, 6, 3}));
  BOOST_TEST(model->item_table().sizes() == torch::IntArrayRef({data.num_items() + 1, 32}));
  Batch batch;
  batch.items = two_sequences();
  batch.lengths = torch::tensor({5, 2}, torch::kInt64);
  BOOST_TEST(model->score(batch).sizes() == torch::IntArrayRef({2, data.num_items() + 1}));
}

BOOST_AUTO_TEST_CASE(gate_sums_to_one_per_sequence_and_router_per_position) {
  auto built = build_model("fame", synthetic_dataset(), {"heads=4", "experts=3"});
  auto* model = &model_as<FAMEImpl>(*built);
  model->eval();
  torch::NoGradGuard no_grad;
  auto encoded = model->encode(two_sequences());
  BOOST_TEST(torch::allclose(encoded.gate.sum(-1), torch::ones({2, 6}), 1e-5, 1e-6));
  BOOST_TEST(torch::allclose(encoded.router.sum(-1), torch::ones({2, 4, 6}), 1e-5, 1e-6));
  BOOST_TEST((encoded.gate.ge(0).all().item<bool>() && encoded.router.ge(0).all().item<bool>()));
  // Untrained weights still make the router choose: it is not a constant 1/N.
  BOOST_TEST(encoded.router.std().item<double>() > 0.0);
}

BOOST_AUTO_TEST_CASE(output_at_a_position_ignores_later_items) {
  for (const std::string facets : {"true", "false"}) {
    BOOST_TEST_CONTEXT("facet_heads=" << facets) {
      auto built = build_model("fame", synthetic_dataset(), {"facet_heads=" + facets});
      auto* model = &model_as<FAMEImpl>(*built);
      model->eval();
      check_causal([&](const torch::Tensor& x) { return model->encode(x).query; });
      // Router weights are [B, H, L, N]: positions on axis 2, moved to axis 1 for the check.
      check_causal([&](const torch::Tensor& x) { return model->encode(x).router.transpose(1, 2); });
    }
  }
}

BOOST_AUTO_TEST_CASE(one_expert_without_facet_heads_is_sasrec) {
  const Dataset& data = synthetic_dataset();
  const std::vector<std::string> size{"hidden=32", "heads=2", "layers=2", "loss=ce"};
  auto sasrec = build_model("sasrec", data, size);
  auto sets = size;
  sets.insert(sets.end(), {"experts=1", "facet_heads=false"});
  auto fame = build_model("fame", data, sets);
  BOOST_TEST(count_parameters(*fame->model) == count_parameters(*sasrec->model));
  // Same tensors in the same order: load SASRec's weights and the scores must agree.
  auto from = sasrec->model->parameters(), to = fame->model->parameters();
  BOOST_REQUIRE(from.size() == to.size());
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < from.size(); ++i) {
    BOOST_REQUIRE(from[i].sizes() == to[i].sizes());
    to[i].copy_(from[i]);
  }
  sasrec->model->eval();
  fame->model->eval();
  EvaluationBatcher batcher(sasrec->split, EvalStage::Test, sasrec->setup.protocol.max_len);
  auto batch = batcher.make_batch(0, 64);
  BOOST_TEST(torch::allclose(fame->model->score(batch), sasrec->model->score(batch), 1e-5, 1e-5));
  // And the full model is bigger only by the router, the projection and the gate, minus the
  // output projection and the narrower feed-forward its heads share.
  auto full = build_model("fame", data, size);
  BOOST_TEST(count_parameters(*full->model) != count_parameters(*sasrec->model));
}

BOOST_AUTO_TEST_CASE(each_ablation_switch_changes_the_parameter_set_as_it_should) {
  const Dataset& data = synthetic_dataset();
  auto full = build_model("fame", data, {"experts=4"});
  auto names = parameter_names(*full->model);
  BOOST_TEST(names.count("last.attention.router"));
  BOOST_TEST(names.count("item_projection.weight"));
  BOOST_TEST(names.count("gate.weight"));
  BOOST_TEST(!names.count("last.out.weight"));
  // experts=1: no router, and one query projection per head instead of four.
  auto one = build_model("fame", data, {"experts=1"});
  BOOST_TEST(!parameter_names(*one->model).count("last.attention.router"));
  BOOST_TEST(model_as<FAMEImpl>(*one).last->attention->q->weight.size(0) * 4 ==
             model_as<FAMEImpl>(*full).last->attention->q->weight.size(0));
  // facet_heads=false: concatenate and project; no gate and no sub-embeddings.
  auto flat = parameter_names(*build_model("fame", data, {"facet_heads=false"})->model);
  BOOST_TEST(flat.count("last.out.weight"));
  BOOST_TEST(!flat.count("gate.weight"));
  BOOST_TEST(!flat.count("item_projection.weight"));
  // slice: the sub-embeddings are chunks of the item embedding, so no projection.
  auto sliced = build_model("fame", data, {"item_subembedding=slice"});
  BOOST_TEST(!parameter_names(*sliced->model).count("item_projection.weight"));
  auto* model = &model_as<FAMEImpl>(*sliced);
  BOOST_TEST(torch::equal(model->item_table(), model->embedding->item->weight));
}

BOOST_AUTO_TEST_CASE(score_is_the_gate_weighted_sum_of_per_head_scores) {
  const Dataset& data = synthetic_dataset();
  auto built = build_model("fame", data, {"hidden=32", "heads=4"});
  auto* model = &model_as<FAMEImpl>(*built);
  model->eval();
  torch::NoGradGuard no_grad;
  Batch batch;
  batch.items = two_sequences();
  batch.lengths = torch::tensor({5, 2}, torch::kInt64);
  auto encoded = model->encode(two_sequences());
  auto gate = batch.last_position(encoded.gate);                    // [B, H]
  auto query = batch.last_position(encoded.query).view({2, 4, 8});  // g_h F_h per head
  auto facets = query / gate.unsqueeze(-1);                         // F_h
  auto table = model->item_table().view({-1, 4, 8});                // [N+1, H, dh]
  auto expected = torch::zeros({2, data.num_items() + 1});
  for (int64_t h = 0; h < 4; ++h)
    expected +=
        gate.select(1, h).unsqueeze(1) * torch::matmul(facets.select(1, h), table.select(1, h).t());
  BOOST_TEST(torch::allclose(model->score(batch), expected, 1e-4, 1e-5));
}

BOOST_AUTO_TEST_CASE(explain_writes_gate_and_router_weights_per_test_user) {
  const Dataset& data = synthetic_dataset();
  ScratchDir out;
  auto setup = make_trial_setup("fame", data.directory, nullptr, "",
                                {"epochs=1", "heads=2", "experts=3"}, 1, 1, "cpu");
  TrialOptions options;
  options.out_root = out.path();
  options.explain = true;
  auto result = run_trial(setup, data, options);
  const auto table = read_explanation(result["directory"].get<std::string>());
  BOOST_TEST(table.header ==
             "user,gate.0,gate.1,router_head0.0,router_head0.1,router_head0.2,"
             "router_head1.0,router_head1.1,router_head1.2");
  for (const auto& v : table.rows) {
    BOOST_REQUIRE(v.size() == 8u);
    BOOST_TEST(v[0] + v[1] == 1.0, boost::test_tools::tolerance(1e-4));
    BOOST_TEST(v[2] + v[3] + v[4] == 1.0, boost::test_tools::tolerance(1e-4));
  }
  const auto rows = static_cast<int64_t>(table.rows.size());
  BOOST_TEST(rows == data.num_users());
}

BOOST_AUTO_TEST_CASE(explain_is_refused_for_a_model_without_an_explanation) {
  const Dataset& data = synthetic_dataset();
  ScratchDir out;
  auto setup = make_trial_setup("sasrec", data.directory, nullptr, "", {"epochs=1"}, 1, 1, "cpu");
  TrialOptions options;
  options.out_root = out.path();
  options.explain = true;
  BOOST_CHECK_THROW(run_trial(setup, data, options), InputError);
}

BOOST_AUTO_TEST_CASE(fame_beats_popularity_on_ml100k) {
  check_beats_popularity("fame", {"epochs=30", "patience=30"});
}

BOOST_AUTO_TEST_SUITE_END()
