#include "harness/sweep_spec.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "core/errors.h"
#include "harness/presets.h"
#include "harness/shared_keys.h"
#include "models/registry.h"

namespace seqrec {
namespace {

using nlohmann::json;

// Errors name the spec file and the JSON path of the offending value.
struct SpecReader {
  std::string file;

  InputError error(const std::string& where, const std::string& message) const {
    return InputError(file + ": " + where + ": " + message);
  }
  void allow_only(const json& object, const std::string& where,
                  const std::set<std::string>& allowed) const {
    for (auto it = object.begin(); it != object.end(); ++it)
      if (!allowed.count(it.key())) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        throw error(where, "unknown key '" + it.key() + "' (accepted: " + list + ")");
      }
  }
  const json& object_at(const json& parent, const std::string& key,
                        const std::string& where) const {
    const json& v = parent.at(key);
    if (!v.is_object()) throw error(where + key, "expected a JSON object");
    return v;
  }
  std::vector<std::string> strings_at(const json& parent, const std::string& key) const {
    const json& v = parent.at(key);
    if (!v.is_array() || v.empty()) throw error(key, "expected a non-empty list of strings");
    std::vector<std::string> out;
    for (const auto& e : v) {
      if (!e.is_string()) throw error(key, "expected a non-empty list of strings");
      out.push_back(e.get<std::string>());
    }
    return out;
  }
};

// Portable draws (the standard distributions are not identical across libraries).
struct SpaceSampler {
  std::mt19937_64 engine;
  double uniform() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }
  uint64_t below(uint64_t n) { return engine() % n; }  // bias irrelevant for small n
};

json draw(const json& dimension, const std::string& where, SpaceSampler& rng, const SpecReader& r) {
  if (!dimension.is_object() || dimension.size() != 1)
    throw r.error(where,
                  "expected one of {\"choice\": [...]}, {\"uniform\": [lo, hi]}, "
                  "{\"log_uniform\": [lo, hi]}, {\"int_uniform\": [lo, hi]}");
  const auto& kind = dimension.begin().key();
  const json& arg = dimension.begin().value();
  if (kind == "choice") {
    if (!arg.is_array() || arg.empty())
      throw r.error(where + ".choice", "expected a non-empty list");
    return arg[rng.below(arg.size())];
  }
  if (!arg.is_array() || arg.size() != 2 || !arg[0].is_number() || !arg[1].is_number() ||
      arg[0].get<double>() > arg[1].get<double>())
    throw r.error(where + "." + kind, "expected [lo, hi] with lo <= hi");
  const double lo = arg[0].get<double>(), hi = arg[1].get<double>();
  if (kind == "uniform") return lo + (hi - lo) * rng.uniform();
  if (kind == "log_uniform") {
    if (lo <= 0) throw r.error(where + ".log_uniform", "bounds must be > 0");
    return std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * rng.uniform());
  }
  if (kind == "int_uniform") {
    const auto a = static_cast<int64_t>(std::ceil(lo)), b = static_cast<int64_t>(std::floor(hi));
    if (a > b) throw r.error(where + ".int_uniform", "no integer in [lo, hi]");
    return a + static_cast<int64_t>(rng.below(static_cast<uint64_t>(b - a + 1)));
  }
  throw r.error(where, "unknown distribution '" + kind + "'");
}

