// Typed parameters (core/params), the protocol's keys and hash (harness/protocol), and
// trial ids (harness/trial): strict parsing, validation that names the key, stable hashes.
#include "core/params.h"

#include <boost/test/unit_test.hpp>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/protocol.h"
#include "harness/trainer.h"
#include "harness/trial.h"
#include "tests/test_support.h"

using namespace seqrec;

namespace {

using seqrec::testing::contains;

// Runs `action`, which must throw InputError; returns its message.
std::string input_error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& e) {
    return e.what();
  }
  BOOST_FAIL("expected an InputError");
  return "";
}

// Checks that `action` throws an InputError mentioning every one of `parts`.
void check_input_error(const std::function<void()>& action, const std::vector<std::string>& parts) {
  const std::string message = input_error_message(action);
  for (const auto& p : parts) {
    BOOST_TEST_INFO("expected '" << p << "' in: " << message);
    BOOST_CHECK(contains(message, p));
  }
}

ParamSchema test_schema() {
  ParamSchema s;
  s.int_param("count", 3, "an int in [1, 10]", 1, 10);
  s.float_param("rate", 0.5, "a float in [0, 1]", 0.0, 1.0);
  s.bool_param("flag", false, "a bool");
  s.string_param("mode", "a", "one of a, b, c", {"a", "b", "c"});
  s.string_param("name", "x", "any string");
  s.string_list_param("tags", {"p", "q"}, "any strings");
  s.string_list_param("picks", {"a"}, "a subset of a, b", {"a", "b"});
  return s;
}

Params protocol_params(const std::vector<std::string>& assignments) {
  Params p(protocol_schema());
  for (const auto& a : assignments) p.set_assignment(a, "--set");
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(params)

// ---- text parsing ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(int_text_is_parsed_strictly) {
  Params p(test_schema());
  p.set_text("count", "7", "--set");
  BOOST_CHECK_EQUAL(p.get_int("count"), 7);
  for (const char* bad : {"1.5", "abc", "", "7x", "1e3", "99999999999999999999999"})
    check_input_error([&] { p.set_text("count", bad, "--set"); }, {"--set", "'count'", "integer"});
  BOOST_CHECK_EQUAL(p.get_int("count"), 7);  // a rejected value leaves the old one
}

BOOST_AUTO_TEST_CASE(bool_text_accepts_only_true_false_1_0) {
  Params p(test_schema());
  p.set_text("flag", "true", "--set");
  BOOST_CHECK(p.get_bool("flag"));
  p.set_text("flag", "0", "--set");
  BOOST_CHECK(!p.get_bool("flag"));
  p.set_text("flag", "1", "--set");
  BOOST_CHECK(p.get_bool("flag"));
  p.set_text("flag", "false", "--set");
  BOOST_CHECK(!p.get_bool("flag"));
  for (const char* bad : {"yes", "no", "True", "on", "", "maybe"})
    check_input_error([&] { p.set_text("flag", bad, "--set"); }, {"'flag'", "true or false"});
}

BOOST_AUTO_TEST_CASE(float_text_rejects_non_finite_and_trailing_garbage) {
  Params p(test_schema());
  p.set_text("rate", "0.25", "--set");
  BOOST_CHECK_EQUAL(p.get_float("rate"), 0.25);
  p.set_text("rate", "1", "--set");
  BOOST_CHECK_EQUAL(p.get_float("rate"), 1.0);
  p.set_text("rate", "1e-3", "--set");
  BOOST_CHECK_EQUAL(p.get_float("rate"), 1e-3);
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "fast", "0.5x", ""})
    check_input_error([&] { p.set_text("rate", bad, "--set"); }, {"'rate'", "number"});
}

BOOST_AUTO_TEST_CASE(string_list_text_splits_on_commas_and_empty_is_the_empty_list) {
  Params p(test_schema());
  BOOST_CHECK((p.get_string_list("tags") == std::vector<std::string>{"p", "q"}));
  p.set_text("tags", "a,b", "--set");
  BOOST_CHECK((p.get_string_list("tags") == std::vector<std::string>{"a", "b"}));
  p.set_text("tags", "solo", "--set");
  BOOST_CHECK((p.get_string_list("tags") == std::vector<std::string>{"solo"}));
  p.set_text("tags", "", "--set");
  BOOST_CHECK(p.get_string_list("tags").empty());
  p.set_text("tags", "a", "--set");
  p.set_text("tags", "[]", "--set");
  BOOST_CHECK(p.get_string_list("tags").empty());
}

