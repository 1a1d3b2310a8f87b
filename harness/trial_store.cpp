#include "harness/trial_store.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/errors.h"
#include "harness/trainer.h"

namespace seqrec {

namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value at a '/'-separated key path, or nullptr.
const nlohmann::json* find_path(const nlohmann::json& j, const std::string& key_path) {
  const nlohmann::json* node = &j;
  std::string::size_type start = 0;
  while (true) {
    auto slash = key_path.find('/', start);
    std::string key =
        key_path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (slash == std::string::npos) return node;
    start = slash + 1;
  }
}

std::string key_name(const std::string& key_path) {
  std::string s = key_path;
  std::replace(s.begin(), s.end(), '/', '.');
  return s;
}

std::string required_string(const nlohmann::json& j, const std::string& key_path,
                            const std::string& file) {
  const nlohmann::json* v = find_path(j, key_path);
  if (!v || !v->is_string())
    throw InputError(file + ": key '" + key_name(key_path) + "' is missing or not a string");
  return v->get<std::string>();
}

std::string optional_string(const nlohmann::json& j, const std::string& key_path,
                            const std::string& file) {
  const nlohmann::json* v = find_path(j, key_path);
  if (!v || v->is_null()) return "";
  if (!v->is_string())
    throw InputError(file + ": key '" + key_name(key_path) + "' is not a string");
  return v->get<std::string>();
}

nlohmann::json optional_object(const nlohmann::json& j, const std::string& key_path,
                               const std::string& file) {
  const nlohmann::json* v = find_path(j, key_path);
  if (!v || v->is_null()) return nlohmann::json::object();
  if (!v->is_object())
    throw InputError(file + ": key '" + key_name(key_path) + "' is not an object");
  return *v;
}

std::map<std::string, double> metric_map(const nlohmann::json& j, const std::string& key_path,
                                         const std::string& file) {
  const nlohmann::json* v = find_path(j, key_path);
  if (!v || !v->is_object())
    throw InputError(file + ": key '" + key_name(key_path) + "' is missing or not an object");
  std::map<std::string, double> out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_number())
      throw InputError(file + ": key '" + key_name(key_path) + "." + it.key() +
                       "' is not a number");
    out[it.key()] = it.value().get<double>();
  }
  return out;
}

// metric@k names in protocol order (metrics x ks), then any other present key, sorted.
std::vector<std::string> ordered_columns(const nlohmann::json& protocol,
                                         const std::map<std::string, double>& present) {
  std::vector<std::string> cols;
  std::set<std::string> used;
  const auto metrics = protocol.find("metrics");
  const auto ks = protocol.find("ks");
  if (metrics != protocol.end() && ks != protocol.end() && metrics->is_array() && ks->is_array()) {
    for (const auto& m : *metrics) {
      if (!m.is_string()) continue;
      for (const auto& k : *ks) {
        std::string kk = k.is_string() ? k.get<std::string>() : k.dump();
        std::string name = m.get<std::string>() + "@" + kk;
        if (present.count(name) && used.insert(name).second) cols.push_back(name);
      }
    }
  }
  for (const auto& [name, v] : present)
    if (used.insert(name).second) cols.push_back(name);
  return cols;
}

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (true) {
    auto comma = line.find(',', start);
    out.push_back(
        line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

NumericCsv read_numeric_csv(const std::string& path, bool label_column) {
  NumericCsv csv;
  csv.path = path;
  csv.has_label = label_column;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  std::string line;
  long line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto fields = split_commas(line);
    if (csv.header.empty()) {
      csv.header = fields;
      if (label_column && csv.header.size() < 2)
        throw input_error_at(path, line_no, "expected a header 'user,<metric>,...'");
      continue;
    }
    if (fields.size() != csv.header.size())
      throw input_error_at(path, line_no,
                           "expected " + std::to_string(csv.header.size()) + " fields, found " +
                               std::to_string(fields.size()));
    std::vector<double> row;
    row.reserve(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      if (label_column && i == 0) {
        csv.labels.push_back(fields[0]);
        continue;
      }
      const std::string& f = fields[i];
      char* end = nullptr;
      errno = 0;
      double v = std::strtod(f.c_str(), &end);
      if (f.empty() || end != f.c_str() + f.size())
        throw input_error_at(path, line_no,
                             "column '" + csv.header[i] + "': '" + f + "' is not a number");
      row.push_back(v);
    }
    csv.rows.push_back(std::move(row));
  }
  if (csv.header.empty()) throw InputError(path + ": empty file (no header)");
  return csv;
}

// A trial recorded before a trainer key existed has no value for it in result.json, but it ran
// with the value that reproduces the behaviour from before (the value its trial id leaves out).
// Filling that value in lets the report group it with later trials of the same configuration.
void fill_trainer_keys_added_later(nlohmann::json& trainer) {
  if (trainer.empty()) return;  // not written by the harness's trainer: nothing to complete
  static const ParamSchema schema = trainer_schema();
  for (const auto& spec : schema.specs())
    if (spec.value_before_it_existed && !trainer.contains(spec.name))
      trainer[spec.name] = *spec.value_before_it_existed;
}

}  // namespace