// Configurations of one model entry: the grid's cartesian product (keys in sorted order,
// values in list order, last key fastest), or `samples` draws from the random space.
std::vector<json> configurations(const json& entry, const std::string& where, const SpecReader& r) {
  const bool has_grid = entry.contains("grid"), has_random = entry.contains("random");
  if (has_grid && has_random) throw r.error(where, "give either 'grid' or 'random', not both");
  std::vector<json> points{json::object()};
  if (has_grid) {
    const json& grid = r.object_at(entry, "grid", where + ".");
    for (auto it = grid.begin(); it != grid.end(); ++it) {
      if (!it.value().is_array() || it.value().empty())
        throw r.error(where + ".grid." + it.key(), "expected a non-empty list of values");
      std::vector<json> next;
      for (const auto& p : points)
        for (const auto& v : it.value()) {
          json q = p;
          q[it.key()] = v;
          next.push_back(q);
        }
      points = next;
    }
  }
  if (has_random) {
    const json& random = r.object_at(entry, "random", where + ".");
    r.allow_only(random, where + ".random", {"samples", "seed", "space"});
    if (!random.contains("samples") || !random["samples"].is_number_integer() ||
        random["samples"].get<int64_t>() < 1)
      throw r.error(where + ".random.samples", "expected a positive integer");
    if (!random.contains("space")) throw r.error(where + ".random", "missing 'space'");
    const json& space = r.object_at(random, "space", where + ".random.");
    if (space.empty()) throw r.error(where + ".random.space", "empty space");
    const uint64_t seed = random.value("seed", 0);
    SpaceSampler rng{std::mt19937_64(seed)};
    points.clear();
    for (int64_t s = 0; s < random["samples"].get<int64_t>(); ++s) {
      json p = json::object();
      for (auto it = space.begin(); it != space.end(); ++it)
        p[it.key()] = draw(it.value(), where + ".random.space." + it.key(), rng, r);
      points.push_back(p);
    }
  }
  return points;
}

// Checks every key of `keys` against the model's schema, naming `where` on failure.
void check_keys(const std::string& model, const json& keys, const std::string& where,
                const SpecReader& r) {
  Params params(trial_schema(model));
  params.set_object(keys, r.file + ": " + where);
}

std::vector<uint64_t> read_seeds(const json& root, const SpecReader& r) {
  if (!root["seeds"].is_array() || root["seeds"].empty())
    throw r.error("seeds", "expected a non-empty list of non-negative integers");
  std::vector<uint64_t> seeds;
  for (const auto& s : root["seeds"]) {
    if (!s.is_number_integer() || s.get<int64_t>() < 0)
      throw r.error("seeds",
                    "expected a non-empty list of non-negative integers, found " + s.dump());
    seeds.push_back(s.get<uint64_t>());
  }
  return seeds;
}

// The registered model of each entry of "models", in order.
std::vector<std::string> read_model_names(const json& root, const SpecReader& r) {
  if (!root["models"].is_array() || root["models"].empty())
    throw r.error("models", "expected a non-empty list of {\"model\": NAME, ...}");
  std::vector<std::string> names;
  for (size_t i = 0; i < root["models"].size(); ++i) {
    const json& entry = root["models"][i];
    const std::string where = "models[" + std::to_string(i) + "]";
    if (!entry.is_object() || !entry.contains("model") || !entry["model"].is_string())
      throw r.error(where, "expected an object with a \"model\" name");
    try {
      ModelRegistry::instance().get(entry["model"].get<std::string>());
    } catch (const InputError& e) {
      throw r.error(where + ".model", e.what());
    }
    names.push_back(entry["model"].get<std::string>());
  }
  return names;
}

// The full model ("" with no keys) and each named variant of a models[] entry.
std::vector<std::pair<std::string, json>> read_variants(const json& entry, const std::string& where,
                                                        const std::string& model,
                                                        const SpecReader& r) {
  std::vector<std::pair<std::string, json>> variants{{"", json::object()}};
  if (!entry.contains("variants")) return variants;
  const json& vs = r.object_at(entry, "variants", where + ".");
  for (auto it = vs.begin(); it != vs.end(); ++it) {
    if (!it.value().is_object() || it.key().empty())
      throw r.error(where + ".variants." + it.key(), "expected a named object of keys");
    check_keys(model, it.value(), where + ".variants." + it.key(), r);
    variants.emplace_back(it.key(), it.value());
  }
  return variants;
}

// The same trial twice would share one folder and run once: say so instead.
void refuse_repeated_trials(const SweepSpec& spec, const SpecReader& r) {
  std::map<std::string, int64_t> first_index;
  for (const auto& t : spec.trials) {
    auto [it, fresh] = first_index.emplace(t.id, t.index);
    if (!fresh)
      throw r.error("models", "trial " + std::to_string(t.index) + " (" + t.model + ", seed " +
                                  std::to_string(t.seed) + ") repeats trial " +
                                  std::to_string(it->second) +
                                  ": same dataset, model, keys and seed");
  }
}

}  // namespace