BOOST_AUTO_TEST_CASE(assignment_needs_a_key_and_an_equals_sign) {
  Params p(test_schema());
  p.set_assignment("name=a=b", "--set");  // only the first '=' splits
  BOOST_CHECK_EQUAL(p.get_string("name"), "a=b");
  p.set_assignment("name=", "--set");
  BOOST_CHECK_EQUAL(p.get_string("name"), "");
  check_input_error([&] { p.set_assignment("count", "--set"); }, {"--set", "key=value", "count"});
  check_input_error([&] { p.set_assignment("=3", "--set"); }, {"key=value", "=3"});
}

// ---- JSON values ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(json_integer_is_a_fine_float_but_a_fraction_is_not_an_int) {
  Params p(test_schema());
  p.set_json("rate", 1, "config.json");
  BOOST_CHECK_EQUAL(p.get_float("rate"), 1.0);
  BOOST_CHECK(p.to_json()["rate"].is_number_float());
  p.set_json("count", 4, "config.json");
  BOOST_CHECK_EQUAL(p.get_int("count"), 4);
  check_input_error([&] { p.set_json("count", 1.5, "config.json"); },
                    {"config.json", "'count'", "integer", "1.5"});
  check_input_error([&] { p.set_json("count", "4", "config.json"); }, {"'count'", "integer"});
  check_input_error([&] { p.set_json("count", true, "config.json"); }, {"'count'", "integer"});
  check_input_error([&] { p.set_json("rate", "0.5", "config.json"); }, {"'rate'", "number"});
  check_input_error([&] { p.set_json("flag", 1, "config.json"); }, {"'flag'", "true or false"});
  check_input_error([&] { p.set_json("name", 3, "config.json"); }, {"'name'", "string"});
  check_input_error([&] { p.set_json("tags", "a,b", "config.json"); }, {"'tags'", "list"});
  check_input_error(
      [&] {
        p.set_json("tags", nlohmann::json::array({"a", 1}), "config.json");
      },
      {"'tags'", "list of strings"});
  p.set_json("tags", nlohmann::json::array({"x", "y"}), "config.json");
  BOOST_CHECK((p.get_string_list("tags") == std::vector<std::string>{"x", "y"}));
}

// ---- bounds and choices ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(bounds_are_inclusive_and_errors_name_key_and_bound) {
  Params p(test_schema());
  p.set_text("count", "1", "--set");
  p.set_text("count", "10", "--set");
  BOOST_CHECK_EQUAL(p.get_int("count"), 10);
  check_input_error([&] { p.set_text("count", "0", "--set"); }, {"'count'", ">= 1"});
  check_input_error([&] { p.set_text("count", "11", "--set"); }, {"'count'", "<= 10"});
  p.set_json("rate", 0, "config.json");
  p.set_json("rate", 1.0, "config.json");
  check_input_error([&] { p.set_json("rate", -0.001, "config.json"); }, {"'rate'", ">= 0"});
  check_input_error([&] { p.set_text("rate", "1.5", "--set"); }, {"'rate'", "<= 1"});
}

BOOST_AUTO_TEST_CASE(choices_are_enforced_for_strings_and_every_list_element) {
  Params p(test_schema());
  p.set_text("mode", "c", "--set");
  BOOST_CHECK_EQUAL(p.get_string("mode"), "c");
  check_input_error([&] { p.set_text("mode", "d", "--set"); }, {"'mode'", "one of a, b, c"});
  check_input_error([&] { p.set_text("mode", "A", "--set"); }, {"'mode'"});
  p.set_text("picks", "b,a", "--set");
  BOOST_CHECK((p.get_string_list("picks") == std::vector<std::string>{"b", "a"}));
  check_input_error([&] { p.set_text("picks", "a,z", "--set"); }, {"'picks'", "one of a, b"});
  p.set_text("picks", "", "--set");  // the empty list has no bad element
  BOOST_CHECK(p.get_string_list("picks").empty());
}

BOOST_AUTO_TEST_CASE(invalid_default_is_refused_at_declaration) {
  ParamSchema s;
  BOOST_CHECK_THROW(s.int_param("n", 0, "below min", 1, 10), InputError);
  BOOST_CHECK_THROW(s.string_param("m", "z", "not a choice", {"a", "b"}), InputError);
  s.int_param("n", 1, "ok", 1, 10);
  BOOST_CHECK_THROW(s.int_param("n", 2, "declared twice"), std::logic_error);
}

