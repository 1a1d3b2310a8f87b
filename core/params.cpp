#include "core/params.h"

#include <cmath>
#include <sstream>

#include "core/errors.h"

namespace seqrec {
namespace {

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string describe(const nlohmann::json& v) { return v.dump(); }

// Converts command-line text to JSON of the declared type, strictly: "1.5" is not an int,
// "yes" is not a bool (RecBole's eval() of command-line values is what we avoid here).
nlohmann::json parse_text(const ParamSpec& spec, const std::string& text,
                          const std::string& where) {
  auto fail = [&](const std::string& what) {
    return InputError(where + ": key '" + spec.name + "' expects " + what + ", got '" + text + "'");
  };
  switch (spec.type) {
    case ParamType::Int: {
      size_t used = 0;
      long long v = 0;
      try {
        v = std::stoll(text, &used);
      } catch (...) {
        throw fail("an integer");
      }
      if (used != text.size()) throw fail("an integer");
      return v;
    }
    case ParamType::Float: {
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(text, &used);
      } catch (...) {
        throw fail("a number");
      }
      if (used != text.size() || !std::isfinite(v)) throw fail("a finite number");
      return v;
    }
    case ParamType::Bool:
      if (text == "true" || text == "1") return true;
      if (text == "false" || text == "0") return false;
      throw fail("true or false");
    case ParamType::String:
      return text;
    case ParamType::StringList: {
      // "a,b,c"; the empty string or "[]" is the empty list.
      nlohmann::json list = nlohmann::json::array();
      if (text.empty() || text == "[]") return list;
      std::stringstream ss(text);
      std::string item;
      while (std::getline(ss, item, ',')) list.push_back(item);
      return list;
    }
  }
  return nullptr;
}

void check_value(const ParamSpec& spec, const nlohmann::json& v, const std::string& where) {
  auto fail = [&](const std::string& what) {
    return InputError(where + ": key '" + spec.name + "' " + what + " (got " + describe(v) + ")");
  };
  switch (spec.type) {
    case ParamType::Int:
      if (!v.is_number_integer()) throw fail("expects an integer");
      break;
    case ParamType::Float:
      if (!v.is_number()) throw fail("expects a number");
      break;
    case ParamType::Bool:
      if (!v.is_boolean()) throw fail("expects true or false");
      break;
    case ParamType::String:
      if (!v.is_string()) throw fail("expects a string");
      break;
    case ParamType::StringList:
      if (!v.is_array()) throw fail("expects a list of strings");
      for (const auto& e : v)
        if (!e.is_string()) throw fail("expects a list of strings");
      break;
  }
  if (v.is_number()) {
    double x = v.get<double>();
    if (spec.min && x < *spec.min) throw fail("must be >= " + describe(*spec.min));
    if (spec.max && x > *spec.max) throw fail("must be <= " + describe(*spec.max));
  }
  if (!spec.choices.empty()) {
    auto allowed = [&](const std::string& s) {
      for (const auto& c : spec.choices)
        if (c == s) return true;
      return false;
    };
    std::vector<std::string> given;
    if (v.is_string()) given.push_back(v.get<std::string>());
    if (v.is_array())
      for (const auto& e : v) given.push_back(e.get<std::string>());
    for (const auto& g : given)
      if (!allowed(g)) throw fail("must be one of " + join(spec.choices, ", "));
  }
}

}  // namespace

std::string to_string(ParamType type) {
  switch (type) {
    case ParamType::Int:
      return "int";
    case ParamType::Float:
      return "float";
    case ParamType::Bool:
      return "bool";
    case ParamType::String:
      return "string";
    case ParamType::StringList:
      return "list";
  }
  return "?";
}

ParamSchema& ParamSchema::add(ParamSpec spec) {
  if (find(spec.name)) throw std::logic_error("parameter declared twice: " + spec.name);
  check_value(spec, spec.default_value, "default of " + spec.name);
  specs_.push_back(std::move(spec));
  return *this;
}

ParamSchema& ParamSchema::int_param(const std::string& name, int64_t def, const std::string& help,
                                    std::optional<double> min, std::optional<double> max) {
  return add({name, ParamType::Int, def, help, min, max, {}, std::nullopt});
}
ParamSchema& ParamSchema::float_param(const std::string& name, double def, const std::string& help,
                                      std::optional<double> min, std::optional<double> max) {
  return add({name, ParamType::Float, def, help, min, max, {}, std::nullopt});
}
ParamSchema& ParamSchema::bool_param(const std::string& name, bool def, const std::string& help) {
  return add({name, ParamType::Bool, def, help, std::nullopt, std::nullopt, {}, std::nullopt});
}
ParamSchema& ParamSchema::string_param(const std::string& name, const std::string& def,
                                       const std::string& help, std::vector<std::string> choices) {
  return add({name, ParamType::String, def, help, std::nullopt, std::nullopt, std::move(choices),
              std::nullopt});
}
ParamSchema& ParamSchema::string_list_param(const std::string& name, std::vector<std::string> def,
                                            const std::string& help,
                                            std::vector<std::string> choices) {
  return add({name, ParamType::StringList, def, help, std::nullopt, std::nullopt,
              std::move(choices), std::nullopt});
}