SweepSpec load_sweep_spec(const std::string& path) {
  SpecReader r{path};
  json root = read_config_file(path);  // InputError naming the file for bad JSON
  r.allow_only(root, "top level",
               {"name", "description", "out", "datasets", "seeds", "preset", "base", "models"});
  for (const char* required : {"name", "datasets", "seeds", "models"})
    if (!root.contains(required))
      throw r.error("top level", std::string("missing '") + required + "'");
  if (!root["name"].is_string() || root["name"].get<std::string>().empty())
    throw r.error("name", "expected a non-empty string");

  SweepSpec spec;
  spec.path = path;
  spec.name = root["name"].get<std::string>();
  spec.out = root.contains("out") ? root["out"].get<std::string>() : "runs/" + spec.name;
  spec.out = std::filesystem::absolute(spec.out).lexically_normal().string();
  const auto datasets = r.strings_at(root, "datasets");
  const std::vector<uint64_t> seeds = read_seeds(root, r);
  const json base = root.contains("base") ? r.object_at(root, "base", "") : json::object();
  const Preset* preset = nullptr;
  if (root.contains("preset")) {
    if (!root["preset"].is_string()) throw r.error("preset", "expected a preset's name");
    try {
      preset = &find_preset(root["preset"].get<std::string>());
    } catch (const InputError& e) {
      throw r.error("preset", e.what());
    }
    spec.preset = preset->name;
  }
  const std::vector<std::string> model_names = read_model_names(root, r);
  // A base key goes to the models that declare it (epochs for all, loss only for SASRec-like
  // models); a base key no model declares is an error (shared_keys.h).
  for (auto it = base.begin(); it != base.end(); ++it)
    if (shared_key_applies_to(model_names.front(), it.key(), model_names))
      check_keys(model_names.front(), json{{it.key(), it.value()}}, "base", r);

  // Trials in a fixed order: dataset, model entry, grid/random point, variant, seed.
  int64_t index = 0;
  for (const auto& dataset : datasets) {
    for (size_t i = 0; i < root["models"].size(); ++i) {
      const json& entry = root["models"][i];
      const std::string where = "models[" + std::to_string(i) + "]";
      r.allow_only(entry, where, {"model", "set", "grid", "random", "variants", "reproduces"});
      std::string reproduces;
      if (entry.contains("reproduces")) {
        if (!entry["reproduces"].is_string() || !preset)
          throw r.error(where + ".reproduces",
                        "expected the published model's name, with a \"preset\" naming the "
                        "source");
        reproduces = entry["reproduces"].get<std::string>();
      }
      const std::string model = model_names[i];
      // The preset's keys for this model, then the base over them.
      json fixed = preset ? preset->keys_for(model) : json::object();
      check_keys(model, fixed, "preset", r);
      fixed.update(shared_keys_for(model, base, model_names));
      check_keys(model, fixed, "base", r);
      if (entry.contains("set")) {
        const json& set = r.object_at(entry, "set", where + ".");
        check_keys(model, set, where + ".set", r);
        fixed.update(set);
      }
      const auto variants = read_variants(entry, where, model, r);
      for (const auto& point : configurations(entry, where, r)) {
        check_keys(model, point, where + (entry.contains("grid") ? ".grid" : ".random"), r);
        for (const auto& [variant, variant_keys] : variants) {
          json keys = fixed;
          keys.update(point);
          keys.update(variant_keys);
          for (uint64_t seed : seeds) {
            SweepTrial t{index++, dataset, model, variant, reproduces, keys, seed, ""};
            t.id = make_trial_setup(model, dataset, keys, path, {}, seed, 1, "cpu").id();
            spec.trials.push_back(std::move(t));
          }
        }
      }
    }
  }
  refuse_repeated_trials(spec, r);
  return spec;
}

TrialSetup sweep_trial_setup(const SweepSpec& spec, const SweepTrial& trial, int threads,
                             const std::string& device) {
  return make_trial_setup(trial.model, trial.dataset, trial.keys, spec.path, {}, trial.seed,
                          threads, device);
}

}  // namespace seqrec