BOOST_AUTO_TEST_CASE(override_default_validates_the_new_default) {
  ParamSchema s = test_schema();
  s.override_default("count", 5);
  s.override_default("rate", 1);  // an integer default for a float key is stored as a float
  BOOST_CHECK(s.find("rate")->default_value.is_number_float());
  s.override_default("mode", "b");
  Params p(s);
  BOOST_CHECK_EQUAL(p.get_int("count"), 5);
  BOOST_CHECK_EQUAL(p.get_float("rate"), 1.0);
  BOOST_CHECK_EQUAL(p.get_string("mode"), "b");
  check_input_error([&] { s.override_default("count", 50); }, {"count", "<= 10"});
  check_input_error([&] { s.override_default("count", 2.5); }, {"count", "integer"});
  check_input_error([&] { s.override_default("mode", "z"); }, {"mode", "one of"});
  check_input_error([&] { s.override_default("flag", "yes"); }, {"flag"});
  BOOST_CHECK_THROW(s.override_default("no_such_key", 1), std::logic_error);
  BOOST_CHECK_EQUAL(s.find("count")->default_value.get<int64_t>(), 5);  // unchanged by failures
}

// ---- unknown keys, reading, to_json ---------------------------------------------------

BOOST_AUTO_TEST_CASE(unknown_key_names_the_key_and_lists_the_accepted_ones) {
  Params p(test_schema());
  std::vector<std::string> parts{"config.json", "unknown key 'speed'", "accepted keys"};
  for (const auto& name : test_schema().names()) parts.push_back(name);
  check_input_error([&] { p.set_json("speed", 1, "config.json"); }, parts);
  check_input_error([&] { p.set_text("speed", "1", "--set"); }, {"--set", "'speed'", "count"});
  check_input_error(
      [&] {
        p.set_object({{"count", 2}, {"speed", 1}}, "c.json");
      },
      {"c.json", "'speed'"});
  check_input_error([&] { p.set_object(nlohmann::json::array({1}), "c.json"); },
                    {"c.json", "object"});
}

BOOST_AUTO_TEST_CASE(reading_a_key_as_the_wrong_type_is_a_programming_error) {
  Params p(test_schema());
  BOOST_CHECK_THROW(p.get_float("count"), std::logic_error);
  BOOST_CHECK_THROW(p.get_int("no_such_key"), std::logic_error);
}

BOOST_AUTO_TEST_CASE(to_json_holds_every_schema_key_and_round_trips_through_set_object) {
  const ParamSchema schema = test_schema();
  Params p(schema);
  p.set_text("count", "9", "--set");
  p.set_text("rate", "0.125", "--set");
  p.set_text("flag", "true", "--set");
  p.set_text("mode", "b", "--set");
  p.set_text("name", "hello world", "--set");
  p.set_text("tags", "", "--set");
  p.set_text("picks", "b", "--set");
  const nlohmann::json j = p.to_json();
  // Note: nlohmann::json objects keep their keys sorted, so the order of `j` is alphabetical;
  // what matters is that it holds exactly the declared keys.
  std::set<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.insert(it.key());
  const auto names = schema.names();
  BOOST_CHECK((keys == std::set<std::string>(names.begin(), names.end())));
  BOOST_CHECK_EQUAL(j.size(), names.size());

  Params copy(schema);
  copy.set_object(j, "round trip");
  BOOST_CHECK_EQUAL(copy.to_json().dump(), j.dump());
  BOOST_CHECK_EQUAL(copy.get_int("count"), 9);
  BOOST_CHECK_EQUAL(copy.get_float("rate"), 0.125);
  BOOST_CHECK(copy.get_bool("flag"));
  BOOST_CHECK_EQUAL(copy.get_string("name"), "hello world");
  BOOST_CHECK(copy.get_string_list("tags").empty());

  ParamSchema subset;
  subset.int_param("count", 3, "same key", 1, 10);
  const nlohmann::json part = p.to_json(subset);
  BOOST_CHECK_EQUAL(part.size(), 1u);
  BOOST_CHECK_EQUAL(part["count"].get<int64_t>(), 9);
}

BOOST_AUTO_TEST_CASE(extend_appends_and_refuses_clashing_names) {
  ParamSchema a;
  a.int_param("x", 1, "x");
  ParamSchema b;
  b.float_param("y", 2.0, "y");
  a.extend(b);
  BOOST_CHECK((a.names() == std::vector<std::string>{"x", "y"}));
  BOOST_CHECK_THROW(a.extend(b), std::logic_error);
}

