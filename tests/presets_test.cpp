// Protocol presets: every preset's keys are valid for the models it names, a preset is only
// its keys (same trial id as setting them by hand), the config file and --set apply over it,
// sweeps take one, and results record it.
#include "harness/presets.h"

#include <boost/test/unit_test.hpp>

#include "core/errors.h"
#include "harness/sweep_spec.h"
#include "harness/trial.h"
#include "tests/test_support.h"

using namespace seqrec;
using namespace seqrec::testing;
using nlohmann::json;

namespace {

std::vector<std::string> assignments(const json& keys) {
  std::vector<std::string> out;
  for (auto it = keys.begin(); it != keys.end(); ++it)
    out.push_back(it.key() + "=" +
                  (it.value().is_string() ? it.value().get<std::string>() : it.value().dump()));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(presets)

BOOST_AUTO_TEST_CASE(every_preset_is_valid_for_its_models_and_pop) {
  BOOST_TEST(seqrec::presets().size() >= 4u);
  for (const auto& p : seqrec::presets()) {
    BOOST_TEST_CONTEXT("preset " << p.name) {
      BOOST_TEST(!p.source.empty());
      BOOST_TEST(!p.description.empty());
      std::vector<std::string> models{"pop"};
      for (auto it = p.model_keys.begin(); it != p.model_keys.end(); ++it)
        models.push_back(it.key());
      for (const auto& model : models) {
        const json keys = model == "pop" ? p.keys : p.keys_for(model);
        BOOST_CHECK_NO_THROW(make_trial_setup(model, "tiny", keys, "preset", {}, 1, 1, "cpu"));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_preset_is_its_keys_and_later_layers_override_it) {
  const Preset& p = find_preset("esasrec2025-loo");
  const json keys = p.keys_for("sasrec");
  const auto by_preset = make_trial_setup("sasrec", "tiny", keys, "preset", {}, 1, 1, "cpu");
  const auto by_hand =
      make_trial_setup("sasrec", "tiny", nullptr, "", assignments(keys), 1, 1, "cpu");
  BOOST_CHECK_EQUAL(by_preset.id(), by_hand.id());
  BOOST_CHECK_EQUAL(by_preset.trainer.adam_beta2, 0.98);
  BOOST_TEST((by_preset.protocol.drop_users == DropUsers::ColdOrSeenTarget));
  BOOST_CHECK_EQUAL(by_preset.params.get_int("hidden"), 64);
  const auto overridden =
      make_trial_setup("sasrec", "tiny", keys, "preset", {"hidden=256"}, 1, 1, "cpu");
  BOOST_CHECK_EQUAL(overridden.params.get_int("hidden"), 256);
  BOOST_CHECK_THROW(find_preset("esasrec"), InputError);
}

BOOST_AUTO_TEST_CASE(train_records_the_preset_and_refuses_an_unknown_one) {
  ScratchDir dir;
  const std::string data = shared_dataset("ml-100k");
  auto r = run_cli("train --model pop --dataset " + data + " --preset recbole121 --quiet --out " +
                   dir.file("runs"));
  BOOST_TEST_INFO(r.output);
  BOOST_REQUIRE(r.exit_code == 0);
  const auto pos = r.output.find("pop: ");
  BOOST_REQUIRE(pos != std::string::npos);
  const std::string folder = r.output.substr(pos + 5, r.output.find('\n', pos) - pos - 5);
  const json result = json::parse(slurp(folder + "/result.json"));
  BOOST_TEST(result["preset"] == "recbole121");
  BOOST_TEST(result["trainer"]["train_samples"] == "last_position");
  BOOST_TEST(contains(result["command"].get<std::string>(), "--preset recbole121"));
  auto bad =
      run_cli("train --model pop --dataset " + data + " --preset nope --out " + dir.file("runs"));
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(contains(bad.output, "preset 'nope' is not known; presets: recbole121"));
}

BOOST_AUTO_TEST_CASE(a_sweep_spec_takes_a_preset_under_its_base) {
  ScratchDir dir;
  json spec = {{"name", "p"},
               {"out", dir.file("out")},
               {"datasets", {"tiny"}},
               {"seeds", {1}},
               {"preset", "klenitskiy2023-ml1m"},
               {"base", {{"epochs", 3}}},
               {"models", {{{"model", "sasrec"}}, {{"model", "bert4rec"}}}}};
  const auto loaded = load_sweep_spec(dir.write("spec.json", spec.dump()));
  BOOST_TEST(loaded.preset == "klenitskiy2023-ml1m");
  BOOST_REQUIRE(loaded.trials.size() == 2u);
  BOOST_TEST(loaded.trials[0].keys["max_len"] == 200);
  BOOST_TEST(loaded.trials[0].keys["init"] == "normal_torch_mha");  // SASRec only
  BOOST_TEST(!loaded.trials[1].keys.contains("init"));
  BOOST_TEST(loaded.trials[0].keys["epochs"] == 3);  // base over the preset's 100
  BOOST_TEST(loaded.trials[1].keys["mask_prob"] == 0.2);
  BOOST_TEST(loaded.trials[1].keys["prediction_head"] == "tied");
  spec["preset"] = "nope";
  BOOST_CHECK_EXCEPTION(load_sweep_spec(dir.write("spec.json", spec.dump())), InputError,
                        [](const InputError& e) { return contains(e.what(), "preset"); });
}

BOOST_AUTO_TEST_SUITE_END()