ParamSchema& ParamSchema::override_default(const std::string& name, nlohmann::json value) {
  for (auto& s : specs_) {
    if (s.name == name) {
      if (s.type == ParamType::Float && value.is_number()) value = value.get<double>();
      check_value(s, value, "default of " + name);
      s.default_value = std::move(value);
      return *this;
    }
  }
  throw std::logic_error("override_default of undeclared parameter " + name);
}

ParamSchema& ParamSchema::added_after_recorded_trials(const std::string& name) {
  for (auto& s : specs_) {
    if (s.name == name) {
      s.value_before_it_existed = s.default_value;
      return *this;
    }
  }
  throw std::logic_error("added_after_recorded_trials of undeclared parameter " + name);
}

ParamSchema& ParamSchema::extend(const ParamSchema& other) {
  for (const auto& s : other.specs()) add(s);
  return *this;
}

const ParamSpec* ParamSchema::find(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> ParamSchema::names() const {
  std::vector<std::string> out;
  for (const auto& s : specs_) out.push_back(s.name);
  return out;
}

Params::Params(const ParamSchema& schema) : schema_(schema), values_(nlohmann::json::object()) {
  for (const auto& s : schema_.specs()) values_[s.name] = s.default_value;
}

const ParamSpec& Params::spec_or_throw(const std::string& key, const std::string& origin) const {
  const ParamSpec* spec = schema_.find(key);
  if (!spec)
    throw InputError(origin + ": unknown key '" + key +
                     "'; accepted keys: " + join(schema_.names(), ", "));
  return *spec;
}

void Params::set_json(const std::string& key, const nlohmann::json& value,
                      const std::string& origin) {
  const ParamSpec& spec = spec_or_throw(key, origin);
  nlohmann::json v = value;
  // JSON has one number type in spirit: 1 is a fine float, but 1.5 is not an int.
  if (spec.type == ParamType::Float && v.is_number()) v = v.get<double>();
  check_value(spec, v, origin);
  values_[key] = v;
}

void Params::set_text(const std::string& key, const std::string& text, const std::string& origin) {
  const ParamSpec& spec = spec_or_throw(key, origin);
  nlohmann::json v = parse_text(spec, text, origin);
  check_value(spec, v, origin);
  values_[key] = v;
}

void Params::set_assignment(const std::string& assignment, const std::string& origin) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(origin + ": expected key=value, got '" + assignment + "'");
  set_text(assignment.substr(0, eq), assignment.substr(eq + 1), origin);
}

void Params::set_object(const nlohmann::json& object, const std::string& origin) {
  if (!object.is_object()) throw InputError(origin + ": expected a JSON object of key: value");
  for (auto it = object.begin(); it != object.end(); ++it) set_json(it.key(), it.value(), origin);
}

const nlohmann::json& Params::value(const std::string& name, ParamType expected) const {
  const ParamSpec* spec = schema_.find(name);
  if (!spec || spec->type != expected)
    throw std::logic_error("parameter '" + name + "' read as " + to_string(expected) +
                           " but declared " + (spec ? to_string(spec->type) : "nowhere"));
  return values_.at(name);
}

int64_t Params::get_int(const std::string& n) const {
  return value(n, ParamType::Int).get<int64_t>();
}
double Params::get_float(const std::string& n) const {
  return value(n, ParamType::Float).get<double>();
}
bool Params::get_bool(const std::string& n) const { return value(n, ParamType::Bool).get<bool>(); }
std::string Params::get_string(const std::string& n) const {
  return value(n, ParamType::String).get<std::string>();
}
std::vector<std::string> Params::get_string_list(const std::string& n) const {
  return value(n, ParamType::StringList).get<std::vector<std::string>>();
}

nlohmann::json Params::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& s : schema_.specs()) out[s.name] = values_.at(s.name);
  return out;
}

nlohmann::json Params::identity_json() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& s : schema_.specs())
    if (!s.value_before_it_existed || values_.at(s.name) != *s.value_before_it_existed)
      out[s.name] = values_.at(s.name);
  return out;
}

nlohmann::json Params::to_json(const ParamSchema& subset) const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& s : subset.specs())
    if (values_.contains(s.name)) out[s.name] = values_.at(s.name);
  return out;
}

ParamSchema with_default_sources(const ParamSchema& base, const std::string& model,
                                 const std::map<std::string, std::string>& notes) {
  ParamSchema out;
  for (auto spec : base.specs()) {
    auto note = notes.find(spec.name);
    if (note != notes.end()) spec.help += " [" + model + ": " + note->second + "]";
    out.add(spec);
  }
  return out;
}

}  // namespace seqrec