// ---- protocol -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(default_protocol_hash_is_pinned) {
  // If this literal changes, every stored result's protocol hash changes with it: only
  // update it for a deliberate protocol change.
  const Protocol defaults;
  BOOST_CHECK_EQUAL(defaults.hash(), "c51ce65c5fe5ca95");
  BOOST_CHECK_EQUAL(defaults.hash(), Protocol().hash());
  BOOST_CHECK_EQUAL(protocol_from_params(protocol_params({})).hash(), defaults.hash());
  BOOST_CHECK_EQUAL(defaults.hash().size(), 16u);
}

BOOST_AUTO_TEST_CASE(stable_hash_is_64_bit_fnv1a) {
  BOOST_CHECK_EQUAL(stable_hash(""), "cbf29ce484222325");
  BOOST_CHECK_EQUAL(stable_hash("a"), "af63dc4c8601ec8c");
}

BOOST_AUTO_TEST_CASE(every_protocol_key_changes_the_hash) {
  const std::string base = protocol_from_params(protocol_params({})).hash();
  for (const char* change :
       {"max_len=200", "mask_seen=true", "user_core=5", "item_core=5", "drop_duplicates=true",
        "ties=pessimistic", "metrics=HR,NDCG", "ks=10", "valid_metric=HR@10"}) {
    BOOST_TEST_INFO("change " << change);
    BOOST_CHECK_NE(protocol_from_params(protocol_params({change})).hash(), base);
  }
  BOOST_CHECK_NE(protocol_from_params(protocol_params({"max_len=200"})).hash(),
                 protocol_from_params(protocol_params({"max_len=100"})).hash());
  // Setting a key to its default is no change.
  BOOST_CHECK_EQUAL(protocol_from_params(protocol_params({"max_len=50", "mask_seen=false"})).hash(),
                    base);
}

BOOST_AUTO_TEST_CASE(protocol_from_params_reads_every_key) {
  const Protocol pr = protocol_from_params(protocol_params(
      {"max_len=200", "mask_seen=true", "user_core=5", "ties=optimistic", "ks=1,10,50"}));
  BOOST_CHECK_EQUAL(pr.max_len, 200);
  BOOST_CHECK(pr.mask_seen);
  BOOST_CHECK_EQUAL(pr.filter.user_core, 5);
  BOOST_CHECK(pr.ties == TieRule::Optimistic);
  BOOST_CHECK((pr.metrics.ks == std::vector<int>{1, 10, 50}));
  BOOST_CHECK_EQUAL(pr.to_json()["max_len"].get<int64_t>(), 200);
}

BOOST_AUTO_TEST_CASE(valid_metric_must_be_a_computed_column) {
  check_input_error([] { protocol_from_params(protocol_params({"valid_metric=AUC"})); },
                    {"'valid_metric'", "AUC"});
  check_input_error([] { protocol_from_params(protocol_params({"valid_metric=NDCG@50"})); },
                    {"'valid_metric'", "NDCG@50"});
  // NDCG@10 is the default, but not computed when NDCG is not among the metrics.
  check_input_error([] { protocol_from_params(protocol_params({"metrics=HR"})); },
                    {"'valid_metric'", "NDCG@10"});
  BOOST_CHECK_NO_THROW(protocol_from_params(protocol_params({"metrics=HR", "valid_metric=HR@10"})));
  BOOST_CHECK_NO_THROW(protocol_from_params(protocol_params({"ks=50", "valid_metric=MRR@50"})));
}

BOOST_AUTO_TEST_CASE(ks_must_be_positive_integers) {
  for (const char* bad : {"ks=5,ten", "ks=1.5", "ks=0", "ks=-5", "ks=5,,10", "ks=5x"}) {
    BOOST_TEST_INFO(bad);
    check_input_error(
        [&] {
          protocol_from_params(protocol_params({bad, "valid_metric=NDCG@5"}));
        },
        {"'ks'"});
  }
  check_input_error([] { protocol_from_params(protocol_params({"ks="})); }, {"'ks'"});
  check_input_error([] { protocol_from_params(protocol_params({"metrics=AUC"})); }, {"'metrics'"});
}

