// Conformance suite: every registered model runs these checks without being listed here, on
// the CPU and, under the CTest label `cuda`, on the GPU (test_device()).
#include <boost/test/unit_test.hpp>

#include "baselines/sasrec.h"
#include "datasets/batching.h"
#include "harness/evaluator.h"
#include "harness/trainer.h"
#include "model_fixtures.h"
#include "models/layers/losses.h"

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
      built->model->to(test_device());
      built->model->eval();
      EvaluationBatcher batcher(built->split, EvalStage::Test, built->setup.protocol.max_len);
      torch::NoGradGuard no_grad;
      const Batch batch = batcher.make_batch(0, 17).to(test_device());
      auto scores = built->model->score(batch);
      BOOST_TEST(scores.dim() == 2);
      BOOST_TEST(scores.size(0) == 17);
      BOOST_TEST(scores.size(1) == data.num_items() + 1);
      BOOST_TEST(torch::isfinite(scores.slice(1, 1)).all().item<bool>());
      // Where the scores are a query-item product (all but Pop), its factors give them.
      const ScoreFactors factors = built->model->score_factors(batch);
      if (!factors.defined()) continue;
      BOOST_TEST(factors.items.size(0) == data.num_items() + 1);
      BOOST_TEST(
          torch::allclose(torch::matmul(factors.query, factors.items.t()), scores, 1e-5, 1e-5));
    }
  }
}

// The trainer's dropout_rng choice reaches a model only through seqrec::Dropout; a
// torch::nn::Dropout would silently keep torch's sampler.
BOOST_AUTO_TEST_CASE(every_dropout_is_the_shared_layer) {
  for (const auto& name : ModelRegistry::instance().names()) {
    BOOST_TEST_CONTEXT("model " << name) {
      auto built = build_model(name, synthetic_dataset());
      int shared = 0;
      for (const auto& module : built->model->modules()) {
        BOOST_TEST(!std::dynamic_pointer_cast<torch::nn::DropoutImpl>(module));
        shared += std::dynamic_pointer_cast<DropoutImpl>(module) != nullptr;
      }
      if (name == "sasrec") BOOST_TEST(shared > 0);  // the traversal does reach the layers
    }
  }
}

BOOST_AUTO_TEST_CASE(padding_item_is_never_recommended) {
  const Dataset& data = synthetic_dataset();
  for (const auto& name : ModelRegistry::instance().names()) {
    BOOST_TEST_CONTEXT("model " << name) {
      auto built = build_model(name, data);
      built->model->to(test_device());
      built->model->eval();
      EvaluationBatcher batcher(built->split, EvalStage::Test, built->setup.protocol.max_len);
      FullRankingEvaluator evaluator(MetricSpec{}, TieRule::Expected, false, /*dump_top_k=*/20);
      torch::NoGradGuard no_grad;
      auto batch = batcher.make_batch(0, batcher.num_users()).to(test_device());
      auto scores = built->model->score(batch);
      // Even if a model gave padding the highest score, it must not appear in a ranking.
      scores.select(1, 0).fill_(1e30);
      evaluator.add_batch(scores, batch.eval_targets, batch.seen, batch.users);
      for (const auto& row : evaluator.finish().top_items)
        for (auto item : row) BOOST_TEST(item != 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_model_ranks_alike_when_the_catalogue_is_scored_in_chunks) {
  const Dataset& data = synthetic_dataset();
  for (const auto& name : ModelRegistry::instance().names()) {
    BOOST_TEST_CONTEXT("model " << name) {
      auto built = build_model(name, data);
      built->model->to(test_device());
      auto evaluate = [&](int64_t chunk_items) {
        TrainerConfig config = built->setup.trainer;
        config.eval_chunk_items = chunk_items;
        Trainer trainer(built->model, built->split, built->setup.protocol, config, test_device(), 1,
                        [](const std::string&) {});
        return trainer.evaluate(EvalStage::Test, /*dump_top_k=*/5);
      };
      const EvalResult whole = evaluate(data.num_items() + 1), chunked = evaluate(16);
      // Exact: the factors' product is the scores up to rounding (BERT4Rec, CORE), and no
      // two candidates of an untrained model lie within rounding of each other.
      BOOST_TEST((chunked.per_user == whole.per_user));
      BOOST_TEST((chunked.top_items == whole.top_items));
    }
  }
}

BOOST_AUTO_TEST_CASE(training_loss_falls_over_a_few_hundred_steps) {
  const Dataset& data = synthetic_dataset();
  for (const auto& name : trainable_models()) {
    BOOST_TEST_CONTEXT("model " << name) {
      auto built = build_model(name, data);
      auto& model = built->model;
      model->to(test_device());
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
          Batch batch =
              batcher.make_batch(order, b, std::min(order.size(), b + 32)).to(test_device());
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
  check_beats_popularity("sasrec", {"loss=ce", "epochs=30", "patience=30"});
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

// Three items; every position's target is item 2, which alone scores 10. A negative equal to
// the target puts a second e^10 into the sampled softmax's denominator: with
// uniform_except_target no negative does (loss = log(e^10 + 16) - 10 ~ 7e-4); with uniform
// (RecTools) about a third of them do (loss ~ log(1 + 16/3)).
BOOST_AUTO_TEST_CASE(negatives_key_decides_whether_a_negative_may_be_the_target) {
  torch::manual_seed(5);
  auto items = torch::zeros({4, 2});
  items[2][0] = 10.0;
  const auto hidden = torch::tensor({1.0f, 0.0f}).repeat({64, 1});
  const auto targets = torch::full({64}, 2, torch::kLong);
  NextItemLossOptions options;
  options.kind = "sampled_softmax";
  options.num_negatives = 16;
  BOOST_TEST(next_item_loss(hidden, targets, items, options).item<double>() < 1e-2);
  options.negatives_avoid_target = false;
  const double with_target = next_item_loss(hidden, targets, items, options).item<double>();
  BOOST_TEST(with_target > 1.0);
  BOOST_TEST(with_target < 3.0);
}

BOOST_AUTO_TEST_SUITE_END()
