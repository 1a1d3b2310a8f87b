// Conformance suite: every registered model runs these checks without being listed here.
#include <boost/test/unit_test.hpp>

#include "baselines/sasrec.h"
#include "datasets/batching.h"
#include "harness/evaluator.h"
#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

namespace {

std::vector<std::string> trainable_models() {
  std::vector<std::string> out;
  for (const auto& name : ModelRegistry::instance().names()) {
    auto built = build_model(name, synthetic_dataset());
    if (built->model->trainable()) out.push_back(name);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(models)

BOOST_AUTO_TEST_CASE(every_model_scores_every_item_for_every_user_in_the_batch) {
  const Dataset& data = synthetic_dataset();
  for (const auto& name : ModelRegistry::instance().names()) {
    BOOST_TEST_CONTEXT("model " << name) {
      auto built = build_model(name, data);
      built->model->eval();
      EvaluationBatcher batcher(built->split, EvalStage::Test, built->setup.protocol.max_len);
      torch::NoGradGuard no_grad;
      auto scores = built->model->score(batcher.make_batch(0, 17));
      BOOST_TEST(scores.dim() == 2);
      BOOST_TEST(scores.size(0) == 17);
      BOOST_TEST(scores.size(1) == data.num_items() + 1);
      BOOST_TEST(torch::isfinite(scores.slice(1, 1)).all().item<bool>());
    }
  }
}

BOOST_AUTO_TEST_CASE(padding_item_is_never_recommended) {
  const Dataset& data = synthetic_dataset();
  for (const auto& name : ModelRegistry::instance().names()) {
    BOOST_TEST_CONTEXT("model " << name) {
      auto built = build_model(name, data);
      built->model->eval();
      EvaluationBatcher batcher(built->split, EvalStage::Test, built->setup.protocol.max_len);
      FullRankingEvaluator evaluator(MetricSpec{}, TieRule::Expected, false, /*dump_top_k=*/20);
      torch::NoGradGuard no_grad;
      auto batch = batcher.make_batch(0, batcher.num_users());
      auto scores = built->model->score(batch);
      // Even if a model gave padding the highest score, it must not appear in a ranking.
      scores.select(1, 0).fill_(1e30);
      evaluator.add_batch(scores, batch.eval_targets, batch.seen, batch.users);
      for (const auto& row : evaluator.finish().top_items)
        for (auto item : row) BOOST_TEST(item != 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(training_loss_falls_over_a_few_hundred_steps) {
  const Dataset& data = synthetic_dataset();
  for (const auto& name : trainable_models()) {
    BOOST_TEST_CONTEXT("model " << name) {
      auto built = build_model(name, data);
      auto& model = built->model;
      TrainingBatcher batcher(built->split, built->setup.trainer.sample_mode,
                              built->setup.protocol.max_len);
      torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
      std::mt19937_64 rng(5);
      model->train();
      auto epoch_loss = [&](bool step) {
        double sum = 0;
        int n = 0;
        auto order = batcher.epoch_order(rng);
        for (size_t b = 0; b < order.size(); b += 32) {
          Batch batch = batcher.make_batch(order, b, std::min(order.size(), b + 32));
          model->prepare_training_batch(batch);
          optimizer.zero_grad();
          auto loss = model->loss(batch).total;
          if (step) {
            loss.backward();
            optimizer.step();
          }
          sum += loss.item<double>();
          ++n;
        }
        return sum / n;
      };
      const double before = epoch_loss(false);
      for (int epoch = 0; epoch < 25; ++epoch) epoch_loss(true);  // ~250 steps
      const double after = epoch_loss(false);
      BOOST_TEST(after < 0.9 * before, "loss " << before << " -> " << after);
    }
  }
}

BOOST_AUTO_TEST_CASE(same_seed_gives_identical_metrics_and_another_seed_does_not) {
  const Dataset& data = synthetic_dataset();
  for (const auto& name : trainable_models()) {
    BOOST_TEST_CONTEXT("model " << name) {
      const std::vector<std::string> sets{"epochs=2", "patience=5"};
      auto a = train_trial(name, data, sets, 11);
      auto b = train_trial(name, data, sets, 11);
      auto c = train_trial(name, data, sets, 12);
      BOOST_TEST(a["metrics"].dump() == b["metrics"].dump());
      BOOST_TEST(a["trial_id"] == b["trial_id"]);
      BOOST_TEST(a["metrics"].dump() != c["metrics"].dump());
    }
  }
}

BOOST_AUTO_TEST_CASE(sasrec_beats_popularity_on_ml100k) {
  const Dataset& data = ml100k_dataset();
  auto pop = train_trial("pop", data, {});
  auto sasrec = train_trial("sasrec", data, {"loss=ce", "epochs=30", "patience=30"});
  const double pop_hr = pop["metrics"]["test"]["HR@10"];
  const double sasrec_hr = sasrec["metrics"]["test"]["HR@10"];
  BOOST_TEST_MESSAGE("ml-100k test HR@10: pop " << pop_hr << ", sasrec " << sasrec_hr);
  BOOST_TEST(sasrec_hr > pop_hr);
}

BOOST_AUTO_TEST_CASE(sasrec_output_at_a_position_ignores_later_items) {
  auto built = build_model("sasrec", synthetic_dataset());
  auto* sasrec = dynamic_cast<SASRecImpl*>(built->model.get());
  BOOST_REQUIRE(sasrec);
  sasrec->eval();
  check_causal([&](const torch::Tensor& x) { return sasrec->encode(x); });
}

BOOST_AUTO_TEST_CASE(every_sasrec_loss_trains_and_is_finite) {
  const Dataset& data = synthetic_dataset();
  for (const std::string loss : {"bce", "ce", "sampled_softmax", "gbce"}) {
    BOOST_TEST_CONTEXT("loss " << loss) {
      auto built = build_model("sasrec", data, {"loss=" + loss, "num_negatives=16"});
      built->model->train();
      auto value = built->model->loss(training_batch(*built, 32)).total;
      BOOST_TEST(std::isfinite(value.item<double>()));
      BOOST_TEST(value.item<double>() > 0.0);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