BOOST_AUTO_TEST_CASE(protocol_keys_are_range_checked) {
  check_input_error([] { protocol_params({"max_len=0"}); }, {"'max_len'", ">= 1"});
  check_input_error([] { protocol_params({"user_core=-1"}); }, {"'user_core'", ">= 0"});
  check_input_error([] { protocol_params({"split=time"}); }, {"'split'", "loo"});
  check_input_error([] { protocol_params({"mask_seen=maybe"}); }, {"'mask_seen'", "maybe"});
}

// ---- trials ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(trial_ids_are_stable_and_differ_by_seed_model_and_keys) {
  auto id = [](const std::string& model, uint64_t seed, std::vector<std::string> sets) {
    return make_trial_setup(model, "tiny", nullptr, "", sets, seed, 1, "cpu").id();
  };
  const std::string a = id("sasrec", 42, {});
  BOOST_CHECK_EQUAL(a.size(), 16u);
  BOOST_CHECK_EQUAL(a, id("sasrec", 42, {}));
  BOOST_CHECK_NE(a, id("sasrec", 43, {}));
  BOOST_CHECK_NE(a, id("pop", 42, {}));
  BOOST_CHECK_NE(a, id("sasrec", 42, {"hidden=32"}));
  BOOST_CHECK_NE(a, id("sasrec", 42, {"max_len=200"}));
  // Threads and device do not change the numbers' identity.
  BOOST_CHECK_EQUAL(a, make_trial_setup("sasrec", "tiny", nullptr, "", {}, 42, 4, "cpu").id());
  // A key set to its default is no change; config file and --set agree.
  BOOST_CHECK_EQUAL(a, id("sasrec", 42, {"max_len=50"}));
  BOOST_CHECK_EQUAL(
      make_trial_setup("sasrec", "tiny", {{"hidden", 32}}, "c.json", {}, 42, 1, "cpu").id(),
      id("sasrec", 42, {"hidden=32"}));
}

BOOST_AUTO_TEST_CASE(adam_keys_default_to_torchs_and_leave_recorded_ids_alone) {
  auto setup = [](std::vector<std::string> sets) {
    return make_trial_setup("sasrec", "tiny", nullptr, "", sets, 42, 1, "cpu");
  };
  const TrialSetup defaults = setup({});
  BOOST_CHECK_EQUAL(defaults.trainer.adam_beta1, 0.9);
  BOOST_CHECK_EQUAL(defaults.trainer.adam_beta2, 0.999);
  BOOST_CHECK_EQUAL(defaults.trainer.adam_eps, 1e-8);
  // Trials recorded before the keys existed ran with torch's values: same id.
  BOOST_CHECK_EQUAL(setup({"adam_beta2=0.999"}).id(), defaults.id());
  const TrialSetup esasrec = setup({"adam_beta2=0.98", "adam_eps=1e-9"});
  BOOST_CHECK_EQUAL(esasrec.trainer.adam_beta2, 0.98);
  BOOST_CHECK_EQUAL(esasrec.trainer.adam_eps, 1e-9);
  BOOST_CHECK_NE(esasrec.id(), defaults.id());
  check_input_error([&] { setup({"adam_beta1=1"}); }, {"'adam_beta1'"});
}

BOOST_AUTO_TEST_CASE(trial_setup_layers_defaults_model_defaults_config_and_set) {
  const TrialSetup s = make_trial_setup("sasrec", "tiny", {{"lr", 0.01}, {"epochs", 3}}, "c.json",
                                        {"epochs=7"}, 42, 1, "cpu");
  BOOST_CHECK_EQUAL(s.trainer.lr, 0.01);
  BOOST_CHECK_EQUAL(s.trainer.epochs, 7);  // --set wins over the config file
  check_input_error(
      [] {
        make_trial_setup("sasrec", "tiny", {{"nope", 1}}, "c.json", {}, 42, 1, "cpu");
      },
      {"c.json", "'nope'", "accepted keys", "hidden", "lr", "max_len"});
  check_input_error(
      [] { make_trial_setup("no_such_model", "tiny", nullptr, "", {}, 42, 1, "cpu"); },
      {"no_such_model", "sasrec"});
}

BOOST_AUTO_TEST_CASE(trial_schema_holds_protocol_trainer_and_model_keys) {
  const ParamSchema s = trial_schema("sasrec");
  for (const auto& name : protocol_schema().names()) BOOST_CHECK(s.find(name));
  for (const auto& name : trainer_schema().names()) BOOST_CHECK(s.find(name));
  BOOST_CHECK(s.find("hidden"));
}

BOOST_AUTO_TEST_SUITE_END()