int NumericCsv::column(const std::string& name) const {
  const size_t first = has_label ? 1 : 0;
  for (size_t i = first; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i - first);
  return -1;
}

TrialRecord read_trial(const std::string& dir, const std::string& rel_dir) {
  TrialRecord t;
  t.dir = dir;
  t.rel_dir = rel_dir;
  const std::string file = t.result_path();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text(file));
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(file + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw InputError(file + ": expected a JSON object");
  t.status = required_string(j, "status", file);
  if (t.status != "ok" && t.status != "failed")
    throw InputError(file + ": key 'status': '" + t.status + "' is neither 'ok' nor 'failed'");
  t.trial_id = optional_string(j, "trial_id", file);
  t.model = required_string(j, "model", file);
  t.dataset = required_string(j, "dataset/name", file);
  t.dataset_info = optional_object(j, "dataset", file);
  t.protocol_hash = required_string(j, "protocol_hash", file);
  t.protocol = optional_object(j, "protocol", file);
  t.params = optional_object(j, "params", file);
  t.trainer = optional_object(j, "trainer", file);
  fill_trainer_keys_added_later(t.trainer);
  t.variant = optional_string(j, "variant", file);
  t.sweep = optional_string(j, "sweep", file);
  t.preset = optional_string(j, "preset", file);
  t.reproduces = optional_string(j, "reproduces", file);
  if (const auto* seed = find_path(j, "seed")) {
    if (!seed->is_number_integer()) throw InputError(file + ": key 'seed' is not an integer");
    t.seed = seed->get<uint64_t>();
  }
  if (const auto* f = find_path(j, "failure"))
    t.failure = f->is_string() ? f->get<std::string>() : f->dump();
  if (const auto* s = find_path(j, "seconds/train")) {
    if (!s->is_number()) throw InputError(file + ": key 'seconds.train' is not a number");
    t.train_seconds = s->get<double>();
  }
  if (const auto* b = find_path(j, "best_epoch"))
    if (b->is_number_integer()) t.best_epoch = b->get<int64_t>();
  if (!t.ok()) return t;

  t.valid_metric = required_string(j, "protocol/valid_metric", file);
  t.valid = metric_map(j, "metrics/valid", file);
  t.test = metric_map(j, "metrics/test", file);
  if (!t.valid.count(t.valid_metric))
    throw InputError(file + ": metrics.valid has no '" + t.valid_metric +
                     "' (the protocol's valid_metric)");
  if (!t.test.count(t.valid_metric))
    throw InputError(file + ": metrics.test has no '" + t.valid_metric +
                     "' (the protocol's valid_metric)");
  t.columns = ordered_columns(t.protocol, t.test);
  return t;
}

TrialScan scan_trials(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw InputError(root + ": not a folder");
  TrialScan scan;
  std::vector<fs::path> dirs{fs::path(root)};
  for (auto it = fs::recursive_directory_iterator(
           root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) dirs.push_back(it->path());
  }
  if (ec) throw InputError(root + ": cannot list: " + ec.message());
  const fs::path base(root);
  for (const auto& d : dirs) {
    std::string rel = fs::relative(d, base, ec).generic_string();
    if (ec || rel.empty()) rel = ".";
    if (fs::exists(d / "result.json")) {
      scan.trials.push_back(read_trial(d.string(), rel));
    } else if (fs::exists(d / "curve.csv") || fs::exists(d / "per_user.csv") ||
               fs::exists(d / "log.txt")) {
      scan.unfinished.push_back(rel);
    }
  }
  std::sort(scan.trials.begin(), scan.trials.end(),
            [](const TrialRecord& a, const TrialRecord& b) { return a.rel_dir < b.rel_dir; });
  std::sort(scan.unfinished.begin(), scan.unfinished.end());
  return scan;
}

TrialScan scan_trials(const std::vector<std::string>& roots) {
  if (roots.size() == 1) return scan_trials(roots.front());
  TrialScan all;
  for (const auto& root : roots) {
    TrialScan one = scan_trials(root);
    for (auto& t : one.trials) {
      t.rel_dir = (fs::path(root) / t.rel_dir).lexically_normal().generic_string();
      all.trials.push_back(std::move(t));
    }
    for (const auto& rel : one.unfinished)
      all.unfinished.push_back((fs::path(root) / rel).lexically_normal().generic_string());
  }
  std::sort(all.trials.begin(), all.trials.end(),
            [](const TrialRecord& a, const TrialRecord& b) { return a.rel_dir < b.rel_dir; });
  std::sort(all.unfinished.begin(), all.unfinished.end());
  return all;
}

NumericCsv read_curve_csv(const std::string& path) { return read_numeric_csv(path, false); }

NumericCsv read_per_user_csv(const std::string& path) {
  NumericCsv csv = read_numeric_csv(path, true);
  if (csv.header[0] != "user")
    throw input_error_at(path, 1,
                         "expected the first column to be 'user', found '" + csv.header[0] + "'");
  return csv;
}

}  // namespace seqrec
