#pragma once
// Typed hyper-parameters: one declaration per parameter (name, type, default, range,
// meaning) drives `--set` parsing, validation, `seqrec models` and result.json.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace seqrec {

enum class ParamType { Int, Float, Bool, String, StringList };
std::string to_string(ParamType type);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Float;
  nlohmann::json default_value;
  std::string help;                  // one line; says where the default comes from
  std::optional<double> min, max;    // inclusive bounds for Int/Float
  std::vector<std::string> choices;  // allowed values for String/StringList (empty = any)
  // For a key added after trials were recorded: the value that reproduces the behaviour from
  // before it existed. At that value the key is left out of trial identities, so earlier
  // trial ids (and the finished trials a sweep skips) stay valid.
  std::optional<nlohmann::json> value_before_it_existed;
};

// An ordered list of parameter declarations.
class ParamSchema {
 public:
  ParamSchema& add(ParamSpec spec);
  // Marks a declared key as added after trials were recorded, its current default being the
  // behaviour from before (see ParamSpec::value_before_it_existed).
  ParamSchema& added_after_recorded_trials(const std::string& name);
  ParamSchema& int_param(const std::string& name, int64_t def, const std::string& help,
                         std::optional<double> min = std::nullopt,
                         std::optional<double> max = std::nullopt);
  ParamSchema& float_param(const std::string& name, double def, const std::string& help,
                           std::optional<double> min = std::nullopt,
                           std::optional<double> max = std::nullopt);
  ParamSchema& bool_param(const std::string& name, bool def, const std::string& help);
  ParamSchema& string_param(const std::string& name, const std::string& def,
                            const std::string& help, std::vector<std::string> choices = {});
  ParamSchema& string_list_param(const std::string& name, std::vector<std::string> def,
                                 const std::string& help, std::vector<std::string> choices = {});
  // Changes the default of an existing parameter (a model's own default for a trainer key).
  ParamSchema& override_default(const std::string& name, nlohmann::json value);
  // Appends every parameter of `other` (names must not clash).
  ParamSchema& extend(const ParamSchema& other);

  const std::vector<ParamSpec>& specs() const { return specs_; }
  const ParamSpec* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<ParamSpec> specs_;
};

// Resolved values for a schema: defaults, then overrides in order. Every value has the
// declared type; unknown keys, wrong types and out-of-range values throw InputError naming
// the key (and `origin`, e.g. the config file or "--set").
class Params {
 public:
  explicit Params(const ParamSchema& schema);

  // Sets a key from JSON (config file) or from text (`--set key=value`).
  void set_json(const std::string& key, const nlohmann::json& value, const std::string& origin);
  void set_text(const std::string& key, const std::string& text, const std::string& origin);
  // Parses "key=value" as given on the command line.
  void set_assignment(const std::string& assignment, const std::string& origin);
  // Applies every key of a JSON object.
  void set_object(const nlohmann::json& object, const std::string& origin);

  int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;
  bool get_bool(const std::string& name) const;
  std::string get_string(const std::string& name) const;
  std::vector<std::string> get_string_list(const std::string& name) const;

  // All values as a JSON object with sorted keys (canonical: trial ids hash it).
  nlohmann::json to_json() const;
  // to_json() without keys at their value_before_it_existed: what trial ids hash.
  nlohmann::json identity_json() const;
  // Only the keys of `subset` (e.g. the model's own parameters).
  nlohmann::json to_json(const ParamSchema& subset) const;
  const ParamSchema& schema() const { return schema_; }

 private:
  const ParamSpec& spec_or_throw(const std::string& key, const std::string& origin) const;
  const nlohmann::json& value(const std::string& name, ParamType expected) const;
  ParamSchema schema_;
  nlohmann::json values_;
};

// `base` with a note on where `model`'s default comes from appended to the help of each key
// in `notes` ("[CORE: default 0.5 = RecBole ...]"), for models that reuse shared keys.
ParamSchema with_default_sources(const ParamSchema& base, const std::string& model,
                                 const std::map<std::string, std::string>& notes);

}  // namespace seqrec
